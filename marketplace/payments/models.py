from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, false
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


class PaymentRefund(db.Model):
    """Each refund Stripe made on a checkout's PaymentIntent, once (its refund id is the key),
    whoever started it and whichever event told us first. Recorded even before the payment
    is confirmed, so a late ``payment_intent.succeeded`` cannot pay a refunded checkout.
    ``allocated`` turns true once the amount has reached the orders and the books."""

    __tablename__ = "payment_refund"
    __table_args__ = (CheckConstraint("amount_idr > 0", name="amount_positive"),)

    refund_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id"), index=True)
    # The order it was made for, when known (our own refunds; Stripe metadata order_id).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order.id"))
    amount_idr: Mapped[int] = mapped_column(BigInteger)
    allocated: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
