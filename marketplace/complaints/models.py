"""A buyer's complaint about a shipped order, its photos and its append-only events."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import EventMixin, known_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class ComplaintStatus(StrEnum):
    OPEN = "open"
    ANSWERED = "answered"
    RETURN_REQUESTED = "return_requested"
    RETURN_SHIPPED = "return_shipped"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    DECIDED = "decided"


class ComplaintReason(StrEnum):
    NOT_RECEIVED = "not_received"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    NOT_AS_DESCRIBED = "not_as_described"


# The states in which the complaint still holds the order's money.
UNSETTLED = (
    ComplaintStatus.OPEN,
    ComplaintStatus.ANSWERED,
    ComplaintStatus.RETURN_REQUESTED,
    ComplaintStatus.RETURN_SHIPPED,
    ComplaintStatus.ESCALATED,
)
MAX_PHOTOS = 3


class Complaint(db.Model):
    __tablename__ = "complaint"
    __table_args__ = (
        # One complaint per order: its outcome is the order's after-sales story.
        UniqueConstraint("order_id"),
        known_states(ComplaintStatus),
        known_states(ComplaintReason, "reason"),
        CheckConstraint("refund_idr >= 0", name="refund_not_negative"),
        CheckConstraint(
            "status <> 'return_shipped' OR return_tracking IS NOT NULL",
            name="return_shipped_has_tracking",
        ),
        # The seller's and the admin's lists: complaints by state, oldest first.
        Index("ix_complaint_business_status", "business_id", "status", "created_at"),
        Index("ix_complaint_status_changed", "status", "status_changed_at"),
    )

    TRANSITIONS = {
        (ComplaintStatus.OPEN, "accept_full"): ComplaintStatus.RESOLVED,
        (ComplaintStatus.OPEN, "accept_partial"): ComplaintStatus.RESOLVED,
        (ComplaintStatus.OPEN, "request_return"): ComplaintStatus.RETURN_REQUESTED,
        (ComplaintStatus.OPEN, "answer"): ComplaintStatus.ANSWERED,
        (ComplaintStatus.ANSWERED, "accept_full"): ComplaintStatus.RESOLVED,
        (ComplaintStatus.ANSWERED, "accept_partial"): ComplaintStatus.RESOLVED,
        (ComplaintStatus.ANSWERED, "accept_answer"): ComplaintStatus.RESOLVED,
        (ComplaintStatus.RETURN_REQUESTED, "ship_return"): ComplaintStatus.RETURN_SHIPPED,
        (ComplaintStatus.RETURN_SHIPPED, "receive_return"): ComplaintStatus.RESOLVED,
        (ComplaintStatus.OPEN, "escalate"): ComplaintStatus.ESCALATED,
        (ComplaintStatus.ANSWERED, "escalate"): ComplaintStatus.ESCALATED,
        (ComplaintStatus.RETURN_REQUESTED, "escalate"): ComplaintStatus.ESCALATED,
        (ComplaintStatus.RETURN_SHIPPED, "escalate"): ComplaintStatus.ESCALATED,
        (ComplaintStatus.ESCALATED, "decide"): ComplaintStatus.DECIDED,
    }
    EVENT_FK = "complaint_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"))
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    consumer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[ComplaintReason] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(String(20), default=ComplaintStatus.OPEN)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    # What the outcome gave back (0 for an answer accepted or a decision without refund).
    refund_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    return_courier: Mapped[str | None] = mapped_column(String(60))
    return_tracking: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped["Order"] = relationship()  # noqa: F821
    photos: Mapped[list["ComplaintPhoto"]] = relationship(order_by="ComplaintPhoto.id")
    events: Mapped[list["ComplaintEvent"]] = relationship(
        order_by="ComplaintEvent.seq", viewonly=True
    )

    @property
    def settled(self) -> bool:
        return self.status not in UNSETTLED


class ComplaintPhoto(db.Model):
    __tablename__ = "complaint_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(
        ForeignKey("complaint.id", ondelete="CASCADE"), index=True
    )
    file_key: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ComplaintEvent(EventMixin, db.Model):
    __tablename__ = "complaint_event"
    __table_args__ = (
        UniqueConstraint("complaint_id", "seq"),
        known_states(ComplaintStatus, "from_status"),
        known_states(ComplaintStatus, "to_status"),
    )

    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)


Complaint.EVENT_MODEL = ComplaintEvent
