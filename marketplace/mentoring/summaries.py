"""The 7 PAS funnel per chapter as summary tables kept up to date in the same transaction as
each change, so the platform and lead dashboards read 44 rows (or a chapter's few) instead of
counting the big tables on every request.

Tables:
- ``member_fact``: one row per (member, funnel fact) the member has now, with its chapter
  (``members``, ``verified``, ``listed``, ``first_sale``, ``books``, ``endorsed``,
  ``approved``: the keys of ``pathway.FUNNEL``);
- ``chapter_summary``: per (chapter, fact) the number of those rows;
- ``member_month_sales`` / ``chapter_month_sales``: income in the books per member / chapter
  and month (the lead's monthly figures);
- ``member_last_day`` / ``chapter_last_day``: each member's last check-in (Jakarta day) and
  last books entry (``NEVER``: none), and per chapter how many members have each day: the
  lead's follow-up counts ("needs a check-in", "stopped the books") are a sum over the days
  before a cutoff, so they move with the day without any write and cost the same for 10 or
  10,000 members;
- ``member_listing`` / ``chapter_listing``: visible products per member / chapter (the /c/
  storefront's figure);
- ``summary_state``: ``books_month``, the Jakarta month of the last rebuild; ``needs_rebuild``
  while a database that had members before the migration waits for its first rebuild.

How they stay exact: every flush notes the members it touched through a watched model (the
host's own and any a plug-in registers with ``core.extension.register_summary_watch``); just
before the transaction commits, those members' facts are recomputed with the pathway's own fact
SELECTs (``pathway._fact_selects``, the one definition of each step) and compared with their
``member_fact`` rows; a fact gained is ``INSERT ... ON CONFLICT DO NOTHING`` and, when the row
was really inserted, the counter gets ``n = n + 1`` (an atomic UPDATE, so concurrent
transactions never lose a count and two transactions giving one member the same fact count it
once); a fact lost deletes its row and decrements. ``flask summaries rebuild`` recomputes
everything from scratch in set-based SQL (after a migration, after bulk loads, and monthly for
the books facts: deploy/crontab).

Books count complete months, so a member's books fact changes when a month ends, without any
write: each recheck judges it for today, and the monthly rebuild (00:05 WIB on the 1st) moves
every member on; in the minutes between, members not touched since keep last month's. A new
database starts exact and is kept so from the first write; one migrated with members in it
is marked ``needs_rebuild`` and its dashboards count live until the rebuild.
"""

from __future__ import annotations

