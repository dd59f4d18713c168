"""The referral network's pages, by audience: the lead, the member, the bank's officers and
the platform admin. Templates live beside the plug-in (``referrals/templates``)."""

from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from flask import Blueprint, request
from werkzeug.exceptions import HTTPException

from marketplace.core.errors import NotFound, error_response
from marketplace.core.security import deny

TEMPLATES = str(Path(__file__).resolve().parents[1] / "templates")

_MODELS = (("referral_id", "Referral"), ("business_id", "Business"))


def answer_out_of_scope(bp: Blueprint, reason: str | None, scope: Callable[[], dict]) -> None:
    """A scoped loader's NotFound in ``bp``'s views answers the plain 404 page, logged as
    ``authz_denied`` (``reason``) with the model and id from the URL and ``scope()``.

    An error handler, so the views need no try/except of their own; it returns the page
    because a handler that raised (deny() aborts) would turn into a 500."""

    @bp.errorhandler(NotFound)
    def out_of_scope(exc):
        if reason is not None:
            args = request.view_args or {}
            context = next(
                ({"model": model, "id": args[key]} for key, model in _MODELS if key in args), {}
            )
            # deny() logs, then aborts; here only its log line is wanted.
            with suppress(HTTPException):
                deny(reason, **context, **scope())
        return error_response(404)
