"""Which permits a product needs: DOMAIN.md sections 0.5 and 2.2 as one pure function.

The seller never picks a permit type; it follows from the category and the structured
attributes they answer (shelf life, storage, process, ...).

Decision order (the first matching step decides the food permit; the steps after it are
not consulted):

0. An unknown category is blocked.
1. **Is it food?** Products in a food category (``kuliner``, ``perikanan``, ``pertanian``)
   are food; a product in any other category (except cosmetics and household cleaning
   products) is food as soon as it answers a food question (a shelf life, a process, cold
   storage, milk, infant food, AMDK, mandatory SNI, alcohol). So a snack listed under
   ``pertanian`` or a cake hamper under ``kriya`` follows the food rules.
2. **Fresh and unprocessed** (vegetables, fruit, fresh fish) with none of the risk answers
   below: no BPOM permit (PSAT registration is voluntary for UMK).
3. **Imported**: BPOM ML.
4. **BPOM MD whatever the shelf life** (PerBPOM 22/2018 Lampiran I C; DOMAIN 0.5): bottled
   drinking water (AMDK), foods under mandatory SNI, milk and its products, infant food,
   canned/sterilised or pasteurised food, frozen food, chilled animal-origin food, alcohol,
   health or nutrition claims, production outside a residence or with automatic equipment.
   These come *before* the shelf-life rule, so a short-shelf-life product with a health
   claim is MD, not SLHS.
5. **Shelf life unknown**: blocked until the owner gives it (a blank is not P-IRT).
6. **Shelf life under 7 days** (ready to eat, at room temperature or chilled): SLHS from
   Dinkes, not P-IRT.
7. **Chilled** with a longer shelf life (needs refrigeration): BPOM MD.
8. Otherwise (dry, ambient-stable, > 7 days, home-made): SPP-IRT.

Besides food: cosmetics need a BPOM notification (NA-NE + 11 digits, or NKIT + 9 for kits);
household cleaning products (PKRT: detergents, floor and dish cleaners, disinfectants) need
a Kemenkes PKRT distribution permit in any category. Halal obligations are data
(:data:`HALAL_OBLIGATIONS`): a start date and a text per business scale and product kind
(PP 42/2024 art. 160, DOMAIN 0.5 and 2.3); configuration may move the dates.

Deliberately not encoded: a halal obligation for PKRT (chemical products) -- DOMAIN's table
does not list it; non-food products under mandatory SNI (toys, helmets) -- LOW confidence.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import LazyString, format_date, gettext
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
    "bpom_cosmetic": _l("Notifikasi kosmetik BPOM (NA-NE atau NKIT)"),
    "pkrt": _l("Izin edar PKRT Kemenkes (PKD atau PKL)"),
    "halal": _l("Sertifikat halal BPJPH"),
    "slhs": _l("Sertifikat Laik Higiene Sanitasi (SLHS)"),
}
DOCUMENT_KINDS = tuple(PERMIT_LABELS)
# Permits with a validity period; the others (NIB, halal) do not expire by date.
EXPIRING_KINDS = frozenset({"pirt", "bpom_md", "bpom_ml", "bpom_cosmetic", "pkrt", "slhs"})


def N_(message: str) -> str:  # noqa: N802 - the gettext marker pybabel extracts
    """Mark a msgid for the catalog; it is translated when shown (:meth:`reason`)."""
    return message


def halal_text(message: str, day: date) -> LazyString:
    """``message`` with its date, both in the reader's language when rendered."""
    return LazyString(lambda: gettext(message, date=format_date(day, "d MMMM y")))


@dataclass(frozen=True)
class HalalObligation:
    """Who must hold a halal certificate from when, and the text that says so."""

    key: str
    starts_on: date
    message: str  # an untranslated msgid with %(date)s

    def reason(self, starts_on: date | None = None) -> LazyString:
        return halal_text(self.message, starts_on or self.starts_on)