from datetime import date

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import (
    BigInteger,
    Date,
    Index,
    Integer,
    String,
    bindparam,
    cast,
    delete,
    event,
    func,
    insert,
    literal,
    select,
    union,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from marketplace.core.extension import registry
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db

FACTS = ("members", "verified", "listed", "first_sale", "books", "endorsed", "approved")
BOOKS_MONTH = "books_month"
# Written by the migration on a database that already had members: the tables are empty
# until ``flask summaries rebuild`` (the dashboards count live meanwhile).
NEEDS_REBUILD = "needs_rebuild"


class MemberFact(db.Model):
    """A funnel fact a member has now (maintained by this module, never by hand)."""

    __tablename__ = "member_fact"
    __table_args__ = (Index("ix_member_fact_chapter_fact", "chapter_id", "fact"),)

    # No foreign keys: derived rows, removed by the upkeep itself when a member goes (a
    # cascade would remove them before the upkeep could decrement the counters).
    business_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    fact: Mapped[str] = mapped_column(String(20), primary_key=True)
    chapter_id: Mapped[int] = mapped_column()


class ChapterSummary(db.Model):
    """How many members of a chapter have a funnel fact."""

    __tablename__ = "chapter_summary"

    chapter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    fact: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(default=0, server_default="0")


class MemberMonthSales(db.Model):
    """A member's income in the books (sales and manual income) for one month."""

    __tablename__ = "member_month_sales"

    business_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month_index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    chapter_id: Mapped[int] = mapped_column()
    amount_idr: Mapped[int] = mapped_column(BigInteger)


class ChapterMonthSales(db.Model):
    """A chapter's members' income in the books for one month (the lead's monthly figures)."""

    __tablename__ = "chapter_month_sales"

    chapter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    month_index: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    amount_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")


INCOME_KINDS = ("sale", "manual_income")  # what the lead's "sales" figure sums


NEVER = date(1, 1, 1)  # the day bucket of a member with no check-in / no books entry yet
LAST_KINDS = ("checkin", "books")  # the follow-up histograms: last check-in, last entry


class MemberLastDay(db.Model):
    """A member's last check-in (Jakarta day) or last books entry (``NEVER``: none)."""

    __tablename__ = "member_last_day"
    __table_args__ = (Index("ix_member_last_day_chapter_kind_day", "chapter_id", "kind", "day"),)

    business_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    chapter_id: Mapped[int] = mapped_column()
    day: Mapped[date] = mapped_column(Date)


class ChapterLastDay(db.Model):
    """How many members of a chapter have their last check-in / entry on ``day``: the
    follow-up counts are a sum over the days before a cutoff (rows grow with the days, not
    with the members)."""

    __tablename__ = "chapter_last_day"

    chapter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    n: Mapped[int] = mapped_column(default=0, server_default="0")


class MemberListing(db.Model):
    """How many products a member has visible in the catalogue (listed)."""

    __tablename__ = "member_listing"

    business_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    chapter_id: Mapped[int] = mapped_column()
    n: Mapped[int] = mapped_column()


class ChapterListing(db.Model):
    """How many products of a chapter's members are visible (the /c/ storefront's figure)."""

    __tablename__ = "chapter_listing"

    chapter_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0, server_default="0")


class SummaryState(db.Model):
    __tablename__ = "summary_state"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(40))


def month_key(today: date) -> str:
    return f"{today.year:04d}-{today.month:02d}"


# --- the facts, from the pathway's own SELECTs ---------------------------------------------


def _fact_columns(ids, today: date, with_books: bool):
    """A SELECT of (business_id, chapter_id, one boolean-ish column per fact) for the members
    ``ids`` selects (None: every member)."""
    from marketplace.businesses.models import Business
    from marketplace.mentoring import pathway

    keys = [k for k in pathway.FUNNEL_FACTS if with_books or k != "books"]
    stmt = select(Business.id, Business.chapter_id)
    if ids is not None:
        stmt = stmt.where(Business.id.in_(ids))
    subs = pathway._fact_selects(ids, today, keys)
    for sub in subs.values():
        stmt = stmt.outerjoin(sub, sub.c.business_id == Business.id)
    value = {k: subs[k].c.value if k in subs else None for k in keys}
    return stmt, value


def _has(value, *keys):
    present = [value[k] for k in keys if value.get(k) is not None]
    return present


def _current_statement(ids, today: date, with_books: bool):
    """The SELECT behind ``_current`` and the fact name of each of its value columns."""
    stmt, value = _fact_columns(ids, today, with_books)
    columns = {
        "verified": _has(value, "nib"),
        "listed": _has(value, "listed", "first_sale"),
        "first_sale": _has(value, "first_sale"),
        "endorsed": _has(value, "endorsed"),
        "approved": _has(value, "permodalan"),
    }
    if with_books:
        columns["books"] = _has(value, "books")
    names = [name for name, cols in columns.items() if cols]
    flat = [col for name in names for col in columns[name]]
    return stmt.add_columns(*flat), [(name, len(columns[name])) for name in names]


def _cached_statement(today: date, with_books: bool):
    """``_current_statement`` for a list of ids bound at execution (``summary_ids``), built
    once per app and day: building the pathway's SELECTs in Python costs more than running
    them for a few members, and the same statement object reuses SQLAlchemy's compiled form."""
    cache = current_app.extensions.setdefault("summary_statements", {})
    key = (today, with_books)
    if key not in cache:
        cache.clear()  # one day's statements at a time
        cache[key] = _current_statement(bindparam("summary_ids", expanding=True), today, with_books)
    return cache[key]


