"""Bookkeeping (Pelaporan Keuangan): automatic platform sales and refunds, the owner's
offline sales and expenses, the monthly summary and its chart, and the CSV export."""

import csv
import io
import random
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from marketplace.core.timeutil import jakarta_today
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerEntry
from tests.factories import make_order, make_user

BOOKS = "/business/books/"
ADD = "/business/books/entries"
EXPORT = "/business/books/export.csv"


@pytest.fixture
def reset_weeks(db, world):
    """Chapters are reference rows the suite keeps between tests: put the setting back."""
    yield
    db.session.rollback()
    world.tebet.books_weeks_required = 4
    db.session.commit()


def make_paid_order(db, *, business, consumer, total_idr=50_000, paid_at=None):
    return make_order(
        business=business, consumer=consumer, status="paid", total_idr=total_idr, paid_at=paid_at
    )


def add_rows(db, business, rows):
    """rows: (kind, category, amount_idr, occurred_on, note) straight into the table."""
    db.session.add_all(
        LedgerEntry(
            business_id=business.id,
            kind=kind,
            category=category,
            amount_idr=amount,
            occurred_on=day,
            note=note,
        )
        for kind, category, amount, day, note in rows
    )
    db.session.commit()


def entry_count(db, business=None) -> int:
    query = select(func.count(LedgerEntry.id))
    if business is not None:
        query = query.where(LedgerEntry.business_id == business.id)
    return db.session.scalar(query)


@pytest.fixture
def owner_client(csrf_client, login_as, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    return csrf_client


def entry_form(**overrides):
    data = {
        "kind": "manual_income",
        "category": "penjualan_offline",
        "amount_idr": "150000",
        "occurred_on": jakarta_today().isoformat(),
        "note": "",
    }
    data.update(overrides)
    return data


# --- automatic entries from platform orders --------------------------------------------


def test_paid_order_creates_exactly_one_sale_even_if_recorded_twice(db, world):
    order = make_paid_order(db, business=world.biz_tebet, consumer=world.consumer_a)
    entry = ledger.record_sale(order)
    db.session.commit()
    assert (entry.kind, entry.category, entry.signed_amount) == (
        "sale",
        "penjualan_platform",
        50_000,
    )

    with pytest.raises(IntegrityError):
        ledger.record_sale(order)
    db.session.rollback()

    sales = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.order_id == order.id, LedgerEntry.kind == "sale")
    ).all()
    assert len(sales) == 1


def test_refund_writes_one_reversal_that_cancels_the_sale(db, world):
    order = make_paid_order(db, business=world.biz_tebet, consumer=world.consumer_a)
    ledger.record_sale(order)
    refund = ledger.record_refund(order)
    db.session.commit()

    assert refund.kind == "refund"
    assert refund.signed_amount == -50_000
    with pytest.raises(IntegrityError):
        ledger.record_refund(order)
    db.session.rollback()
    this_month = ledger.monthly_summary(world.biz_tebet.id)[-1]
    assert (this_month.platform_sales, this_month.refunds, this_month.income) == (
        50_000,
        50_000,
        0,
    )


# --- the owner's books page ------------------------------------------------------------


