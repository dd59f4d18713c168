"""Issue 11: the consoles cost the same number of statements however large the data.

The platform grows tenfold with the scale generator (bench/generate.py, SQLite executemany at
this size); one member's own rows grow tenfold with the factories. Each page answers with the
same statements before and after, and the lead's member list shows one page at a time.
"""

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from marketplace.accounts.models import User
from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core.timeutil import jakarta_today
from marketplace.ledger.models import LedgerEntry
from marketplace.mentoring import pathway
from marketplace.mentoring.dashboard import PAGE_SIZE
from tests.factories import (
    make_attendance,
    make_bank,
    make_business,
    make_document,
    make_order,
    make_product,
    make_session,
    make_user,
)


def _generate(app, db, members, seed):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from bench.generate import generate

    generate(app, members, seed=seed, quiet=True)
    db.session.expire_all()


def _count(client, path, count_statements):
    with count_statements() as counted:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(counted), counted.statements


@pytest.fixture
def small_platform(app, db):
    """20 generated members with a partner bank (so referrals, the plug-in's pathway facts,
    exist), then the people the pages are seen by."""
    make_bank(slug="bank-skala", name="Bank Skala")
    _generate(app, db, 20, seed=1)
    chapter_id = db.session.execute(
        select(Business.chapter_id)
        .group_by(Business.chapter_id)
        .order_by(func.count(Business.id).desc(), Business.chapter_id)
        .limit(1)
    ).scalar_one()
    chapter = db.session.get(Chapter, chapter_id)
    lead = db.session.scalar(select(User).where(User.email == f"lead{chapter_id}-0+1@scale.test"))
    member = db.session.scalar(
        select(Business).where(Business.chapter_id == chapter_id).order_by(Business.id)
    )
    admin = db.session.scalar(select(User).where(User.email == "admin+1@scale.test"))
    return chapter, lead, member, admin


@pytest.mark.plugin("referrals")  # its bank, so the plug-in's pathway facts are in play
def test_consoles_cost_the_same_statements_when_the_platform_grows_tenfold(
    app, db, client, login_as, count_statements, small_platform
):
    chapter, lead, member, admin = small_platform
    owner = db.session.get(User, member.owner_id)
    pages = {
        "lead dashboard": (lead, f"/lead/{chapter.slug}/"),
        "lead dashboard, next page": (lead, f"/lead/{chapter.slug}/?after={member.id}"),
        "lead dashboard, search": (lead, f"/lead/{chapter.slug}/?q=usaha&needs=checkin"),
        "lead member": (lead, f"/lead/{chapter.slug}/members/{member.id}"),
        "admin dashboard": (admin, "/admin/dashboard"),
        "admin dashboard csv": (admin, "/admin/dashboard.csv"),
        "owner dashboard": (owner, "/business/"),
        "owner pathway": (owner, "/business/pathway"),
    }

    def measure():
        out = {}
        for name, (who, path) in pages.items():
            login_as(client, who)
            out[name] = _count(client, path, count_statements)
        return out

    small = measure()
    _generate(app, db, 200, seed=2)
    assert db.session.scalar(select(func.count(Business.id))) == 220
    large = measure()
    for name in pages:
        assert large[name][0] == small[name][0], (name, large[name][1])


def _grow_member(business, lead, consumer, n, db):
    """``n`` more of everything one member owns: products, documents, orders, books,
    sessions attended."""
    today = jakarta_today()
    for i in range(n):
        product = make_product(business=business, name=f"Produk {i}", category="kriya")
        make_document(business=business, kind="pirt", products=[product])
        make_order(business=business, consumer=consumer, status="paid")
        db.session.add(
            LedgerEntry(
                business_id=business.id,
                kind="manual_income",
                category="penjualan_offline",
                amount_idr=10_000,
                occurred_on=today - timedelta(days=15 * i),
            )
        )
        db.session.commit()
        session = make_session(chapter=business.chapter, lead=lead, days_from_now=-(3 + 7 * i))
        make_attendance(session=session, business=business, lead=lead)


def test_one_members_pages_cost_the_same_statements_with_ten_times_their_own_rows(
    db, client, login_as, count_statements, world
):
    business, lead = world.biz_tebet, world.lead_tebet
    make_document(business=business, kind="nib")
    pages = {
        "lead member": (lead, f"/lead/tebet/members/{business.id}"),
        "owner dashboard": (business.owner, "/business/"),
        "owner pathway": (business.owner, "/business/pathway"),
    }

    def measure():
        out = {}
        for name, (who, path) in pages.items():
            login_as(client, who)
            out[name] = _count(client, path, count_statements)
        return out

    _grow_member(business, lead, world.consumer_a, 2, db)
    small = measure()
    _grow_member(business, lead, world.consumer_a, 18, db)
    large = measure()
    for name in pages:
        assert large[name][0] == small[name][0], (name, large[name][1])
    done = {s.key: s.done for s in pathway.for_business(business).steps}
    assert [done["pendampingan"], done["perizinan"], done["pemasaran"]] == [True, True, True]