def _current(ids, today: date, with_books: bool) -> dict[tuple[int, str], int]:
    """``{(business_id, fact): chapter_id}`` as the data says now (``ids``: a list of ids, a
    SELECT of ids, or None for every member)."""
    if isinstance(ids, list | tuple):
        stmt, names = _cached_statement(today, with_books)
        rows = db.session.execute(stmt, {"summary_ids": list(ids)}).all()
    else:
        stmt, names = _current_statement(ids, today, with_books)
        rows = db.session.execute(stmt).all()
    out: dict[tuple[int, str], int] = {}
    for bid, cid, *values in rows:
        out[(bid, "members")] = cid
        i = 0
        for name, n in names:
            if any(v is not None for v in values[i : i + n]):
                out[(bid, name)] = cid
            i += n
    return out


# --- incremental upkeep --------------------------------------------------------------------


def _upsert(conn, table, values, *, conflict, set_=None):
    """INSERT ... ON CONFLICT (both SQLite and PostgreSQL)."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(table).values(values)
    if set_ is None:
        # RETURNING tells whether the row went in: psycopg's rowcount of an INSERT is -1.
        stmt = stmt.on_conflict_do_nothing(index_elements=conflict).returning(
            *(table.c[name] for name in conflict)
        )
    else:
        stmt = stmt.on_conflict_do_update(index_elements=conflict, set_=set_(stmt.excluded))
    return conn.execute(stmt)


def _bump(conn, deltas: dict[tuple[int, str], int]) -> None:
    """``n = n + delta`` per (chapter, fact), atomically (an upsert adding to the row)."""
    table = ChapterSummary.__table__
    for (cid, fact), delta in sorted(deltas.items()):
        if delta:
            _upsert(
                conn,
                table,
                {"chapter_id": cid, "fact": fact, "n": delta},
                conflict=["chapter_id", "fact"],
                set_=lambda excluded: {"n": table.c.n + excluded.n},
            )


def books_month(conn=None) -> str | None:
    conn = conn or db.session
    return conn.execute(select(SummaryState.value).where(SummaryState.name == BOOKS_MONTH)).scalar()


def recheck(ids, today: date | None = None) -> None:
    """Bring the facts of the members ``ids`` (a short list of ids, or a SELECT of ids) up to
    date, with the counters, in the current transaction."""
    today = today or jakarta_today()
    conn = db.session.connection()
    now = _current(ids, today, True)
    table = MemberFact.__table__
    stored = {
        (b, f): c
        for b, f, c in conn.execute(
            select(table.c.business_id, table.c.fact, table.c.chapter_id).where(
                table.c.business_id.in_(ids)
            )
        ).all()
    }
    deltas: dict[tuple[int, str], int] = {}
    for key, cid in stored.items():
        if now.get(key) != cid:
            gone = conn.execute(
                delete(table).where(table.c.business_id == key[0], table.c.fact == key[1])
            )
            if gone.rowcount:
                deltas[(cid, key[1])] = deltas.get((cid, key[1]), 0) - 1
    for key, cid in now.items():
        if stored.get(key) != cid:
            added = _upsert(
                conn,
                table,
                {"business_id": key[0], "fact": key[1], "chapter_id": cid},
                conflict=["business_id", "fact"],
            )
            if added.first() is not None:
                deltas[(cid, key[1])] = deltas.get((cid, key[1]), 0) + 1
    _bump(conn, deltas)
    _recheck_sales(conn, ids)
    _recheck_last_days(conn, ids)
    _recheck_listings(conn, ids)


def _month_index(day_column):
    return cast(
        func.extract("year", day_column) * 12 + func.extract("month", day_column) - 1, Integer
    )


def _sales_select(ids):
    """(business_id, month_index, chapter_id, amount) per member and month, from the books."""
    from marketplace.businesses.models import Business
    from marketplace.ledger.models import LedgerEntry

    month = _month_index(LedgerEntry.occurred_on)
    stmt = (
        select(
            LedgerEntry.business_id, month, Business.chapter_id, func.sum(LedgerEntry.amount_idr)
        )
        .join(Business, Business.id == LedgerEntry.business_id)
        .where(LedgerEntry.kind.in_(INCOME_KINDS))
        .group_by(LedgerEntry.business_id, month, Business.chapter_id)
    )
    return stmt.where(LedgerEntry.business_id.in_(ids)) if ids is not None else stmt


def _recheck_sales(conn, ids) -> None:
    table = MemberMonthSales.__table__
    now = {(b, m): (c, int(a)) for b, m, c, a in conn.execute(_sales_select(ids)).all()}
    stored = {
        (b, m): (c, int(a))
        for b, m, c, a in conn.execute(
            select(
                table.c.business_id, table.c.month_index, table.c.chapter_id, table.c.amount_idr
            ).where(table.c.business_id.in_(ids))
        ).all()
    }
    deltas: dict[tuple[int, int], int] = {}
    for key, (cid, amount) in stored.items():
        if now.get(key) != (cid, amount):
            gone = conn.execute(
                delete(table).where(table.c.business_id == key[0], table.c.month_index == key[1])
            )
            if gone.rowcount:
                deltas[(cid, key[1])] = deltas.get((cid, key[1]), 0) - amount
    for key, (cid, amount) in now.items():
        if stored.get(key) != (cid, amount):
            added = _upsert(
                conn,
                table,
                {
                    "business_id": key[0],
                    "month_index": key[1],
                    "chapter_id": cid,
                    "amount_idr": amount,
                },
                conflict=["business_id", "month_index"],
            )
            if added.first() is not None:
                deltas[(cid, key[1])] = deltas.get((cid, key[1]), 0) + amount
    months = ChapterMonthSales.__table__
    for (cid, month), delta in sorted(deltas.items()):
        if delta:
            _upsert(
                conn,
                months,
                {"chapter_id": cid, "month_index": month, "amount_idr": delta},
                conflict=["chapter_id", "month_index"],
                set_=lambda excluded: {"amount_idr": months.c.amount_idr + excluded.amount_idr},
            )


def _last_days_select(ids):
    """(business_id, chapter_id, last check-in instant, last entry day) per member."""
    from marketplace.businesses.models import Business
    from marketplace.ledger.models import LedgerEntry
    from marketplace.mentoring.models import CheckIn

    check = select(CheckIn.business_id, func.max(CheckIn.created_at).label("value")).group_by(
        CheckIn.business_id
    )
    entry = select(
        LedgerEntry.business_id, func.max(LedgerEntry.occurred_on).label("value")
    ).group_by(LedgerEntry.business_id)
    stmt = select(Business.id, Business.chapter_id)
    if ids is not None:
        check = check.where(CheckIn.business_id.in_(ids))
        entry = entry.where(LedgerEntry.business_id.in_(ids))
        stmt = stmt.where(Business.id.in_(ids))
    check_q, entry_q = check.subquery("last_check"), entry.subquery("last_entry")
    return (
        stmt.add_columns(check_q.c.value, entry_q.c.value)
        .outerjoin(check_q, check_q.c.business_id == Business.id)
        .outerjoin(entry_q, entry_q.c.business_id == Business.id)
    )


def _last_days(conn, ids) -> dict[tuple[int, str], tuple[int, date]]:
    """``{(business_id, kind): (chapter_id, day)}`` as the data says now."""
    from marketplace.mentoring import pathway

    out = {}
    for bid, cid, checked, entry in conn.execute(_last_days_select(ids)).all():
        out[(bid, "checkin")] = (cid, pathway.as_day(checked) or NEVER)
        out[(bid, "books")] = (cid, pathway.as_day(entry) or NEVER)
    return out


def _bump_days(conn, deltas: dict[tuple[int, str, date], int]) -> None:
    table = ChapterLastDay.__table__
    for (cid, kind, day), delta in sorted(deltas.items()):
        if delta:
            _upsert(
                conn,
                table,
                {"chapter_id": cid, "kind": kind, "day": day, "n": delta},
                conflict=["chapter_id", "kind", "day"],
                set_=lambda excluded: {"n": table.c.n + excluded.n},
            )


def _recheck_last_days(conn, ids) -> None:
    """The members' last check-in / entry days and the chapters' day counters, as
    ``recheck`` does for the facts (a row really removed decrements, a row really added
    increments)."""
    table = MemberLastDay.__table__
    now = _last_days(conn, ids)
    stored = {
        (b, k): (c, d)
        for b, k, c, d in conn.execute(
            select(table.c.business_id, table.c.kind, table.c.chapter_id, table.c.day).where(
                table.c.business_id.in_(ids)
            )
        ).all()
    }
    deltas: dict[tuple[int, str, date], int] = {}
    for key, (cid, day) in stored.items():
        if now.get(key) != (cid, day):
            gone = conn.execute(
                delete(table).where(table.c.business_id == key[0], table.c.kind == key[1])
            )
            if gone.rowcount:
                deltas[(cid, key[1], day)] = deltas.get((cid, key[1], day), 0) - 1
    for key, (cid, day) in now.items():
        if stored.get(key) != (cid, day):
            added = _upsert(
                conn,
                table,
                {"business_id": key[0], "kind": key[1], "chapter_id": cid, "day": day},
                conflict=["business_id", "kind"],
            )
            if added.first() is not None:
                deltas[(cid, key[1], day)] = deltas.get((cid, key[1], day), 0) + 1
    _bump_days(conn, deltas)


def _listings_select(ids):
    """(business_id, chapter_id, visible products) per member with any."""
    from marketplace.businesses.models import Business
    from marketplace.catalog.models import Product
    from marketplace.catalog.visibility import visible_condition

    stmt = (
        select(Product.business_id, Business.chapter_id, func.count(Product.id))
        .join(Business, Business.id == Product.business_id)
        .where(visible_condition())
        .group_by(Product.business_id, Business.chapter_id)
    )
    return stmt.where(Product.business_id.in_(ids)) if ids is not None else stmt


def _recheck_listings(conn, ids) -> None:
    table = MemberListing.__table__
    now = {b: (c, int(n)) for b, c, n in conn.execute(_listings_select(ids)).all()}
    stored = {
        b: (c, int(n))
        for b, c, n in conn.execute(
            select(table.c.business_id, table.c.chapter_id, table.c.n).where(
                table.c.business_id.in_(ids)
            )
        ).all()
    }
    deltas: dict[int, int] = {}
    for bid, (cid, n) in stored.items():
        if now.get(bid) != (cid, n):
            gone = conn.execute(delete(table).where(table.c.business_id == bid))
            if gone.rowcount:
                deltas[cid] = deltas.get(cid, 0) - n
    for bid, (cid, n) in now.items():
        if stored.get(bid) != (cid, n):
            added = _upsert(
                conn,
                table,
                {"business_id": bid, "chapter_id": cid, "n": n},
                conflict=["business_id"],
            )
            if added.first() is not None:
                deltas[cid] = deltas.get(cid, 0) + n
    chapters = ChapterListing.__table__
    for cid, delta in sorted(deltas.items()):
        if delta:
            _upsert(
                conn,
                chapters,
                {"chapter_id": cid, "n": delta},
                conflict=["chapter_id"],
                set_=lambda excluded: {"n": chapters.c.n + excluded.n},
            )


def storefront_figures(chapter_id: int):
    """(members, visible products, waiting for a rebuild) of a chapter from the summary
    rows: one statement, whatever the chapter's size."""
    waiting = select(SummaryState.value).where(SummaryState.name == NEEDS_REBUILD).scalar_subquery()
    members = (
        select(ChapterSummary.n)
        .where(ChapterSummary.chapter_id == chapter_id, ChapterSummary.fact == "members")
        .scalar_subquery()
    )
    listed = (
        select(ChapterListing.n).where(ChapterListing.chapter_id == chapter_id).scalar_subquery()
    )
    got_members, got_listed, wait = db.session.execute(select(members, listed, waiting)).one()
    return int(got_members or 0), int(got_listed or 0), wait is not None


