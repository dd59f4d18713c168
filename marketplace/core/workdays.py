"""Working days in Jakarta: Monday to Friday, minus Indonesia's national holidays and the
cuti bersama (joint leave) days of the yearly SKB 3 Menteri.

National holidays come from the ``holidays`` package (``country_holidays("ID")``, which has
no cuti bersama: RECIPES); the decrees it lacks are rows of the ``holiday`` table, seeded with
the 2026 decree (SKB Menag/Menaker/MenPANRB 1497, 2 and 5 of 2025) and edited by admins. A
row may also add a national holiday the package does not know yet (a new decree, a moved
Islamic date: later years' dates in the package are estimates).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, Date, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.core import audit
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.models import UTCDateTime
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.extensions import db


class HolidayKind(StrEnum):
    CUTI_BERSAMA = "cuti_bersama"
    NATIONAL = "libur_nasional"


class Holiday(db.Model):  # type: ignore[name-defined]  # built at run time
    """A day off the ``holidays`` package does not know: a cuti bersama day or a newly
    decreed national holiday. One row per day."""

    __tablename__ = "holiday"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('cuti_bersama', 'libur_nasional')",
            name="kind_known",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16), default=HolidayKind.CUTI_BERSAMA.value)
    source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@functools.lru_cache(maxsize=64)
def national_holidays(year: int) -> dict[date, str]:
    """Indonesia's national public holidays of ``year`` (names in Indonesian)."""
    import holidays

    return dict(holidays.country_holidays("ID", years=year, language="id"))


def days_off(start: date, end: date) -> dict[date, str]:
    """Every holiday from ``start`` to ``end`` inclusive (package and table), one query."""
    out: dict[date, str] = {}
    for year in range(start.year, end.year + 1):
        out.update({d: n for d, n in national_holidays(year).items() if start <= d <= end})
    rows = db.session.execute(
        select(Holiday.day, Holiday.name).where(Holiday.day >= start, Holiday.day <= end)
    )
    out.update({day: name for day, name in rows})
    return out


def is_working_day(day: date, off: dict[date, str] | None = None) -> bool:
    if day.weekday() >= 5:
        return False
    off = days_off(day, day) if off is None else off
    return day not in off


def working_days_between(start: date, end: date, off: dict[date, str] | None = None) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start);
    ``off`` is a ``days_off`` mapping covering the span, when the caller has one."""
    if end <= start:
        return 0
    off = days_off(start, end) if off is None else off
    # Weekdays counted by whole weeks (five each) and the few days left, then the weekday
    # holidays of the span taken off: the cost is the holidays', not the span's days (a
    # bank inbox shows the age of referrals sent months ago).
    weeks, rest = divmod((end - start).days, 7)
    count = weeks * 5
    day = start + timedelta(days=weeks * 7)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count - sum(1 for d in off if start < d <= end and d.weekday() < 5)


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th working day after ``start``."""
    # Two weeks per five working days is more than enough, even around Lebaran.
    off = days_off(start, start + timedelta(days=14 * (n // 5 + 1) + 14))
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, off):
            left -= 1
    return day


def jakarta_day(moment: datetime) -> date:
    return moment.astimezone(JAKARTA).date()


# --- administration (the platform admin's page) --------------------------------------------


def upcoming(start: date, days: int = 400) -> list[tuple[date, str, str | None]]:
    """(day, name, table kind or None for the package's) from ``start`` on, by date."""
    end = start + timedelta(days=days)
    rows = {h.day: h for h in db.session.scalars(select(Holiday).where(Holiday.day >= start))}
    out: list[tuple[date, str, str | None]] = [
        (d, n, None) for d, n in days_off(start, end).items() if d not in rows
    ]
    out += [(h.day, h.name, h.kind) for h in rows.values()]
    return sorted(out)


def table_rows() -> list[Holiday]:
    return list(db.session.scalars(select(Holiday).order_by(Holiday.day)))


def add_holiday(day: date, name: str, kind: str, *, admin, source: str = "") -> Holiday:
    """An admin adds a decreed day off; refuses a duplicate day or an unknown kind."""
    name = (name or "").strip()
    if not 3 <= len(name) <= 120:
        raise ValidationFailed(_l("Tulis nama hari libur (3 sampai 120 huruf)."), field="name")
    if kind not in set(HolidayKind):
        raise ValidationFailed(_l("Pilih jenis hari libur."), field="kind")
    if db.session.scalar(select(Holiday.id).where(Holiday.day == day)) is not None:
        raise ValidationFailed(_l("Tanggal ini sudah ada di daftar."), field="day")
    holiday = Holiday(day=day, name=name, kind=kind, source=(source or "").strip()[:500])
    db.session.add(holiday)
    db.session.flush()
    audit.record("holiday.added", actor=admin, role="admin", target=holiday)
    return holiday


def remove_holiday(holiday_id, *, admin) -> None:
    """An admin removes a row (a decree revised); NotFound for an unknown id."""
    holiday = db.session.get(Holiday, parse_id(holiday_id))
    if holiday is None:
        raise NotFound()
    audit.record("holiday.removed", actor=admin, role="admin", target=holiday)
    db.session.delete(holiday)
    db.session.flush()
