"""The fixed product categories (the paper's member sectors first)."""

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "fashion": _l("Fashion & pakaian"),
    "kuliner": _l("Kuliner (makanan & minuman)"),
    "kriya": _l("Kriya & kerajinan"),
    "kosmetik": _l("Kosmetik & perawatan"),
    "pendidikan": _l("Pendidikan & buku"),
    "perikanan": _l("Hasil perikanan"),
    "pertanian": _l("Hasil tani segar"),
    "rumah_tangga": _l("Perlengkapan rumah tangga"),
}

FOOD_CATEGORIES = frozenset({"kuliner", "perikanan"})
