"""Absolute links for notifications and e-mails (read outside the site, in a mail client)."""

from flask import current_app, has_request_context, url_for

from marketplace.core.urls import url_under


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, _external=True)``; outside a request (the daily CLI jobs) it is
    built on PUBLIC_BASE_URL, since there is no request host to build it on."""
    if has_request_context() or current_app.config.get("SERVER_NAME"):
        return url_for(endpoint, _external=True, **values)
    base = (current_app.config.get("PUBLIC_BASE_URL") or "http://localhost").rstrip("/")
    return url_under(base, endpoint, **values)