def stored_listings() -> dict[int, int]:
    """Every non-zero chapter's visible products (for tests)."""
    return {
        cid: int(n)
        for cid, n in db.session.execute(select(ChapterListing.chapter_id, ChapterListing.n)).all()
        if n
    }


def members_before(chapter_id: int, kind: str, cutoff: date):
    """A scalar subquery: the chapter's members whose last ``kind`` day is before ``cutoff``
    (never included), summed from the day counters."""
    return (
        select(func.coalesce(func.sum(ChapterLastDay.n), 0))
        .where(
            ChapterLastDay.chapter_id == chapter_id,
            ChapterLastDay.kind == kind,
            ChapterLastDay.day < cutoff,
        )
        .scalar_subquery()
    )


def chapter_sales(chapter_id: int, since_index: int) -> dict[int, int]:
    """``{month_index: income}`` of the chapter's members from month ``since_index`` on."""
    return {
        m: int(a)
        for m, a in db.session.execute(
            select(ChapterMonthSales.month_index, ChapterMonthSales.amount_idr).where(
                ChapterMonthSales.chapter_id == chapter_id,
                ChapterMonthSales.month_index >= since_index,
            )
        ).all()
    }


def _touched(session: Session) -> tuple[set[int], set[int]]:
    """(business ids, chapter ids) whose facts this flush may have changed."""
    from marketplace.businesses.models import Business
    from marketplace.chapters.models import Chapter

    watches = registry().summary_watches
    businesses: set[int] = set()
    chapters: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Business):
            if obj.id is not None:
                businesses.add(obj.id)
            continue
        if isinstance(obj, Chapter):
            if obj in session.dirty and any(
                db.inspect(obj).attrs[name].history.has_changes()
                for name in ("books_months_required", "mentoring_sessions_required")
            ):
                chapters.add(obj.id)
            continue
        business_of = watches.get(type(obj))
        if business_of is not None:
            bid = business_of(obj)
            if bid is not None:
                businesses.add(bid)
    return businesses, chapters


