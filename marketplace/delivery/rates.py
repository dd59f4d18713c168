"""Ongkir: zones, billable weight and the rate-provider interface.

No live rate API is reachable here, so the only provider reads the seller's (or, once
adopted, the chapter's) tables from the database. A live provider implements the same
``RateProvider.quote`` and is chosen with ``DELIVERY_RATE_PROVIDER`` in the config.
"""

import math
from dataclasses import dataclass
from typing import Protocol

from flask import current_app

from marketplace.delivery.models import PICKUP_KINDS, DeliveryOption, Zone

VOLUMETRIC_DIVISOR = 6000  # cm^3 per kg, the couriers' usual divisor for parcels


def billable_kg(weight_grams: int, dims_cm: tuple[int, int, int] | None = None) -> int:
    """max(actual, volumetric L*W*H/6000) rounded up to the whole kg, at least 1 kg."""
    actual = max(0, weight_grams) / 1000
    volumetric = 0.0
    if dims_cm and all(d and d > 0 for d in dims_cm):
        length, width, height = dims_cm
        volumetric = length * width * height / VOLUMETRIC_DIVISOR
    return max(1, math.ceil(max(actual, volumetric) - 1e-9))


def parcel_kg(items) -> int:
    """The billable weight of one seller's parcel: ``items`` are (product, quantity). The
    actual weights add up; each product's volume counts once per unit."""
    grams = 0
    volume = 0
    for product, quantity in items:
        grams += (product.weight_grams or 0) * quantity
        dims = (product.length_cm, product.width_cm, product.height_cm)
        if all(d and d > 0 for d in dims):
            volume += dims[0] * dims[1] * dims[2] * quantity
    actual = grams / 1000
    return max(1, math.ceil(max(actual, volume / VOLUMETRIC_DIVISOR) - 1e-9))


def zone_between(origin, destination) -> Zone:
    """The zone of ``destination`` (a Kelurahan) seen from ``origin`` (the seller's): a
    chapter is a kecamatan, its kota code gives the kota; everything in the table is DKI."""
    if origin.code == destination.code:
        return Zone.KELURAHAN
    if origin.chapter_id == destination.chapter_id:
        return Zone.KECAMATAN
    if origin.chapter.kota_code == destination.chapter.kota_code:
        return Zone.KOTA
    return Zone.JAKARTA


@dataclass(frozen=True)
class Quote:
    price_idr: int
    zone: Zone | None  # None for pickups (no zone applies)
    billable_kg: int


class RateProvider(Protocol):
    def quote(self, option: DeliveryOption, destination, kg: int) -> Quote | None:
        """The price of ``option`` to ``destination`` (a Kelurahan) for ``kg`` billable
        kilograms, or None when the option does not serve that address or weight."""


class TableRateProvider:
    """Prices from the option's own rate rows: the cheapest band that holds the weight."""

    def quote(self, option: DeliveryOption, destination, kg: int) -> Quote | None:
        if option.kind in PICKUP_KINDS:
            return Quote(0, None, kg)
        zone = zone_between(option.business.kelurahan, destination)
        bands = sorted(
            (r for r in option.rates if r.zone == zone),
            key=lambda r: (r.max_kg is None, r.max_kg or 0),
        )
        for band in bands:
            if band.max_kg is None or kg <= band.max_kg:
                return Quote(band.price_idr, zone, kg)
        return None


PROVIDERS = {"table": TableRateProvider}


def get_provider() -> RateProvider:
    return PROVIDERS[current_app.config.get("DELIVERY_RATE_PROVIDER", "table")]()
