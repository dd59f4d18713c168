from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class ProcessedStripeEvent(db.Model):
    """Each Stripe event id once: inserted in the same transaction as its effect, so a
    duplicate (even a concurrent one) fails on the primary key and changes nothing."""

    __tablename__ = "processed_stripe_event"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