PENDING = "summaries_pending"  # session.info: (business ids, chapter ids) to recheck


def _after_flush(session: Session, _context) -> None:
    """Note the members each flush touches; they are rechecked once, just before the commit
    (a request flushes many times and a recheck costs a few statements)."""
    if not has_app_context() or not current_app.config.get("SUMMARIES_ENABLED", True):
        return
    if session.info.get("summaries_off"):
        return
    businesses, chapters = _touched(session)
    if businesses or chapters:
        pending = session.info.setdefault(PENDING, (set(), set()))
        pending[0].update(businesses)
        pending[1].update(chapters)


def _before_commit(session: Session) -> None:
    session.flush()  # the commit's own flush may touch members too
    if PENDING not in session.info:
        return
    businesses, chapters = session.info.pop(PENDING)
    from marketplace.businesses.models import Business

    if chapters:
        recheck(select(Business.id).where(Business.chapter_id.in_(sorted(chapters))))
    ids = sorted(businesses)
    for start in range(0, len(ids), 500):  # a bounded bind list per statement
        recheck(ids[start : start + 500])


def _after_transaction_end(session: Session, transaction) -> None:
    # The whole transaction is over (committed: rechecked already; rolled back: nothing to
    # do). A savepoint rolled back keeps the notes: rechecking a member too many is harmless.
    if transaction.parent is None:
        session.info.pop(PENDING, None)


