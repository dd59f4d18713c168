"""The SME's books: platform sales and refunds (automatic) next to offline entries."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

# kind -> sign in the books
KINDS = {"sale": 1, "refund": -1, "manual_income": 1, "expense": -1}
EXPENSE_CATEGORIES = ("bahan_baku", "sewa", "gaji", "transport", "listrik_air", "lainnya")
INCOME_CATEGORIES = ("penjualan_offline", "lainnya")


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        # One sale and at most one refund per order, whatever retries or duplicates happen;
        # a sale with ongkir is two rows, goods and shipping (issue 15), each once.
        UniqueConstraint("order_id", "kind", "category"),
        CheckConstraint("amount_idr > 0", name="amount_positive"),
        CheckConstraint(
            "kind IN ('sale', 'refund', 'manual_income', 'expense')", name="kind_known"
        ),
        Index("ix_ledger_entry_business_occurred", "business_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    kind: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(24))
    amount_idr: Mapped[int] = mapped_column(BigInteger)  # always positive; the kind gives the sign
    occurred_on: Mapped[date] = mapped_column(Date)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def signed_amount(self) -> int:
        return KINDS[self.kind] * self.amount_idr


class Payout(db.Model):
    """Money the platform transferred to an SME against its payable balance."""

    __tablename__ = "payout"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(80))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
