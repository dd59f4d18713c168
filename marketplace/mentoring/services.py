"""Mentoring run by chapter leads: sessions, sign-ups, attendance, external training and
monthly check-ins. Every function takes the chapter in scope and refuses objects of
another chapter (NotFound), so the lead console cannot reach across tenants."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from marketplace.businesses.conflict import refuse_own
from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core import audit
from marketplace.core.errors import DomainError, NotFound, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.tenancy import all_in_chapter, in_chapter
from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.mentoring.models import (
    DIGITAL_LEVELS,
    EXTERNAL_PROVIDERS,
    TRACKS,
    Attendance,
    CheckIn,
    ExternalTraining,
    MentoringSession,
    SessionSignup,
)

MAX_WEEKS = 12
CHECKIN_EVERY_DAYS = 30
STOPPED_RECORDING_DAYS = 30


@dataclass
class SessionInput:
    topic: str
    track: str
    digital_level: str | None
    starts_at: datetime  # aware
    duration_minutes: int
    place: str | None
    online_link: str | None
    capacity: int


def _check_session(data: SessionInput) -> dict:
    topic = (data.topic or "").strip()
    if not 3 <= len(topic) <= 160:
        raise ValidationFailed(_l("Tulis topik sesi (3-160 karakter)."), field="topic")
    if data.track not in TRACKS:
        raise ValidationFailed(_l("Pilih jalur pelatihan."), field="track")
    level = data.digital_level or None
    if level is not None and level not in DIGITAL_LEVELS:
        raise ValidationFailed(_l("Pilih tingkat digital."), field="digital_level")
    if data.starts_at is None or data.starts_at.tzinfo is None:
        raise ValidationFailed(_l("Isi tanggal dan jam sesi."), field="starts_at")
    if not isinstance(data.duration_minutes, int) or not 15 <= data.duration_minutes <= 600:
        raise ValidationFailed(_l("Durasi 15 sampai 600 menit."), field="duration_minutes")
    if not isinstance(data.capacity, int) or not 1 <= data.capacity <= 1000:
        raise ValidationFailed(_l("Kapasitas 1 sampai 1000 orang."), field="capacity")
    place = (data.place or "").strip() or None
    link = (data.online_link or "").strip() or None
    if link is not None:
        parts = urlsplit(link)
        # Only web links: a javascript: or data: URL in an href would run in members' pages.
        if parts.scheme not in ("http", "https") or not parts.netloc or len(link) > 300:
            raise ValidationFailed(_l("Tautan online harus diawali https://"), field="online_link")
    if place is None and link is None:
        raise ValidationFailed(_l("Isi tempat atau tautan online."), field="place")
    if place is not None and len(place) > 200:
        raise ValidationFailed(_l("Tempat maksimal 200 karakter."), field="place")
    return {
        "topic": topic,
        "track": data.track,
        "digital_level": level,
        "duration_minutes": data.duration_minutes,
        "place": place,
        "online_link": link,
        "capacity": data.capacity,
    }


def schedule_sessions(
    chapter: Chapter, data: SessionInput, *, weeks: int = 1, actor
) -> list[MentoringSession]:
    """One session, or the same session every week for ``weeks`` weeks."""
    values = _check_session(data)
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise ValidationFailed(_l("Ulangi 1 sampai %(n)d minggu.", n=MAX_WEEKS), field="weeks")
    if data.starts_at < utcnow() - timedelta(days=90):
        raise ValidationFailed(_l("Tanggal terlalu lama di masa lalu."), field="starts_at")
    series = secrets.token_hex(8) if weeks > 1 else None
    sessions = [
        MentoringSession(
            chapter_id=chapter.id,
            starts_at=data.starts_at + timedelta(weeks=i),
            series_key=series,
            created_by_id=actor.id,
            **values,
        )
        for i in range(weeks)
    ]
    db.session.add_all(sessions)
    db.session.flush()
    audit.record(
        "mentoring.scheduled",
        actor=actor,
        role="lead",
        chapter=chapter,
        target=sessions[0],
        count=len(sessions),
    )
    return sessions


def session_in_chapter(chapter: Chapter, session_id) -> MentoringSession:
    """The chapter's session or OutOfScope (404): the one chapter scope in core/tenancy."""
    return in_chapter(MentoringSession, session_id, chapter)


def member_in_chapter(chapter: Chapter, business_id) -> Business:
    """The chapter's member or OutOfScope (404)."""
    return in_chapter(Business, business_id, chapter)