def install() -> None:
    """Listen to every session's flushes and commits (once per process)."""
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_transaction_end", _after_transaction_end),
    ):
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)


# --- reading -------------------------------------------------------------------------------


def chapter_figures(
    chapter_id: int | None = None, today: date | None = None, extra=()
) -> tuple[dict | None, list]:
    """(``{chapter_id: {fact: n}}`` from the counters, one chapter or all, or None while the
    tables wait for their first rebuild or for a ``today`` other than today: the caller
    counts live; the values of the scalar ``extra`` columns) in one statement."""
    one = select(literal(1).label("one")).subquery()
    on = ChapterSummary.chapter_id == chapter_id if chapter_id is not None else literal(True)
    waiting = select(SummaryState.value).where(SummaryState.name == NEEDS_REBUILD).scalar_subquery()
    rows = db.session.execute(
        select(waiting, *extra, ChapterSummary.chapter_id, ChapterSummary.fact, ChapterSummary.n)
        .select_from(one)
        .outerjoin(ChapterSummary, on)
    ).all()
    extras = list(rows[0][1 : 1 + len(extra)])
    if rows[0][0] is not None or (today is not None and today != jakarta_today()):
        return None, extras  # waiting for a rebuild, or figures asked for another day
    out: dict[int, dict[str, int]] = {}
    for row in rows:
        cid, fact, n = row[1 + len(extra) :]
        if cid is not None:
            out.setdefault(cid, {key: 0 for key in FACTS})[fact] = int(n)
    return out, extras


