"""SAK EMKM financial statements generated from the books, for any period.

SAK EMKM (IAI) asks a micro or small entity for at least a statement of financial position,
a profit and loss statement and notes. Everything here comes from ``ledger_entry`` through
the account effects of each kind (``marketplace.ledger.models.EFFECTS``) in ONE grouped
statement, whatever the number of entries:

* Profit and loss for ``start..end``: revenue (platform and own sales, less refunds; credit
  sales count when made: accrual basis) minus expenses (typed expenses and the cost of stock
  sold or used). Owner withdrawals (prive) are not expenses; stock and equipment bought are
  assets, not expenses.
* Financial position at ``end``: cash, stock, receivables, equipment; payables, loans;
  equity = equity at ``start`` + capital paid in + profit of the period - prive. Each kind
  balances, so assets = liabilities + equity by construction.

Deliberate simplifications, stated in the notes: equipment stays at cost (no depreciation is
recorded), stock leaves the books only through the owner's "stok terjual / terpakai" entries
(no stock count), and platform sales are cash when paid (the payout the platform owes the
owner is not a separate receivable: the platform pays out from the owner's balance).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from marketplace.extensions import db
from marketplace.ledger.models import ASSETS, EFFECTS, LIABILITIES, LedgerEntry

BEFORE = -1  # the bucket of entries before the period (opening balances)
ACCOUNT_LABELS = {
    "cash": _l("Kas dan setara kas"),
    "stock": _l("Persediaan"),
    "receivables": _l("Piutang usaha"),
    "equipment": _l("Peralatan (harga perolehan)"),
    "payables": _l("Utang usaha"),
    "loans": _l("Pinjaman"),
}


@dataclass
class Statements:
    start: date
    end: date
    revenue_lines: dict[str, int] = field(default_factory=dict)  # category -> amount
    expense_lines: dict[str, int] = field(default_factory=dict)
    # Balances at the end of the period (accounts of models.EFFECTS)
    closing: dict[str, int] = field(default_factory=dict)
    opening_equity: int = 0
    capital_added: int = 0
    prive: int = 0
    entries: int = 0  # entries in the period

    @property
    def revenue(self) -> int:
        return sum(self.revenue_lines.values())

    @property
    def expenses(self) -> int:
        return sum(self.expense_lines.values())

    @property
    def profit(self) -> int:
        return self.revenue - self.expenses

    @property
    def assets(self) -> dict[str, int]:
        return {a: self.closing.get(a, 0) for a in ASSETS}

    @property
    def liabilities(self) -> dict[str, int]:
        return {a: self.closing.get(a, 0) for a in LIABILITIES}

    @property
    def total_assets(self) -> int:
        return sum(self.assets.values())

    @property
    def total_liabilities(self) -> int:
        return sum(self.liabilities.values())

    @property
    def closing_equity(self) -> int:
        return self.opening_equity + self.capital_added + self.profit - self.prive

    @property
    def balanced(self) -> bool:
        return self.total_assets == self.total_liabilities + self.closing_equity

    def as_json(self) -> dict:
        """The statements for the bank API and the dossier (rupiah integers)."""
        return {
            "standard": "SAK EMKM",
            "basis": "accrual",
            "period": {"start": self.start.isoformat(), "end": self.end.isoformat()},
            "profit_and_loss": {
                "revenue_idr": dict(self.revenue_lines),
                "total_revenue_idr": self.revenue,
                "expenses_idr": dict(self.expense_lines),
                "total_expenses_idr": self.expenses,
                "profit_idr": self.profit,
            },
            "financial_position": {
                "assets_idr": self.assets,
                "total_assets_idr": self.total_assets,
                "liabilities_idr": self.liabilities,
                "total_liabilities_idr": self.total_liabilities,
                "equity_idr": {
                    "opening": self.opening_equity,
                    "capital_added": self.capital_added,
                    "profit": self.profit,
                    "prive": self.prive,
                    "closing": self.closing_equity,
                },
                "total_liabilities_and_equity_idr": self.total_liabilities + self.closing_equity,
            },
            "notes": {
                "entries_in_period": self.entries,
                "equipment_at_cost_no_depreciation": True,
                "stock_reduced_by_owner_entries": True,
            },
        }


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def grouped_select(business_id: int, start: date, end: date):
    """``(kind, category, bucket, total, n)`` for every entry up to ``end``: bucket is the
    month index for entries from ``start``, BEFORE for older ones. One grouped SELECT whose
    row count depends on kinds and months, never on the number of entries."""
    index = (
        func.extract("year", LedgerEntry.occurred_on) * 12
        + func.extract("month", LedgerEntry.occurred_on)
        - 1
    )
    bucket = case((LedgerEntry.occurred_on >= start, index), else_=BEFORE)
    return (
        select(
            LedgerEntry.kind,
            LedgerEntry.category,
            bucket.label("bucket"),
            func.sum(LedgerEntry.amount_idr),
            func.count(LedgerEntry.id),
        )
        .where(LedgerEntry.business_id == business_id, LedgerEntry.occurred_on <= end)
        .group_by(LedgerEntry.kind, LedgerEntry.category, bucket)
    )


def rows_for(business_id: int, start: date, end: date) -> list[tuple[str, str, int, int, int]]:
    return [
        (kind, category, int(bucket), int(total), int(n))
        for kind, category, bucket, total, n in db.session.execute(
            grouped_select(business_id, start, end)
        )
    ]


def from_rows(rows, start: date, end: date) -> Statements:
    """The statements from ``rows_for``'s rows (no query)."""
    out = Statements(start=start, end=end)
    closing: dict[str, int] = {}
    opening_equity = 0
    for kind, category, bucket, total, n in rows:
        effect = EFFECTS[kind]
        for account in (*ASSETS, *LIABILITIES):
            sign = getattr(effect, account)
            if sign:
                closing[account] = closing.get(account, 0) + sign * total
        # income and capital raise equity; expenses and prive lower it
        equity = (effect.income + effect.capital - effect.expense - effect.prive) * total
        if bucket == BEFORE:
            opening_equity += equity
            continue
        out.entries += n
        if effect.income:
            key = category if kind != "refund" else "refund_platform"
            out.revenue_lines[key] = out.revenue_lines.get(key, 0) + effect.income * total
        if effect.expense:
            out.expense_lines[category] = out.expense_lines.get(category, 0) + total
        out.capital_added += effect.capital * total
        out.prive += effect.prive * total
    out.closing = closing
    out.opening_equity = opening_equity
    return out


def for_period(business_id: int, start: date, end: date) -> Statements:
    """Profit and loss for ``start..end`` (both included) and the position at ``end``."""
    return from_rows(rows_for(business_id, start, end), start, end)


def _month_start(day: date, back: int) -> date:
    index = month_index(day) - back
    return date(index // 12, index % 12 + 1, 1)


def quick_periods(today: date) -> list[tuple]:
    """(label, start, end) of the periods an owner or a bank usually asks for."""
    this_month = today.replace(day=1)
    last_month = _month_start(today, 1)
    return [
        (_l("Bulan ini"), this_month, today),
        (_l("Bulan lalu"), last_month, this_month.fromordinal(this_month.toordinal() - 1)),
        (_l("12 bulan terakhir"), _month_start(today, 11), today),
        (_l("Tahun ini"), date(today.year, 1, 1), today),
        (_l("Tahun lalu"), date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)),
    ]
