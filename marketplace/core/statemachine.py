"""Lifecycles as data: a table of (state, action) -> state, applied with compare-and-set.

Each model with a lifecycle declares ``TRANSITIONS`` and an event model built on
``EventMixin``. ``apply_transition`` checks the table, updates the status only if it is
still the one we read (``UPDATE ... WHERE id=? AND status=?``), and appends exactly one
event with actor, role and UTC time. An illegal or lost race raises IllegalTransition and
records nothing.

States are a StrEnum per lifecycle in its model module; ``known_states`` turns the enum into
the CHECK on each status column, so the database refuses a state the code does not know.
"""

from datetime import datetime

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, String, Text, event, func, select, update
from sqlalchemy.orm import Mapped, declared_attr, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from marketplace.core.errors import IllegalTransition
from marketplace.core.models import UTCDateTime, rowcount
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

# Sent after every transition, inside the transaction (the search feed listens).
transitioned = Namespace().signal("transitioned")


def sql_states(*states) -> str:
    """The states as an SQL literal list (``'a', 'b'``) for CHECK constraints."""
    return ", ".join(f"'{getattr(s, 'value', s)}'" for s in states)


def known_states(states, column: str = "status", name: str | None = None) -> CheckConstraint:
    """A CHECK that ``column`` holds one of ``states`` (a StrEnum), generated from the enum
    so the database and the code cannot disagree on what a state is."""
    return CheckConstraint(f"{column} IN ({sql_states(*states)})", name=name or f"{column}_known")


class EventMixin:
    """Append-only lifecycle event. Subclasses add the FK column named by ``subject_fk``."""

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str] = mapped_column(String(24))
    to_status: Mapped[str] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @declared_attr
    def actor_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(ForeignKey("user.id"))


class EventImmutableError(RuntimeError):
    pass


@event.listens_for(EventMixin, "before_update", propagate=True)
def _no_update(mapper, connection, target):
    raise EventImmutableError("lifecycle events are append-only")


@event.listens_for(EventMixin, "before_delete", propagate=True)
def _no_delete(mapper, connection, target):
    raise EventImmutableError("lifecycle events are append-only")


def apply_transition(
    obj, action: str, *, actor, role: str, note: str | None = None, **changes
) -> str:
    """Move ``obj`` along its model's TRANSITIONS table and record the event.

    ``changes`` are extra columns set in the same compare-and-set UPDATE.
    """
    model = type(obj)
    current = obj.status
    target = model.TRANSITIONS.get((current, action))
    if target is None:
        raise IllegalTransition(
            _l("Tindakan ini tidak bisa dilakukan pada status saat ini."),
            state=current,
            action=action,
        )
    values = {"status": target, **changes}
    if hasattr(model, "status_changed_at"):
        values["status_changed_at"] = utcnow()
    result = db.session.execute(
        update(model)
        .where(model.id == obj.id, model.status == current)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise IllegalTransition(
            _l("Data ini baru saja diubah orang lain. Muat ulang halaman lalu coba lagi."),
            state=current,
            action=action,
        )
    for key, value in values.items():
        set_committed_value(obj, key, value)

    event_model = model.EVENT_MODEL
    fk = model.EVENT_FK
    seq = db.session.scalar(
        select(func.coalesce(func.max(event_model.seq), 0)).where(
            getattr(event_model, fk) == obj.id
        )
    )
    actor = actor._get_current_object() if hasattr(actor, "_get_current_object") else actor
    db.session.add(
        event_model(
            **{fk: obj.id},
            seq=seq + 1,
            action=action,
            from_status=current,
            to_status=target,
            actor_id=getattr(actor, "id", None),
            role=role,
            note=note,
        )
    )
    db.session.flush()
    transitioned.send(obj, session=db.session(), action=action, state=target)
    return target


def can(obj, action: str) -> bool:
    """Whether ``action`` is allowed from ``obj``'s current state by its transition table.
    Templates and JSON ask this instead of listing states."""
    return (str(getattr(obj.status, "value", obj.status)), action) in type(obj).TRANSITIONS


def allowed_actions(obj) -> list[str]:
    """The actions the transition table allows from ``obj``'s current state, in table order."""
    status = str(getattr(obj.status, "value", obj.status))
    return [action for (state, action) in type(obj).TRANSITIONS if state == status]
