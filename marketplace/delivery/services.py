"""Delivery options: what a seller offers, what a buyer may choose, and at what ongkir.

The same rules serve the owner's pages, checkout, the JSON API and the demo. A seller with
no option set up keeps the behaviour before delivery options: one implicit option, "the
seller arranges delivery, ongkir included" (free), card only.
"""

import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.money import format_rupiah
from marketplace.delivery import rates as rating
from marketplace.delivery.models import (
    PICKUP_KINDS,
    DeliveryKind,
    DeliveryOption,
    DeliveryRate,
    DeliverySettings,
    PaymentMethod,
    Zone,
)
from marketplace.delivery.tracking import COURIERS
from marketplace.extensions import db

DEFAULT_KEY = "default"
MAX_RATE_IDR = 5_000_000  # one parcel's ongkir inside Jakarta: far above any real price
MAX_BAND_KG = 100
ZONE_LABELS = {
    Zone.KELURAHAN: _l("Kelurahan yang sama"),
    Zone.KECAMATAN: _l("Kecamatan yang sama"),
    Zone.KOTA: _l("Kota yang sama"),
    Zone.JAKARTA: _l("Seluruh Jakarta"),
}
KIND_LABELS = {
    DeliveryKind.PICKUP_SELLER: _l("Ambil sendiri di tempat penjual"),
    DeliveryKind.PICKUP_CHAPTER: _l("Ambil sendiri di sekretariat chapter"),
    DeliveryKind.SELLER: _l("Diantar penjual"),
    DeliveryKind.COURIER: _l("Kurir"),
}


@dataclass(frozen=True)
class Offer:
    """An option a buyer may pick for one seller's parcel, priced for their address."""

    key: str  # the option id, or DEFAULT_KEY
    option: DeliveryOption | None
    label: str
    price_idr: int
    zone: Zone | None
    cod: bool
    free_shipping: bool = False

    @property
    def kind(self) -> DeliveryKind | None:
        return self.option.kind if self.option else None


def settings_for(business) -> DeliverySettings:
    found = db.session.get(DeliverySettings, business.id)
    return found or DeliverySettings(business_id=business.id, cod_enabled=False)


def options_of(business, *, active_only: bool = True) -> list[DeliveryOption]:
    stmt = (
        select(DeliveryOption)
        .where(DeliveryOption.business_id == business.id)
        # One statement whatever the options (a page shows them: statements stay flat).
        .options(joinedload(DeliveryOption.rates))
        .order_by(DeliveryOption.id)
    )
    if active_only:
        stmt = stmt.where(DeliveryOption.active.is_(True))
    return list(db.session.scalars(stmt).unique())


def option_label(option: DeliveryOption | None) -> str:
    if option is None:
        return str(_l("Diatur penjual (ongkir sudah termasuk)"))
    if option.kind == DeliveryKind.COURIER:
        name = COURIERS[option.courier_code].name if option.courier_code in COURIERS else "?"
        return f"{name} {option.service}" if option.service else name
    if option.kind == DeliveryKind.PICKUP_CHAPTER:
        return str(
            _l("Ambil sendiri di sekretariat %(chapter)s", chapter=option.business.chapter.name)
        )
    return str(KIND_LABELS[option.kind])


def pickup_address(option: DeliveryOption | None) -> str | None:
    """Where a pickup happens (shown to the buyer after payment), with opening hours."""
    if option is None or option.kind not in PICKUP_KINDS:
        return None
    business = option.business
    if option.kind == DeliveryKind.PICKUP_CHAPTER:
        chapter = business.chapter
        place = f"{chapter.centre_address or ''}"
        hours = option.opening_hours or chapter.centre_hours
    else:
        place = f"{business.address_line}, {business.kelurahan.name}"
        hours = option.opening_hours
    return f"{place} ({hours})" if hours else place