# PP 42/2024 art. 160 (DOMAIN 0.5): the phase-in for micro and small food ends on 17 Oct
# 2026, so the obligation starts the day after; medium and large since 18 Oct 2024;
# cosmetics and barang gunaan from animal material 18 Oct 2026; household goods 2029.
HALAL_OBLIGATIONS = {
    "food_umk": HalalObligation(
        "food_umk",
        date(2026, 10, 18),
        N_(
            "Makanan dan minuman usaha mikro dan kecil wajib bersertifikat halal sejak %(date)s "
            "(PP 42/2024)."
        ),
    ),
    "food_medium": HalalObligation(
        "food_medium",
        date(2024, 10, 18),
        N_(
            "Makanan dan minuman usaha menengah dan besar wajib bersertifikat halal sejak "
            "%(date)s (PP 42/2024)."
        ),
    ),
    "cosmetic": HalalObligation(
        "cosmetic",
        date(2026, 10, 18),
        N_("Kosmetik wajib bersertifikat halal sejak %(date)s (PP 42/2024)."),
    ),
    "goods_animal": HalalObligation(
        "goods_animal",
        date(2026, 10, 18),
        N_(
            "Pakaian, penutup kepala, dan aksesori dari bahan hewani wajib bersertifikat halal "
            "sejak %(date)s (PP 42/2024)."
        ),
    ),
    "household_animal": HalalObligation(
        "household_animal",
        date(2029, 10, 18),
        N_(
            "Barang rumah tangga dari bahan hewani wajib bersertifikat halal sejak %(date)s "
            "(PP 42/2024)."
        ),
    ),
}
DEFAULT_HALAL_DATES = {key: o.starts_on for key, o in HALAL_OBLIGATIONS.items()}

# Answers that only a food gives (step 1 of the decision order).
FOOD_SIGNALS = (
    "contains_milk",
    "for_infants",
    "bottled_water",
    "mandatory_sni",
    "alcohol",
)


@dataclass(frozen=True)
class PermitRequirement:
    """Product permits needed besides the NIB, and whether halal applies today."""

    kinds: frozenset[str] = frozenset()
    halal: bool = False
    because: dict = field(default_factory=dict)  # kind -> plain reason
    blocked: object | None = None  # a reason the product cannot be listed at all
    # The halal rule for this product (due or not yet), with its per-case text.
    halal_obligation: HalalObligation | None = None
    halal_starts_on: date | None = None

    @property
    def halal_reason(self):
        if self.halal_obligation is None or self.halal_starts_on is None:
            return None
        return self.halal_obligation.reason(self.halal_starts_on)


def is_food(category: str, a: ProductAttributes) -> bool:
    """Step 1: food by category, or by a food answer in any other category."""
    if category in FOOD_CATEGORIES:
        return True
    if category == "kosmetik" or a.household_cleaning:
        return False
    return (
        a.shelf_life_days is not None
        or a.process != "none"
        or a.storage != "ambient"
        or any(getattr(a, name) for name in FOOD_SIGNALS)
    )


def md_reason(a: ProductAttributes):
    """Step 4: the reason a food needs BPOM MD whatever its shelf life, or None."""
    if a.bottled_water:
        return _l("Air minum dalam kemasan (AMDK) wajib izin edar BPOM MD.")
    if a.mandatory_sni:
        return _l("Pangan yang wajib SNI memerlukan izin edar BPOM MD, bukan P-IRT.")
    if a.for_infants:
        return _l("Makanan bayi wajib izin edar BPOM MD.")
    if a.contains_milk:
        return _l("Produk susu dan olahannya wajib izin edar BPOM MD.")
    if a.health_claim:
        return _l("Produk dengan klaim kesehatan atau gizi wajib izin edar BPOM MD.")
    if a.alcohol:
        return _l("Minuman beralkohol wajib izin edar BPOM MD.")
    if a.process in ("pasteurised", "sterilised"):
        return _l("Pangan yang dipasteurisasi atau disterilkan wajib izin edar BPOM MD.")
    if a.storage == "frozen" or (a.storage == "chilled" and a.contains_animal_material):
        return _l("Pangan yang harus disimpan dingin atau beku wajib izin edar BPOM MD.")
    if a.production_site == "non_home":
        return _l(
            "Pangan yang dibuat di luar rumah atau dengan mesin otomatis wajib izin edar BPOM MD."
        )
    return None


def needs_md(a: ProductAttributes) -> bool:
    return md_reason(a) is not None


