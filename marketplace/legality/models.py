"""Legality documents (NIB and product permits) and their lifecycle."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import EventMixin, known_states, sql_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

document_product = Table(
    "document_product",
    db.metadata,
    Column("document_id", ForeignKey("legality_document.id", ondelete="CASCADE"), primary_key=True),
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    # A product's documents (its page's permits, the cart's gate): the key starts with
    # the document, so without this every /p/ read the whole table.
    Index("ix_document_product_product_id", "product_id", "document_id"),
)


class DocumentStatus(StrEnum):
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    REJECTED = "rejected"
    EXPIRED = "expired"
    REVOKED = "revoked"


# A refusal always tells the owner why (review_document requires the note).
REFUSED = (DocumentStatus.REJECTED, DocumentStatus.REVOKED)


class LegalityDocument(db.Model):
    __tablename__ = "legality_document"
    __table_args__ = (
        # The review queues: one chapter's submitted documents (lead), every chapter's
        # (admin), oldest first, keyset pages.
        Index(
            "ix_legality_document_chapter_status_created",
            "chapter_id",
            "status",
            "created_at",
            "id",
        ),
        Index("ix_legality_document_status_created", "status", "created_at", "id"),
        known_states(DocumentStatus),
        # Only the daily job expires a document, and only once its expiry date has passed.
        CheckConstraint(
            f"status <> '{DocumentStatus.EXPIRED}' OR expires_on IS NOT NULL",
            name="expired_has_expiry",
        ),
        CheckConstraint(
            f"status NOT IN ({sql_states(*REFUSED)}) OR "
            "(review_note IS NOT NULL AND review_note <> '')",
            name="refusal_has_reason",
        ),
        # The 7 PAS Perizinan step: a member's verified NIB (and any kind/status lookup).
        Index("ix_legality_document_business_kind_status", "business_id", "kind", "status"),
        # The chapter's last review decisions, newest first (the owner dashboard's median
        # review time reads at most checklist.MEDIAN_SAMPLE of them).
        Index("ix_legality_document_chapter_changed", "chapter_id", "status_changed_at"),
    )

    # submitted -> verified | rejected; verified -> expired (by date) | revoked.
    TRANSITIONS = {
        (DocumentStatus.SUBMITTED, "verify"): DocumentStatus.VERIFIED,
        (DocumentStatus.SUBMITTED, "reject"): DocumentStatus.REJECTED,
        (DocumentStatus.VERIFIED, "expire"): DocumentStatus.EXPIRED,
        (DocumentStatus.VERIFIED, "revoke"): DocumentStatus.REVOKED,
    }
    EVENT_FK = "document_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    # Copied from the business so the lead area scopes documents with one column.
    chapter_id: Mapped[int] = mapped_column(ForeignKey("chapter.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(40))
    number_display: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[DocumentStatus] = mapped_column(
        String(16), default=DocumentStatus.SUBMITTED, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    review_note: Mapped[str | None] = mapped_column(Text)
    file_key: Mapped[str] = mapped_column(String(32), unique=True)
    file_mime: Mapped[str] = mapped_column(String(32))
    file_size: Mapped[int]
    original_name: Mapped[str] = mapped_column(String(120))  # display only, never a path
    expiry_warned_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    business: Mapped["Business"] = relationship()  # noqa: F821
    products: Mapped[list["Product"]] = relationship(  # noqa: F821
        secondary=document_product, back_populates="documents"
    )
    events: Mapped[list["DocumentEvent"]] = relationship(
        order_by="DocumentEvent.seq", viewonly=True
    )

    def is_valid_on(self, day: date) -> bool:
        return self.status == DocumentStatus.VERIFIED and (
            self.expires_on is None or self.expires_on >= day
        )


class DocumentEvent(EventMixin, db.Model):
    __tablename__ = "document_event"
    __table_args__ = (
        UniqueConstraint("document_id", "seq"),
        known_states(DocumentStatus, "from_status"),
        known_states(DocumentStatus, "to_status"),
    )

    document_id: Mapped[int] = mapped_column(ForeignKey("legality_document.id"), index=True)


LegalityDocument.EVENT_MODEL = DocumentEvent