def sessions_of(chapter: Chapter, *, upcoming: bool, limit: int = 50) -> list[MentoringSession]:
    now = utcnow()
    stmt = select(MentoringSession).where(
        MentoringSession.chapter_id == chapter.id, MentoringSession.cancelled.is_(False)
    )
    if upcoming:
        stmt = stmt.where(MentoringSession.starts_at >= now - timedelta(hours=3)).order_by(
            MentoringSession.starts_at
        )
    else:
        stmt = stmt.where(MentoringSession.starts_at < now).order_by(
            MentoringSession.starts_at.desc()
        )
    return list(db.session.scalars(stmt.limit(limit)))


def signup_counts(session_ids) -> dict[int, int]:
    if not session_ids:
        return {}
    return dict(
        db.session.execute(
            select(SessionSignup.session_id, func.count(SessionSignup.id))
            .where(SessionSignup.session_id.in_(list(session_ids)))
            .group_by(SessionSignup.session_id)
        ).all()
    )


def attendance_counts(session_ids) -> dict[int, int]:
    """Members recorded present per session, for a page of sessions (one grouped query)."""
    if not session_ids:
        return {}
    return dict(
        db.session.execute(
            select(Attendance.session_id, func.count(Attendance.id))
            .where(Attendance.session_id.in_(list(session_ids)))
            .group_by(Attendance.session_id)
        ).all()
    )


def past_sessions_select(chapter: Chapter):
    """The chapter's sessions that have started (for a keyset page, newest first)."""
    return select(MentoringSession).where(
        MentoringSession.chapter_id == chapter.id,
        MentoringSession.cancelled.is_(False),
        MentoringSession.starts_at < utcnow(),
    )


class SessionFull(DomainError):
    code = "session_full"


def sign_up(business: Business, session_id, *, actor) -> SessionSignup:
    """A member signs up for an upcoming session of their own chapter."""
    session = session_in_chapter(business.chapter, session_id)
    if session.cancelled or session.starts_at < utcnow():
        raise ValidationFailed(_l("Sesi ini sudah lewat atau dibatalkan."))
    # Lock the session row before counting (PostgreSQL's row lock; on SQLite the first write
    # takes the one write lock): concurrent sign-ups queue here and each counts the ones
    # before it, so the capacity holds. The lock lasts until this transaction ends.
    db.session.execute(
        update(MentoringSession)
        .where(MentoringSession.id == session.id)
        .values(capacity=MentoringSession.capacity)
        .execution_options(synchronize_session=False)
    )
    if db.session.scalar(
        select(SessionSignup.id).where(
            SessionSignup.session_id == session.id, SessionSignup.business_id == business.id
        )
    ):
        raise ValidationFailed(_l("Anda sudah terdaftar di sesi ini."))
    if signup_counts([session.id]).get(session.id, 0) >= session.capacity:
        raise SessionFull(_l("Maaf, tempat di sesi ini sudah penuh."))
    signup = SessionSignup(session_id=session.id, business_id=business.id)
    db.session.add(signup)
    db.session.flush()
    return signup


def cancel_sign_up(business: Business, session_id) -> None:
    signup = db.session.scalar(
        select(SessionSignup).where(
            SessionSignup.session_id == parse_id(session_id),
            SessionSignup.business_id == business.id,
        )
    )
    if signup is None:
        raise NotFound()
    db.session.delete(signup)
    db.session.flush()


def record_attendance(chapter: Chapter, session_id, business_ids, *, actor) -> int:
    """Set who came to a session that has started: members of this chapter only."""
    session = session_in_chapter(chapter, session_id)
    if session.starts_at > utcnow():
        raise ValidationFailed(_l("Kehadiran dicatat setelah sesi dimulai."))
    members = all_in_chapter(Business, business_ids, chapter)
    wanted = {b.id for b in members}
    current = {a.business_id: a for a in session.attendance}
    # His own business's attendance is not the lead's to change (another lead records it).
    for business in members:
        if business.id not in current:
            refuse_own(business, actor)
    for business_id in set(current) - wanted:
        refuse_own(db.session.get(Business, business_id), actor)
    for business_id in set(current) - wanted:
        session.attendance.remove(current[business_id])
    for business_id in wanted - set(current):
        session.attendance.append(Attendance(business_id=business_id, recorded_by_id=actor.id))
    db.session.flush()
    audit.record(
        "mentoring.attendance",
        actor=actor,
        role="lead",
        chapter=chapter,
        target=session,
        present=len(wanted),
    )
    return len(wanted)


