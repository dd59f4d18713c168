"""Chapter and platform figures: the 7 PAS funnel, sales from the books, attendance.

Everything comes from the pathway computation plus one grouped query for sales, so a
dashboard costs the same handful of statements for 5 members or 500.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.ledger.models import LedgerEntry
from marketplace.ledger.services import _month_start
from marketplace.mentoring import pathway
from marketplace.mentoring.services import CHECKIN_EVERY_DAYS, STOPPED_RECORDING_DAYS


@dataclass
class MonthFigure:
    year: int
    month: int
    sales_idr: int = 0
    attendance: int = 0

    @property
    def label(self) -> str:
        return f"{self.month:02d}/{self.year}"


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


def chapter_dashboard(chapter: Chapter, today: date | None = None) -> dict:
    today = today or jakarta_today()
    pathways = pathway.for_chapter(chapter, today)
    months = _months(today)
    year = func.extract("year", LedgerEntry.occurred_on)
    month = func.extract("month", LedgerEntry.occurred_on)
    for y, m, total in db.session.execute(
        select(year, month, func.sum(LedgerEntry.amount_idr))
        .join(Business, Business.id == LedgerEntry.business_id)
        .where(
            Business.chapter_id == chapter.id,
            LedgerEntry.kind.in_(("sale", "manual_income")),
            LedgerEntry.occurred_on >= _month_start(today, 11),
        )
        .group_by(year, month)
    ).all():
        if (int(y), int(m)) in months:
            months[(int(y), int(m))].sales_idr = int(total)
    for p in pathways:
        for day in p.extra["attended_dates"]:
            if (day.year, day.month) in months:
                months[(day.year, day.month)].attendance += 1
    overdue = [
        p
        for p in pathways
        if p.extra["last_check_in"] is None
        or (today - p.extra["last_check_in"]).days >= CHECKIN_EVERY_DAYS
    ]
    stopped = [
        p
        for p in pathways
        if p.extra["last_entry"] is None
        or (today - p.extra["last_entry"]).days >= STOPPED_RECORDING_DAYS
    ]
    figures = pathway.funnel(pathways)
    return {
        "pathways": pathways,
        "funnel": figures,
        "conversion": conversion(figures),
        "months": list(months.values()),
        "overdue": overdue,
        "stopped": stopped,
    }


SORTABLE = ("chapter", *(key for key, _label in pathway.FUNNEL))


def platform_dashboard(sort: str = "members", today: date | None = None) -> list[dict]:
    """The funnel for every chapter side by side."""
    pathways = pathway.for_platform(today)
    by_chapter: dict[int, list] = {}
    for p in pathways:
        by_chapter.setdefault(p.business.chapter_id, []).append(p)
    rows = []
    for chapter in db.session.scalars(select(Chapter).order_by(Chapter.name)):
        figures = pathway.funnel(by_chapter.get(chapter.id, []))
        rows.append({"chapter": chapter, **figures, "conversion": conversion(figures)})
    if sort == "chapter":
        rows.sort(key=lambda r: r["chapter"].name)
    elif sort in SORTABLE:
        rows.sort(key=lambda r: (-r[sort], r["chapter"].name))
    return rows
