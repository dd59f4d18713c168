"""Accounts: registration, authentication with throttling, and revocable login sessions."""

import hashlib
import logging
import secrets
from datetime import timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from marketplace.accounts.models import LoginSession, LoginThrottle, User, token_digest
from marketplace.core import audit
from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.core.models import rowcount
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

log = logging.getLogger("pasarkita.accounts")

MIN_PASSWORD_LENGTH = 10
# Used when the e-mail is unknown, so a miss costs the same time as a wrong password.
_DUMMY_HASH = generate_password_hash("pasarkita-timing-equaliser")


class LoginFailed(DomainError):
    """Unknown e-mail or wrong password: one message for both (no account enumeration)."""

    status_code = 200
    code = "login_failed"

    def __init__(self):
        super().__init__(_l("E-mail atau kata sandi salah."))


class LoginThrottled(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self):
        super().__init__(_l("Terlalu banyak percobaan masuk. Tunggu sebentar, lalu coba lagi."))


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(raw: str) -> str:
    try:
        result = validate_email(
            raw or "",
            check_deliverability=False,
            # .test addresses are for demo data and tests, never accepted in production.
            test_environment=current_app.config["ENV_NAME"] != "production",
        )
    except EmailNotValidError as exc:
        raise ValidationFailed(_l("Alamat e-mail tidak valid."), field="email") from exc
    return result.normalized.lower()


def normalise_phone(raw: str | None) -> str | None:
    """Optional phone number -> E.164 (+62...), or None when left empty."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(_l("Nomor telepon tidak valid."), field="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(_l("Nomor telepon tidak valid."), field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def check_password_strength(password: str, email: str = "") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if email and password.lower() == email.lower():
        raise ValidationFailed(_l("Kata sandi tidak boleh sama dengan e-mail."), field="password")


def register_user(
    *, email: str, password: str, name: str, phone: str | None = None, is_admin: bool = False
) -> User:
    """Create an account (consumer by default). Raises ValidationFailed on bad input."""
    email = normalise_email(email)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_l("Nama wajib diisi (maksimal 120 karakter)."), field="name")
    check_password_strength(password, email)
    phone_e164 = normalise_phone(phone)
    if db.session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ValidationFailed(_l("E-mail ini sudah terdaftar. Silakan masuk."), field="email")
    user = User(
        email=email,
        name=name,
        phone_e164=phone_e164,
        password_hash=_hash(password),
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor=user, role="consumer", target=user)
    return user


def _throttle_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _throttle_row(key: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    return row


def authenticate(email: str, password: str) -> User:
    """Return the user for a correct e-mail and password.

    Raises LoginThrottled while the identifier is in back-off, LoginFailed otherwise; an
    unknown e-mail and a wrong password are indistinguishable in message and timing.
    """
    cfg = current_app.config
    key = _throttle_key(email or "")
    now = utcnow()
    throttle = db.session.get(LoginThrottle, key)
    if throttle and throttle.blocked_until and throttle.blocked_until > now:
        raise LoginThrottled()

    user = db.session.scalar(select(User).where(User.email == (email or "").strip().lower()))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is not None and ok and user.is_active:
        if throttle is not None:
            db.session.delete(throttle)
        return user

    throttle = _throttle_row(key)
    throttle.failures = (throttle.failures or 0) + 1
    throttle.last_failure_at = now
    over = throttle.failures - cfg["LOGIN_THROTTLE_FREE_FAILURES"]
    if over >= 0:
        wait = min(cfg["LOGIN_THROTTLE_BASE_SECONDS"] * 2**over, cfg["LOGIN_THROTTLE_MAX_SECONDS"])
        throttle.blocked_until = now + timedelta(seconds=wait)
    # The failure count must survive the rollback that error handling performs.
    db.session.commit()
    log.info("login_failed throttle_failures=%s", throttle.failures)
    raise LoginFailed()


def start_session(user: User, user_agent: str | None = None) -> str:
    """Open a new revocable login session and return its token (kept in the cookie)."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            user_id=user.id,
            token_hash=token_digest(token),
            expires_at=utcnow() + current_app.config["PERMANENT_SESSION_LIFETIME"],
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    # Not a column: the raw token of this login, kept on the instance for the cookie.
    user.session_token = token  # type: ignore[assignment]
    return token


def load_session_user(token: str) -> User | None:
    """Flask-Login user loader: the user of a live, unrevoked, unexpired session."""
    if not token:
        return None
    from sqlalchemy.orm import joinedload

    from marketplace.chapters.models import ChapterLead
    from marketplace.notifications.models import Notification

    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == LoginSession.user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    found = db.session.execute(
        select(LoginSession, unread)
        .where(
            LoginSession.token_hash == token_digest(token),
            LoginSession.revoked_at.is_(None),
            LoginSession.expires_at > utcnow(),
        )
        # The menu shows the lead consoles: load them with the user, not one by one.
        .options(
            joinedload(LoginSession.user)
            .selectinload(User.lead_roles)
            .joinedload(ChapterLead.chapter)
        )
    ).first()
    if found is None or not found[0].user.is_active:
        return None
    row, unread_count = found
    row.user.session_token = token
    row.user.unread_notifications = unread_count  # for the menu, without another query
    return row.user


def end_session(token: str | None) -> None:
    if token:
        db.session.execute(
            update(LoginSession)
            .where(LoginSession.token_hash == token_digest(token))
            .values(revoked_at=utcnow())
        )


def end_other_sessions(user: User, keep_token: str | None = None) -> int:
    """Revoke every session of the user except ``keep_token``'s; returns how many."""
    stmt = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.revoked_at.is_(None)
    )
    if keep_token:
        stmt = stmt.where(LoginSession.token_hash != token_digest(keep_token))
    return rowcount(db.session.execute(stmt.values(revoked_at=utcnow())))


def change_password(
    user: User, current_password: str, new_password: str, keep_token: str | None
) -> None:
    """Change the password and end every other session of this user."""
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationFailed(_l("Kata sandi saat ini salah."), field="current_password")
    check_password_strength(new_password, user.email)
    user.password_hash = _hash(new_password)
    user.password_changed_at = utcnow()
    end_other_sessions(user, keep_token)
    audit.record("account.password_changed", actor=user, role="consumer", target=user)


def update_profile(user: User, *, name: str, phone: str | None) -> None:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_l("Nama wajib diisi (maksimal 120 karakter)."), field="name")
    user.name = name
    user.phone_e164 = normalise_phone(phone)
