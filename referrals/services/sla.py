"""The banks' service level: a sent referral is acknowledged within 3 working days, or it
is flagged to the bank and the lead."""

from datetime import datetime, timedelta

from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.extensions import db
from marketplace.notifications.services import notify
from referrals.models import Referral, ReferralStatus
from referrals.services.links import external_url
from referrals.services.scope import bank_visible

SLA_WORKING_DAYS = 3


def working_days_since(start: datetime, now: datetime) -> int:
    """Weekdays (Jakarta calendar) after ``start``'s day up to ``now``'s day."""
    day, end, count = start.astimezone(JAKARTA).date(), now.astimezone(JAKARTA).date(), 0
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count


def is_overdue(referral: Referral, now=None) -> bool:
    """Sent and not acknowledged within 3 working days."""
    return (
        referral.status == ReferralStatus.SENT
        and referral.sent_at is not None
        and working_days_since(referral.sent_at, now or utcnow()) >= SLA_WORKING_DAYS
    )


def flag_overdue(now=None) -> int:
    """Referrals not acknowledged within 3 working days: flag to the bank and the lead."""
    now = now or utcnow()
    flagged = 0
    for referral in db.session.scalars(
        bank_visible().where(
            Referral.status == ReferralStatus.SENT, Referral.sla_flagged_at.is_(None)
        )
    ):
        if not is_overdue(referral, now):
            continue
        referral.sla_flagged_at = now
        link = external_url(
            "bank_portal.referral", bank_slug=referral.bank.slug, referral_id=referral.id
        )
        for user_id in [o.user_id for o in referral.bank.officers] + [referral.lead_id]:
            notify(user_id, "referral_sla", id=referral.id, email=True, link=link)
        flagged += 1
    db.session.flush()
    return flagged