def _listed_members(html: str) -> tuple[list[str], str | None]:
    """Member names in the page's member list, and its "next" link's ``after``."""
    import re

    section = html.split('id="members-title"', 1)[1]
    names = re.findall(r'/members/\d+">([^<]+)</a>', section)
    following = re.search(r'rel="next" href="[^"]*after=(\d+)', section)
    return names, following.group(1) if following else None


def test_lead_dashboard_lists_members_a_page_at_a_time_without_repeats(db, client, login_as, world):
    names = [f"Warung {i:03d}" for i in range(2 * PAGE_SIZE + 12)]
    for name in names:
        make_business(chapter=world.tebet, owner=make_user(), name=name)
    make_business(chapter=world.cakung, owner=make_user(), name="Warung Cakung")
    login_as(client, world.lead_tebet)
    seen, url, pages = [], "/lead/tebet/", 0
    while url:
        listed, after = _listed_members(client.get(url).get_data(as_text=True))
        assert 0 < len(listed) <= PAGE_SIZE
        seen.extend(listed)
        pages += 1
        url = f"/lead/tebet/?after={after}" if after else None
    assert pages == 3
    assert seen == sorted([*names, world.biz_tebet.name])


def test_lead_member_list_searches_names_and_filters_by_follow_up_and_step(
    db, client, login_as, world
):
    from marketplace.mentoring.dashboard import member_page

    keeps_books = make_business(chapter=world.tebet, owner=make_user(), name="Toko 100% Rajin")
    make_business(chapter=world.tebet, owner=make_user(), name="Toko Lupa")
    db.session.add(
        LedgerEntry(
            business_id=keeps_books.id,
            kind="expense",
            category="sewa",
            amount_idr=10_000,
            occurred_on=jakarta_today(),
        )
    )
    db.session.commit()
    names = lambda page: [p.business.name for p in page.pathways]  # noqa: E731
    assert names(member_page(world.tebet, q="toko")) == ["Toko 100% Rajin", "Toko Lupa"]
    # "%" is a character here, not a wildcard.
    assert names(member_page(world.tebet, q="100%")) == ["Toko 100% Rajin"]
    assert names(member_page(world.tebet, q="0% r")) == ["Toko 100% Rajin"]
    assert "Toko 100% Rajin" not in names(member_page(world.tebet, needs="books"))
    assert "Toko Lupa" in names(member_page(world.tebet, needs="books"))
    make_document(business=keeps_books, kind="nib")
    assert names(member_page(world.tebet, q="toko", step="perizinan")) == ["Toko Lupa"]
    assert names(member_page(world.tebet, q="toko", step="pendaftaran")) == [
        "Toko 100% Rajin",
        "Toko Lupa",
    ]  # always done: no filter
    login_as(client, world.lead_tebet)
    listed, _after = _listed_members(
        client.get("/lead/tebet/?q=toko&step=perizinan").get_data(as_text=True)
    )
    assert listed == ["Toko Lupa"]
    page = client.get("/lead/tebet/?q=lupa").get_data(as_text=True)
    assert "Toko Lupa" in page
    assert "Toko 100% Rajin" not in page.split('id="members-title"')[1]


def test_chapter_pathway_page_equals_the_member_by_member_pathway(db, world):
    """The page computation (facts joined for a page of ids) and one member's computation
    agree on every step's date, with several members at different stages."""
    from marketplace.core.statemachine import apply_transition
    from marketplace.mentoring.dashboard import member_page

    members = [world.biz_tebet] + [
        make_business(chapter=world.tebet, owner=make_user(), name=f"Usaha {i}") for i in range(3)
    ]
    make_document(business=members[1], kind="nib")
    product = make_product(business=members[2], category="kriya")
    make_document(business=members[2], kind="nib")
    apply_transition(product, "list", actor=members[2].owner, role="sme_owner")
    db.session.commit()
    for back in (1, 2, 3):
        day = date(jakarta_today().year, jakarta_today().month, 1) - timedelta(days=31 * back - 5)
        # The owner's entries in four weeks of the month: the chapter's rhythm (issue 13).
        db.session.add_all(
            LedgerEntry(
                business_id=members[3].id,
                kind="expense",
                category="sewa",
                amount_idr=5_000,
                occurred_on=day.replace(day=d),
            )
            for d in (3, 10, 17, 24)
        )
    db.session.commit()
    page = {p.business.id: p for p in member_page(world.tebet).pathways}
    for business in members:
        one = pathway.for_business(business)
        assert [s.done_on for s in page[business.id].steps] == [s.done_on for s in one.steps]
    assert page[members[3].id].step("pelaporan_keuangan").done
