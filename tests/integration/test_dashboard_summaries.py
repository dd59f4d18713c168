"""The dashboards' summary tables (mentoring/summaries.py) stay exact: kept incrementally in
the same transaction as each change, they equal a rebuild from scratch after any sequence of
changes, and concurrent changes never lose or double a count. Runs on SQLite and (with
DATABASE_URL_TEST) on PostgreSQL."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db as _db
from marketplace.mentoring import pathway, summaries
from tests import factories as f
from tests.concurrency import race

pytestmark = pytest.mark.plugin("referrals")  # the referral facts are counted too

OPS = (
    "member",
    "nib",
    "refuse_nib",
    "listed",
    "sale",
    "books",
    "unbook",
    "referral",
    "move",
    "check_in",
    "uncheck",
    "unlist",
)


def _last_months(n: int) -> list[date]:
    today = jakarta_today()
    out, year, month = [], today.year, today.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append(date(year, month, 10))
    return out


def _apply(op: str, pick: int, ctx: dict) -> None:
    from marketplace.ledger.models import LedgerEntry
    from marketplace.legality.models import LegalityDocument

    members = ctx["members"]
    chapters = (ctx["world"].tebet, ctx["world"].cakung)
    if op == "member" or not members:
        members.append(f.make_business(chapter=chapters[pick % 2]))
        return
    business = members[pick % len(members)]
    if op == "nib":
        f.make_document(business=business, kind="nib")
    elif op == "refuse_nib":
        for doc in _db.session.scalars(
            select(LegalityDocument).where(
                LegalityDocument.business_id == business.id, LegalityDocument.kind == "nib"
            )
        ):
            doc.status, doc.review_note = "rejected", "Berkas tidak terbaca"
        _db.session.commit()
    elif op == "listed":
        f.make_product(business=business, status="listed")
    elif op == "sale":
        order = f.make_order(business=business, consumer=ctx["world"].consumer_a, status="paid")
        _db.session.add(
            LedgerEntry(
                business_id=business.id,
                kind="sale",
                category="penjualan",
                amount_idr=order.total_idr,
                occurred_on=_last_months(pick % 4 + 1)[-1],
                order_id=order.id,
            )
        )
        _db.session.commit()
    elif op == "books":
        for day in _last_months(3):
            _db.session.add(
                LedgerEntry(
                    business_id=business.id,
                    kind="manual_income",
                    category="penjualan_offline",
                    amount_idr=100_000,
                    occurred_on=day,
                )
            )
        _db.session.commit()
    elif op == "unbook":
        entry = _db.session.scalar(
            select(LedgerEntry).where(LedgerEntry.business_id == business.id).limit(1)
        )
        if entry is not None and pick % 3 == 0:
            entry.amount_idr += 1_000  # an edited amount moves the month's figure
            _db.session.commit()
        elif entry is not None:
            _db.session.delete(entry)
            _db.session.commit()
    elif op == "referral":
        status = ("sent", "approved")[pick % 2]
        f.make_referral(business=business, bank=ctx["bank"], lead=ctx["lead"], status=status)
    elif op == "check_in":
        _check_in(business, ctx["lead"], months_back=pick % 3)
    elif op == "uncheck":
        from marketplace.mentoring.models import CheckIn

        row = _db.session.scalar(select(CheckIn).where(CheckIn.business_id == business.id).limit(1))
        if row is not None:
            _db.session.delete(row)
            _db.session.commit()
    elif op == "unlist":
        from marketplace.catalog.models import Product

        product = _db.session.scalar(
            select(Product).where(Product.business_id == business.id).limit(1)
        )
        if product is not None:  # unlisted, or listed again
            product.status = "unlisted" if product.status == "listed" else "listed"
            _db.session.commit()
    elif op == "move":
        other = chapters[1] if business.chapter_id == chapters[0].id else chapters[0]
        business.chapter_id = other.id
        _db.session.commit()


def _check_in(business, lead, months_back: int = 0, created_at=None) -> None:
    from datetime import UTC, datetime, timedelta

    from marketplace.mentoring.models import CheckIn

    first = date.today().replace(day=1)
    for _ in range(months_back):
        first = (first - timedelta(days=1)).replace(day=1)
    exists = _db.session.scalar(
        select(CheckIn.id).where(CheckIn.business_id == business.id, CheckIn.month == first)
    )
    if exists:
        return
    _db.session.add(
        CheckIn(
            business_id=business.id,
            chapter_id=business.chapter_id,
            month=first,
            applies_learning=True,
            books_kept=True,
            next_step="Catat penjualan harian",
            recorded_by_id=lead.id,
            created_at=created_at or datetime.now(UTC) - timedelta(days=31 * months_back),
        )
    )
    _db.session.commit()


def _live_last_days() -> dict[tuple[int, str, date], int]:
    """(chapter, kind, last day) -> members, straight from the check-ins and the books
    (each row's Jakarta day in Python)."""
    from marketplace.ledger.models import LedgerEntry
    from marketplace.mentoring.models import CheckIn

    last: dict[tuple[int, str], date] = {}
    for bid, created in _db.session.execute(select(CheckIn.business_id, CheckIn.created_at)):
        day = pathway.as_day(created)
        last[(bid, "checkin")] = max(day, last.get((bid, "checkin"), day))
    for bid, day in _db.session.execute(select(LedgerEntry.business_id, LedgerEntry.occurred_on)):
        last[(bid, "books")] = max(day, last.get((bid, "books"), day))
    out: dict[tuple[int, str, date], int] = {}
    for bid, cid in _db.session.execute(select(Business.id, Business.chapter_id)):
        for kind in summaries.LAST_KINDS:
            key = (cid, kind, last.get((bid, kind), summaries.NEVER))
            out[key] = out.get(key, 0) + 1
    return out


def _live_listings() -> dict[int, int]:
    """Visible products per chapter, counted from the catalogue."""
    from marketplace.catalog.models import Product

    out: dict[int, int] = {}
    for (cid,) in _db.session.execute(
        select(Business.chapter_id)
        .join(Product, Product.business_id == Business.id)
        .where(Product.status == "listed")
    ):
        out[cid] = out.get(cid, 0) + 1
    return out


def _live() -> dict[tuple[int, str], int]:
    """The funnel counted from the big tables (the dashboards' previous live path)."""
    return {
        (cid, key): n
        for cid, figures in pathway.funnel_by_chapter(None).items()
        for key, n in figures.items()
        if n
    }


def _live_sales() -> dict[tuple[int, int], int]:
    """Income per (chapter, month index) straight from the books."""
    from marketplace.ledger.models import LedgerEntry

    out: dict[tuple[int, int], int] = {}
    for cid, day, amount in _db.session.execute(
        select(Business.chapter_id, LedgerEntry.occurred_on, LedgerEntry.amount_idr)
        .join(Business, Business.id == LedgerEntry.business_id)
        .where(LedgerEntry.kind.in_(("sale", "manual_income")))
    ).all():
        key = (cid, day.year * 12 + day.month - 1)
        out[key] = out.get(key, 0) + amount
    return {k: v for k, v in out.items() if v}


@pytest.fixture
def ctx(app, db):
    world = f.make_world()
    bank = f.make_bank(slug="bank-uji", name="Bank Uji")
    summaries.rebuild()
    db.session.commit()
    return {"world": world, "bank": bank, "lead": world.lead_tebet, "members": [world.biz_tebet]}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 50)), max_size=12))