def buyer_may_use_cod(user) -> bool:
    """COD needs a verified phone (the account's phone_e164 is only set once its code was
    entered) and fewer than COD_MAX_FAILURES failed COD orders: the after-sales rule."""
    from marketplace.orders.aftersales import cod_allowed_for  # orders imports delivery

    return cod_allowed_for(user)


def offers_for(business, destination, items, *, buyer=None, subtotal_idr: int = 0) -> list[Offer]:
    """The options ``business`` offers to ``destination`` (a Kelurahan) for ``items``
    ((product, quantity) pairs), priced; pickups first, then by price."""
    options = options_of(business)
    settings = settings_for(business)
    cod_for_buyer = buyer is not None and settings.cod_enabled and buyer_may_use_cod(buyer)
    if not options:
        return [Offer(DEFAULT_KEY, None, option_label(None), 0, None, False)]
    kg = rating.parcel_kg(items)
    provider = rating.get_provider()
    threshold = settings.free_shipping_min_idr
    offers = []
    for option in options:
        if option.kind == DeliveryKind.PICKUP_CHAPTER and not business.chapter.centre_address:
            continue  # the chapter has no centre to pick up at
        quote = provider.quote(option, destination, kg)
        if quote is None:
            continue
        free = bool(threshold and subtotal_idr >= threshold and quote.price_idr > 0)
        offers.append(
            Offer(
                key=str(option.id),
                option=option,
                label=option_label(option),
                price_idr=0 if free else quote.price_idr,
                zone=quote.zone,
                cod=cod_for_buyer and option.cod_allowed,
                free_shipping=free,
            )
        )
    offers.sort(key=lambda o: (o.kind not in PICKUP_KINDS, o.price_idr, o.key))
    return offers


def choose(
    offers: list[Offer], key: str | None, payment: str | None, business
) -> tuple[Offer, PaymentMethod]:
    """The buyer's pick among ``offers``: (offer, PaymentMethod). A missing key picks the
    only offer; an unknown key or one not offered to this address is refused by name."""
    if not offers:
        raise ValidationFailed(
            _l("%(name)s tidak mengirim ke kelurahan ini.", name=business.name),
            field=f"delivery_{business.id}",
        )
    offer: Offer | None
    if not key and len(offers) == 1:
        offer = offers[0]
    else:
        offer = next((o for o in offers if o.key == (key or "")), None)
    if offer is None:
        raise ValidationFailed(
            _l("Pilih pengiriman yang tersedia untuk %(name)s.", name=business.name),
            field=f"delivery_{business.id}",
        )
    try:
        method = PaymentMethod(payment or PaymentMethod.CARD)
    except ValueError:
        method = None
    if method is None or (method == PaymentMethod.COD and not offer.cod):
        raise ValidationFailed(
            _l("Bayar di tempat tidak tersedia untuk %(name)s.", name=business.name),
            field=f"payment_{business.id}",
        )
    return offer, method


def new_pickup_code() -> str:
    return f"{secrets.randbelow(10**6):06d}"


# --- the owner's pages ------------------------------------------------------------------


def _check_rates(rows) -> list[tuple[Zone, int | None, int]]:
    """(zone, max_kg or None, price) rows, each checked; at least one."""
    checked = []
    for zone, max_kg, price in rows:
        try:
            zone = Zone(zone)
        except ValueError:
            raise ValidationFailed(_l("Zona tidak dikenal."), field="rates") from None
        if max_kg is not None and (
            not isinstance(max_kg, int)
            or isinstance(max_kg, bool)
            or not 1 <= max_kg <= MAX_BAND_KG
        ):
            raise ValidationFailed(
                _l("Batas berat 1 sampai %(n)d kg.", n=MAX_BAND_KG), field="rates"
            )
        if not isinstance(price, int) or isinstance(price, bool) or not 0 <= price <= MAX_RATE_IDR:
            raise ValidationFailed(
                _l("Ongkir Rp0 sampai %(max)s.", max=format_rupiah(MAX_RATE_IDR)), field="rates"
            )
        checked.append((zone, max_kg, price))
    if len({(z, k) for z, k, _ in checked}) != len(checked):
        raise ValidationFailed(_l("Satu harga per zona dan batas berat."), field="rates")
    return checked


