"""Aware UTC datetimes only; local Jakarta time is a display concern."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they are stored as UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def jakarta_today():
    return datetime.now(JAKARTA).date()


WIB_FORMATS = {
    "datetime": "%d-%m-%Y %H:%M WIB",  # where the hour matters, the zone is shown
    "date": "%d-%m-%Y",  # the Jakarta calendar day of an instant
    "time": "%H:%M WIB",
}


def format_wib(value: datetime | None, style: str = "datetime") -> str:
    """The one template filter for instants (``{{ order.created_at | wib }}``): Jakarta
    wall-clock time, 05-12-2026 19:00 WIB; ``| wib('date')`` gives the Jakarta day. Stored
    times are UTC; no page shows UTC."""
    if value is None:
        return ""
    return as_utc(value).astimezone(JAKARTA).strftime(WIB_FORMATS[style])
