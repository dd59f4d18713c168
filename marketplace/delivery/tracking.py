"""Couriers, their resi (tracking number) rule and the link to their public tracking page.

Honest note on formats: none of these couriers publishes a resi format in the sources we
hold (DOMAIN.md has none; third-party pages disagree, e.g. "JNE: 12 digits" against "JNE:
15-16 letters and digits"). So every courier accepts a *bounded alphanumeric*: separators
(space, dash, dot, slash) are stripped, letters upper-cased, and 8-20 characters of A-Z0-9
remain (same-day bookings: 6-24, their booking ids carry letters). When a courier documents
its format, give it a ``pattern`` here and the rule tightens for that courier only.

The tracking pages are the couriers' public ones; the resi goes in the query string where
the page reads one. They could not be fetched from here (no network): the buyer's page
always shows the resi too, to paste if a page ignores the parameter.
"""

import re
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import lazy_gettext as _l

from marketplace.core.errors import ValidationFailed


@dataclass(frozen=True)
class Courier:
    code: str
    name: str
    same_day: bool
    tracking_url: str  # {resi} is replaced, URL-quoted
    pattern: str | None = None  # a documented format, when one exists (none yet)

    @property
    def bounds(self) -> tuple[int, int]:
        return (6, 24) if self.same_day else (8, 20)


COURIERS: dict[str, Courier] = {
    c.code: c
    for c in (
        Courier("jne", "JNE", False, "https://www.jne.co.id/tracking-package?awb={resi}"),
        Courier("jnt", "J&T Express", False, "https://jet.co.id/track?awb={resi}"),
        Courier("sicepat", "SiCepat", False, "https://www.sicepat.com/checkAwb?awb={resi}"),
        Courier("anteraja", "AnterAja", False, "https://anteraja.id/tracking?awb={resi}"),
        Courier(
            "pos", "Pos Indonesia", False, "https://www.posindonesia.co.id/id/tracking?resi={resi}"
        ),
        Courier("gosend", "GoSend", True, "https://www.gojek.com/id-id/gosend/?booking={resi}"),
        Courier(
            "grabexpress", "GrabExpress", True, "https://www.grab.com/id/express/?booking={resi}"
        ),
    )
}

_SEPARATORS = re.compile(r"[\s\-./]+")
_ALNUM = re.compile(r"^[A-Z0-9]+$")


def courier(code: str | None) -> Courier:
    """A courier by its code or its name (any case): "jnt", "J&T Express", "J&T"."""
    wanted = (code or "").strip().lower()
    found = COURIERS.get(wanted) or next(
        (
            c
            for c in COURIERS.values()
            if wanted and wanted in (c.name.lower(), c.name.lower().split(" ")[0])
        ),
        None,
    )
    if found is None:
        raise ValidationFailed(_l("Pilih kurir dari daftar."), field="courier")
    return found


def normalise_resi(courier_code: str, raw: str | None) -> str:
    """The resi as stored (no separators, upper case), or a ValidationFailed naming the rule."""
    found = courier(courier_code)
    resi = _SEPARATORS.sub("", (raw or "").strip()).upper()
    low, high = found.bounds
    if found.pattern and not re.fullmatch(found.pattern, resi):
        raise ValidationFailed(
            _l("Nomor resi %(courier)s tidak sesuai formatnya.", courier=found.name),
            field="tracking_number",
        )
    if not (low <= len(resi) <= high and _ALNUM.match(resi)):
        raise ValidationFailed(
            _l(
                "Nomor resi %(courier)s berisi %(low)d-%(high)d huruf atau angka.",
                courier=found.name,
                low=low,
                high=high,
            ),
            field="tracking_number",
        )
    return resi


def tracking_link(courier_code: str | None, resi: str | None) -> str | None:
    """The courier's public tracking page for this resi; None for an unknown courier (the
    free-text couriers of orders made before delivery options) or no resi."""
    found = COURIERS.get((courier_code or "").lower())
    if found is None or not resi:
        return None
    return found.tracking_url.format(resi=quote(resi, safe=""))