def test_summaries_kept_incrementally_equal_a_rebuild_after_any_sequence_of_changes(ctx, steps):
    for op, pick in steps:
        _apply(op, pick, ctx)
    _db.session.expire_all()
    incremental = summaries.stored_counters()
    assert incremental == _live()
    sales = summaries.stored_sales()
    assert sales == _live_sales()
    days = summaries.stored_last_days()
    assert days == _live_last_days()
    listings = summaries.stored_listings()
    assert listings == _live_listings()
    summaries.rebuild()
    _db.session.commit()
    assert summaries.stored_counters() == incremental
    assert summaries.stored_sales() == sales
    assert summaries.stored_last_days() == days
    assert summaries.stored_listings() == listings


def test_dashboards_read_the_summary_rows_once_the_month_is_built(ctx, client, login_as):
    """The platform dashboard's figures come from chapter_summary (a stale row shows), also
    when the last rebuild was another month's, and are counted live while a migrated
    database waits for its first rebuild."""
    world = ctx["world"]
    f.make_document(business=world.biz_tebet, kind="nib")
    _db.session.execute(
        summaries.ChapterSummary.__table__.update()
        .where(
            summaries.ChapterSummary.chapter_id == world.tebet.id,
            summaries.ChapterSummary.fact == "members",
        )
        .values(n=777)
    )
    _db.session.commit()
    login_as(client, world.admin)
    assert "777" in client.get("/admin/dashboard.csv").get_data(as_text=True)
    _db.session.execute(summaries.SummaryState.__table__.update().values(value="2000-01"))
    _db.session.commit()
    assert "777" in client.get("/admin/dashboard.csv").get_data(as_text=True)
    _db.session.execute(
        summaries.SummaryState.__table__.insert().values(name="needs_rebuild", value="yes")
    )
    _db.session.commit()
    assert "777" not in client.get("/admin/dashboard.csv").get_data(as_text=True)


