"""The admin's order search (issue 14 item 10): by order number, buyer (name, e-mail or
WhatsApp number), seller (business name) and status, newest first, keyset pages."""

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.businesses.models import Business
from marketplace.orders.models import Order, OrderStatus

SEARCH_MAX = 80


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def parse(args) -> tuple[str, str | None]:
    """(search text, status or None) from query arguments; an unknown status is ignored."""
    query = "".join(ch for ch in (args.get("q") or "") if ch.isprintable()).strip()[:SEARCH_MAX]
    status = args.get("status") or None
    return query, status if status in set(OrderStatus) else None


def orders_select(query: str = "", status: str | None = None):
    """Orders matching ``query`` and ``status``, with the seller and the buyer joined in the
    same statement. Unordered: the caller pages it by (created_at, id)."""
    stmt = select(Order).options(joinedload(Order.business), joinedload(Order.consumer))
    if status:
        stmt = stmt.where(Order.status == status)
    if not query:
        return stmt
    number = query.lstrip("#")
    if number.isascii() and number.isdigit() and len(number) <= 18:
        return stmt.where(Order.id == int(number))
    pattern = _like(query)
    phone = "".join(ch for ch in query if ch.isdigit())
    if phone.startswith("0"):  # 0812... as typed; stored as +62812...
        phone = "62" + phone[1:]
    buyer = select(User.id).where(
        or_(
            User.name.ilike(pattern, escape="\\"),
            User.email.ilike(pattern, escape="\\"),
            *([User.phone_e164.like(_like(phone), escape="\\")] if len(phone) >= 6 else []),
        )
    )
    seller = select(Business.id).where(Business.name.ilike(pattern, escape="\\"))
    return stmt.where(or_(Order.consumer_id.in_(buyer), Order.business_id.in_(seller)))
