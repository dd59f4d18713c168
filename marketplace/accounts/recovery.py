"""One-time codes to phones (verification, recovery), recovery links by e-mail, and the
database rate counter that limits how many codes a number or an IP can ask for.

Every public entry point answers the same whether or not an account exists: a request for
an unknown e-mail or number counts against the same limits, and a code check for a number
with no code costs the same keyed hash as a real one.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import (
    CodePurpose,
    LoginThrottle,
    OneTimeCode,
    RateCounter,
    User,
)
from marketplace.core import audit
from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.core.models import rowcount
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db

log = logging.getLogger("pasarkita.accounts")


class CodeInvalid(DomainError):
    """A wrong, expired, used or exhausted code, or no code at all: one message for all."""

    status_code = 400
    code = "code_invalid"

    def __init__(self):
        super().__init__(
            _l("Kode salah atau sudah tidak berlaku. Periksa kodenya, atau minta kode baru."),
            field="code",
        )


class CodeRateLimited(DomainError):
    status_code = 429
    code = "rate_limited"

    def __init__(self):
        super().__init__(
            _l("Terlalu banyak permintaan kode. Tunggu sekitar satu jam, lalu coba lagi.")
        )


class RecoveryLinkInvalid(DomainError):
    status_code = 400
    code = "recovery_link_invalid"

    def __init__(self):
        super().__init__(
            _l(
                "Tautan ini sudah dipakai atau sudah kedaluwarsa (berlaku 1 jam). Minta "
                "tautan baru dari halaman Lupa kata sandi."
            )
        )


class NoWayToReach(ValidationFailed):
    def __init__(self):
        super().__init__(_l("Akun ini tidak punya e-mail atau nomor WhatsApp terverifikasi."))


# --- the database rate counter ----------------------------------------------------------


def _window_start(now: datetime, seconds: int) -> datetime:
    return datetime.fromtimestamp(int(now.timestamp()) // seconds * seconds, UTC)


def take_slot(raw_key: str, limit: int, window_seconds: int) -> bool:
    """Count one request for ``raw_key`` in the current fixed window; False once ``limit``
    were counted. Race-free: the count only grows through ``UPDATE ... WHERE count <
    limit`` (the database serialises it), and a first request inserts the row in a savepoint
    (a concurrent first insert loses on the primary key and retries the UPDATE)."""
    key = hashlib.sha256(raw_key.encode()).hexdigest()
    start = _window_start(utcnow(), window_seconds)
    db.session.execute(
        update(RateCounter)
        .where(RateCounter.key == key, RateCounter.window_start < start)
        .values(window_start=start, count=0)
    )

    def bump() -> bool:
        return (
            rowcount(
                db.session.execute(
                    update(RateCounter)
                    .where(RateCounter.key == key, RateCounter.count < limit)
                    .values(count=RateCounter.count + 1)
                )
            )
            == 1
        )

    if bump():
        return True
    if db.session.get(RateCounter, key) is not None:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(RateCounter(key=key, window_start=start, count=1))
    except IntegrityError:
        return bump()
    return limit >= 1


def _number_slot(phone_e164: str) -> bool:
    cfg = current_app.config
    return take_slot(
        f"code-number:{phone_e164}", cfg["CODE_SENDS_PER_NUMBER"], cfg["CODE_SEND_WINDOW_SECONDS"]
    )


def _check_limits(identifier: str, ip: str | None) -> None:
    """Per identifier and per IP, whether or not an account exists (same limits for all)."""
    cfg = current_app.config
    window = cfg["CODE_SEND_WINDOW_SECONDS"]
    if ip and not take_slot(f"code-ip:{ip}", cfg["CODE_SENDS_PER_IP"], window):
        raise CodeRateLimited()
    if not take_slot(f"code-number:{identifier}", cfg["CODE_SENDS_PER_NUMBER"], window):
        raise CodeRateLimited()


# --- codes --------------------------------------------------------------------------------


def _code_hash(purpose: str, phone_e164: str, code: str) -> str:
    secret = current_app.config["SECRET_KEY"]
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"{purpose}:{phone_e164}:{code}".encode(), hashlib.sha256).hexdigest()


def _issue_code(user: User, purpose: CodePurpose, phone_e164: str) -> str:
    """A fresh 6-digit code for ``user`` (earlier live codes of that purpose end)."""
    now = utcnow()
    db.session.execute(
        update(OneTimeCode)
        .where(
            OneTimeCode.user_id == user.id,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
        )
        .values(used_at=now)
    )
    code = f"{secrets.randbelow(10**6):06d}"
    db.session.add(
        OneTimeCode(
            user_id=user.id,
            purpose=purpose,
            phone_e164=phone_e164,
            code_hash=_code_hash(purpose, phone_e164, code),
            attempts=0,
            created_at=now,
            expires_at=now + timedelta(minutes=current_app.config["PHONE_CODE_MINUTES"]),
        )
    )
    return code


def _send_code_message(phone_e164: str, text: str) -> None:
    from marketplace.notifications.phone import queue_message

    queue_message(phone_e164, text, code=True)


def send_verification_code(user: User) -> bool:
    """Send a code to the user's pending number (within its per-number limit). Returns
    whether one was sent; over the limit nothing is sent and the page says the same."""
    phone = user.pending_phone_e164
    if not phone or not _number_slot(phone):
        return False
    code = _issue_code(user, CodePurpose.VERIFY_PHONE, phone)
    _send_code_message(
        phone,
        str(
            _l(
                "Kode verifikasi Pasarkita Anda: %(code)s. Berlaku %(minutes)d menit. Jangan "
                "berikan kode ini kepada siapa pun.",
                code=code,
                minutes=current_app.config["PHONE_CODE_MINUTES"],
            )
        ),
    )
    return True


def resend_verification_code(phone_e164: str) -> bool:
    """A new code for the newest account waiting to verify ``phone_e164`` (if any, and
    within the number's limit); the page says the same either way."""
    if db.session.scalar(select(User.id).where(User.phone_e164 == phone_e164)) is not None:
        return False
    user = db.session.scalar(
        select(User).where(User.pending_phone_e164 == phone_e164).order_by(User.id.desc()).limit(1)
    )
    return send_verification_code(user) if user is not None else False


def tell_number_holder_of_attempt(phone_e164: str, login_url: str) -> bool:
    """Tell the holder of a verified number that someone registered with it. Returns
    whether an account holds it."""
    from marketplace.notifications.phone import queue_message

    holder = db.session.scalar(select(User.id).where(User.phone_e164 == phone_e164))
    if holder is None:
        return False
    if _number_slot(phone_e164):
        queue_message(
            phone_e164,
            str(
                _l(
                    "Seseorang mencoba mendaftar di Pasarkita dengan nomor ini, padahal nomor "
                    "ini sudah terdaftar. Akun Anda tidak berubah. Jika itu Anda, masuk di "
                    "%(url)s. Jika bukan, abaikan pesan ini.",
                    url=login_url,
                )
            ),
        )
    return True


def _use_code(
    purpose: CodePurpose, phone_e164: str | None, code: str, user_id: int | None = None
) -> OneTimeCode:
    """Check ``code`` against the newest live code for the number: counts the attempt
    (committed, so a refusal's rollback keeps it), refuses after the limit or the expiry,
    and marks the code used exactly once. Raises CodeInvalid for every failure."""
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    now = utcnow()
    row = None
    if phone_e164:
        query = select(OneTimeCode).where(
            OneTimeCode.phone_e164 == phone_e164,
            OneTimeCode.purpose == purpose,
            OneTimeCode.used_at.is_(None),
            OneTimeCode.expires_at > now,
        )
        if user_id is not None:
            query = query.where(OneTimeCode.user_id == user_id)
        row = db.session.scalar(query.order_by(OneTimeCode.id.desc()).limit(1))
    expected = _code_hash(purpose, phone_e164 or "", code)
    if row is None:
        hmac.compare_digest(expected, "0" * 64)  # the same work as a real check
        raise CodeInvalid()
    counted = rowcount(
        db.session.execute(
            update(OneTimeCode)
            .where(
                OneTimeCode.id == row.id,
                OneTimeCode.attempts < current_app.config["PHONE_CODE_ATTEMPTS"],
            )
            .values(attempts=OneTimeCode.attempts + 1)
        )
    )
    if counted != 1 or not hmac.compare_digest(expected, row.code_hash):
        db.session.commit()  # the attempt counts even though the request is refused
        log.info("code_refused purpose=%s", purpose)
        raise CodeInvalid()
    used = rowcount(
        db.session.execute(
            update(OneTimeCode)
            .where(OneTimeCode.id == row.id, OneTimeCode.used_at.is_(None))
            .values(used_at=now)
        )
    )
    if used != 1:
        raise CodeInvalid()
    return row


def verify_phone(phone_e164: str | None, code: str, user: User | None = None) -> User:
    """Enter the code sent at registration (or, signed in as ``user``, after a profile
    change): the number becomes the account's verified login number. Raises CodeInvalid,
    or ValidationFailed when another account verified the number first."""
    row = _use_code(CodePurpose.VERIFY_PHONE, phone_e164, code, user_id=user.id if user else None)
    user = db.session.get(User, row.user_id)
    taken = db.session.scalar(
        select(User.id).where(User.phone_e164 == row.phone_e164, User.id != user.id)
    )
    if taken is not None:
        raise ValidationFailed(
            _l("Nomor ini sudah diverifikasi oleh akun lain. Masuk dengan akun tersebut."),
            field="code",
        )
    user.phone_e164 = row.phone_e164
    if user.pending_phone_e164 == row.phone_e164:
        user.pending_phone_e164 = None
    audit.record("account.phone_verified", actor=user, role="consumer", target=user)
    return user


# --- recovery -------------------------------------------------------------------------


def _link_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="pasarkita-recovery")