def test_lead_dashboard_follow_up_counts_come_from_the_day_counters(ctx, client, login_as):
    """The lead's "needs a check-in" / "stopped the books" counts are sums of the day
    counters (chapter_last_day), not counts over the chapter's members: they follow a
    check-in and a books entry as they are written, equal the live count, and a stale
    counter row shows on the page."""
    from datetime import UTC, datetime, timedelta

    from marketplace.mentoring.dashboard import chapter_dashboard, follow_up_columns

    world = ctx["world"]
    members = [world.biz_tebet, *(f.make_business(chapter=world.tebet) for _ in range(3))]
    _check_in(members[0], ctx["lead"], created_at=datetime.now(UTC) - timedelta(days=2))
    _check_in(members[1], ctx["lead"], months_back=2)
    _apply("books", 0, {**ctx, "members": [members[2]]})
    from marketplace.ledger.models import LedgerEntry

    _db.session.add(
        LedgerEntry(
            business_id=members[3].id,
            kind="manual_income",
            category="penjualan_offline",
            amount_idr=50_000,
            occurred_on=jakarta_today(),
        )
    )
    _db.session.commit()
    chapter = world.tebet
    dashboard = chapter_dashboard(chapter)
    live = _db.session.execute(select(*follow_up_columns(chapter, jakarta_today()))).one()
    assert (dashboard["overdue_count"], dashboard["stopped_count"]) == tuple(live)
    assert live[0] >= 3  # members[1..3]: none lately
    assert live[1] >= 2  # members[0], members[1]: no books; members[3] wrote today
    _db.session.execute(
        summaries.ChapterLastDay.__table__.insert().values(
            chapter_id=chapter.id, kind="checkin", day=date(2001, 1, 1), n=700
        )
    )
    _db.session.commit()
    login_as(client, ctx["lead"])
    assert chapter_dashboard(chapter)["overdue_count"] == live[0] + 700
    assert client.get("/lead/tebet/").status_code == 200


def test_chapter_storefront_figures_come_from_the_summary_rows(ctx, client):
    """/c/<slug> shows the members and visible products of the summary rows (a stale row
    shows), exact as products are listed and unlisted, and counts live while a migrated
    database waits for its first rebuild."""
    from marketplace.catalog.models import Product
    from marketplace.catalog.storefront import chapter_storefront

    world = ctx["world"]
    for i in range(3):
        f.make_product(business=world.biz_tebet, name=f"Sambal {i}", status="listed")
    _db.session.scalar(select(Product).where(Product.name == "Sambal 0")).status = "unlisted"
    _db.session.commit()
    figures = chapter_storefront("tebet")[1]
    assert figures["listed"] == _live_listings()[world.tebet.id]
    assert figures["members"] == _live()[(world.tebet.id, "members")]
    _db.session.execute(
        summaries.ChapterListing.__table__.update()
        .where(summaries.ChapterListing.chapter_id == world.tebet.id)
        .values(n=4321)
    )
    _db.session.execute(
        summaries.ChapterSummary.__table__.update()
        .where(
            summaries.ChapterSummary.chapter_id == world.tebet.id,
            summaries.ChapterSummary.fact == "members",
        )
        .values(n=8765)
    )
    _db.session.commit()
    page = client.get("/c/tebet").get_data(as_text=True)
    assert "4321" in page.replace(".", "")
    assert "8765" in page.replace(".", "")
    _db.session.execute(
        summaries.SummaryState.__table__.insert().values(name="needs_rebuild", value="yes")
    )
    _db.session.commit()
    assert chapter_storefront("tebet")[1]["listed"] == _live_listings()[world.tebet.id]


def test_concurrent_changes_keep_the_counters_exact(app, db):
    """Eight transactions at once give members of one chapter a verified NIB (two of them
    the same member) and add members: every count lands once (atomic n = n + 1 upserts,
    the member's fact row inserted ON CONFLICT DO NOTHING)."""
    world = f.make_world()
    owners = [f.make_business(chapter=world.tebet) for _ in range(3)]
    summaries.rebuild()
    db.session.commit()
    ids = [b.id for b in owners]
    chapter_id = world.tebet.id

    def attempt(i, prepared):
        if prepared is None:
            return True
        if i % 2:
            f.make_business(chapter=db.session.get(type(world.tebet), chapter_id))
        else:
            f.make_document(business=db.session.get(Business, ids[(i // 2) % len(ids)]), kind="nib")

    ok, refused = race(app, 8, attempt)
    assert len(ok) == 8
    assert not refused
    db.session.expire_all()
    counted = summaries.stored_counters()
    assert counted[(chapter_id, "members")] == 1 + 3 + 4
    assert counted[(chapter_id, "verified")] == 3
    assert counted == _live()
    summaries.rebuild()
    db.session.commit()
    assert summaries.stored_counters() == counted


def test_summaries_rebuild_command_fills_the_tables(app, db):
    world = f.make_world()
    f.make_document(business=world.biz_tebet, kind="nib")
    db.session.execute(summaries.MemberFact.__table__.delete())
    db.session.execute(summaries.ChapterSummary.__table__.delete())
    for table in (
        summaries.MemberLastDay,
        summaries.ChapterLastDay,
        summaries.MemberListing,
        summaries.ChapterListing,
    ):
        db.session.execute(table.__table__.delete())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["summaries", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "members 2" in result.output
    assert "verified 1" in result.output
    db.session.expire_all()
    assert summaries.stored_counters() == _live()
    assert summaries.stored_last_days() == _live_last_days()
    assert summaries.stored_listings() == _live_listings()
    assert summaries.books_month() == summaries.month_key(jakarta_today())
