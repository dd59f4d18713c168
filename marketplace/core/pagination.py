"""Keyset pages for long lists: ``WHERE (key, id) < (:last_key, :last_id) ORDER BY key DESC,
id DESC LIMIT n+1`` (sqlakeyset builds the comparison), so page 500 costs what page 1 costs
and a row inserted between two page loads neither repeats nor hides a row.

The cursor travels in the URL (``?page=...``). It is untrusted input: anything that is not
a bookmark of exactly the sort columns' types gives the first page, never an error, and it
only moves *within* the statement it is applied to, so the caller's scope (chapter, bank,
owner) holds on every page whatever the cursor says.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlakeyset import select_page, unserialize_bookmark
from sqlalchemy import Select
from sqlalchemy.sql.elements import ColumnElement

from marketplace.extensions import db

PER_PAGE = 25
CURSOR_ARG = "page"
MAX_CURSOR = 300  # characters: a bookmark of two keys is far shorter
INT64 = 2**63


@dataclass
class Page:
    """One page of rows plus the cursors of its neighbours (None at either end)."""

    items: list
    next: str | None = None
    previous: str | None = None
    arg: str = CURSOR_ARG
    per_page: int = PER_PAGE
    extra: dict = field(default_factory=dict)

    def __iter__(self):
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def __bool__(self) -> bool:
        return bool(self.items)


def _python_type(column: ColumnElement) -> type | None:
    kind: Any = column.type
    kind = getattr(kind, "impl_instance", None) or getattr(kind, "impl", kind)  # TypeDecorator
    try:
        return kind.python_type
    except NotImplementedError:
        return None


def _coerce(value: Any, expected: type | None) -> Any:
    """A cursor value of the column's type, or ValueError."""
    if expected is None:
        raise ValueError("column type unknown")
    if expected is bool:
        if isinstance(value, bool):
            return value
        raise ValueError("not a bool")
    if expected is int:
        if isinstance(value, bool) or not isinstance(value, int) or not -INT64 <= value < INT64:
            raise ValueError("not a 64-bit int")
        return value
    if expected is datetime:
        if not isinstance(value, datetime):
            raise ValueError("not a datetime")
        # Our timestamp columns refuse naive values; a bookmark written on SQLite is naive UTC.
        return value.astimezone(UTC) if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if expected is date:
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError("not a date")
        return value
    if expected is str:
        if not isinstance(value, str) or len(value) > MAX_CURSOR:
            raise ValueError("not a string")
        return value
    raise ValueError(f"unsupported cursor type {expected}")


def parse_cursor(raw: str | None, order: tuple[ColumnElement, ...]):
    """The sqlakeyset marker in ``raw`` if it is a bookmark for ``order``; None otherwise."""
    if not raw or len(raw) > MAX_CURSOR:
        return None
    try:
        place, backwards = unserialize_bookmark(raw)
        if place is None or len(place) != len(order):
            return None
        values = tuple(_coerce(v, _python_type(c)) for v, c in zip(place, order, strict=True))
    except Exception:  # noqa: BLE001 - any malformed bookmark is the first page
        return None
    return values, backwards


def keyset_page(
    stmt: Select,
    order: tuple[ColumnElement, ...],
    cursor: str | None = None,
    *,
    per_page: int = PER_PAGE,
    descending: bool = True,
    arg: str = CURSOR_ARG,
    scalars: bool = True,
    not_null: bool = False,
) -> Page:
    """A page of ``stmt`` sorted by ``order`` (the last column unique, usually the id),
    newest first unless ``descending`` is False; ``cursor`` comes from the previous page's
    link. One statement (plus whatever eager loads ``stmt`` carries). ``not_null``: a sort
    column is nullable in the table but never NULL in ``stmt`` (sqlakeyset warns otherwise,
    since a NULL key would drop rows)."""
    keys = tuple(c.desc() if descending else c.asc() for c in order)
    marker = parse_cursor(cursor, order)
    with warnings.catch_warnings():
        if not_null:
            warnings.filterwarnings("ignore", "Ordering by nullable column", UserWarning)
        session = db.session()  # the request's Session behind the scoped proxy
        page = select_page(session, stmt.order_by(*keys), per_page=per_page, page=marker)
    paging = page.paging
    items = [row[0] for row in page] if scalars else list(page)
    return Page(
        items=items,
        next=paging.bookmark_next if paging.has_next else None,
        previous=paging.bookmark_previous if paging.has_previous else None,
        arg=arg,
        per_page=per_page,
    )


def page_url(page: Page, cursor: str) -> str:
    """This page's URL with its other query arguments kept and the cursor set."""
    from flask import request, url_for

    values: dict[str, Any] = {k: v for k, v in request.args.items() if k != page.arg}
    values.update(request.view_args or {})
    values[page.arg] = cursor
    return url_for(request.endpoint or "", **values)