# --- rebuilding ----------------------------------------------------------------------------


def rebuild(today: date | None = None) -> dict[str, int]:
    """Recompute every member's facts and every counter from scratch, in set-based SQL, in
    the current transaction; the books facts become the current month's."""
    from marketplace.businesses.models import Business
    from marketplace.chapters.models import Chapter
    from marketplace.mentoring import pathway

    today = today or jakarta_today()
    conn = db.session.connection()
    table = MemberFact.__table__
    conn.execute(delete(table))
    conn.execute(delete(ChapterSummary.__table__))
    conn.execute(delete(MemberMonthSales.__table__))
    conn.execute(delete(ChapterMonthSales.__table__))
    _rebuild_last_days(conn)
    conn.execute(delete(MemberListing.__table__))
    conn.execute(delete(ChapterListing.__table__))
    conn.execute(
        insert(MemberListing.__table__).from_select(
            ["business_id", "chapter_id", "n"], _listings_select(None)
        )
    )
    listing = MemberListing.__table__
    conn.execute(
        insert(ChapterListing.__table__).from_select(
            ["chapter_id", "n"],
            select(listing.c.chapter_id, func.sum(listing.c.n)).group_by(listing.c.chapter_id),
        )
    )
    conn.execute(
        insert(MemberMonthSales.__table__).from_select(
            ["business_id", "month_index", "chapter_id", "amount_idr"], _sales_select(None)
        )
    )
    sales = MemberMonthSales.__table__
    conn.execute(
        insert(ChapterMonthSales.__table__).from_select(
            ["chapter_id", "month_index", "amount_idr"],
            select(sales.c.chapter_id, sales.c.month_index, func.sum(sales.c.amount_idr)).group_by(
                sales.c.chapter_id, sales.c.month_index
            ),
        )
    )
    subs = pathway._fact_selects(None, today, pathway.FUNNEL_FACTS)
    wanted = {
        "members": [],
        "verified": ["nib"],
        "listed": ["listed", "first_sale"],
        "first_sale": ["first_sale"],
        "books": ["books"],
        "endorsed": ["endorsed"],
        "approved": ["permodalan"],
    }
    for fact, keys in wanted.items():
        present = [subs[k] for k in keys if k in subs]
        if keys and not present:
            continue  # a fact nobody provides (the referral network not installed)
        stmt = select(Business.id, literal(fact), Business.chapter_id)
        if present:
            # A join on the facts' member ids (each grouped: one row per member), never
            # ``IN (SELECT ...)``: over work_mem PostgreSQL runs that as a plain subplan per
            # business (minutes at 400k members).
            having = (
                present[0].c.business_id
                if len(present) == 1
                else union(*(select(sub.c.business_id) for sub in present)).subquery().c[0]
            )
            stmt = stmt.join(having.table, having == Business.id)
        conn.execute(insert(table).from_select(["business_id", "fact", "chapter_id"], stmt))
    counts = select(table.c.chapter_id, table.c.fact, func.count()).group_by(
        table.c.chapter_id, table.c.fact
    )
    conn.execute(insert(ChapterSummary.__table__).from_select(["chapter_id", "fact", "n"], counts))
    # Every chapter has a row per fact, zeros included.
    zeros = (
        select(Chapter.id, literal(fact), literal(0)).where(
            ~select(ChapterSummary.chapter_id)
            .where(ChapterSummary.chapter_id == Chapter.id, ChapterSummary.fact == fact)
            .exists()
        )
        for fact in FACTS
    )
    for stmt in zeros:
        conn.execute(
            insert(ChapterSummary.__table__).from_select(["chapter_id", "fact", "n"], stmt)
        )
    conn.execute(
        delete(SummaryState.__table__).where(SummaryState.name.in_((BOOKS_MONTH, NEEDS_REBUILD)))
    )
    conn.execute(insert(SummaryState.__table__).values(name=BOOKS_MONTH, value=month_key(today)))
    return {
        fact: int(n)
        for fact, n in conn.execute(
            select(ChapterSummary.fact, func.sum(ChapterSummary.n)).group_by(ChapterSummary.fact)
        ).all()
    }


