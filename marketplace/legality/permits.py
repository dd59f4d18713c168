"""Which permits a product needs: DOMAIN.md section 2.2 as one pure function.

The seller never picks a permit type; it follows from the category and the structured
attributes they answer (shelf life, storage, process, ...).
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

# The table reads the one attributes type (catalog.attributes), it does not define its own.
from marketplace.catalog.attributes import ProductAttributes
from marketplace.catalog.categories import CATEGORIES, FOOD_CATEGORIES

# Permit kinds, in the order an owner usually obtains them.
PERMIT_LABELS = {
    "nib": _l("NIB (Nomor Induk Berusaha)"),
    "pirt": _l("SPP-IRT (nomor P-IRT)"),
    "bpom_md": _l("Izin edar BPOM MD"),
    "bpom_ml": _l("Izin edar BPOM ML (produk impor)"),
    "bpom_cosmetic": _l("Notifikasi kosmetik BPOM (NA-NE)"),
    "halal": _l("Sertifikat halal BPJPH"),
    "slhs": _l("Sertifikat Laik Higiene Sanitasi (SLHS)"),
}
DOCUMENT_KINDS = tuple(PERMIT_LABELS)
# Permits with a validity period; the others (NIB, halal) do not expire by date.
EXPIRING_KINDS = frozenset({"pirt", "bpom_md", "bpom_ml", "bpom_cosmetic", "slhs"})

# PP 42/2024 phasing (DOMAIN.md 2.3); configuration may override these dates.
DEFAULT_HALAL_DATES = {
    "food_umk": date(2026, 10, 17),
    "food_medium": date(2024, 10, 18),
    "cosmetic": date(2026, 10, 17),
    "goods_animal": date(2026, 10, 17),
    "household_animal": date(2029, 10, 17),
}


@dataclass(frozen=True)
class PermitRequirement:
    """Product permits needed besides the NIB, and whether halal applies today."""

    kinds: frozenset[str] = frozenset()
    halal: bool = False
    because: dict = field(default_factory=dict)  # kind -> plain reason
    blocked: object | None = None  # a reason the product cannot be listed at all


def _halal_due(key: str, on: date, dates: dict) -> bool:
    return on >= dates[key]


def required_permits(
    category: str,
    attributes: ProductAttributes,
    *,
    scale: str = "mikro",
    on: date | None = None,
    halal_dates: dict | None = None,
) -> PermitRequirement:
    """The decision table of DOMAIN.md 2.2 for one product on date ``on``."""
    if category not in CATEGORIES:
        return PermitRequirement(blocked=_l("Kategori produk tidak dikenal."))
    on = on or date.today()
    dates = {**DEFAULT_HALAL_DATES, **(halal_dates or {})}
    a = attributes
    kinds: set[str] = set()
    because: dict = {}
    halal = False
    blocked = None

    if category in FOOD_CATEGORIES:
        if a.fresh_unprocessed and a.process == "none" and not a.imported:
            pass  # fresh produce: no BPOM permit (PSAT registration is voluntary for UMK)
        elif a.imported:
            kinds.add("bpom_ml")
            because["bpom_ml"] = _l("Produk pangan impor wajib izin edar BPOM ML.")
        elif a.shelf_life_days is not None and a.shelf_life_days < 7 and a.storage == "ambient":
            kinds.add("slhs")
            because["slhs"] = _l(
                "Makanan siap saji yang tahan kurang dari 7 hari memerlukan SLHS dari Dinas "
                "Kesehatan, bukan P-IRT."
            )
        elif needs_md(a):
            kinds.add("bpom_md")
            because["bpom_md"] = md_reason(a)
        else:
            kinds.add("pirt")
            because["pirt"] = _l(
                "Pangan olahan rumahan yang tahan lebih dari 7 hari di suhu ruang wajib SPP-IRT."
            )
        if not a.fresh_unprocessed:
            key = "food_medium" if scale == "menengah" else "food_umk"
            halal = _halal_due(key, on, dates)
        if a.alcohol and not a.non_halal_statement:
            blocked = _l(
                "Minuman/makanan beralkohol wajib diberi keterangan tidak halal. Centang "
                "pernyataan tidak halal."
            )
    elif category == "kosmetik":
        kinds.add("bpom_cosmetic")
        because["bpom_cosmetic"] = _l("Kosmetik wajib notifikasi BPOM (nomor NA sampai NE).")
        halal = _halal_due("cosmetic", on, dates)
    elif category in ("fashion", "kriya"):
        halal = a.contains_animal_material and _halal_due("goods_animal", on, dates)
    elif category == "rumah_tangga":
        halal = a.contains_animal_material and _halal_due("household_animal", on, dates)

    if halal and a.non_halal_statement:
        halal = False  # products from non-halal material carry a statement instead (UU JPH)
    return PermitRequirement(kinds=frozenset(kinds), halal=halal, because=because, blocked=blocked)


def needs_md(a: ProductAttributes) -> bool:
    return (
        a.process in ("pasteurised", "sterilised")
        or a.storage in ("chilled", "frozen")
        or a.contains_milk
        or a.for_infants
        or a.alcohol
        or a.health_claim
        or a.production_site == "non_home"
    )


def md_reason(a: ProductAttributes):
    if a.for_infants:
        return _l("Makanan bayi wajib izin edar BPOM MD.")
    if a.contains_milk:
        return _l("Produk susu dan olahannya wajib izin edar BPOM MD.")
    if a.storage in ("chilled", "frozen"):
        return _l("Pangan yang harus disimpan dingin atau beku wajib izin edar BPOM MD.")
    if a.process in ("pasteurised", "sterilised"):
        return _l("Pangan yang dipasteurisasi atau disterilkan wajib izin edar BPOM MD.")
    if a.alcohol:
        return _l("Minuman beralkohol wajib izin edar BPOM MD.")
    if a.health_claim:
        return _l("Produk dengan klaim kesehatan atau gizi wajib izin edar BPOM MD.")
    return _l(
        "Pangan yang dibuat di luar rumah atau dengan mesin otomatis wajib izin edar BPOM MD."
    )
