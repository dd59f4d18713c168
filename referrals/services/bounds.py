"""The bounds of a bank's decision, in one place: the portal form, the bank API's
validation, the OpenAPI schema and the service all read these objects."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Bound:
    """An inclusive integer range."""

    minimum: int
    maximum: int

    def __contains__(self, value: object) -> bool:
        return (
            isinstance(value, int)
            and not isinstance(value, bool)
            and self.minimum <= value <= self.maximum
        )


# Approved amount in rupiah (never above the requested amount either: the service checks).
AMOUNT_IDR = Bound(1, 10**12)
# Approved tenor in months; the referral's KUR scheme may allow less (the service checks).
# 120 is also the ceiling an admin may give a scheme's tenor.
TENOR_MONTHS = Bound(1, 120)
# Effective annual rate in basis points (0-100 %).
RATE_BP = Bound(0, 10_000)

DECISION_BOUNDS = {"amount_idr": AMOUNT_IDR, "tenor_months": TENOR_MONTHS, "rate_bp": RATE_BP}
