"""Chapters: reference data, public listing, and lead assignment by admins."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from marketplace.accounts.models import User
from marketplace.chapters import reference
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.core import audit
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.extensions import db


def ensure_reference_data() -> int:
    """Insert any missing chapter or kelurahan from the shipped table; returns rows added."""
    existing = {c.code: c for c in db.session.scalars(select(Chapter))}
    added = 0
    for row in reference.chapters():
        if row["code"] not in existing:
            existing[row["code"]] = Chapter(**row)
            db.session.add(existing[row["code"]])
            added += 1
    db.session.flush()
    known = set(db.session.scalars(select(Kelurahan.code)))
    for row in reference.kelurahan():
        if row["code"] not in known:
            db.session.add(
                Kelurahan(
                    code=row["code"],
                    name=row["name"],
                    postal_code=row["postal_code"],
                    chapter_id=existing[row["kecamatan_code"]].id,
                )
            )
            added += 1
    db.session.flush()
    return added


def member_counts() -> dict[int, int]:
    """Chapter id -> number of member businesses (one grouped query)."""
    from marketplace.businesses.models import Business

    rows = db.session.execute(
        select(Business.chapter_id, func.count(Business.id)).group_by(Business.chapter_id)
    )
    return dict(rows.all())


def list_chapters() -> list[Chapter]:
    return list(db.session.scalars(select(Chapter).order_by(Chapter.kota_code, Chapter.name)))


def get_chapter_by_slug(slug: str) -> Chapter:
    chapter = db.session.scalar(
        select(Chapter)
        .where(Chapter.slug == slug)
        .options(selectinload(Chapter.leads).selectinload(ChapterLead.user))
    )
    if chapter is None:
        raise NotFound()
    return chapter


def assign_lead(chapter: Chapter, identifier: str, *, admin: User | None) -> ChapterLead:
    """Make the account named by e-mail or WhatsApp number (a phone-only member too) a
    lead of ``chapter`` (admins only, or the CLI with ``admin=None``; audited)."""
    from marketplace.accounts.administration import account_for_role

    user = account_for_role(identifier)
    if any(lead.user_id == user.id for lead in chapter.leads):
        raise ValidationFailed(_l("Akun ini sudah menjadi pengurus chapter ini."), field="email")
    lead = ChapterLead(chapter=chapter, user=user, assigned_by_id=admin.id if admin else None)
    db.session.add(lead)
    db.session.flush()
    audit.record(
        "chapter.lead_assigned",
        actor=admin,
        role="admin",
        chapter=chapter,
        target=lead,
        user_id=user.id,
    )
    return lead


def remove_lead(chapter: Chapter, lead_id: int, *, admin: User) -> None:
    lead = db.session.scalar(
        select(ChapterLead).where(ChapterLead.id == lead_id, ChapterLead.chapter_id == chapter.id)
    )
    if lead is None:
        raise NotFound()
    audit.record(
        "chapter.lead_removed",
        actor=admin,
        role="admin",
        chapter=chapter,
        target=lead,
        user_id=lead.user_id,
    )
    db.session.delete(lead)
    db.session.flush()


def is_lead(user, chapter: Chapter) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        db.session.scalar(
            select(ChapterLead.id).where(
                ChapterLead.chapter_id == chapter.id, ChapterLead.user_id == user.id
            )
        )
        is not None
    )


def chapter_led_by(user, slug: str) -> Chapter | None:
    """The chapter with ``slug`` if ``user`` is one of its leads (one statement)."""
    return db.session.scalar(
        select(Chapter)
        .join(ChapterLead, ChapterLead.chapter_id == Chapter.id)
        .where(Chapter.slug == slug, ChapterLead.user_id == user.id)
    )
