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


def format_wib(value: datetime | None) -> str:
    """Jakarta wall-clock time for people: 05-12-2026 19:00 WIB."""
    if value is None:
        return ""
    return as_utc(value).astimezone(JAKARTA).strftime("%d-%m-%Y %H:%M WIB")
