"""The referral network's scoped loaders: the one place that decides what a bank, a lead's
chapter or a member may load. The portal, the bank API, the CLI and the other services all
load through here; anything out of scope raises NotFound, exactly like a missing row."""

from datetime import datetime

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter, ChapterLead
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.extensions import db
from referrals.models import Bank, BankOfficer, BankToken, ConsentReceipt, Referral


def referral_id(raw) -> int:
    """An id from a URL or a caller: ASCII digits only ("١٢", "+12", "1_2" are not ids)."""
    if isinstance(raw, str) and not (raw.isascii() and raw.isdigit() and len(raw) <= 19):
        raise NotFound()
    return parse_id(raw)


# --- bank scope ----------------------------------------------------------------------------


def bank_visible():
    """What a bank may see: its own referrals, sent, with consent for *that* bank still
    in force."""
    active = (
        select(ConsentReceipt.id)
        .where(
            ConsentReceipt.referral_id == Referral.id,
            ConsentReceipt.bank_id == Referral.bank_id,
            ConsentReceipt.withdrawn_at.is_(None),
        )
        .exists()
    )
    return select(Referral).where(Referral.status.in_(Referral.VISIBLE_TO_BANK), active)


def get_for_bank_or_404(referral_or_id, bank: Bank, *options) -> Referral:
    """The referral (or referral id) if ``bank`` may see it now; NotFound otherwise.
    ``options`` are loader options (the dossier loads what it shows in the same statement).

    Given a loaded referral it is checked again, so a consent withdrawn since it was loaded
    closes access at once."""
    rid = referral_or_id.id if isinstance(referral_or_id, Referral) else referral_id(referral_or_id)
    referral = (
        db.session.execute(
            bank_visible().where(Referral.id == rid, Referral.bank_id == bank.id).options(*options)
        )
        .unique()
        .scalar_one_or_none()
    )
    if referral is None:
        raise NotFound()
    return referral


def bank_referrals_select(bank: Bank, *, status: str | None = None):
    """The bank's visible referrals (unordered: the caller pages it), one status or all."""
    stmt = bank_visible().where(Referral.bank_id == bank.id)
    if status:
        stmt = stmt.where(Referral.status == status)
    return stmt


def bank_referrals(
    bank: Bank, *, status: str | None = None, since: datetime | None = None, limit: int = 200
) -> list[Referral]:
    """The bank's visible referrals, newest first (or oldest change first with ``since``)."""
    stmt = bank_referrals_select(bank, status=status)
    if since is not None:
        # Oldest change first, so a bank polling with `since` pages forward without gaps.
        stmt = stmt.where(Referral.status_changed_at >= since).order_by(
            Referral.status_changed_at, Referral.id
        )
    else:
        stmt = stmt.order_by(Referral.sent_at.desc(), Referral.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def bank_of_officer(user, slug: str) -> Bank | None:
    """The bank ``slug`` if ``user`` is one of its officers."""
    return db.session.scalar(
        select(Bank)
        .join(BankOfficer, BankOfficer.bank_id == Bank.id)
        .where(Bank.slug == slug, BankOfficer.user_id == user.id)
    )


def bank_by_slug_or_404(slug: str, *options) -> Bank:
    """A bank by slug, for the admin and the CLI (no tenant: they see every bank)."""
    bank = db.session.scalar(select(Bank).where(Bank.slug == slug).options(*options))
    if bank is None:
        raise NotFound()
    return bank


def token_or_404(token_id: int) -> BankToken:
    row = db.session.get(BankToken, token_id)
    if row is None:
        raise NotFound()
    return row


# --- a lead's chapter ----------------------------------------------------------------------


def referral_in_chapter_or_404(chapter: Chapter, referral_or_id) -> Referral:
    """A referral of ``chapter``; NotFound for another chapter's."""
    rid = referral_or_id.id if isinstance(referral_or_id, Referral) else referral_id(referral_or_id)
    referral = db.session.scalar(
        select(Referral).where(Referral.id == rid, Referral.chapter_id == chapter.id)
    )
    if referral is None:
        raise NotFound()
    return referral


def member_in_chapter_or_404(chapter: Chapter, business_id) -> Business:
    business = db.session.scalar(
        select(Business).where(
            Business.id == parse_id(business_id), Business.chapter_id == chapter.id
        )
    )
    if business is None:
        raise NotFound()
    return business


def leads_chapter(chapter_id: int, user_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(ChapterLead.id).where(
                ChapterLead.chapter_id == chapter_id, ChapterLead.user_id == user_id
            )
        )
    )


# --- the member ----------------------------------------------------------------------------


def referral_of_member_or_404(user, referral_or_id) -> Referral:
    """A referral of one of ``user``'s businesses (the member's, for a helper in assisted
    mode: businesses.scope); NotFound for anyone else's."""
    rid = referral_or_id.id if isinstance(referral_or_id, Referral) else referral_id(referral_or_id)
    referral = db.session.scalar(
        select(Referral)
        .join(Business, Business.id == Referral.business_id)
        .where(Referral.id == rid, member_businesses(user))
    )
    if referral is None:
        raise NotFound()
    return referral


def member_businesses(user):
    """The WHERE clause of "the member's businesses": the owner's own, or for a helper in
    assisted mode the one business of the grant."""
    acting = getattr(user, "acting_grant", None)
    if acting is not None:
        return Business.id == acting.business_id
    return Business.owner_id == user.id


def require_member(user, referral: Referral) -> None:
    """The member's own referral, or NotFound."""
    if referral.business.owner_id != user.id:
        raise NotFound()
