"""View helpers: one service call as the request's unit of work."""

from collections.abc import Callable

from flask import flash

from marketplace.core.errors import DomainError, NotFound
from marketplace.extensions import db


def run_action(action: Callable[[], object], success: str | None = None):
    """Call ``action``; commit and flash ``success``, or roll back and flash the domain
    error's message. Returns the error (None on success). NotFound propagates (404)."""
    try:
        action()
    except NotFound:
        raise
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return exc
    db.session.commit()
    if success:
        flash(success, "success")
    return None
