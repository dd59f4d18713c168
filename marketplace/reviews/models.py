"""Ratings and reviews of completed order lines (issue 16 item 3), their photos, the
reports shoppers file and the admin's hiding.

The averages are not computed from these rows on a page: ``product.rating_count`` /
``rating_sum`` and ``business.rating_count`` / ``rating_sum`` are kept in the same
transaction as each create, edit, hide and unhide (``services.bump``), over visible reviews.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import known_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class ReviewStatus(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"


MAX_PHOTOS = 3
EDIT_DAYS = 30


class Review(db.Model):
    __tablename__ = "review"
    __table_args__ = (
        # One review per purchased line: the buyer rates what they bought, once.
        UniqueConstraint("order_line_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
        CheckConstraint("report_count >= 0", name="report_count_non_negative"),
        known_states(ReviewStatus),
        CheckConstraint(
            "status <> 'hidden' OR (hidden_reason IS NOT NULL AND hidden_at IS NOT NULL)",
            name="hidden_has_reason",
        ),
        # The product page and the storefront: visible reviews, newest first (keyset).
        Index("ix_review_product_status_created", "product_id", "status", "created_at", "id"),
        Index("ix_review_business_status_created", "business_id", "status", "created_at", "id"),
        # The admin's reported reviews, last reported first (only reported rows have a time).
        Index("ix_review_reported_at", "reported_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_line_id: Mapped[int] = mapped_column(ForeignKey("order_line.id"))
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    rating: Mapped[int]
    text: Mapped[str] = mapped_column(Text, default="", server_default="")
    status: Mapped[ReviewStatus] = mapped_column(
        String(10), default=ReviewStatus.VISIBLE, server_default="visible"
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The seller's one reply.
    reply_text: Mapped[str | None] = mapped_column(Text)
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Reports (one per user, review_report) and the admin's decision.
    report_count: Mapped[int] = mapped_column(default=0, server_default="0")
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped["User"] = relationship(foreign_keys=[author_id])  # noqa: F821
    product: Mapped["Product"] = relationship()  # noqa: F821
    photos: Mapped[list["ReviewPhoto"]] = relationship(
        order_by="ReviewPhoto.position", cascade="all, delete-orphan"
    )

    @property
    def author_first_name(self) -> str:
        """Only the first name is ever shown (PDP: no surname, phone or e-mail); a title
        before it ("dr.", "Ir.", "Hj.") is not a name."""
        words = (self.author.name or "").replace(",", " ").split() if self.author else []
        names = [w for w in words if not w.endswith(".")]
        return (names or words or [""])[0]

    @property
    def visible(self) -> bool:
        return self.status == ReviewStatus.VISIBLE


class ReviewPhoto(db.Model):
    """A buyer's photo: the product photos' renditions (uploads.photo_renditions)."""

    __tablename__ = "review_photo"
    __table_args__ = (UniqueConstraint("review_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    position: Mapped[int]
    # [{"f": "webp"|"jpg", "w", "h", "k": storage key, "d": digest, "b": bytes}], smallest first
    renditions: Mapped[list] = mapped_column(JSON, default=list)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def sources(self, fmt: str) -> list[dict]:
        return [r for r in self.renditions or () if r["f"] == fmt]

    def stored_keys(self) -> set[str]:
        return {r["k"] for r in self.renditions or ()}


class ReviewReport(db.Model):
    """A signed-in user's report of a review: one per user and review."""

    __tablename__ = "review_report"
    __table_args__ = (
        UniqueConstraint("review_id", "user_id"),
        CheckConstraint("reason <> ''", name="reason_given"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
