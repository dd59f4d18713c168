"""Chapter and platform figures: the 7 PAS funnel, sales from the books, attendance, who
needs a call, and the member list a page at a time.

Every figure is a SQL aggregate (grouped counts and sums) and every list is bounded, so a
dashboard costs the same handful of statements for 5 members or 400,000.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, case, func, literal, or_, select, union_all

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.timeutil import JAKARTA, jakarta_today
from marketplace.extensions import db
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.services import _month_start
from marketplace.mentoring import pathway, summaries
from marketplace.mentoring.models import Attendance, CheckIn, MentoringSession
from marketplace.mentoring.services import CHECKIN_EVERY_DAYS, STOPPED_RECORDING_DAYS

PAGE_SIZE = 50
FOLLOW_UP_SHOWN = 10  # the dashboard names the first few; the member list has them all
NEEDS = ("checkin", "books")


@dataclass
class MonthFigure:
    year: int
    month: int
    sales_idr: int = 0
    attendance: int = 0

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


@dataclass(frozen=True)
class MemberRef:
    id: int
    name: str


@dataclass
class FollowUp:
    business: MemberRef
    last: date | None


@dataclass
class MemberPage:
    pathways: list
    next_after: int | None
    q: str
    needs: str
    step: str


def conversion(funnel: dict) -> dict[str, int]:
    """Each step as a percentage of members."""
    members = funnel["members"] or 1
    return {key: round(100 * value / members) for key, value in funnel.items()}


def _months(today: date, count: int = 12) -> dict[tuple[int, int], MonthFigure]:
    out = {}
    for back in range(count - 1, -1, -1):
        first = _month_start(today, back)
        out[(first.year, first.month)] = MonthFigure(first.year, first.month)
    return out


def monthly_figures(chapter: Chapter, today: date, *, summary: bool = False) -> list[MonthFigure]:
    """Sales (books) and attendance of the chapter's members per month, last 12 months: two
    GROUP BY month queries, no row loaded per entry; with ``summary`` the sales come from
    the summary rows (``summaries.chapter_sales``: 12 rows at most, whatever the books)."""
    months = _months(today)
    since = _month_start(today, 11)
    if summary:
        for index, total in summaries.chapter_sales(chapter.id, pathway.month_index(since)).items():
            if (index // 12, index % 12 + 1) in months:
                months[(index // 12, index % 12 + 1)].sales_idr = total
        return _attendance(chapter, months, since)
    year = func.extract("year", LedgerEntry.occurred_on)
    month = func.extract("month", LedgerEntry.occurred_on)
    for y, m, total in db.session.execute(
        select(year, month, func.sum(LedgerEntry.amount_idr))
        .join(Business, Business.id == LedgerEntry.business_id)
        .where(
            Business.chapter_id == chapter.id,
            LedgerEntry.kind.in_(("sale", "manual_income")),
            LedgerEntry.occurred_on >= since,
        )
        .group_by(year, month)
    ).all():
        if (int(y), int(m)) in months:
            months[(int(y), int(m))].sales_idr = int(total)
    return _attendance(chapter, months, since)


def _attendance(chapter: Chapter, months: dict, since: date) -> list[MonthFigure]:
    # Sessions are stored in UTC; the month is the Jakarta month (UTC+7, no DST), so the
    # bounds and the grouping use the shifted instant. Grouped in Python per session, not per
    # attendance row: a chapter has a few sessions a week.
    start = datetime.combine(since, time(0), tzinfo=JAKARTA)
    for starts_at, count in db.session.execute(
        select(MentoringSession.starts_at, func.count(Attendance.id))
        .join(Attendance, Attendance.session_id == MentoringSession.id)
        .join(Business, Business.id == Attendance.business_id)
        .where(Business.chapter_id == chapter.id, MentoringSession.starts_at >= start)
        .group_by(MentoringSession.id, MentoringSession.starts_at)
    ).all():
        day = pathway.as_day(starts_at)
        if (day.year, day.month) in months:
            months[(day.year, day.month)].attendance += int(count)
    return list(months.values())


def _check_in_cutoff(today: date) -> datetime:
    # Overdue when the last check-in's Jakarta day is CHECKIN_EVERY_DAYS or more ago.
    return datetime.combine(today - timedelta(days=CHECKIN_EVERY_DAYS - 1), time(0), JAKARTA)


def _last_check_in():
    return (
        select(func.max(CheckIn.created_at))
        .where(CheckIn.business_id == Business.id)
        .scalar_subquery()
    )


def _last_entry():
    return (
        select(func.max(LedgerEntry.occurred_on))
        .where(LedgerEntry.business_id == Business.id)
        .scalar_subquery()
    )


def _needs(kind: str, today: date):
    """The members needing a call, as a WHERE on Business: the member's last date, looked
    up per member by index (a scalar subquery; NOT EXISTS lets PostgreSQL hash the whole
    table instead)."""
    if kind == "checkin":
        last, cutoff = _last_check_in(), _check_in_cutoff(today)
    else:
        last, cutoff = _last_entry(), today - timedelta(days=STOPPED_RECORDING_DAYS - 1)
    return or_(last.is_(None), last < cutoff)


def _follow_up_counts(today: date) -> dict:
    """The follow-up figures, counted in the funnel's statement from the same facts."""
    entry_cutoff = today - timedelta(days=STOPPED_RECORDING_DAYS - 1)

    def overdue(value):
        last = value("last_check_in")
        return func.count(case((or_(last.is_(None), last < _check_in_cutoff(today)), 1)))

    def stopped(value):
        last = value("last_entry")
        return func.count(case((or_(last.is_(None), last < entry_cutoff), 1)))

    return {
        "overdue": (("last_check_in",), overdue),
        "stopped": (("last_entry",), stopped),
    }


