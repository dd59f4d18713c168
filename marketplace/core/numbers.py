"""Numbers as people type them in Indonesia: one parser for percentages and one for rupiah
amounts, shared by every form (a comma is the decimal separator, a dot groups thousands).

Both raise ``ValueError`` whose first argument is a message fit for the form field.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

# "6,5", "6.5", "6,5 %", "6", "6,125": at most three integer digits, four decimals.
_PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d{1,4}))?$")
# "65000", "65.000", "1.250.000", optionally after "Rp" / "Rp." / "IDR".
_AMOUNT = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)$")
_CURRENCY = re.compile(r"^(?:rp\.?|idr)\s*", re.IGNORECASE)
# Fifteen digits: below 10**15, far inside a 64-bit column.
AMOUNT_MAX_DIGITS = 15


def parse_percent_to_bp(text) -> int:
    """'6,5' / '6.5' / '6,5 %' -> 650 basis points (rounded half up, never a float)."""
    raw = str(text if text is not None else "").strip()
    if raw.endswith("%"):
        raw = raw[:-1].rstrip()
    match = _PERCENT.match(raw)
    if match is None:
        raise ValueError(_l("Tulis persen dengan angka, contoh 6 atau 6,5."))
    whole, fraction = match.groups()
    value = Decimal(f"{whole}.{fraction or '0'}")
    return int((value * 100).to_integral_value(rounding=ROUND_HALF_UP))


def parse_amount_idr(text, maximum: int | None = None) -> int:
    """'65.000' / 'Rp 65.000' / '65000' -> 65000; '65rb', '65,5' and the like are refused.
    Above ``maximum`` (core.money) it says "Jumlah maksimal Rp...", judged on the digits
    before any int() so a 5,000-digit string is refused, not parsed."""
    raw = _CURRENCY.sub("", str(text if text is not None else "").strip()).replace(" ", "")
    if not raw:
        raise ValueError(_l("Tulis jumlahnya dalam rupiah, contoh 65.000."))
    if _AMOUNT.match(raw) is None:
        raise ValueError(
            _l("Tulis jumlah rupiah dengan angka saja, contoh 65.000 (bukan 65rb atau 65 ribu).")
        )
    digits = raw.replace(".", "").lstrip("0") or "0"
    if maximum is not None and (len(digits) > len(str(maximum)) or int(digits) > maximum):
        from marketplace.core.money import format_rupiah

        raise ValueError(_l("Jumlah maksimal %(max)s.", max=format_rupiah(maximum)))
    if len(digits) > AMOUNT_MAX_DIGITS:
        raise ValueError(_l("Jumlah ini terlalu besar."))
    return int(digits)


def format_percent_bp(bp: int) -> str:
    """650 -> '6,5'; 600 -> '6' (the way the forms show a rate back)."""
    text = f"{Decimal(bp) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")
