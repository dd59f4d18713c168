"""Six months of demo mentoring in the chapters that have leads."""

import random
from datetime import timedelta

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.timeutil import JAKARTA, jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.mentoring import services as mentoring
from marketplace.mentoring.models import MentoringSession

TOPICS = [
    ("Foto produk yang menjual dengan HP", "upskilling", "whatsapp"),
    ("Katalog WhatsApp Business", "upskilling", "whatsapp"),
    ("Promosi di Instagram dan TikTok", "new_skilling", "social_media"),
    ("Mencatat buku kas sederhana", "reskilling", None),
    ("Mengurus P-IRT dan sertifikat halal", "reskilling", None),
    ("Berjualan di marketplace", "new_skilling", "marketplace"),
    ("Live jualan untuk pemula", "new_skilling", "live_streaming"),
]


def seed_mentoring() -> None:
    """Fortnightly sessions, attendance at different rates (so members sit at different
    pathway stages), check-ins and one PPKD course per chapter."""
    if db.session.scalar(select(MentoringSession.id).limit(1)):
        return
    rng = random.Random(11)  # noqa: S311 - reproducible demo data
    now = utcnow()
    for chapter in db.session.scalars(select(Chapter).where(Chapter.slug.in_(("tebet", "cakung")))):
        lead = chapter.leads[0].user
        members = db.session.scalars(
            select(Business).where(Business.chapter_id == chapter.id).order_by(Business.id)
        ).all()
        rates = [0.9, 0.5, 0.2, 0.0]
        first = (
            (now - timedelta(weeks=24))
            .astimezone(JAKARTA)
            .replace(hour=19, minute=0, second=0, microsecond=0)
        )
        for i in range(14):
            topic, track, level = TOPICS[i % len(TOPICS)]
            session = mentoring.schedule_sessions(
                chapter,
                mentoring.SessionInput(
                    topic=topic,
                    track=track,
                    digital_level=level,
                    starts_at=now,
                    duration_minutes=90,
                    place=f"Aula Kantor Kecamatan {chapter.name}",
                    online_link=None,
                    capacity=30,
                ),
                actor=lead,
            )[0]
            # History: the service refuses scheduling far in the past, so move it back.
            session.starts_at = first + timedelta(weeks=2 * i)
            if session.starts_at < now:
                present = [
                    m.id for j, m in enumerate(members) if rng.random() < rates[j % len(rates)]
                ]
                mentoring.record_attendance(chapter, session.id, present, actor=lead)
            else:
                for member in members[:2]:
                    mentoring.sign_up(member, session.id, actor=member.owner)
        for j, member in enumerate(members):
            if j == len(members) - 1:
                continue  # this member's check-in is overdue
            mentoring.record_check_in(
                chapter,
                member.id,
                applies_learning=j % 2 == 0,
                books_kept=j != 1,
                next_step="Coba jualan lewat katalog WhatsApp minggu ini",
                actor=lead,
            )
        if members:
            mentoring.record_external_training(
                chapter,
                members[-1].id,
                provider="ppkd",
                title="Kursus Tata Boga PPKD",
                completed_on=jakarta_today() - timedelta(days=60),
                actor=lead,
            )
    db.session.flush()
