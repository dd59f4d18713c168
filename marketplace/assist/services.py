"""Assisted mode's rules: who may be granted, what a helper may do, and what never.

A helper acts with their own account; the member's business is reached only through the
grant (``businesses.scope.owner_business`` reads ``user.acting_grant``). Every wrapped owner
service calls ``check_helper`` before its work and ``record_assisted`` after it, so the rule
is the same for web, JSON API and CLI: an actor who is not the owner needs an active grant
for that task. ``refuse_helper`` is what money out, consent and account changes call.
"""

from collections.abc import Iterable
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.models import User
from marketplace.assist.models import AssistedAction, AssistGrant, AssistTask
from marketplace.businesses.models import Business
from marketplace.chapters.models import ChapterLead
from marketplace.core import audit
from marketplace.core.errors import NotFound, PermissionDenied, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.timeutil import format_wib, utcnow
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.notifications.services import notify

DURATION_DAYS = (1, 7, 30)
TASK_LABELS = {
    AssistTask.BOOKS: _l("Mencatat buku kas"),
    AssistTask.PRODUCTS: _l("Membuat draf produk"),
    AssistTask.DOCUMENTS: _l("Mengunggah dokumen izin"),
    AssistTask.BANK_REPLY: _l("Menjawab permintaan bank"),
}


class HelperRefused(PermissionDenied):
    """Something only the member may do: consent, money out, account changes."""

    code = "helper_refused"

    def __init__(self, message=None, **details):
        super().__init__(
            message
            or _l(
                "Hanya pemilik akun yang boleh melakukan ini. Pendamping tidak bisa "
                "melakukannya, juga dalam mode pendampingan."
            ),
            **details,
        )


class NotGranted(NotFound):
    """No active grant for this task and business: like any out-of-scope row, a 404."""

    code = "not_granted"

    def __init__(self, message=None, **details):
        super().__init__(
            message
            or _l("Anggota ini tidak memberi Anda akses untuk tugas ini, atau aksesnya berakhir."),
            **details,
        )


def acting_grant(user) -> AssistGrant | None:
    """The grant ``user`` is acting under in this request (set by the web hook), if any."""
    return getattr(user, "acting_grant", None)


def refuse_helper(actor) -> None:
    """HelperRefused when ``actor`` is acting for a member (web, JSON API: the session's
    acting mode). Services of money out, consent and account changes call it first."""
    if acting_grant(actor) is not None:
        raise HelperRefused()


def active_grant(helper, business_id: int) -> AssistGrant | None:
    """``helper``'s grant for the business that is neither revoked nor expired, if any."""
    return db.session.scalar(
        select(AssistGrant)
        .where(
            AssistGrant.helper_id == helper.id,
            AssistGrant.business_id == business_id,
            AssistGrant.revoked_at.is_(None),
            AssistGrant.expires_at > utcnow(),
        )
        .order_by(AssistGrant.expires_at.desc())
        .limit(1)
    )


def check_helper(actor, business: Business, task: AssistTask) -> AssistGrant | None:
    """None when ``actor`` owns ``business`` and acts for nobody else; else the helper's
    active grant for ``task`` (NotGranted otherwise: expired, revoked, other task, other
    business). A grant for one member never opens another member's business."""
    grant = acting_grant(actor)
    if grant is None and actor.id == business.owner_id:
        return None
    if grant is not None and grant.business_id != business.id:
        raise NotGranted()
    grant = active_grant(actor, business.id)
    if grant is None or not grant.allows(task):
        raise NotGranted()
    return grant


def record_assisted(
    grant: AssistGrant | None,
    actor,
    business: Business,
    task: AssistTask,
    action: str,
    target=None,
) -> AssistedAction | None:
    """ "Done by <helper> for <member>": a row the member reads and an audit row (no PII)."""
    if grant is None:
        return None
    row = AssistedAction(
        grant_id=grant.id,
        business_id=business.id,
        helper_id=actor.id,
        task=task,
        action=action,
        target_type=type(target).__tablename__ if target is not None else None,
        target_id=getattr(target, "id", None),
    )
    db.session.add(row)
    audit.record(
        "assist.acted",
        actor=actor,
        role="helper",
        chapter=business.chapter,
        target=target,
        done=action,
        member_id=business.owner_id,
        business_id=business.id,
        grant_id=grant.id,
    )
    return row


