"""Accounts: registration, authentication with throttling, and revocable login sessions."""

import hashlib
import logging
import secrets
from datetime import timedelta

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
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
    """Unknown e-mail/number or wrong password: one message for both (no enumeration)."""

    status_code = 200
    code = "login_failed"

    def __init__(self):
        super().__init__(_l("E-mail/nomor WhatsApp atau kata sandi salah."))


class AccountDisabled(DomainError):
    """The right password for an account an admin disabled: said plainly (only someone who
    knows the password learns it)."""

    status_code = 403
    code = "account_disabled"

    def __init__(self):
        super().__init__(
            _l(
                "Akun ini dinonaktifkan oleh admin Pasarkita. Hubungi admin atau pengurus "
                "chapter Anda untuk mengaktifkannya kembali."
            )
        )


class LoginThrottled(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self):
        super().__init__(_l("Terlalu banyak percobaan masuk. Tunggu sebentar, lalu coba lagi."))


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def normalise_email(raw: str | None) -> str:
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


def normalise_phone(raw: str | None, field: str = "phone") -> str | None:
    """Optional mobile number -> E.164 (+62...), or None when left empty.

    Accepts what people type: 0812..., 62812..., +62 812-..., (0812) ..., and the common
    "+62 0812..." (phonenumbers drops the trunk 0). A fixed line is refused plainly: codes
    and WhatsApp messages need a mobile number (DOMAIN 1.7)."""
    if not raw or not raw.strip():
        return None
    try:
        number = phonenumbers.parse(raw, "ID")
    except phonenumbers.NumberParseException as exc:
        raise ValidationFailed(_l("Nomor telepon tidak valid."), field=field) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationFailed(_l("Nomor telepon tidak valid."), field=field)
    if phonenumbers.number_type(number) not in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        raise ValidationFailed(
            _l(
                "Masukkan nomor HP/WhatsApp (contoh 0812 3456 7890), bukan nomor telepon "
                "rumah atau kantor."
            ),
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_identifier(raw: str | None) -> tuple[str, str] | None:
    """What someone typed in "E-mail atau nomor WhatsApp": ("email", address) or
    ("phone", +62...), or None when it is neither (treated as an unknown account)."""
    text = (raw or "").strip()
    if not text:
        return None
    if "@" in text:
        return ("email", text.lower())
    try:
        phone = normalise_phone(text)
    except ValidationFailed:
        return None
    return ("phone", phone) if phone else None


def find_by_identifier(raw: str | None) -> User | None:
    """The account an e-mail or a verified phone number names, if any."""
    ident = parse_identifier(raw)
    if ident is None:
        return None
    kind, value = ident
    column = User.email if kind == "email" else User.phone_e164
    return db.session.scalar(select(User).where(column == value))


def check_password_strength(password: str, email: str = "") -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(
            _l("Kata sandi minimal %(n)d karakter.", n=MIN_PASSWORD_LENGTH), field="password"
        )
    if email and password.lower() == email.lower():
        raise ValidationFailed(_l("Kata sandi tidak boleh sama dengan e-mail."), field="password")


def _checked_registration(
    email: str | None, password: str, name: str, phone: str | None
) -> tuple[str | None, str | None, str]:
    """Validate a registration's input: (email, phone, name) normalised, or ValidationFailed
    (the same for everyone: it says nothing about other accounts)."""
    email = normalise_email(email) if (email or "").strip() else None
    phone_e164 = normalise_phone(phone)
    if email is None and phone_e164 is None:
        raise ValidationFailed(
            _l("Isi e-mail atau nomor WhatsApp (salah satu cukup)."), field="email"
        )
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_l("Nama wajib diisi (maksimal 120 karakter)."), field="name")
    check_password_strength(password, email or "")
    return email, phone_e164, name


def register_user(
    *,
    email: str | None,
    password: str,
    name: str,
    phone: str | None = None,
    is_admin: bool = False,
    password_hash: str | None = None,
) -> User:
    """Create an account (consumer by default) with an e-mail, a WhatsApp number or both.
    The number waits as pending until its code is entered (recovery.verify_phone). Raises
    ValidationFailed on bad input, EmailTaken for a registered e-mail. ``password_hash``: a
    hash of ``password`` made earlier by ``hash_password`` (the demo's accounts share one
    password: hashed once, not 80 times at ~130 ms of scrypt each)."""
    email, phone_e164, name = _checked_registration(email, password, name, phone)
    if password_hash is None:
        password_hash = hash_password(password)
    if email is not None and (
        db.session.scalar(select(User.id).where(User.email == email)) is not None
    ):
        raise EmailTaken()
    return _create_user(email, phone_e164, name, password_hash, is_admin)


