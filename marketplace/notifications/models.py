"""In-app notifications. The text is rendered at display time in the reader's language."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"
    # The reader's own notifications, newest first (keyset pages).
    __table_args__ = (Index("ix_notification_user_created", "user_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(200))
    # Makes scheduled notices idempotent: the same key is never delivered twice.
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxPhoneMessage(db.Model):
    """A WhatsApp/SMS message written in the same transaction as its cause, sent after the
    commit by notifications.phone; a failed send is retried later with a growing delay."""

    __tablename__ = "outbox_phone_message"
    __table_args__ = (Index("ix_outbox_phone_message_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    # The provider template (WhatsApp authentication templates carry codes); None = text.
    template: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