def on_behalf(actor, business: Business, task: AssistTask, action: str, target=None):
    """``check_helper`` and ``record_assisted`` in one, for services whose work cannot
    leave anything behind when refused afterwards (the transaction rolls back)."""
    grant = check_helper(actor, business, task)
    return record_assisted(grant, actor, business, task, action, target)


# --- the member's side ---------------------------------------------------------------------


def chapter_leads(business: Business) -> list[User]:
    """The leads of the member's chapter, the helpers offered first."""
    return list(
        db.session.scalars(
            select(User)
            .join(ChapterLead, ChapterLead.user_id == User.id)
            .where(ChapterLead.chapter_id == business.chapter_id, User.id != business.owner_id)
            .order_by(User.name)
        )
    )


def _tasks(tasks: Iterable[str]) -> list[str]:
    chosen = sorted({str(t) for t in tasks or ()})
    known = {str(t) for t in AssistTask}
    if not chosen or any(t not in known for t in chosen):
        raise ValidationFailed(_l("Pilih minimal satu tugas."), field="tasks")
    return chosen


def grant_access(
    member, business: Business, *, helper: User | None, tasks: Iterable[str], days: int
) -> AssistGrant:
    """The owner lets ``helper`` (a lead of the business's chapter, or a named account that
    leads no other chapter) act on ``tasks`` for ``days`` days. A helper cannot grant."""
    refuse_helper(member)
    if business.owner_id != member.id:
        raise NotFound()
    if helper is None or helper.is_disabled:
        raise ValidationFailed(
            _l("Akun pendamping tidak ditemukan. Periksa e-mail atau nomor WhatsApp-nya."),
            field="helper",
        )
    if helper.id == member.id:
        raise ValidationFailed(_l("Anda tidak bisa menunjuk diri sendiri."), field="helper")
    led = helper.lead_chapter_ids()
    if led and business.chapter_id not in led:
        raise ValidationFailed(
            _l("Pengurus kecamatan lain tidak bisa ditunjuk. Pilih pengurus kecamatan Anda."),
            field="helper",
        )
    chosen = _tasks(tasks)
    if days not in DURATION_DAYS:
        raise ValidationFailed(_l("Pilih lama akses."), field="days")
    now = utcnow()
    grant = AssistGrant(
        business_id=business.id,
        member_id=member.id,
        helper_id=helper.id,
        tasks=chosen,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "assist.granted",
        actor=member,
        role="sme_owner",
        chapter=business.chapter,
        target=grant,
        helper_id=helper.id,
        tasks=chosen,
        days=days,
    )
    _tell_helper(grant, "assist_granted", until=format_wib(grant.expires_at))
    return grant


def _tell_helper(grant: AssistGrant, kind: str, *, name_member: bool = True, **params) -> None:
    """The helper learns of a grant, and of its early end, in the app and by e-mail (or
    WhatsApp for a phone-only account), as every other notice (notifications.notify).
    ``name_member=False`` keeps the member's name out of the row (an erased account)."""
    business = db.session.get(Business, grant.business_id)
    member = db.session.get(User, grant.member_id) if name_member else None
    notify(
        grant.helper_id,
        kind,
        email=True,
        link=external_url("assist.helper_index"),
        id=grant.id,
        business=business.name if business else "",
        member=member.name if member else "",
        **params,
    )


def grant_of_business_or_404(business: Business, grant_id) -> AssistGrant:
    grant = db.session.scalar(
        select(AssistGrant).where(
            AssistGrant.id == parse_id(grant_id), AssistGrant.business_id == business.id
        )
    )
    if grant is None:
        raise NotFound()
    return grant


