"""Ids from URLs and forms: a number an id column can hold, or NotFound."""

from marketplace.core.errors import NotFound

MAX_ID = 2**31 - 1  # the id columns are 32-bit integers on PostgreSQL


def parse_id(value) -> int:
    if isinstance(value, bool):
        raise NotFound()
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number <= MAX_ID:
        raise NotFound()
    return number