def _rebuild_last_days(conn) -> None:
    conn.execute(delete(MemberLastDay.__table__))
    conn.execute(delete(ChapterLastDay.__table__))
    rows = [
        {"business_id": bid, "kind": kind, "chapter_id": cid, "day": day}
        for (bid, kind), (cid, day) in _last_days(conn, None).items()
    ]
    for start in range(0, len(rows), 10_000):
        conn.execute(insert(MemberLastDay.__table__), rows[start : start + 10_000])
    last = MemberLastDay.__table__
    conn.execute(
        insert(ChapterLastDay.__table__).from_select(
            ["chapter_id", "kind", "day", "n"],
            select(last.c.chapter_id, last.c.kind, last.c.day, func.count()).group_by(
                last.c.chapter_id, last.c.kind, last.c.day
            ),
        )
    )


def stored_last_days() -> dict[tuple[int, str, date], int]:
    """Every non-zero (chapter, kind, day) counter (for tests)."""
    return {
        (cid, kind, day): int(n)
        for cid, kind, day, n in db.session.execute(
            select(
                ChapterLastDay.chapter_id, ChapterLastDay.kind, ChapterLastDay.day, ChapterLastDay.n
            )
        ).all()
        if n
    }


def stored_sales() -> dict[tuple[int, int], int]:
    """Every non-zero (chapter, month) income (for tests)."""
    return {
        (cid, m): int(a)
        for cid, m, a in db.session.execute(
            select(
                ChapterMonthSales.chapter_id,
                ChapterMonthSales.month_index,
                ChapterMonthSales.amount_idr,
            )
        ).all()
        if a
    }


def stored_counters() -> dict[tuple[int, str], int]:
    """Every non-zero counter (for tests and the CLI's check)."""
    return {
        (cid, fact): int(n)
        for cid, fact, n in db.session.execute(
            select(ChapterSummary.chapter_id, ChapterSummary.fact, ChapterSummary.n)
        ).all()
        if n
    }


summaries = AppGroup("summaries", help="The dashboards' summary tables.")


@summaries.command("rebuild")
def rebuild_command() -> None:
    """Recompute the summary tables from scratch (after a migration or bulk load; monthly,
    for the books facts)."""
    totals = rebuild()
    db.session.commit()
    click.echo(", ".join(f"{fact} {totals.get(fact, 0)}" for fact in FACTS))
