"""Security headers, request ids, safe redirects and role checks."""

import logging
import re
import secrets
import unicodedata
from functools import wraps

from flask import abort, current_app, g, request, url_for
from flask_login import current_user

log = logging.getLogger("pasarkita.security")


def assign_request_id() -> None:
    g.request_id = secrets.token_hex(8)


def set_security_headers(response):
    """CSP and friends on every response (ASVS 3.4)."""
    cfg = current_app.config
    script_src = " ".join(("'self'", *cfg["CSP_SCRIPT_SOURCES"]))
    frame_src = " ".join(("'self'", *cfg["CSP_FRAME_SOURCES"]))
    connect_src = " ".join(("'self'", *cfg["CSP_CONNECT_SOURCES"]))
    response.headers.setdefault(
        "Content-Security-Policy",
        f"default-src 'self'; script-src {script_src}; style-src 'self'; "
        f"img-src 'self' data:; font-src 'self'; connect-src {connect_src}; "
        f"frame-src {frame_src}; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A page may tighten it (the recovery link page says no-referrer).
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if cfg.get("HSTS"):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if getattr(g, "request_id", None):
        response.headers["X-Request-Id"] = g.request_id
    if _carries_personal_data():
        no_store(response)
    return response


def _carries_personal_data() -> bool:
    """A signed-in page or a bearer-token API answer may hold personal data: never cached."""
    if g.get("no_store") or request.headers.get("Authorization"):
        return True
    # Only if the user was already loaded (don't open a session for a static file).
    user = g.get("_login_user")
    return bool(user is not None and user.is_authenticated)


def no_store(response):
    """Mark a response with personal data (NIK, addresses, dossiers) as never stored."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Pragma"] = "no-cache"
    return response


def mark_no_store() -> None:
    """Explicitly mark the current request's response as no-store (e.g. the bank dossier)."""
    g.no_store = True


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next_url(target: str | None, default: str | None = None) -> str:
    """Return ``target`` only when it is a local absolute path; otherwise the default page.

    Stricter than Django's ``url_has_allowed_host_and_scheme``: only ``/path`` forms are
    accepted, never a scheme or host, so ``//evil``, ``/\\evil``, ``https:evil`` and
    ``javascript:`` all fall back.
    """
    fallback = default or url_for("main.index")
    if not target or not isinstance(target, str) or len(target) > 2000:
        return fallback
    if _CONTROL.search(target) or any(unicodedata.category(ch) == "Cf" for ch in target):
        return fallback
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    if "\\" in target:
        return fallback
    return target


def deny(reason: str, **context):
    """Log an authorisation refusal and answer 404 (another tenant's object looks missing)."""
    log.warning(
        "authz_denied reason=%s user=%s path=%s %s",
        reason,
        getattr(current_user, "id", None),
        request.path,
        " ".join(f"{k}={v}" for k, v in context.items()),
    )
    abort(404)


def admin_required(view):
    """Admin area: anonymous -> login, signed-in non-admin -> 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not current_user.is_admin:
            log.warning(
                "authz_denied reason=not_admin user=%s path=%s", current_user.id, request.path
            )
            abort(403)
        return view(*args, **kwargs)

    return wrapped
