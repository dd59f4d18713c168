"""People, their login sessions and the per-identifier login throttle."""

import hashlib
from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import known_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # At least one of e-mail and a (verified) WhatsApp number identifies the account.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # The verified mobile number (E.164): a login identifier, so unique. A number typed at
    # registration or in the profile waits in pending_phone_e164 until its code is entered,
    # so nobody can claim (or log in with) a number they do not hold.
    phone_e164: Mapped[str | None] = mapped_column(String(20), unique=True)
    pending_phone_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_disabled: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    lead_roles: Mapped[list["ChapterLead"]] = relationship(  # noqa: F821
        back_populates="user", cascade="all, delete-orphan", foreign_keys="ChapterLead.user_id"
    )

    # Set by accounts.services.start_session(); Flask-Login stores it in the cookie, so
    # each login gets its own revocable id instead of the user's primary key.
    session_token = None
    unread_notifications = 0
    # core.extension.register_role_fact: {"owner": ..., "bank_officer": ...} for the menu.
    role_facts: dict = {}  # noqa: RUF012  (replaced per instance, never mutated)

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def contact_phone(self) -> str | None:
        """The number to prefill for WhatsApp contact: verified first, else the pending one."""
        return self.phone_e164 or self.pending_phone_e164

    @property
    def display_identifier(self) -> str:
        return self.email or self.phone_e164 or self.pending_phone_e164 or ""

    def lead_chapter_ids(self) -> set[int]:
        return {role.chapter_id for role in self.lead_roles}

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """One row per login; the cookie carries its token. Revoking the row ends the session."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_agent: Mapped[str | None] = mapped_column(String(200))

    user: Mapped[User] = relationship()


class LoginThrottle(db.Model):
    """Failed logins per e-mail identifier (hashed), whether or not the account exists,
    so throttling itself does not reveal which e-mails are registered."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CodePurpose(StrEnum):
    VERIFY_PHONE = "verify_phone"
    RECOVERY = "recovery"


class OneTimeCode(db.Model):
    """A 6-digit code sent to a phone: only its keyed hash is stored; it expires, allows a
    few attempts, and is used once."""

    __tablename__ = "one_time_code"
    __table_args__ = (
        known_states(CodePurpose, "purpose"),
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        Index("ix_one_time_code_phone_purpose", "phone_e164", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[CodePurpose] = mapped_column(String(20))
    phone_e164: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateCounter(db.Model):
    """Requests per key (a hashed phone number or IP) per fixed window, counted in the
    database with a conditional UPDATE so concurrent requests cannot both pass the limit."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    count: Mapped[int] = mapped_column(default=0)