def _create_user(
    email: str | None, phone_e164: str | None, name: str, password_hash: str, is_admin: bool
) -> User:
    user = User(
        email=email,
        name=name,
        pending_phone_e164=phone_e164,
        password_hash=password_hash,
        is_admin=is_admin,
    )
    db.session.add(user)
    db.session.flush()
    audit.record("account.registered", actor=user, role="consumer", target=user)
    return user


class EmailTaken(ValidationFailed):
    """For the CLI and demo builders; the web form never shows it (see request_account)."""

    def __init__(self):
        super().__init__(_l("E-mail ini sudah terdaftar. Silakan masuk."), field="email")


def request_account(
    *, email: str | None, password: str, name: str, phone: str | None = None
) -> tuple[str | None, str | None]:
    """The public sign-up: the same answer whether or not the e-mail or number is registered.

    Bad input is refused as always (it says nothing about other people's accounts). A new
    account is created, a welcome e-mail sent to its e-mail and a code to its number. For a
    registered e-mail, or a number another account has verified, that part creates nothing
    and its holder is told someone tried, with how to log in. Either way the caller shows
    the same "check your e-mail / enter the code" page and signs nobody in. Returns the
    normalised (e-mail, phone) for that page."""
    from marketplace.accounts import recovery
    from marketplace.core.urls import external_url
    from marketplace.notifications.outbox import queue_email

    login_url = external_url("accounts.login")
    address, phone_e164, name = _checked_registration(email, password, name, phone)
    password_hash = hash_password(password)  # the same hashing work on every path (timing class)
    phone_holder = (
        db.session.scalar(select(User.id).where(User.phone_e164 == phone_e164))
        if phone_e164
        else None
    )
    email_taken = address is not None and (
        db.session.scalar(select(User.id).where(User.email == address)) is not None
    )
    if phone_holder is not None and phone_e164:
        recovery.tell_number_holder_of_attempt(phone_e164, login_url)
    if email_taken and address:
        queue_email(
            address,
            subject=str(_l("Percobaan pendaftaran dengan e-mail Anda")),
            body=str(
                _l(
                    "Seseorang mencoba membuat akun Pasarkita baru dengan e-mail ini, padahal "
                    "e-mail ini sudah terdaftar. Akun Anda tidak berubah. Jika itu Anda, "
                    'silakan masuk di %(url)s. Jika Anda lupa kata sandi, pilih "Lupa kata '
                    'sandi?" di halaman masuk. Jika bukan Anda, abaikan e-mail ini.',
                    url=login_url,
                )
            ),
        )
        log.info("register_existing_email")
    if email_taken or (address is None and phone_holder is not None):
        return address, phone_e164
    user = _create_user(
        address, None if phone_holder is not None else phone_e164, name, password_hash, False
    )
    if user.email:
        queue_email(
            user.email,
            subject=str(_l("Selamat datang di Pasarkita")),
            body=str(
                _l(
                    "Halo %(name)s, akun Pasarkita Anda sudah dibuat. Silakan masuk di %(url)s "
                    "dengan e-mail dan kata sandi yang Anda pilih.",
                    name=user.name,
                    url=login_url,
                )
            ),
        )
    if user.pending_phone_e164:
        recovery.send_verification_code(user)
    return address, phone_e164


def _throttle_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _throttle_row(key: str) -> LoginThrottle:
    row = db.session.get(LoginThrottle, key)
    if row is None:
        row = LoginThrottle(key=key, failures=0)
        db.session.add(row)
    return row


def _device_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="pasarkita-device-cookie")


def _account_key(user: User) -> str:
    return hashlib.sha256(f"user:{user.id}".encode()).hexdigest()


def issue_device_token(user: User) -> str:
    """A device cookie (OWASP "device cookies") for a browser that just logged in: signed,
    bound to this account (whichever identifier it used), with its own nonce."""
    return _device_serializer().dumps({"k": _account_key(user), "n": secrets.token_hex(16)})


