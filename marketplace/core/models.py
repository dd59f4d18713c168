"""Shared column types."""

from datetime import datetime
from typing import cast

from sqlalchemy import CursorResult, DateTime, Result, TypeDecorator

from marketplace.core.timeutil import as_utc


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every backend (SQLite drops the offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return as_utc(value)

    def process_result_value(self, value, dialect):
        return None if value is None else as_utc(value)


def rowcount(result: Result) -> int:
    """Rows an UPDATE or DELETE matched: ``Session.execute`` is typed as a plain Result, but a
    DML statement returns a CursorResult, which counts them (compare-and-set checks this)."""
    return cast(CursorResult, result).rowcount