def _password_fingerprint(user: User) -> str:
    # Changes with every password change: a used link (or any older one) stops working.
    return hashlib.sha256(
        f"{user.password_hash}|{user.password_changed_at.isoformat()}".encode()
    ).hexdigest()[:32]


def recovery_token(user: User) -> str:
    return _link_serializer().dumps({"u": user.id, "p": _password_fingerprint(user)})


def user_for_recovery_token(token: str) -> User:
    """The user a live recovery link names; RecoveryLinkInvalid when it is forged, older
    than RECOVERY_LINK_SECONDS, or was already used (the password changed since)."""
    try:
        data = _link_serializer().loads(
            token or "", max_age=current_app.config["RECOVERY_LINK_SECONDS"]
        )
    except (SignatureExpired, BadSignature) as exc:
        raise RecoveryLinkInvalid() from exc
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or not hmac.compare_digest(str(data.get("p")), _password_fingerprint(user)):
        raise RecoveryLinkInvalid()
    return user


def _send_link(user: User) -> None:
    from marketplace.core.urls import external_url
    from marketplace.notifications.outbox import queue_email

    url = external_url("accounts.reset_with_link", token=recovery_token(user))
    queue_email(
        user.email,
        subject=str(_l("Atur ulang kata sandi Pasarkita")),
        body=str(
            _l(
                "Halo %(name)s, kami menerima permintaan untuk mengatur ulang kata sandi akun "
                "Pasarkita Anda. Buka tautan ini dalam 1 jam untuk memilih kata sandi baru "
                "(tautan hanya bisa dipakai sekali):\n\n%(url)s\n\nJika bukan Anda yang meminta, "
                "abaikan e-mail ini: kata sandi Anda tidak berubah.",
                name=user.name,
                url=url,
            )
        ),
    )


