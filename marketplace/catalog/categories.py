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

# Categories whose products are food: the food rules of legality/permits.py apply to all of
# them (a processed snack under "pertanian" needs its permit like one under "kuliner").
FOOD_CATEGORIES = frozenset({"kuliner", "perikanan", "pertanian"})