def _fresh(a: ProductAttributes) -> bool:
    risky = a.health_claim or a.bottled_water or a.mandatory_sni or a.for_infants or a.alcohol
    return a.fresh_unprocessed and a.process == "none" and not a.imported and not risky


def _food_permit(a: ProductAttributes) -> tuple[str | None, object | None, object | None]:
    """Steps 2-8: (permit kind, reason, blocked reason) for a food."""
    if _fresh(a):
        return None, None, None
    if a.imported:
        return "bpom_ml", _l("Produk pangan impor wajib izin edar BPOM ML."), None
    reason = md_reason(a)
    if reason is not None:
        return "bpom_md", reason, None
    if a.shelf_life_days is None:
        return (
            None,
            None,
            _l(
                "Isi daya tahan produk (berapa hari) agar izin yang tepat bisa ditentukan: "
                "makanan olahan tanpa daya tahan tidak bisa ditampilkan."
            ),
        )
    if a.shelf_life_days < 7:
        return (
            "slhs",
            _l(
                "Makanan siap saji yang tahan kurang dari 7 hari memerlukan SLHS dari Dinas "
                "Kesehatan, bukan P-IRT."
            ),
            None,
        )
    if a.storage == "chilled":
        return (
            "bpom_md",
            _l("Pangan yang harus disimpan dingin atau beku wajib izin edar BPOM MD."),
            None,
        )
    return (
        "pirt",
        _l("Pangan olahan rumahan yang tahan lebih dari 7 hari di suhu ruang wajib SPP-IRT."),
        None,
    )


def halal_obligation_for(
    category: str, a: ProductAttributes, scale: str, food: bool
) -> HalalObligation | None:
    """Which row of :data:`HALAL_OBLIGATIONS` covers this product, if any."""
    if food:
        if _fresh(a):
            return None
        return HALAL_OBLIGATIONS["food_medium" if scale == "menengah" else "food_umk"]
    if category == "kosmetik":
        return HALAL_OBLIGATIONS["cosmetic"]
    if category in ("fashion", "kriya") and a.contains_animal_material:
        return HALAL_OBLIGATIONS["goods_animal"]
    if category == "rumah_tangga" and a.contains_animal_material and not a.household_cleaning:
        return HALAL_OBLIGATIONS["household_animal"]
    return None


def required_permits(
    category: str,
    attributes: ProductAttributes,
    *,
    scale: str = "mikro",
    on: date | None = None,
    halal_dates: dict | None = None,
) -> PermitRequirement:
    """The decision table (module docstring) for one product on date ``on``."""
    if category not in CATEGORIES:
        return PermitRequirement(blocked=_l("Kategori produk tidak dikenal."))
    on = on or date.today()
    dates = {**DEFAULT_HALAL_DATES, **(halal_dates or {})}
    a = attributes
    kinds: set[str] = set()
    because: dict = {}
    blocked = None

    food = is_food(category, a)
    if food:
        kind, reason, blocked = _food_permit(a)
        if kind is not None:
            kinds.add(kind)
            because[kind] = reason
        if a.alcohol and not a.non_halal_statement:
            blocked = _l(
                "Minuman/makanan beralkohol wajib diberi keterangan tidak halal. Centang "
                "pernyataan tidak halal."
            )
    if category == "kosmetik":
        kinds.add("bpom_cosmetic")
        because["bpom_cosmetic"] = _l(
            "Kosmetik wajib notifikasi BPOM (nomor NA sampai NE, atau NKIT untuk kit)."
        )
    if a.household_cleaning and not food:
        kinds.add("pkrt")
        because["pkrt"] = _l(
            "Pembersih rumah tangga (PKRT) wajib izin edar dari Kementerian Kesehatan."
        )

    obligation = halal_obligation_for(category, a, scale, food)
    starts_on = dates[obligation.key] if obligation else None
    halal = starts_on is not None and on >= starts_on
    if halal and a.non_halal_statement:
        halal = False  # products from non-halal material carry a statement instead (UU JPH)
    return PermitRequirement(
        kinds=frozenset(kinds),
        halal=halal,
        because=because,
        blocked=blocked,
        halal_obligation=obligation,
        halal_starts_on=starts_on,
    )