def _send_recovery_code(user: User) -> None:
    code = _issue_code(user, CodePurpose.RECOVERY, user.phone_e164)
    _send_code_message(
        user.phone_e164,
        str(
            _l(
                "Kode untuk mengatur ulang kata sandi Pasarkita: %(code)s. Berlaku %(minutes)d "
                "menit. Jangan berikan kode ini kepada siapa pun, termasuk petugas Pasarkita.",
                code=code,
                minutes=current_app.config["PHONE_CODE_MINUTES"],
            )
        ),
    )


def request_recovery(identifier: str, ip: str | None) -> tuple[str, str]:
    """ "Lupa kata sandi?": a link to a registered e-mail, or a code to a verified number.
    Counts against the per-identifier and per-IP limits first (CodeRateLimited), for known
    and unknown identifiers alike; returns (kind, normalised identifier) for the page, which
    says the same either way. ValidationFailed only for text that is neither."""
    from marketplace.accounts.services import normalise_email, normalise_phone

    text = (identifier or "").strip()
    if "@" in text:
        kind, value = "email", normalise_email(text)
    else:
        phone = normalise_phone(text, field="identifier") if text else None
        if phone is None:
            raise ValidationFailed(
                _l("Isi e-mail atau nomor WhatsApp akun Anda."), field="identifier"
            )
        kind, value = "phone", phone
    _check_limits(value, ip)
    column = User.email if kind == "email" else User.phone_e164
    user = db.session.scalar(select(User).where(column == value))
    if user is not None and user.is_active:
        if kind == "email":
            _send_link(user)
        else:
            _send_recovery_code(user)
        # Asked by whoever knows the identifier: no actor until the code or link is used.
        audit.record("account.recovery_requested", role="anonymous", target=user, via=kind)
    return kind, value


