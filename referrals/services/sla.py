"""The banks' service level: a sent referral is acknowledged within 3 working days, or it
is flagged to the bank and the lead. Working days are Jakarta's: weekdays minus national
holidays and cuti bersama (``marketplace.core.workdays``)."""

from datetime import date, datetime

from marketplace.core import workdays
from marketplace.core.timeutil import JAKARTA, as_utc, utcnow
from marketplace.extensions import db
from marketplace.notifications.services import notify
from referrals.models import Referral, ReferralStatus
from referrals.services.links import external_url
from referrals.services.scope import bank_visible

SLA_WORKING_DAYS = 3


def working_days_since(start: datetime, now: datetime, off=None) -> int:
    """Working days (Jakarta calendar) after ``start``'s day up to ``now``'s day; ``off`` is
    a ``workdays.days_off`` mapping covering the span (one query for many referrals)."""
    return workdays.working_days_between(
        as_utc(start).astimezone(JAKARTA).date(), as_utc(now).astimezone(JAKARTA).date(), off
    )


def acknowledge_by(referral: Referral) -> date | None:
    """The day the bank's acknowledgement is due: the 3rd working day after sending."""
    if referral.sent_at is None:
        return None
    sent = as_utc(referral.sent_at).astimezone(JAKARTA).date()
    return workdays.add_working_days(sent, SLA_WORKING_DAYS)


def is_overdue(referral: Referral, now=None, off=None) -> bool:
    """Sent and not acknowledged within 3 working days."""
    return (
        referral.status == ReferralStatus.SENT
        and referral.sent_at is not None
        and working_days_since(referral.sent_at, now or utcnow(), off) >= SLA_WORKING_DAYS
    )


def sla_state(referral: Referral, now=None) -> tuple[bool, date | None]:
    """(overdue, acknowledgement due day) for one referral page, with one holiday query."""
    due = acknowledge_by(referral)
    if due is None or referral.status != ReferralStatus.SENT:
        return False, due
    return as_utc(now or utcnow()).astimezone(JAKARTA).date() >= due, due


def overdue_among(referrals, now=None) -> set[int]:
    """The ids of the overdue ones among ``referrals``, with one holiday query for all."""
    now = now or utcnow()
    sent = [r for r in referrals if r.status == ReferralStatus.SENT and r.sent_at is not None]
    today = as_utc(now).astimezone(JAKARTA).date()
    # The holiday query runs even for a page with nothing waiting: the page costs the same
    # statements whatever its rows.
    first = min((as_utc(r.sent_at).astimezone(JAKARTA).date() for r in sent), default=today)
    off = workdays.days_off(first, today)
    return {r.id for r in sent if is_overdue(r, now, off)}


def flag_overdue(now=None) -> int:
    """Referrals not acknowledged within 3 working days: flag to the bank and the lead."""
    now = now or utcnow()
    candidates = list(
        db.session.scalars(
            bank_visible().where(
                Referral.status == ReferralStatus.SENT, Referral.sla_flagged_at.is_(None)
            )
        )
    )
    late = overdue_among(candidates, now)
    flagged = 0
    for referral in candidates:
        if referral.id not in late:
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
