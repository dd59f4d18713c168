"""Absolute links for e-mails and notifications, which are read outside the site.

They are built under the configured ``PUBLIC_BASE_URL``: a link must not carry whatever
Host header a request came with (a spoofed Host would otherwise end up in a password or
order e-mail), and a CLI job (permit expiry, reminders) has no request at all. Only when no
base URL is configured does a request fall back to ``url_for(..., _external=True)``.
"""

from urllib.parse import quote, urlsplit

from flask import current_app, has_request_context, request, url_for


def public_base_url() -> str | None:
    """The configured public base URL without a trailing slash, or None."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").strip().rstrip("/")
    if not base:
        return None
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"PUBLIC_BASE_URL must be an http(s) URL, not {base!r}")
    return base


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under PUBLIC_BASE_URL (works without a request)."""
    base = public_base_url()
    if base is None:
        # Without a configured base only a request (or SERVER_NAME) knows the host.
        return url_for(endpoint, _external=True, **values)
    return url_under(base, endpoint, **values)


def url_under(base: str, endpoint: str, **values) -> str:
    """The absolute URL of ``endpoint`` under ``base``, built on the URL map: no request
    context is pushed (a pushed one would run the request teardowns, such as the outbox
    delivery, inside the caller's transaction)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    anchor = values.pop("_anchor", None)
    app.inject_url_defaults(endpoint, values)
    parts = urlsplit(base)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(str(anchor), safe="")
    return url


def absolute(link: str | None) -> str | None:
    """Make a site-relative path (``/orders/7``) absolute; other values pass unchanged.

    For callers that still pass a path to ``notify`` (plug-ins not yet on external_url)."""
    if not link or not link.startswith("/") or link.startswith("//"):
        return link
    base = public_base_url()
    if base is None:
        if not has_request_context():
            return link  # nothing to anchor it to; the in-app list still works
        base = request.host_url.rstrip("/")
    return base + link