def test_journey_owner_adds_offline_sale_and_expense_and_sees_monthly_figures(
    db, world, owner_client
):
    response = owner_client.post(ADD, data=entry_form(note="Jual di bazar RW"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(BOOKS)
    response = owner_client.post(
        ADD,
        data=entry_form(kind="expense", category="bahan_baku", amount_idr="40.000"),
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Pengeluaran Rp40.000 dicatat." in page

    figures = page.split('class="figures ledger-figures"')[1].split("</dl>")[0]
    assert "Rp150.000" in figures
    assert "Rp40.000" in figures
    assert "Rp110.000" in figures  # profit
    assert "Jual di bazar RW" in page
    rows = db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.business_id == world.biz_tebet.id)
    ).all()
    assert sorted((e.kind, e.amount_idr, e.created_by_id) for e in rows) == [
        ("expense", 40_000, world.biz_tebet.owner_id),
        ("manual_income", 150_000, world.biz_tebet.owner_id),
    ]


def test_books_page_shows_chart_table_and_marks_platform_sales_automatic(db, world, owner_client):
    order = make_paid_order(db, business=world.biz_tebet, consumer=world.consumer_a)
    ledger.record_sale(order)
    db.session.commit()
    owner_client.post(ADD, data=entry_form(kind="expense", category="sewa", amount_idr="10000"))

    response = owner_client.get(BOOKS)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<svg class="chart"' in page
    assert 'role="img"' in page
    assert 'aria-label="Grafik batang pemasukan' in page
    assert "<table" in page
    assert page.count('class="bar-income"') == 1
    assert page.count('class="bar-expense"') == 1
    assert "otomatis dari Pasarkita" in page
    # Only the manual expense can be deleted; the platform sale stays.
    assert page.count("/delete") == 1
    # CSP: no inline script or style anywhere on the page.
    assert "<script" not in page
    assert "style=" not in page
    assert 'inputmode="numeric"' in page
    assert f'max="{jakarta_today().isoformat()}"' in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"amount_idr": "abc"}, "Tulis jumlah rupiah dengan angka saja, contoh 65.000"),
        ({"amount_idr": "-5"}, "Jumlah harus angka rupiah lebih dari 0."),
        ({"amount_idr": "0"}, "Jumlah harus angka rupiah lebih dari 0."),
        ({"amount_idr": ""}, "Jumlah harus angka rupiah lebih dari 0."),
        ({"amount_idr": "25,5"}, "Tulis jumlah rupiah dengan angka saja, contoh 65.000"),
        # "Tomorrow" is taken when the test runs, not when it is collected: a run may
        # cross midnight in Jakarta (17:00 UTC).
        ({"occurred_on": "tomorrow"}, "Tanggal tidak boleh di masa depan."),
        ({"kind": ""}, "Pilih pemasukan atau pengeluaran."),
        ({"kind": "sale", "category": "penjualan_platform"}, "Pilihan tidak valid."),
        ({"category": ""}, "Pilih kategori."),
        (
            {"kind": "expense", "category": "penjualan_offline"},
            "Untuk pengeluaran, pilih kategori di kelompok Pengeluaran.",
        ),
    ],
    ids=[
        "letters",
        "negative",
        "zero",
        "empty",
        "decimal",
        "future-date",
        "no-kind",
        "platform-kind",
        "no-category",
        "category-of-other-kind",
    ],
)
def test_bad_entry_gets_indonesian_message_and_changes_nothing(
    db, world, owner_client, overrides, message
):
    if overrides.get("occurred_on") == "tomorrow":
        overrides = {"occurred_on": (jakarta_today() + timedelta(days=1)).isoformat()}
    response = owner_client.post(ADD, data=entry_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page
    assert 'class="error"' in page
    assert entry_count(db) == 0


def test_amount_written_with_thousand_dots_is_read_as_rupiah(db, world, owner_client):
    owner_client.post(ADD, data=entry_form(amount_idr="Rp 1.250.000"))
    assert db.session.scalar(select(LedgerEntry.amount_idr)) == 1_250_000


def test_owner_deletes_own_manual_entry(db, world, owner_client):
    owner_client.post(ADD, data=entry_form())
    entry_id = db.session.scalar(select(LedgerEntry.id))
    response = owner_client.post(f"/business/books/entries/{entry_id}/delete")
    assert response.status_code == 302
    assert entry_count(db) == 0


def test_returns_404_if_owner_deletes_a_platform_sale(db, world, owner_client):
    order = make_paid_order(db, business=world.biz_tebet, consumer=world.consumer_a)
    entry = ledger.record_sale(order)
    db.session.commit()
    response = owner_client.post(f"/business/books/entries/{entry.id}/delete")
    assert response.status_code == 404
    assert entry_count(db) == 1


def test_returns_404_if_owner_from_another_business_deletes_my_entry(
    db, world, csrf_client, login_as
):
    add_rows(db, world.biz_tebet, [("expense", "sewa", 777_000, jakarta_today(), "Sewa kios")])
    entry_id = db.session.scalar(select(LedgerEntry.id))
    login_as(csrf_client.client, world.biz_cakung.owner)

    response = csrf_client.post(f"/business/books/entries/{entry_id}/delete")
    assert response.status_code == 404
    assert entry_count(db, world.biz_tebet) == 1

    page = csrf_client.get(BOOKS).get_data(as_text=True)
    assert "Batik Pak Joko" in page
    assert "Sewa kios" not in page
    assert "Rp777.000" not in page
    export = csrf_client.get(EXPORT).get_data(as_text=True)
    assert "Sewa kios" not in export
    assert "777000" not in export


def test_user_without_business_is_sent_to_the_business_dashboard(db, world, csrf_client, login_as):
    login_as(csrf_client.client, world.consumer_a)
    for response in (csrf_client.get(BOOKS), csrf_client.post(ADD, data=entry_form())):
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/business/")
    assert entry_count(db) == 0


def test_anonymous_visitor_is_asked_to_log_in(client, world):
    response = client.get(BOOKS)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_post_without_csrf_token_changes_nothing(db, world, client, login_as):
    login_as(client, world.biz_tebet.owner)
    assert client.post(ADD, data=entry_form()).status_code == 400
    assert entry_count(db) == 0


# --- CSV export ------------------------------------------------------------------------


def test_csv_export_has_bom_header_signed_amounts_and_neutralised_formulas(db, world, owner_client):
    order = make_paid_order(db, business=world.biz_tebet, consumer=world.consumer_a)
    ledger.record_sale(order)
    ledger.record_refund(order)
    db.session.commit()
    today = jakarta_today()
    add_rows(
        db,
        world.biz_tebet,
        [
            ("expense", "bahan_baku", 30_000, today, '=HYPERLINK("http://evil","klik")'),
            ("manual_income", "penjualan_offline", 20_000, today, "+62 812 bayar tunai"),
            ("expense", "lainnya", 5_000, today, "@SUM(A1)"),
            ("expense", "transport", 7_000, today, "-ongkos ojek"),
            ("manual_income", "lainnya", 1_000, today, 'Titipan, "aman"'),
        ],
    )

    response = owner_client.get(EXPORT)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=buku-kas-{world.biz_tebet.id}.csv"
    )
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Tanggal", "Jenis", "Kategori", "Jumlah (Rp)", "No. pesanan", "Catatan"]
    body = rows[1:]
    assert len(body) == 7
    by_note = {row[5]: row for row in body}
    assert by_note['\'=HYPERLINK("http://evil","klik")'][3] == "-30000"
    assert by_note["'+62 812 bayar tunai"][3] == "20000"
    assert "'@SUM(A1)" in by_note
    assert "'-ongkos ojek" in by_note
    assert 'Titipan, "aman"' in by_note
    sale = next(row for row in body if row[4] == str(order.id) and row[3] == "50000")
    refund = next(row for row in body if row[4] == str(order.id) and row[3] == "-50000")
    assert sale[2] == "Penjualan Pasarkita"
    assert refund[2] == "Pengembalian dana Pasarkita"
    # Amounts are numbers for the spreadsheet, not quoted text.
    assert all(row[3].lstrip("-").isdigit() for row in body)


