"""The SME's books: platform sales and refunds (automatic) next to offline entries."""

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
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

# What each kind of entry does to the accounts of the books (SAK EMKM statements,
# marketplace/ledger/statements.py). Every kind balances: the sum of its asset effects
# equals the sum of its liability and equity effects, so assets = liabilities + equity holds
# whatever the owner types. Amounts are always positive; the effects give the signs. To add
# a kind (refund reversals, shipping income...), add it here, to ENTRY_KINDS' CHECK through a
# migration, and to CATEGORIES below.
ASSETS = ("cash", "stock", "receivables", "equipment")
LIABILITIES = ("payables", "loans")
EQUITY = ("capital", "prive", "income", "expense")  # income/expense: this period's profit


@dataclass(frozen=True)
class Effect:
    """Signs (+1, -1) per account; income and expense are positive when they grow."""

    cash: int = 0
    stock: int = 0
    receivables: int = 0
    equipment: int = 0
    payables: int = 0
    loans: int = 0
    capital: int = 0
    prive: int = 0
    income: int = 0
    expense: int = 0


EFFECTS: dict[str, Effect] = {
    # Written by the platform
    "sale": Effect(cash=1, income=1),
    "refund": Effect(cash=-1, income=-1),  # a reversal of revenue, not an expense
    # Typed by the owner (or, later, an assisting lead)
    "manual_income": Effect(cash=1, income=1),  # cash sale or other income
    "expense": Effect(cash=-1, expense=1),
    "credit_sale": Effect(receivables=1, income=1),  # piutang: sold, not yet paid
    "receivable_collected": Effect(cash=1, receivables=-1),
    "stock_purchase": Effect(cash=-1, stock=1),  # persediaan bought in cash
    "credit_purchase": Effect(stock=1, payables=1),  # utang: stock bought on credit
    "payable_paid": Effect(cash=-1, payables=-1),
    "stock_used": Effect(stock=-1, expense=1),  # harga pokok: stock sold or used up
    "asset_purchase": Effect(cash=-1, equipment=1),  # peralatan, at cost
    "loan_received": Effect(cash=1, loans=1),
    "loan_repaid": Effect(cash=-1, loans=-1),
    "owner_capital": Effect(cash=1, capital=1),  # setoran modal
    "owner_withdrawal": Effect(cash=-1, prive=1),  # prive: not an expense (SAK EMKM)
}
# kind -> sign in the cash book (0: the entry moves no cash)
KINDS = {kind: effect.cash for kind, effect in EFFECTS.items()}
PLATFORM_KINDS = ("sale", "refund")
OWNER_KINDS = tuple(k for k in EFFECTS if k not in PLATFORM_KINDS)
EXPENSE_CATEGORIES = ("bahan_baku", "sewa", "gaji", "transport", "listrik_air", "lainnya")
INCOME_CATEGORIES = ("penjualan_offline", "lainnya")
# The category of each kind that has one category only (the kind is the category).
SINGLE_CATEGORY_KINDS = tuple(k for k in OWNER_KINDS if k not in ("manual_income", "expense"))
CATEGORIES: dict[str, tuple[str, ...]] = {
    "manual_income": INCOME_CATEGORIES,
    "expense": EXPENSE_CATEGORIES,
    **{kind: (kind,) for kind in SINGLE_CATEGORY_KINDS},
}


class Origin(StrEnum):
    """Who made the entry. Only the owner's own entries (and an assisting lead's, once
    that exists) count as "books kept"; platform sales never do."""

    PLATFORM = "platform"
    OWNER = "owner"
    LEAD = "lead"


BOOKKEEPING_ORIGINS = (Origin.OWNER, Origin.LEAD)
UNDO_MINUTES = 10  # a deleted entry can be restored for this long


def _origin_of(context) -> str:
    """Default origin: the platform writes sales and refunds, anything else was typed."""
    kind = context.get_current_parameters().get("kind")
    return Origin.PLATFORM if kind in PLATFORM_KINDS else Origin.OWNER


def _in(values) -> str:
    return ", ".join(f"'{v}'" for v in values)


class LedgerEntry(db.Model):
    __tablename__ = "ledger_entry"
    __table_args__ = (
        # One sale and at most one refund per order, whatever retries or duplicates happen;
        # a sale with ongkir is two rows, goods and shipping (issue 15), each once.
        UniqueConstraint("order_id", "kind", "category"),
        CheckConstraint("amount_idr > 0", name="amount_positive"),
        CheckConstraint(f"kind IN ({_in(EFFECTS)})", name="kind_known"),
        CheckConstraint(f"origin IN ({_in(Origin)})", name="origin_known"),
        Index("ix_ledger_entry_business_occurred", "business_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    kind: Mapped[str] = mapped_column(String(24))
    category: Mapped[str] = mapped_column(String(24))
    amount_idr: Mapped[int] = mapped_column(BigInteger)  # always positive; the kind gives the sign
    occurred_on: Mapped[date] = mapped_column(Date)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    origin: Mapped[str] = mapped_column(String(16), default=_origin_of, server_default="owner")

    @property
    def signed_amount(self) -> int:
        return KINDS[self.kind] * self.amount_idr


class DeletedLedgerEntry(db.Model):
    """An entry the owner deleted, kept for UNDO_MINUTES so "Batalkan" can put it back
    with its own id. The entry itself leaves ``ledger_entry``, so every sum, dashboard and
    "books kept" query stays a plain query of that table."""

    __tablename__ = "deleted_ledger_entry"

    id: Mapped[int] = mapped_column(primary_key=True)  # the entry's own id
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    entry: Mapped[dict] = mapped_column(JSON)  # the columns, to restore it as it was
    deleted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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