def revoke_access(member, business: Business, grant_id) -> AssistGrant:
    """The owner ends a grant; the helper's next request (web, API) has no access."""
    refuse_helper(member)
    if business.owner_id != member.id:
        raise NotFound()
    grant = grant_of_business_or_404(business, grant_id)
    if grant.revoked_at is None:
        active = grant.is_active()
        grant.revoked_at = utcnow()
        audit.record(
            "assist.revoked", actor=member, role="sme_owner", chapter=business.chapter, target=grant
        )
        if active:  # an already expired grant ended without this; nothing to tell
            _tell_helper(grant, "assist_revoked")
    db.session.flush()
    return grant


def end_grants_given_by(member: User) -> int:
    """The member's account closes (PDP erasure): every grant they gave that is still
    active ends now, and each helper is told it ended early. Returns how many ended.
    Called before the business's name is erased: the notice names the business the helper
    worked for, never the member."""
    now = utcnow()
    ended = 0
    for grant in db.session.scalars(
        select(AssistGrant).where(
            AssistGrant.member_id == member.id,
            AssistGrant.revoked_at.is_(None),
            AssistGrant.expires_at > now,
        )
    ):
        grant.revoked_at = now
        _tell_helper(grant, "assist_ended", name_member=False)
        ended += 1
    db.session.flush()
    return ended


def grants_of(business: Business) -> list[AssistGrant]:
    return list(
        db.session.scalars(
            select(AssistGrant)
            .where(AssistGrant.business_id == business.id)
            .options(joinedload(AssistGrant.helper))
            .order_by(AssistGrant.created_at.desc(), AssistGrant.id.desc())
            .limit(50)
        )
    )


def actions_for(business: Business, limit: int = 100) -> list[AssistedAction]:
    """What helpers did for this business, newest first."""
    return list(
        db.session.scalars(
            select(AssistedAction)
            .where(AssistedAction.business_id == business.id)
            .options(joinedload(AssistedAction.helper))
            .order_by(AssistedAction.created_at.desc(), AssistedAction.id.desc())
            .limit(limit)
        )
    )


# --- the helper's side ---------------------------------------------------------------------


def grants_held(helper, *, chapter=None) -> list[AssistGrant]:
    """The active grants ``helper`` holds (in one chapter for the lead console)."""
    stmt = (
        select(AssistGrant)
        .join(Business, Business.id == AssistGrant.business_id)
        .where(
            AssistGrant.helper_id == helper.id,
            AssistGrant.revoked_at.is_(None),
            AssistGrant.expires_at > utcnow(),
        )
        .options(joinedload(AssistGrant.business), joinedload(AssistGrant.member))
        .order_by(Business.name, AssistGrant.id)
    )
    if chapter is not None:
        stmt = stmt.where(Business.chapter_id == chapter.id)
    return list(db.session.scalars(stmt))


def start_acting(helper, grant_id) -> AssistGrant:
    """The helper's active grant ``grant_id``; NotFound for anyone else's or an ended one."""
    grant = db.session.scalar(
        select(AssistGrant).where(
            AssistGrant.id == parse_id(grant_id), AssistGrant.helper_id == helper.id
        )
    )
    if grant is None or not grant.is_active():
        raise NotFound()
    audit.record(
        "assist.started",
        actor=helper,
        role="helper",
        chapter=grant.business.chapter,
        target=grant,
    )
    return grant


def acting_session_grant(user, grant_id) -> AssistGrant | None:
    """The grant a session's acting mode names, if it is still ``user``'s and active: a
    revoked or expired grant ends the mode on the very next request."""
    try:
        gid = parse_id(grant_id)
    except NotFound:
        return None
    grant = db.session.scalar(
        select(AssistGrant).where(AssistGrant.id == gid, AssistGrant.helper_id == user.id)
    )
    return grant if grant is not None and grant.is_active() else None