def follow_up_columns(chapter: Chapter, today: date) -> list:
    """(members needing a check-in, members who stopped their books) as two scalar
    subqueries over the chapter's members."""
    counts = _follow_up_counts(today)
    facts = pathway._facts_correlated(today, ("last_check_in", "last_entry"))
    return [
        select(fn(lambda key: facts[key]))
        .where(Business.chapter_id == chapter.id)
        .scalar_subquery()
        for _facts, fn in counts.values()
    ]


def summary_follow_up_columns(chapter: Chapter, today: date) -> list:
    """(members needing a check-in, members who stopped their books) from the day counters
    (the same cutoffs as ``follow_up_columns``: the last day before today - 29 days)."""
    return [
        summaries.members_before(
            chapter.id, "checkin", today - timedelta(days=CHECKIN_EVERY_DAYS - 1)
        ),
        summaries.members_before(
            chapter.id, "books", today - timedelta(days=STOPPED_RECORDING_DAYS - 1)
        ),
    ]


def follow_ups(chapter: Chapter, today: date) -> dict[str, list[FollowUp]]:
    """The first few members by name who need a check-in (``checkin``) or stopped their
    books (``books``), with their last date: one statement (UNION ALL of two short lists)."""
    last_check, last_entry = _last_check_in(), _last_entry()
    parts = [
        select(
            literal(kind).label("kind"),
            Business.id.label("id"),
            Business.name.label("name"),
            last_check.label("last_check_in"),
            last_entry.label("last_entry"),
        )
        .where(Business.chapter_id == chapter.id, _needs(kind, today))
        .order_by(Business.name, Business.id)
        .limit(FOLLOW_UP_SHOWN)
        .subquery(f"needs_{kind}")
        for kind in NEEDS
    ]
    rows = db.session.execute(union_all(*(select(part) for part in parts))).all()
    out: dict[str, list[FollowUp]] = {kind: [] for kind in NEEDS}
    for kind, bid, name, checked, entry in sorted(rows, key=lambda r: (r.name, r.id)):
        last = checked if kind == "checkin" else entry
        out[kind].append(FollowUp(MemberRef(bid, name), pathway.as_day(last)))
    return out