# --- the summary and its rules ---------------------------------------------------------


def test_summary_equals_an_independent_sum_of_entries_per_month(db, world):
    today = date(2026, 3, 15)
    rng = random.Random(20261129)
    kinds = {
        "sale": "penjualan_platform",
        "refund": "refund_platform",
        "manual_income": "penjualan_offline",
        "expense": "bahan_baku",
    }
    rows = []
    for _ in range(120):
        kind = rng.choice(list(kinds))
        day = date(2024, 12, 1) + timedelta(days=rng.randrange(0, 470))  # some out of range
        rows.append((kind, kinds[kind], rng.randrange(1, 2_000_000), day, None))
    add_rows(db, world.biz_tebet, rows)
    # Another business's entries never count.
    add_rows(db, world.biz_cakung, [("manual_income", "lainnya", 999_999, date(2026, 3, 1), None)])

    summary = ledger.monthly_summary(world.biz_tebet.id, today=today)

    assert [(m.year, m.month) for m in summary] == [(2025, m) for m in range(4, 13)] + [
        (2026, 1),
        (2026, 2),
        (2026, 3),
    ]
    sign = {"sale": 1, "refund": -1, "manual_income": 1, "expense": -1}
    for month in summary:
        mine = [r for r in rows if (r[3].year, r[3].month) == (month.year, month.month)]
        income = sum(sign[k] * a for k, _c, a, _d, _n in mine if k != "expense")
        expenses = sum(a for k, _c, a, _d, _n in mine if k == "expense")
        assert (month.income, month.expenses, month.profit) == (
            income,
            expenses,
            income - expenses,
        )


