"""The admin's everyday account tools: find a user, see their roles, disable or enable the
account. Each action is audited; recovery started by an admin is in recovery.py."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from marketplace.accounts.models import User
from marketplace.accounts.services import end_other_sessions, parse_identifier
from marketplace.core import audit
from marketplace.core.errors import ValidationFailed
from marketplace.core.extension import figures
from marketplace.extensions import db

PAGE_SIZE = 20


@dataclass(frozen=True)
class UserPage:
    users: list[User]
    page: int
    has_next: bool


def find_users(query: str, page: int = 1) -> UserPage:
    """Users whose name or e-mail contains ``query``, or whose number is the one typed
    (any format), newest first, PAGE_SIZE a page (one query; never a growing id list)."""
    text = (query or "").strip()[:120]
    page = max(page, 1)
    stmt = select(User)
    if text:
        conditions = [
            func.lower(User.name).contains(text.lower(), autoescape=True),
            func.lower(User.email).contains(text.lower(), autoescape=True),
        ]
        ident = parse_identifier(text)
        if ident and ident[0] == "phone":
            conditions += [User.phone_e164 == ident[1], User.pending_phone_e164 == ident[1]]
        stmt = stmt.where(or_(*conditions))
    rows = list(
        db.session.scalars(
            stmt.order_by(User.id.desc()).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
        )
    )
    return UserPage(rows[:PAGE_SIZE], page, len(rows) > PAGE_SIZE)


def account_for_role(identifier: str | None, *, field: str = "email") -> User:
    """The account an admin (web form or CLI) names to make a chapter lead or a bank
    officer: by e-mail, or by the WhatsApp number a phone-only member registered with (any
    format; the number must be verified, since the login and the codes go to it). One rule
    for chapters.assign_lead and referrals' add_officer, so the form, the CLI and the seed
    agree. Raises ValidationFailed on ``field`` naming what was not found."""
    ident = parse_identifier(identifier)
    if ident is None:
        raise ValidationFailed(
            _l("Tulis e-mail atau nomor WhatsApp akun yang sudah terdaftar."), field=field
        )
    kind, value = ident
    if kind == "email":
        user = db.session.scalar(select(User).where(User.email == value))
        if user is None:
            raise ValidationFailed(_l("Tidak ada akun dengan e-mail tersebut."), field=field)
        return user
    user = db.session.scalar(select(User).where(User.phone_e164 == value))
    if user is not None:
        return user
    if db.session.scalar(select(User.id).where(User.pending_phone_e164 == value)) is not None:
        raise ValidationFailed(
            _l(
                "Nomor WhatsApp ini belum diverifikasi. Minta pemilik akun memasukkan kode "
                "yang dikirim ke nomornya, lalu coba lagi."
            ),
            field=field,
            rule="phone_unverified",
        )
    raise ValidationFailed(_l("Tidak ada akun dengan nomor WhatsApp tersebut."), field=field)


def user_roles(user: User) -> list[tuple[str, str]]:
    """(role, where) pairs: admin, owner of a business, lead of chapters, and whatever the
    plug-ins register on the "admin.user" figures (a bank officer's banks)."""
    from marketplace.businesses.models import Business
    from marketplace.chapters.models import Chapter, ChapterLead

    roles: list[tuple[str, str]] = []
    if user.is_admin:
        roles.append((str(_l("Admin platform")), "Pasarkita"))
    business = db.session.scalar(select(Business.name).where(Business.owner_id == user.id))
    if business:
        roles.append((str(_l("Pemilik usaha")), business))
    for name in db.session.scalars(
        select(Chapter.name)
        .join(ChapterLead, ChapterLead.chapter_id == Chapter.id)
        .where(ChapterLead.user_id == user.id)
        .order_by(Chapter.name)
    ):
        roles.append((str(_l("Pengurus chapter")), name))
    roles.extend((label, str(value)) for label, value in figures("admin.user", user=user))
    return roles


def disable_account(admin: User, user: User) -> int:
    """Disable ``user``: login is refused with a plain message and every session ends.
    Returns how many sessions ended. An admin cannot disable their own account."""
    if user.id == admin.id:
        raise ValidationFailed(_l("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    user.is_disabled = True
    ended = end_other_sessions(user, None)
    audit.record("admin.account_disabled", actor=admin, role="admin", target=user, sessions=ended)
    return ended


def enable_account(admin: User, user: User) -> None:
    """Enable ``user`` again (they log in with their password)."""
    user.is_disabled = False
    audit.record("admin.account_enabled", actor=admin, role="admin", target=user)