def record_external_training(
    chapter: Chapter, business_id, *, provider: str, title: str, completed_on: date | None, actor
) -> ExternalTraining:
    business = member_in_chapter(chapter, business_id)
    refuse_own(business, actor)
    if provider not in EXTERNAL_PROVIDERS:
        raise ValidationFailed(_l("Pilih penyelenggara pelatihan."), field="provider")
    title = (title or "").strip()
    if not 3 <= len(title) <= 160:
        raise ValidationFailed(_l("Tulis nama pelatihan."), field="title")
    if completed_on is None or completed_on > jakarta_today():
        raise ValidationFailed(
            _l("Tanggal selesai tidak boleh di masa depan."), field="completed_on"
        )
    training = ExternalTraining(
        business_id=business.id,
        chapter_id=chapter.id,
        provider=provider,
        title=title,
        completed_on=completed_on,
        recorded_by_id=actor.id,
    )
    db.session.add(training)
    db.session.flush()
    return training


def month_start(day: date) -> date:
    return day.replace(day=1)


def record_check_in(
    chapter: Chapter,
    business_id,
    *,
    applies_learning: bool,
    books_kept: bool,
    next_step: str,
    actor,
    month: date | None = None,
) -> CheckIn:
    """The lead's evaluation for a month (one per member per month; a second one that
    month replaces the first)."""
    business = member_in_chapter(chapter, business_id)
    refuse_own(business, actor)
    next_step = (next_step or "").strip()
    if not 3 <= len(next_step) <= 1000:
        raise ValidationFailed(_l("Tulis langkah berikutnya untuk anggota ini."), field="next_step")
    month = month_start(month or jakarta_today())
    # Lock the member's row before looking (as sign_up locks the session): two leads saving
    # the same month at once then update one row instead of the second INSERT hitting the
    # unique (business, month) constraint as a 500.
    db.session.execute(
        update(Business)
        .where(Business.id == business.id)
        .values(storage_used_bytes=Business.storage_used_bytes)
        .execution_options(synchronize_session=False)
    )
    check_in = db.session.scalar(
        select(CheckIn).where(CheckIn.business_id == business.id, CheckIn.month == month)
    )
    if check_in is None:
        check_in = CheckIn(
            business_id=business.id,
            chapter_id=chapter.id,
            month=month,
            recorded_by_id=actor.id,
            applies_learning=applies_learning,
            books_kept=books_kept,
            next_step=next_step,
        )
        db.session.add(check_in)
    else:
        check_in.applies_learning = applies_learning
        check_in.books_kept = books_kept
        check_in.next_step = next_step
        check_in.recorded_by_id = actor.id
    db.session.flush()
    return check_in


def check_ins_of(chapter: Chapter, business_id) -> list[CheckIn]:
    business = member_in_chapter(chapter, business_id)
    return list(
        db.session.scalars(
            select(CheckIn)
            .where(CheckIn.business_id == business.id)
            .order_by(CheckIn.month.desc())
            .limit(24)
        )
    )


def upcoming_for_member(business: Business, limit: int = 10):
    """Upcoming sessions of the member's chapter, with whether they signed up."""
    sessions = sessions_of(business.chapter, upcoming=True, limit=limit)
    mine = (
        set(
            db.session.scalars(
                select(SessionSignup.session_id).where(
                    SessionSignup.business_id == business.id,
                    SessionSignup.session_id.in_([s.id for s in sessions]),
                )
            )
        )
        if sessions
        else set()
    )
    counts = signup_counts([s.id for s in sessions])
    return [(s, s.id in mine, counts.get(s.id, 0)) for s in sessions]


def update_settings(
    chapter: Chapter, *, sessions_required: int, books_months: int, actor, books_weeks=None
) -> None:
    """``books_weeks``: weeks of a month with the owner's entries for the month to count as
    books kept (ledger.books_months); None keeps the chapter's."""
    if books_weeks is not None:
        if not isinstance(books_weeks, int) or not 1 <= books_weeks <= 5:
            raise ValidationFailed(_l("Jumlah minggu 1 sampai 5."), field="books_weeks")
        chapter.books_weeks_required = books_weeks
    if not isinstance(sessions_required, int) or not 1 <= sessions_required <= 52:
        raise ValidationFailed(_l("Jumlah sesi 1 sampai 52."), field="sessions_required")
    if not isinstance(books_months, int) or not 1 <= books_months <= 12:
        raise ValidationFailed(_l("Jumlah bulan 1 sampai 12."), field="books_months")
    chapter.mentoring_sessions_required = sessions_required
    chapter.books_months_required = books_months
    audit.record(
        "chapter.settings",
        actor=actor,
        role="lead",
        chapter=chapter,
        sessions_required=sessions_required,
        books_months=books_months,
        books_weeks=chapter.books_weeks_required,
    )
