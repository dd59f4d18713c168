"""Money is integer rupiah everywhere; this module is the only place it changes unit."""


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
