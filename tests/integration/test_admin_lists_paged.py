"""The admin's payouts list and the partner bank lists (banks, a bank's officers) come a keyset
page at a time (issue 11): the same statements for 3 rows or 30, and every row once across
the pages."""

import itertools
import re
from datetime import date

import pytest

from marketplace.extensions import db as _db
from marketplace.ledger.models import LedgerEntry
from tests import factories as f

pytestmark = pytest.mark.plugin("referrals")


@pytest.fixture
def world(app, db):
    return f.make_world()


def _sellers(world, n: int) -> None:
    for i in range(n):
        business = f.make_business(chapter=world.tebet, name=f"Penjual {i:03d}")
        _db.session.add(
            LedgerEntry(
                business_id=business.id,
                kind="sale",
                category="penjualan",
                amount_idr=50_000 + i,
                occurred_on=date(2026, 11, 2),
            )
        )
    _db.session.commit()


_bank_numbers = itertools.count(1)


def _banks(n: int, officers_of=None):
    for _ in range(n):
        i = next(_bank_numbers)
        bank = f.make_bank(slug=f"bank-{i}", name=f"Bank {i:04d}")
        f.make_officer(bank=bank)
        if officers_of is None:
            officers_of = bank
    return officers_of


def _counts(client, count_statements, paths) -> dict[str, int]:
    out = {}
    for name, path in paths.items():
        client.get(path)  # warm-up (first-request caches)
        with count_statements() as counted:
            response = client.get(path)
        assert response.status_code == 200, name
        out[name] = len(counted)
    return out


def test_admin_payouts_and_bank_lists_cost_the_same_statements_at_ten_times_the_rows(
    world, client, login_as, count_statements
):
    login_as(client, world.admin)
    _sellers(world, 3)
    bank = _banks(3)
    for _ in range(2):
        f.make_officer(bank=bank)
    paths = {
        "payouts": "/admin/payouts",
        "banks": "/admin/banks/",
        "bank": f"/admin/banks/{bank.slug}",
    }
    small = _counts(client, count_statements, paths)
    _sellers(world, 27)
    _banks(27)
    for _ in range(28):
        f.make_officer(bank=bank)
    large = _counts(client, count_statements, paths)
    assert large == small
    # Thirty rows do not fit one page: the list continues on the next.
    for path in paths.values():
        assert 'rel="next"' in client.get(path).get_data(as_text=True), path


def _walk(client, path, pattern) -> list[str]:
    seen, url = [], path
    while url:
        html = client.get(url).get_data(as_text=True)
        shown = re.findall(pattern, html)
        assert len(shown) <= 25, url  # one page, never the whole list
        seen += shown
        nxt = re.search(r'<a rel="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    return seen


def test_admin_payouts_pages_show_every_seller_once_with_its_balance(world, client, login_as):
    _sellers(world, 60)
    login_as(client, world.admin)
    names = _walk(client, "/admin/payouts", r"<td>(Penjual \d{3})</td>")
    assert names == [f"Penjual {i:03d}" for i in range(60)]
    html = client.get("/admin/payouts").get_data(as_text=True)
    assert 'value="50000"' in html  # the first seller's balance, prefilled for the transfer


def test_admin_bank_pages_show_every_bank_and_officer_once(world, client, login_as):
    bank = _banks(30)
    officers = [f.make_officer(bank=bank) for _ in range(29)]
    login_as(client, world.admin)
    banks = _walk(client, "/admin/banks/", r'href="/admin/banks/(bank-[\d-]+)"')
    assert len(banks) == 30
    assert len(set(banks)) == 30
    emails = _walk(client, f"/admin/banks/{bank.slug}", r"<span>[^<]*· ([^<]+@[^<]+)</span>")
    assert len(emails) == 30
    assert set(emails) >= {o.email for o in officers}
