"""The demo's dates in the pathway's order: a member registers before anything else happens.

The demo backdates its history (a year of sales and books, past sessions and trainings), but
each business row is written at seed time, so the pathway read "registered today" after a
year of books. Run last, before the summaries: each business's registration moves to two weeks
before its first dated activity."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.extensions import db
from marketplace.ledger.models import LedgerEntry
from marketplace.legality.models import LegalityDocument
from marketplace.mentoring.models import Attendance, CheckIn, ExternalTraining, MentoringSession
from marketplace.orders.models import Order

LEAD_TIME = timedelta(days=14)


def _as_datetime(value) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.combine(value, time(8), tzinfo=UTC)


def registered_before_their_first_activity() -> int:
    """Returns how many businesses were moved."""
    firsts = (
        select(LedgerEntry.business_id, func.min(LedgerEntry.occurred_on)).group_by(
            LedgerEntry.business_id
        ),
        select(Order.business_id, func.min(Order.created_at)).group_by(Order.business_id),
        select(CheckIn.business_id, func.min(CheckIn.created_at)).group_by(CheckIn.business_id),
        select(ExternalTraining.business_id, func.min(ExternalTraining.completed_on)).group_by(
            ExternalTraining.business_id
        ),
        select(Attendance.business_id, func.min(MentoringSession.starts_at))
        .join(MentoringSession, MentoringSession.id == Attendance.session_id)
        .group_by(Attendance.business_id),
        select(Product.business_id, func.min(Product.created_at)).group_by(Product.business_id),
        select(LegalityDocument.business_id, func.min(LegalityDocument.created_at)).group_by(
            LegalityDocument.business_id
        ),
    )
    earliest: dict[int, datetime] = {}
    for statement in firsts:
        for business_id, first in db.session.execute(statement):
            if first is not None:
                when = _as_datetime(first)
                earliest[business_id] = min(earliest.get(business_id, when), when)
    moved = 0
    for business in db.session.scalars(select(Business).where(Business.id.in_(list(earliest)))):
        registered = earliest[business.id] - LEAD_TIME
        if _as_datetime(business.created_at) > registered:
            business.created_at = registered
            moved += 1
    db.session.flush()
    return moved