def test_books_page_table_shows_the_same_figures_as_the_summary(db, world, owner_client):
    today = jakarta_today()
    add_rows(
        db,
        world.biz_tebet,
        [
            ("manual_income", "penjualan_offline", 123_000, today, None),
            ("expense", "gaji", 45_600, today, None),
        ],
    )
    page = owner_client.get(BOOKS).get_data(as_text=True)
    table = page.split('<table class="ledger-table">')[1].split("</table>")[0]
    last_row = table.split("<tr>")[-1]
    assert ">123.000<" in last_row
    assert ">45.600<" in last_row
    assert ">77.400<" in last_row
    assert table.count("<tr>") == 13  # header + 12 months


def test_books_kept_is_false_with_platform_sales_only(db, world):
    """Automatic platform sales on every day of the month are not the owner keeping books."""
    db.session.add_all(
        LedgerEntry(
            business_id=world.biz_tebet.id,
            kind="sale",
            category="penjualan_platform",
            amount_idr=10_000,
            occurred_on=date(2026, 2, day),
        )
        for day in range(1, 29)
    )
    db.session.commit()
    assert ledger.books_kept(world.biz_tebet.id, 2026, 2) is False


def test_books_kept_needs_entries_in_4_weeks_of_the_month_3_is_not_enough(db, world):
    # Two entries in the first week count as one week.
    days = (1, 7, 9, 16)
    add_rows(
        db,
        world.biz_tebet,
        [("expense", "sewa", 1_000, date(2026, 2, d), None) for d in days],
    )
    assert ledger.books_kept(world.biz_tebet.id, 2026, 2) is False
    add_rows(db, world.biz_tebet, [("manual_income", "lainnya", 1_000, date(2026, 2, 28), None)])
    assert ledger.books_kept(world.biz_tebet.id, 2026, 2) is True
    assert ledger.books_kept(world.biz_tebet.id, 2026, 3) is False
    assert ledger.books_kept(world.biz_cakung.id, 2026, 2) is False


def test_books_kept_follows_the_chapters_rhythm_and_counts_an_assisting_leads_entries(
    db, world, reset_weeks
):
    world.tebet.books_weeks_required = 2
    db.session.commit()
    add_rows(db, world.biz_tebet, [("expense", "sewa", 1_000, date(2026, 2, 3), None)])
    db.session.add(
        LedgerEntry(
            business_id=world.biz_tebet.id,
            kind="owner_withdrawal",
            category="owner_withdrawal",
            amount_idr=1_000,
            occurred_on=date(2026, 2, 20),
            origin="lead",
        )
    )
    db.session.commit()
    assert ledger.books_kept(world.biz_tebet.id, 2026, 2) is True


def test_books_page_query_count_does_not_grow_with_entries(
    db, world, owner_client, count_statements
):
    def statements_for(n):
        db.session.execute(LedgerEntry.__table__.delete())
        db.session.commit()
        today = jakarta_today()
        add_rows(
            db,
            world.biz_tebet,
            [
                (
                    "expense" if i % 2 else "manual_income",
                    "lainnya",
                    1_000 + i,
                    today - timedelta(days=i % 400),
                    f"catatan {i}",
                )
                for i in range(n)
            ],
        )
        with count_statements() as counter:
            assert owner_client.get(BOOKS).status_code == 200
        return len(counter)

    few, many = statements_for(3), statements_for(300)
    assert few == many
    assert many <= 8


def test_a_new_owner_sees_empty_books_not_an_error(db, csrf_client, login_as, world):
    from tests.factories import make_business

    owner = make_user(name="Rina")
    make_business(chapter=world.tebet, owner=owner, name="Warung Rina")
    login_as(csrf_client.client, owner)
    page = csrf_client.get(BOOKS).get_data(as_text=True)
    assert "Belum ada catatan" in page
    assert 'class="bar-' not in page
