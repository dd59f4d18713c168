"""SAK EMKM statements from the books (issue 13 item 4), the owner's book page (keyset pages,
delete with confirmation and undo) and the other kinds of entry."""

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.ledger import services as ledger
from marketplace.ledger import statements
from marketplace.ledger.models import DeletedLedgerEntry, LedgerEntry

BOOKS = "/business/books/"
STATEMENTS = "/business/books/statements"
BASE = date(2025, 1, 1)

# Written here from the kinds' meaning, not from models.EFFECTS: an independent reading.
CASH_IN = {"sale", "manual_income", "receivable_collected", "loan_received", "owner_capital"}
CASH_OUT = {
    "refund",
    "expense",
    "stock_purchase",
    "payable_paid",
    "asset_purchase",
    "loan_repaid",
    "owner_withdrawal",
}
ALL_KINDS = sorted(CASH_IN | CASH_OUT | {"credit_sale", "credit_purchase", "stock_used"})
CATEGORY = {"sale": "penjualan_platform", "refund": "refund_platform", "expense": "sewa"}


@pytest.fixture
def owner_client(csrf_client, login_as, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    return csrf_client


@pytest.fixture
def reset_weeks(db, world):
    """Chapters are reference rows the suite keeps between tests: put the setting back."""
    yield
    db.session.rollback()
    world.tebet.books_weeks_required = 4
    db.session.commit()


def expected(rows, start, end):
    """The statements' figures computed straight from (kind, amount, day) rows."""
    upto = [(k, a) for k, a, d in rows if d <= end]
    period = [(k, a) for k, a, d in rows if start <= d <= end]

    def total(pairs, *kinds):
        return sum(a for k, a in pairs if k in kinds)

    revenue = total(period, "sale", "manual_income", "credit_sale") - total(period, "refund")
    expenses = total(period, "expense", "stock_used")
    equity_all = total(upto, "owner_capital", "sale", "manual_income", "credit_sale") - total(
        upto, "refund", "expense", "stock_used", "owner_withdrawal"
    )
    return {
        "revenue": revenue,
        "expenses": expenses,
        "profit": revenue - expenses,
        "cash": total(upto, *CASH_IN) - total(upto, *CASH_OUT),
        "stock": total(upto, "stock_purchase", "credit_purchase") - total(upto, "stock_used"),
        "receivables": total(upto, "credit_sale") - total(upto, "receivable_collected"),
        "equipment": total(upto, "asset_purchase"),
        "payables": total(upto, "credit_purchase") - total(upto, "payable_paid"),
        "loans": total(upto, "loan_received") - total(upto, "loan_repaid"),
        "prive": total(period, "owner_withdrawal"),
        "capital_added": total(period, "owner_capital"),
        "equity": equity_all,
    }


def _insert(db, business, rows):
    db.session.add_all(
        LedgerEntry(
            business_id=business.id,
            kind=kind,
            category=CATEGORY.get(kind, "penjualan_offline" if kind == "manual_income" else kind),
            amount_idr=amount,
            occurred_on=day,
        )
        for kind, amount, day in rows
    )
    db.session.commit()


books = st.lists(
    st.tuples(
        st.sampled_from(ALL_KINDS),
        st.integers(min_value=1, max_value=50_000_000),
        st.integers(min_value=0, max_value=700).map(lambda n: BASE + timedelta(days=n)),
    ),
    max_size=40,
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=books, a=st.integers(0, 700), b=st.integers(0, 700))
def test_statement_totals_equal_an_independent_computation_and_balance(db, world, rows, a, b):
    db.session.execute(LedgerEntry.__table__.delete())
    db.session.commit()
    _insert(db, world.biz_tebet, rows)
    start, end = sorted((BASE + timedelta(days=a), BASE + timedelta(days=b)))

    got = statements.for_period(world.biz_tebet.id, start, end)
    want = expected(rows, start, end)

    assert got.revenue == want["revenue"]
    assert got.expenses == want["expenses"]
    assert got.profit == want["profit"]
    for account in ("cash", "stock", "receivables", "equipment"):
        assert got.assets[account] == want[account], account
    for account in ("payables", "loans"):
        assert got.liabilities[account] == want[account], account
    assert got.prive == want["prive"]
    assert got.capital_added == want["capital_added"]
    assert got.closing_equity == want["equity"]
    # assets = liabilities + equity
    assert got.total_assets == got.total_liabilities + got.closing_equity
    assert got.balanced


def test_prive_lowers_equity_not_profit_and_stock_bought_is_an_asset(db, world):
    day = date(2026, 3, 10)
    _insert(
        db,
        world.biz_tebet,
        [
            ("owner_capital", 5_000_000, day),
            ("manual_income", 2_000_000, day),
            ("owner_withdrawal", 500_000, day),
            ("stock_purchase", 1_000_000, day),
            ("asset_purchase", 1_500_000, day),
            ("credit_sale", 300_000, day),
            ("loan_received", 2_000_000, day),
        ],
    )
    got = statements.for_period(world.biz_tebet.id, date(2026, 3, 1), date(2026, 3, 31))
    assert got.revenue == 2_300_000
    assert got.expenses == 0  # neither the prive nor the stock nor the equipment
    assert got.prive == 500_000
    assert got.assets == {
        "cash": 5_000_000 + 2_000_000 - 500_000 - 1_000_000 - 1_500_000 + 2_000_000,
        "stock": 1_000_000,
        "receivables": 300_000,
        "equipment": 1_500_000,
    }
    assert got.liabilities == {"payables": 0, "loans": 2_000_000}
    assert got.closing_equity == 5_000_000 + 2_300_000 - 500_000
    assert got.balanced


def test_statements_cost_one_statement_whatever_the_number_of_entries(db, world, count_statements):
    def cost(n):
        db.session.execute(LedgerEntry.__table__.delete())
        _insert(
            db, world.biz_tebet, [("expense", 1_000, BASE + timedelta(days=i)) for i in range(n)]
        )
        business_id = world.biz_tebet.id
        with count_statements() as counter:
            statements.for_period(business_id, BASE, BASE + timedelta(days=400))
        return len(counter)

    assert cost(3) == cost(300) == 1


# --- the owner's pages -------------------------------------------------------------------


def test_owner_sees_statements_for_a_period_with_notes_and_a_print_stylesheet(
    db, world, owner_client
):
    _insert(
        db,
        world.biz_tebet,
        [
            ("manual_income", 1_250_000, date(2026, 2, 3)),
            ("owner_withdrawal", 200_000, date(2026, 2, 4)),
            ("manual_income", 9_999_000, date(2025, 12, 30)),  # before the period
        ],
    )
    response = owner_client.get(f"{STATEMENTS}?start=2026-02-01&end=2026-02-28")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "Laporan laba rugi" in page
    assert "Laporan posisi keuangan" in page
    assert "Catatan atas laporan keuangan" in page
    assert "SAK EMKM" in page
    assert "1.250.000" in page
    assert "Pengambilan pribadi (prive)" in page
    assert "1 Februari 2026" in page
    assert "statement-table" in page
    css = owner_client.get("/static/css/app.css").get_data(as_text=True)
    assert "@media print { .statement {" in css


def test_statements_page_refuses_an_end_before_the_start(db, world, owner_client):
    response = owner_client.get(f"{STATEMENTS}?start=2026-03-01&end=2026-02-01")
    assert response.status_code == 400
    assert "Tanggal akhir harus sesudah tanggal awal." in response.get_data(as_text=True)


def test_another_owner_never_sees_my_figures_in_the_statements(db, world, csrf_client, login_as):
    _insert(db, world.biz_tebet, [("manual_income", 7_770_000, jakarta_today())])
    login_as(csrf_client.client, world.biz_cakung.owner)
    page = csrf_client.get(STATEMENTS).get_data(as_text=True)
    assert "7.770.000" not in page


def test_owner_records_a_prive_entry_through_the_other_entries_form(db, world, owner_client):
    response = owner_client.post(
        "/business/books/entries/other",
        data={"other-kind": "owner_withdrawal", "other-amount_idr": "150.000"},
    )
    assert response.status_code == 302
    entry = db.session.scalar(select(LedgerEntry))
    assert (entry.kind, entry.category, entry.amount_idr, entry.origin) == (
        "owner_withdrawal",
        "owner_withdrawal",
        150_000,
        "owner",
    )


def test_a_platform_kind_cannot_be_typed_through_the_other_entries_form(db, world, owner_client):
    response = owner_client.post(
        "/business/books/entries/other", data={"other-kind": "sale", "other-amount_idr": "1000"}
    )
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def _typed(db, world, n):
    today = jakarta_today()
    _insert(
        db,
        world.biz_tebet,
        [("expense", 1_000 + i, today - timedelta(days=i % 60)) for i in range(n)],
    )


def test_book_page_walks_every_entry_once_in_keyset_pages(db, world, owner_client):
    import re

    _typed(db, world, 45)
    seen, url = [], BOOKS
    for _ in range(10):
        page = owner_client.get(url).get_data(as_text=True)
        seen += [int(i) for i in re.findall(r"/business/books/entries/(\d+)/delete", page)]
        found = re.search(r'<a rel="next" href="([^"]+)"', page)
        if not found:
            break
        url = found.group(1).replace("&amp;", "&")
    ids = db.session.scalars(select(LedgerEntry.id)).all()
    assert sorted(seen) == sorted(ids)
    assert len(seen) == len(set(seen)) == 45


def test_hapus_asks_for_confirmation_before_deleting(db, world, owner_client):
    _typed(db, world, 1)
    entry_id = db.session.scalar(select(LedgerEntry.id))
    page = owner_client.get(BOOKS).get_data(as_text=True)
    assert f'href="/business/books/entries/{entry_id}/delete"' in page
    confirm = owner_client.get(f"/business/books/entries/{entry_id}/delete")
    assert confirm.status_code == 200
    assert "Hapus catatan ini?" in confirm.get_data(as_text=True)
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1


def test_a_deleted_entry_can_be_restored_with_its_id_within_10_minutes(db, world, owner_client):
    _typed(db, world, 1)
    entry = db.session.scalar(select(LedgerEntry))
    entry_id, amount = entry.id, entry.amount_idr
    owner_client.post(f"/business/books/entries/{entry_id}/delete")
    db.session.expire_all()
    assert db.session.get(LedgerEntry, entry_id) is None
    page = owner_client.get(BOOKS).get_data(as_text=True)
    assert "Batalkan hapus" in page
    response = owner_client.post(f"/business/books/entries/{entry_id}/undo")
    assert response.status_code == 302
    db.session.expire_all()
    restored = db.session.get(LedgerEntry, entry_id)
    assert restored is not None
    assert (restored.amount_idr, restored.origin) == (amount, "owner")
    assert db.session.scalar(select(func.count(DeletedLedgerEntry.id))) == 0
    # A second click finds nothing to restore.
    assert owner_client.post(f"/business/books/entries/{entry_id}/undo").status_code == 404


def test_undo_after_10_minutes_or_by_another_owner_is_404(
    db, world, owner_client, csrf_client, login_as
):
    _typed(db, world, 2)
    first, second = db.session.scalars(select(LedgerEntry).order_by(LedgerEntry.id)).all()
    ledger.delete_manual_entry(
        world.biz_tebet, first.id, actor=world.biz_tebet.owner, now=utcnow() - timedelta(minutes=11)
    )
    ledger.delete_manual_entry(world.biz_tebet, second.id, actor=world.biz_tebet.owner)
    db.session.commit()
    assert owner_client.post(f"/business/books/entries/{first.id}/undo").status_code == 404
    login_as(csrf_client.client, world.biz_cakung.owner)
    assert csrf_client.post(f"/business/books/entries/{second.id}/undo").status_code == 404
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_lead_sets_the_chapters_weekly_rhythm_for_books_kept(
    db, world, reset_weeks, csrf_client, login_as
):
    login_as(csrf_client.client, world.lead_tebet)
    page = csrf_client.get("/lead/tebet/settings").get_data(as_text=True)
    assert 'name="books_weeks"' in page
    response = csrf_client.post(
        "/lead/tebet/settings",
        data={"sessions_required": "4", "books_months": "3", "books_weeks": "2"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert world.tebet.books_weeks_required == 2
    refused = csrf_client.post(
        "/lead/tebet/settings",
        data={"sessions_required": "4", "books_months": "3", "books_weeks": "6"},
    )
    assert refused.status_code == 400


def test_two_simultaneous_undos_restore_the_entry_once(app, db, world):
    from marketplace.businesses.models import Business
    from tests.concurrency import race

    _typed(db, world, 1)
    entry_id = db.session.scalar(select(LedgerEntry.id))
    ledger.delete_manual_entry(world.biz_tebet, entry_id, actor=world.biz_tebet.owner)
    db.session.commit()
    business_id, owner_id = world.biz_tebet.id, world.biz_tebet.owner_id

    def attempt(i, prepared):
        if prepared is None:
            return business_id
        business = db.session.get(Business, prepared)
        ledger.undo_delete(business, entry_id, actor=SimpleOwner(owner_id))

    ok, refused = race(app, 2, attempt)
    assert (len(ok), len(refused)) == (1, 1)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 1
    assert db.session.scalar(select(func.count(DeletedLedgerEntry.id))) == 0


class SimpleOwner:
    def __init__(self, user_id):
        self.id = user_id
