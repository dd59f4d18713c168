"""Reminders: the day before a session, and when a chapter's check-ins fall due."""

from datetime import datetime, time, timedelta

from sqlalchemy import select

from marketplace.chapters.models import Chapter, ChapterLead
from marketplace.core.timeutil import JAKARTA, format_wib, jakarta_today
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.mentoring.dashboard import chapter_dashboard
from marketplace.mentoring.models import MentoringSession, SessionSignup
from marketplace.notifications.services import notify


def send_reminders(today=None) -> dict:
    today = today or jakarta_today()
    tomorrow = today + timedelta(days=1)
    start = datetime.combine(tomorrow, time.min, tzinfo=JAKARTA)
    end = start + timedelta(days=1)
    stats = {"sessions": 0, "checkins": 0}
    rows = db.session.execute(
        select(MentoringSession, SessionSignup)
        .join(SessionSignup, SessionSignup.session_id == MentoringSession.id)
        .where(
            MentoringSession.starts_at >= start,
            MentoringSession.starts_at < end,
            MentoringSession.cancelled.is_(False),
        )
    ).all()
    for session, signup in rows:
        if notify(
            signup.business.owner_id,
            "session_reminder",
            email=True,
            when=format_wib(session.starts_at),
            topic=session.topic,
            place=session.place or "online",
            link=external_url("business.pathway_page"),
            dedupe_key=f"remind:{session.id}:{signup.business_id}",
        ):
            stats["sessions"] += 1
    month = today.strftime("%Y-%m")
    for chapter in db.session.scalars(
        select(Chapter).where(Chapter.id.in_(select(ChapterLead.chapter_id)))
    ):
        overdue = chapter_dashboard(chapter, today)["overdue"]
        if not overdue:
            continue
        for lead in chapter.leads:
            if notify(
                lead.user_id,
                "checkin_due",
                email=True,
                n=len(overdue),
                chapter=chapter.name,
                link=external_url("lead.dashboard", chapter_slug=chapter.slug),
                dedupe_key=f"checkin:{chapter.id}:{lead.user_id}:{month}",
            ):
                stats["checkins"] += 1
    return stats
