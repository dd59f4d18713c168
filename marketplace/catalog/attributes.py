"""The product's structured attributes (DOMAIN.md 2.2): the one type the form, the JSON API,
the catalog service, the permit table and the model all use.

They decide which permits a product needs, so they are never a free permit choice; their
allowed values, defaults and validation live here and nowhere else.
"""

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from flask_babel import lazy_gettext as _l

from marketplace.core.errors import ValidationFailed

# Allowed values with the owner-facing label, in the order the form offers them.
STORAGE_CHOICES = {
    "ambient": _l("Suhu ruang"),
    "chilled": _l("Kulkas (dingin)"),
    "frozen": _l("Freezer (beku)"),
}
PROCESS_CHOICES = {
    "none": _l("Tidak ada"),
    "pasteurised": _l("Pasteurisasi"),
    "sterilised": _l("Sterilisasi / kaleng / retort"),
}
PRODUCTION_SITE_CHOICES = {
    "home": _l("Di rumah, alat sederhana"),
    "non_home": _l("Di pabrik / dengan mesin otomatis"),
}
STORAGE = tuple(STORAGE_CHOICES)
PROCESSES = tuple(PROCESS_CHOICES)
PRODUCTION_SITES = tuple(PRODUCTION_SITE_CHOICES)

MAX_SHELF_LIFE_DAYS = 3650


@dataclass(frozen=True)
class ProductAttributes:
    shelf_life_days: int | None = None
    storage: str = "ambient"
    process: str = "none"
    contains_animal_material: bool = False
    contains_milk: bool = False
    for_infants: bool = False
    alcohol: bool = False
    health_claim: bool = False
    imported: bool = False
    production_site: str = "home"
    fresh_unprocessed: bool = False
    non_halal_statement: bool = False
    # Issue 13: kinds that need BPOM MD whatever their shelf life, and household cleaning
    # products (PKRT), which need a Kemenkes permit instead of a BPOM one.
    bottled_water: bool = False
    mandatory_sni: bool = False
    household_cleaning: bool = False

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The attribute names (also the Product column names)."""
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> "ProductAttributes":
        """Build from a dict (JSON body, seed data): known keys only, the rest default."""
        return cls(**{name: data[name] for name in cls.names() if name in data})

    @classmethod
    def of(cls, obj: Any) -> "ProductAttributes":
        """Read the attributes off anything that has them as attributes (a Product)."""
        return cls(**{name: getattr(obj, name) for name in cls.names()})

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def validate(self) -> "ProductAttributes":
        """Refuse values outside the decision table; returns self so calls can chain."""
        shelf = self.shelf_life_days
        if shelf is not None and (
            not isinstance(shelf, int) or not 0 < shelf <= MAX_SHELF_LIFE_DAYS
        ):
            raise ValidationFailed(
                _l("Daya tahan produk diisi dalam hari (1-3650)."), field="shelf_life_days"
            )
        if self.storage not in STORAGE:
            raise ValidationFailed(_l("Pilih cara penyimpanan."), field="storage")
        if self.process not in PROCESSES:
            raise ValidationFailed(_l("Pilih proses pengolahan."), field="process")
        if self.production_site not in PRODUCTION_SITES:
            raise ValidationFailed(_l("Pilih tempat produksi."), field="production_site")
        return self
