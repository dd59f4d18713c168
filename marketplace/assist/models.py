"""Assisted mode: a member's grant to a helper, and what the helper did under it."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import known_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class AssistTask(StrEnum):
    """What a member may let a helper do for them. Nothing with money going out, no consent
    and no account change is a task: those the services refuse to any helper."""

    BOOKS = "books"
    PRODUCTS = "products"
    DOCUMENTS = "documents"
    BANK_REPLY = "bank_reply"


class AssistGrant(db.Model):  # type: ignore[name-defined]  # built at run time
    """A member lets ``helper`` act for their business on ``tasks`` until ``expires_at``
    (or until revoked)."""

    __tablename__ = "assist_grant"
    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_start"),
        CheckConstraint("helper_id <> member_id", name="not_self"),
        # The check every assisted request makes: this helper's grants for this business.
        Index("ix_assist_grant_helper_business", "helper_id", "business_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    tasks: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    business: Mapped["Business"] = relationship()  # noqa: F821
    helper: Mapped["User"] = relationship(foreign_keys=[helper_id])  # noqa: F821
    member: Mapped["User"] = relationship(foreign_keys=[member_id])  # noqa: F821

    def is_active(self, now: datetime | None = None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or utcnow())

    def allows(self, task: str) -> bool:
        return str(task) in (self.tasks or ())


class AssistedAction(db.Model):  # type: ignore[name-defined]
    """ "Done by <helper> for <member>": the list the member reads (the audit has the same)."""

    __tablename__ = "assisted_action"
    __table_args__ = (
        known_states(AssistTask, "task"),
        Index("ix_assisted_action_business_created", "business_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grant_id: Mapped[int] = mapped_column(ForeignKey("assist_grant.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    helper_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    task: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    helper: Mapped["User"] = relationship()  # noqa: F821