def add_option(
    business,
    *,
    kind: str,
    courier_code: str | None = None,
    service: str | None = None,
    opening_hours: str | None = None,
    cod_allowed: bool = False,
    rates=(),
) -> DeliveryOption:
    """A new option for ``business``. Pickups take opening hours and no rates; the seller's
    own delivery takes a flat price per zone; a courier takes a table by zone and band."""
    try:
        kind = DeliveryKind(kind)
    except ValueError:
        raise ValidationFailed(_l("Pilih jenis pengiriman."), field="kind") from None
    code = None
    if kind == DeliveryKind.COURIER:
        code = (courier_code or "").strip().lower()
        if code not in COURIERS:
            raise ValidationFailed(_l("Pilih kurir dari daftar."), field="courier_code")
    service = (service or "").strip()[:16] or None
    hours = (opening_hours or "").strip()
    if len(hours) > 120:
        raise ValidationFailed(_l("Jam buka paling panjang 120 karakter."), field="opening_hours")
    if kind in PICKUP_KINDS and not hours and kind == DeliveryKind.PICKUP_SELLER:
        raise ValidationFailed(
            _l("Isi jam buka untuk pengambilan, contoh Senin-Sabtu 09.00-17.00."),
            field="opening_hours",
        )
    if kind == DeliveryKind.PICKUP_CHAPTER and not business.chapter.centre_address:
        raise ValidationFailed(
            _l("Chapter Anda belum punya alamat sekretariat untuk pengambilan."), field="kind"
        )
    checked = [] if kind in PICKUP_KINDS else _check_rates(rates)
    if kind not in PICKUP_KINDS and not checked:
        raise ValidationFailed(_l("Isi ongkir untuk minimal satu zona."), field="rates")
    if kind == DeliveryKind.SELLER and any(k is not None for _, k, _ in checked):
        raise ValidationFailed(_l("Antar sendiri memakai satu harga per zona."), field="rates")
    option = DeliveryOption(
        business_id=business.id,
        kind=kind,
        courier_code=code,
        service=service,
        opening_hours=hours or None,
        cod_allowed=bool(cod_allowed),
    )
    option.rates = [DeliveryRate(zone=z, max_kg=k, price_idr=p) for z, k, p in checked]
    db.session.add(option)
    db.session.flush()
    return option


def owned_option(business, option_id) -> DeliveryOption:
    option = db.session.get(DeliveryOption, option_id) if str(option_id).isdigit() else None
    if option is None or option.business_id != business.id:
        raise NotFound()
    return option


def remove_option(business, option_id) -> None:
    """Switch an option off (orders keep their snapshot of it)."""
    owned_option(business, option_id).active = False
    db.session.flush()


def set_settings(business, *, cod_enabled: bool, free_shipping_min_idr: int | None) -> None:
    if free_shipping_min_idr is not None and (
        not isinstance(free_shipping_min_idr, int) or not 1 <= free_shipping_min_idr <= 10**9
    ):
        raise ValidationFailed(
            _l("Batas gratis ongkir harus angka rupiah lebih dari 0."),
            field="free_shipping_min_idr",
        )
    settings = db.session.get(DeliverySettings, business.id)
    if settings is None:
        settings = DeliverySettings(business_id=business.id)
        db.session.add(settings)
    settings.cod_enabled = bool(cod_enabled)
    settings.free_shipping_min_idr = free_shipping_min_idr
    db.session.flush()


def chapter_table(chapter_id: int, courier_code: str) -> list[DeliveryRate]:
    return list(
        db.session.scalars(
            select(DeliveryRate)
            .where(DeliveryRate.chapter_id == chapter_id, DeliveryRate.courier_code == courier_code)
            .order_by(DeliveryRate.zone, DeliveryRate.max_kg)
        )
    )