def _reset_password(user: User, new_password: str, how: str) -> None:
    from marketplace.accounts.services import (
        check_password_strength,
        end_other_sessions,
        hash_password,
    )

    check_password_strength(new_password, user.email or "")
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    # Every session ends, this browser's too: the person logs in with the new password.
    end_other_sessions(user, None)
    db.session.execute(
        update(OneTimeCode)
        .where(OneTimeCode.user_id == user.id, OneTimeCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    audit.record("account.password_reset", actor=user, role="consumer", target=user, via=how)


def reset_with_link(token: str, new_password: str) -> User:
    """Set a new password through a live link (used once); ends every session."""
    user = user_for_recovery_token(token)
    _reset_password(user, new_password, "email")
    return user


def reset_with_code(phone_e164: str | None, code: str, new_password: str) -> User:
    """Set a new password with the code sent to the verified number; ends every session."""
    from marketplace.accounts.services import check_password_strength

    check_password_strength(new_password)  # before the code, so a typo burns no attempt
    row = _use_code(CodePurpose.RECOVERY, phone_e164, code)
    user = db.session.get(User, row.user_id)
    if user.phone_e164 != row.phone_e164 or not user.is_active:
        raise CodeInvalid()
    _reset_password(user, new_password, "phone")
    db.session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == hashlib.sha256(row.phone_e164.encode()).hexdigest())
        .values(blocked_until=None, failures=0)
    )
    return user


def start_recovery_for(admin: User, user: User) -> str:
    """An admin starts a recovery for ``user``: the link or code goes to the user, never to
    the admin. Returns "email" or "phone"; NoWayToReach when the user has neither."""
    if user.email:
        _send_link(user)
        how = "email"
    elif user.phone_e164:
        if not _number_slot(user.phone_e164):
            raise CodeRateLimited()
        _send_recovery_code(user)
        how = "phone"
    else:
        raise NoWayToReach()
    audit.record("admin.recovery_started", actor=admin, role="admin", target=user, via=how)
    return how
