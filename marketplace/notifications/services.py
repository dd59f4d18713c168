"""Notify people in the app; messages are rendered in the reader's language."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.core.extension import message
from marketplace.core.timeutil import utcnow
from marketplace.core.urls import absolute
from marketplace.extensions import db
from marketplace.notifications.models import Notification

# Each feature registers its own notification texts (``register_messages`` in its init_app);
# ``notify`` refuses a kind nobody registered.


def notify(
    user_id: int,
    kind: str,
    /,
    *,
    link: str | None = None,
    dedupe_key: str | None = None,
    email: bool = False,
    **params,
) -> bool:
    """Queue a notification in the current transaction. With ``dedupe_key``, at most once
    ever (a savepoint absorbs the duplicate); with ``email``, also an e-mail in the outbox,
    sent after the commit. Returns whether a row was added."""
    message(kind)  # raises for a kind no feature registered
    # Links are read in mail clients too: a plug-in that still passes a path gets it made
    # absolute here (features pass core.urls.external_url).
    link = absolute(link)
    row = Notification(user_id=user_id, kind=kind, params=params, link=link, dedupe_key=dedupe_key)
    if dedupe_key is not None:
        if db.session.scalar(select(Notification.id).where(Notification.dedupe_key == dedupe_key)):
            return False
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError:
            return False
    else:
        db.session.add(row)
    if email:
        from marketplace.accounts.models import User
        from marketplace.notifications.outbox import queue_email

        user = db.session.get(User, user_id)
        if user is None:
            raise ValueError(f"no user {user_id} to notify")
        body = render(row) + (f"\n\n{link}" if link else "")
        if user.email:
            queue_email(user.email, subject=str(_l("Pemberitahuan Pasarkita")), body=body)
        elif user.phone_e164:  # an account with only a WhatsApp number is told there
            from marketplace.notifications.phone import queue_message

            queue_message(user.phone_e164, body)
    return True


def render(notification: Notification) -> str:
    from marketplace.core.labels import status_label
    from marketplace.legality.permits import PERMIT_LABELS

    params = dict(notification.params or {})
    if "kind" in params:
        params["kind"] = str(PERMIT_LABELS.get(params["kind"], params["kind"]))
    if "status" in params:  # rendered in the reader's language, not the sender's
        params["status"] = status_label(params["status"])
    return str(message(notification.kind) % params)


def for_user_select(user_id: int):
    """The user's own notifications, unordered (the caller pages them)."""
    return select(Notification).where(Notification.user_id == user_id)


def for_user(user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
        )
    )


def mark_all_read(user_id: int) -> None:
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


def notify_everywhere(user_id: int, kind: str, /, *, link: str | None = None, **params) -> None:
    """A step of an order both sides follow (issue 15): in the app, by e-mail through the
    outbox, and to the verified phone through the phone outbox (an account with only a
    phone gets it once, as ``notify`` already sends it there)."""
    notify(user_id, kind, link=link, email=True, **params)
    from marketplace.accounts.models import User

    user = db.session.get(User, user_id)
    if user is not None and user.email and user.phone_e164:
        from marketplace.notifications.phone import queue_message

        text = render(Notification(kind=kind, params=params))
        queue_message(user.phone_e164, text + (f"\n\n{absolute(link)}" if link else ""))
