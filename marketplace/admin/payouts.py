"""The admin payouts list a keyset page at a time (issue 11): the businesses with sales by
name, each balance a correlated sum over that business's own ledger rows and payouts (by
index), so a page costs the same whatever the number of sellers. The rule itself (balance =
sales - refunds - payouts) is ``ledger.services.payable_balance``'s; this is its list form."""

from sqlalchemy import case, func, select

from marketplace.businesses.models import Business
from marketplace.core.pagination import Page, keyset_page
from marketplace.ledger.models import LedgerEntry, Payout

PER_PAGE = 25


def balances_page(cursor: str | None, *, per_page: int = PER_PAGE) -> Page:
    """One page of ``(business, balance)`` for the businesses with a sale or refund."""
    money = (LedgerEntry.business_id == Business.id, LedgerEntry.kind.in_(("sale", "refund")))
    net = (
        select(
            func.coalesce(
                func.sum(
                    case(
                        (LedgerEntry.kind == "sale", LedgerEntry.amount_idr),
                        else_=-LedgerEntry.amount_idr,
                    )
                ),
                0,
            )
        )
        .where(*money)
        .scalar_subquery()
    )
    paid_out = (
        select(func.coalesce(func.sum(Payout.amount_idr), 0))
        .where(Payout.business_id == Business.id)
        .scalar_subquery()
    )
    stmt = select(Business, (net - paid_out).label("balance")).where(
        select(LedgerEntry.id).where(*money).exists()
    )
    page = keyset_page(
        stmt,
        (Business.name, Business.id),
        cursor,
        per_page=per_page,
        descending=False,
        scalars=False,
    )
    page.items = [(business, int(balance)) for business, balance in page.items]
    return page