def member_page(
    chapter: Chapter,
    *,
    after: int | None = None,
    q: str = "",
    needs: str = "",
    step: str = "",
    today: date | None = None,
    size: int = PAGE_SIZE,
) -> MemberPage:
    """One page of the chapter's members by name (keyset: the page after member ``after``),
    optionally those whose business name contains ``q``, who need a call (``needs``) or
    have not done a 7 PAS step yet (``step``), each with their pathway: one statement per
    page, whatever the chapter's size."""
    today = today or jakarta_today()
    q = (q or "").strip()[:80]
    needs = needs if needs in NEEDS else ""
    pending = pathway.step_pending(step, today) if step else None
    step = step if pending is not None else ""

    def page(stmt):
        stmt = stmt.where(Business.chapter_id == chapter.id)
        if q:
            stmt = stmt.where(Business.name.icontains(q, autoescape=True))
        if needs:
            stmt = stmt.where(_needs(needs, today))
        if pending is not None:
            stmt = stmt.where(pending)
        if after is not None:
            name = (
                select(Business.name)
                .where(Business.id == after, Business.chapter_id == chapter.id)
                .scalar_subquery()
            )
            stmt = stmt.where(
                or_(Business.name > name, and_(Business.name == name, Business.id > after))
            )
        return stmt.order_by(Business.name, Business.id).limit(size + 1)

    pathways = pathway.compute(page, today=today)
    more = len(pathways) > size
    pathways = pathways[:size]
    return MemberPage(pathways, pathways[-1].business.id if more else None, q, needs, step)


def chapter_dashboard(chapter: Chapter, today: date | None = None, **page) -> dict:
    """The lead's dashboard: funnel, monthly figures, follow-ups, one page of members."""
    today = today or jakarta_today()
    # The funnel from the summary rows and, in the same statement, the follow-up counts
    # from the day counters (summaries.members_before: a sum over the days before the
    # cutoff, whatever the chapter's size).
    summary, (overdue_count, stopped_count) = summaries.chapter_figures(
        chapter.id, today, extra=summary_follow_up_columns(chapter, today)
    )
    if summary is not None:
        figures = {key: summary.get(chapter.id, {}).get(key, 0) for key, _l in pathway.FUNNEL}
    else:
        # Waiting for a rebuild (or another day asked): counted live.
        figures = (
            pathway.funnel_by_chapter(chapter.id, today).get(chapter.id) or pathway.empty_funnel()
        )
        overdue_count, stopped_count = db.session.execute(
            select(*follow_up_columns(chapter, today))
        ).one()
    lists = follow_ups(chapter, today)
    return {
        "funnel": figures,
        "conversion": conversion(figures),
        "months": monthly_figures(chapter, today, summary=summary is not None),
        "overdue": lists["checkin"],
        "overdue_count": overdue_count,
        "stopped": lists["books"],
        "stopped_count": stopped_count,
        "members": member_page(chapter, today=today, **page),
    }


SORTABLE = ("chapter", *(key for key, _label in pathway.FUNNEL))


def platform_dashboard(sort: str = "members", today: date | None = None) -> list[dict]:
    """The funnel for every chapter side by side: the summary rows (or, before the month's
    summaries exist, one grouped statement) plus the chapters."""
    by_chapter, _extra = summaries.chapter_figures(None, today)
    if by_chapter is None:
        by_chapter = pathway.funnel_by_chapter(None, today)
    rows = []
    for chapter in db.session.scalars(select(Chapter).order_by(Chapter.name)):
        figures = by_chapter.get(chapter.id) or pathway.empty_funnel()
        rows.append({"chapter": chapter, **figures, "conversion": conversion(figures)})
    if sort == "chapter":
        rows.sort(key=lambda r: r["chapter"].name)
    elif sort in SORTABLE:
        rows.sort(key=lambda r: (-r[sort], r["chapter"].name))
    return rows