def _device_key(user: User | None, device_token: str | None) -> str | None:
    """The throttle key of a valid device cookie for this account, else None."""
    if not device_token or user is None:
        return None
    try:
        data = _device_serializer().loads(device_token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") != _account_key(user):
        return None
    return hashlib.sha256(f"device:{data.get('n')}".encode()).hexdigest()


def _cool_down(failures: int) -> timedelta | None:
    """The wait after ``failures`` failures in a row: none for the first few, then growing
    (doubling) up to a short cap. Never an hour-long lock-out of the owner."""
    cfg = current_app.config
    over = failures - cfg["LOGIN_THROTTLE_FREE_FAILURES"]
    if over < 0:
        return None
    return timedelta(
        seconds=min(cfg["LOGIN_THROTTLE_BASE_SECONDS"] * 2**over, cfg["LOGIN_THROTTLE_MAX_SECONDS"])
    )


def authenticate(identifier: str, password: str, device_token: str | None = None) -> User:
    """Return the user for a correct e-mail or verified WhatsApp number and password.

    Raises LoginThrottled while the identifier is cooling down, AccountDisabled for the right
    password of a disabled account, LoginFailed otherwise; an unknown identifier and a wrong
    password are indistinguishable in message and timing.

    Failures count per account identifier, whatever the IP, with a cool-down that grows with
    them. A browser holding a valid device cookie for this account (it logged in before) is
    counted on its own key instead: an attacker's failures from unknown devices never
    throttle the owner's known device, and failures from the device throttle only it.
    """
    ident = parse_identifier(identifier)
    user = find_by_identifier(identifier)
    key = _device_key(user, device_token) or _throttle_key(
        ident[1] if ident else (identifier or "")
    )
    now = utcnow()
    throttle = db.session.get(LoginThrottle, key)
    if throttle and throttle.blocked_until and throttle.blocked_until > now:
        raise LoginThrottled()

    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password or "")
    if user is not None and ok:
        if not user.is_active:
            raise AccountDisabled()
        if throttle is not None:
            db.session.delete(throttle)
        return user

    throttle = _throttle_row(key)
    throttle.failures = (throttle.failures or 0) + 1
    throttle.last_failure_at = now
    wait = _cool_down(throttle.failures)
    if wait is not None:
        throttle.blocked_until = now + wait
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
    from marketplace.core.extension import registry
    from marketplace.notifications.models import Notification

    unread = (
        select(func.count(Notification.id))
        .where(Notification.user_id == LoginSession.user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )
    facts = registry().role_facts
    columns = [build(LoginSession.user_id) for build in facts.values()]
    found = db.session.execute(
        select(LoginSession, unread, *columns)
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
    row, unread_count, *values = found
    row.user.session_token = token
    # The header's areas (owner, bank officer...), read in the same statement.
    row.user.role_facts = dict(zip(facts, values, strict=True))
    row.user.unread_notifications = unread_count  # for the menu, without another query
    return row.user


def load_role_facts(user: User) -> User:
    """The role facts of ``user`` (core.extension.register_role_fact) in one statement, for
    the request that logs them in (later requests read them with the login session)."""
    from sqlalchemy import literal

    from marketplace.core.extension import registry

    facts = registry().role_facts
    values = (
        db.session.execute(select(*(build(literal(user.id)) for build in facts.values()))).one()
        if facts
        else ()
    )
    user.role_facts = dict(zip(facts, values, strict=True))
    return user


def landing_url(user: User, requested: str | None) -> str:
    """Where ``user`` goes after logging in: the safe ``next`` they asked for (the page they
    were on; the shop's front page does not count as one), else the home of their main
    role (officer -> portal inbox, lead -> console, admin -> dashboard, owner -> business
    dashboard), else the shop."""
    from marketplace.core.extension import main_home
    from marketplace.core.security import safe_next_url

    shop = safe_next_url(None)
    if requested and requested != shop and safe_next_url(requested) == requested:
        return requested
    return main_home(load_role_facts(user)) or shop


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
    """Change the password and end every other session of this user (never in assisted
    mode: a helper changes no one's credentials)."""
    from marketplace.assist.services import refuse_helper

    refuse_helper(user)
    if not check_password_hash(user.password_hash, current_password or ""):
        raise ValidationFailed(_l("Kata sandi saat ini salah."), field="current_password")
    check_password_strength(new_password, user.email or "")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    end_other_sessions(user, keep_token)
    audit.record("account.password_changed", actor=user, role="consumer", target=user)


def update_profile(user: User, *, name: str, phone: str | None) -> bool:
    """Save the name; a new WhatsApp number waits for its code (a code is sent). Returns
    whether a code was sent. Clearing the field forgets both numbers. Never in assisted mode."""
    from marketplace.accounts import recovery
    from marketplace.assist.services import refuse_helper

    refuse_helper(user)

    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationFailed(_l("Nama wajib diisi (maksimal 120 karakter)."), field="name")
    user.name = name
    phone_e164 = normalise_phone(phone)
    if phone_e164 is None:
        if user.email is None:
            raise ValidationFailed(
                _l("Akun tanpa e-mail perlu nomor WhatsApp untuk masuk."), field="phone"
            )
        user.phone_e164 = None
        user.pending_phone_e164 = None
        return False
    if phone_e164 == user.phone_e164:
        user.pending_phone_e164 = None
        return False
    user.pending_phone_e164 = phone_e164
    return recovery.send_verification_code(user)
