"""Money is integer rupiah everywhere; this module is the only place it changes unit.

The maxima of every amount a person or a client may type, in one place. Every ``*_idr``
column is a 64-bit BIGINT (BIGINT_MAX); each domain maximum is far below it, so a sum of
many amounts still fits. A number above its maximum is refused with a message (400 in
JSON), never stored, never a 500. A bank's decision has its own bounds in
``referrals.services.bounds`` (AMOUNT_IDR, equal to MAX_LOAN_IDR).
"""

from flask_babel import lazy_gettext as _l

BIGINT_MAX = 2**63 - 1  # the *_idr columns

# One product's price: Rp100 juta (a consumer marketplace for micro businesses).
MAX_PRICE_IDR = 100_000_000
# One line of the books (an offline sale or an expense): Rp10 miliar. It fits the BIGINT
# column; the ledger refuses more with "Jumlah maksimal Rp10.000.000.000".
MAX_LEDGER_ENTRY_IDR = 10_000_000_000
# One payout transfer by an admin: Rp10 miliar (it can never exceed the balance owed either).
MAX_PAYOUT_IDR = 10_000_000_000
# A KUR loan a lead asks for, and every amount of a KUR scheme an admin enters: Rp1 triliun.
# KUR Kecil tops at Rp500 juta; the scheme's own range is the domain rule, this is the field's.
MAX_LOAN_IDR = 10**12
# A price filter of the public search and API (min_price, max_price).
MAX_PRICE_FILTER_IDR = 10**12
# What any rupiah field parses at most, before its own maximum is checked.
MAX_IDR = 10**12


def require_amount(value, *, maximum: int, field: str = "amount_idr", message=None) -> int:
    """``value`` as an int of rupiah from 1 to ``maximum``, else a ValidationFailed on
    ``field``: ``message`` for a non-number or a number below 1, "Jumlah maksimal ..." above."""
    from marketplace.core.errors import ValidationFailed

    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationFailed(
            message or _l("Jumlah harus angka rupiah lebih dari 0."), field=field
        )
    if value > maximum:
        raise ValidationFailed(
            _l("Jumlah maksimal %(max)s.", max=format_rupiah(maximum)), field=field
        )
    return value


def _require_int(value, name: str) -> int:
    # bool is an int subclass; a price of True rupiah is a bug, not a price.
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"{name} must be an int number of rupiah, got {type(value).__name__}")
    return value


def format_rupiah(amount_idr: int | None) -> str:
    """Rp25.000: dot thousands separator, no decimals (consumer prices have no sen)."""
    if amount_idr is None:
        return ""
    amount = _require_int(amount_idr, "amount_idr")
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


def to_stripe_amount(amount_idr: int) -> int:
    """IDR is a two-decimal currency at Stripe: Rp25.000 is amount 2500000."""
    amount = _require_int(amount_idr, "amount_idr")
    if amount < 0:
        raise ValueError("amount_idr must not be negative")
    return amount * 100


def from_stripe_amount(amount: int) -> int:
    value = _require_int(amount, "amount")
    if value % 100:
        raise ValueError("a Stripe IDR amount must be a whole number of rupiah")
    return value // 100