def chapter_tables(chapter_id: int) -> dict[str, list[DeliveryRate]]:
    """Every default table of the chapter, by courier code in the couriers' order: one
    statement whatever the couriers and rows (the lead's page and the seller's adopt)."""
    by_code: dict[str, list[DeliveryRate]] = {}
    for row in db.session.scalars(
        select(DeliveryRate)
        .where(DeliveryRate.chapter_id == chapter_id)
        .order_by(DeliveryRate.courier_code, DeliveryRate.zone, DeliveryRate.max_kg)
    ):
        by_code.setdefault(row.courier_code or "", []).append(row)
    return {code: by_code[code] for code in COURIERS if code in by_code}


def rate_grid(rows) -> dict[tuple[str, str], int]:
    """Rate rows as cells of the zone x band grid: (zone, "5" or "any") -> price."""
    return {(str(r.zone), "any" if r.max_kg is None else str(r.max_kg)): r.price_idr for r in rows}


def grid_bands(rows) -> list[str]:
    """The weight bands ``rows`` use, in order ("any" last): a table's columns."""
    kgs = sorted({r.max_kg for r in rows if r.max_kg is not None})
    return [str(k) for k in kgs] + (["any"] if any(r.max_kg is None for r in rows) else [])


def set_chapter_table(chapter, courier_code: str, rows) -> None:
    """A chapter's default table for one courier (a lead or the demo keeps it)."""
    if courier_code not in COURIERS:
        raise ValidationFailed(_l("Pilih kurir dari daftar."), field="courier_code")
    checked = _check_rates(rows)
    if not checked:
        raise ValidationFailed(_l("Isi ongkir untuk minimal satu zona."), field="rates")
    for row in chapter_table(chapter.id, courier_code):
        db.session.delete(row)
    for zone, max_kg, price in checked:
        db.session.add(
            DeliveryRate(
                chapter_id=chapter.id,
                courier_code=courier_code,
                zone=zone,
                max_kg=max_kg,
                price_idr=price,
            )
        )
    db.session.flush()


def adopt_chapter_table(
    business, courier_code: str, *, service: str | None = None
) -> DeliveryOption:
    """A courier option priced by the chapter's default table (copied: the seller may
    change their own rows later without touching the chapter's)."""
    rows = chapter_table(business.chapter_id, (courier_code or "").lower())
    if not rows:
        raise ValidationFailed(
            _l("Chapter Anda belum punya tabel ongkir untuk kurir ini."), field="courier_code"
        )
    return add_option(
        business,
        kind=DeliveryKind.COURIER,
        courier_code=courier_code,
        service=service or "REG",
        rates=[(r.zone, r.max_kg, r.price_idr) for r in rows],
    )


# --- what the public sees -----------------------------------------------------------------


def summary_for(business) -> list[dict]:
    """The seller's delivery options for the product page and the API:
    ``[{"kind": "pickup"|"seller"|"courier", "courier": code|None, "zones": [...]}]``."""
    out: list[dict] = []
    for option in options_of(business):
        if option.kind in PICKUP_KINDS:
            if option.kind == DeliveryKind.PICKUP_CHAPTER and not business.chapter.centre_address:
                continue
            out.append(
                {
                    "kind": "pickup",
                    "courier": None,
                    "zones": [],
                    "place": "chapter" if option.kind == DeliveryKind.PICKUP_CHAPTER else "seller",
                    "label": option_label(option),
                    "cod": option.cod_allowed,
                }
            )
            continue
        zones = sorted({r.zone for r in option.rates}, key=list(Zone).index)
        out.append(
            {
                "kind": str(option.kind),
                "courier": option.courier_code,
                "zones": [str(z) for z in zones],
                "label": option_label(option),
                "cod": option.cod_allowed,
            }
        )
    return out
