"""Append-only audit trail: who did what, in which role and scope (ASVS 16.4)."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, event
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class AuditEvent(db.Model):  # type: ignore[name-defined]  # built at run time
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    chapter_id: Mapped[int | None] = mapped_column(ForeignKey("chapter.id"), index=True)
    bank_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str | None] = mapped_column(String(32))
    target_id: Mapped[int | None]
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class AuditImmutableError(RuntimeError):
    pass


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise AuditImmutableError("audit events are append-only")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise AuditImmutableError("audit events are append-only")


def record(
    action: str,
    *,
    actor=None,
    role: str = "system",
    chapter=None,
    bank_id=None,
    target=None,
    **data,
) -> AuditEvent:
    """Add an audit row to the current transaction. ``data`` must hold no PII or secrets."""
    # Views may hand over werkzeug proxies such as current_user.
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor
    target = target._get_current_object() if hasattr(target, "_get_current_object") else target
    entry = AuditEvent(
        actor_id=getattr(actor, "id", None),
        role=role,
        chapter_id=getattr(chapter, "id", None),
        bank_id=bank_id,
        action=action,
        target_type=type(target).__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
        data=data,
    )
    db.session.add(entry)
    return entry
