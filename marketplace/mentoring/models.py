"""Mentoring: sessions and attendance, external training, monthly check-ins."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

TRACKS = ("reskilling", "upskilling", "new_skilling")
# The digital ladder the paper describes, from first steps to live selling.
DIGITAL_LEVELS = ("whatsapp", "social_media", "marketplace", "live_streaming")
EXTERNAL_PROVIDERS = ("ppkd", "bank", "kementerian", "dinas", "lainnya")


class MentoringSession(db.Model):
    __tablename__ = "mentoring_session"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        # The lead's sessions: one chapter's, by start (upcoming and keyset pages of past).
        Index("ix_mentoring_session_chapter_starts", "chapter_id", "starts_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    topic: Mapped[str] = mapped_column(String(160))
    track: Mapped[str] = mapped_column(String(16))
    digital_level: Mapped[str | None] = mapped_column(String(16))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    duration_minutes: Mapped[int] = mapped_column(default=90)
    place: Mapped[str | None] = mapped_column(String(200))
    online_link: Mapped[str | None] = mapped_column(String(300))
    capacity: Mapped[int] = mapped_column(default=30)
    # Sessions created together as a weekly series share this number.
    series_key: Mapped[str | None] = mapped_column(String(32), index=True)
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    signups: Mapped[list["SessionSignup"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )
    attendance: Mapped[list["Attendance"]] = relationship(
        back_populates="session", cascade="all, delete-orphan"
    )


class SessionSignup(db.Model):
    __tablename__ = "session_signup"
    __table_args__ = (UniqueConstraint("session_id", "business_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_session.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[MentoringSession] = relationship(back_populates="signups")
    business: Mapped["Business"] = relationship()  # noqa: F821


class Attendance(db.Model):
    """Recorded by the lead after the session: one row per member who came."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "business_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("mentoring_session.id", ondelete="CASCADE"), index=True
    )
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[MentoringSession] = relationship(back_populates="attendance")


class ExternalTraining(db.Model):
    """Training taken elsewhere (PPKD courses, bank or ministry trainings)."""

    __tablename__ = "external_training"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    provider: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(160))
    completed_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    business: Mapped["Business"] = relationship()  # noqa: F821


class CheckIn(db.Model):
    """The lead's short monthly evaluation of one member."""

    __tablename__ = "check_in"
    __table_args__ = (UniqueConstraint("business_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month evaluated
    applies_learning: Mapped[bool]
    books_kept: Mapped[bool]
    next_step: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    business: Mapped["Business"] = relationship()  # noqa: F821


class OutboxEmail(db.Model):
    """E-mail written in the same transaction as its cause, sent after the commit."""

    __tablename__ = "outbox_email"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set by the sender that took it (notifications/outbox.py): others leave it alone until then.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
