"""Everyday use (issue 14, items 2-6): each role's home after login and its menu, the
friendly dead ends, the favicon."""

import pytest

from tests.conftest import PLUGINS
from tests.factories import (
    PASSWORD,
    make_bank,
    make_document,
    make_lead,
    make_listable_product,
    make_officer,
    make_product,
    make_user,
)


def _login(csrf_client, user, **extra):
    return csrf_client.post("/login", data={"email": user.email, "password": PASSWORD, **extra})


# --- role homes ------------------------------------------------------------------------------


def test_landing_page_per_role_after_login(csrf_client, app, db, world):
    owner = world.biz_tebet.owner
    cases = [
        (world.lead_tebet, "/lead/tebet/"),
        (owner, "/business/"),
        (world.admin, "/admin/dashboard"),
        (world.consumer_a, "/"),
    ]
    if "referrals" in PLUGINS:
        bank = make_bank(slug="bri", name="BRI")
        cases.append((make_officer(bank=bank), "/bank/bri/"))
    for user, home in cases:
        client = app.test_client()
        from tests.conftest import Browserish

        response = _login(Browserish(client, app), user)
        assert response.status_code == 302, user
        assert response.headers["Location"] == home, (user.name, home)


def test_a_buyer_returns_where_they_were_and_next_wins_for_every_role(csrf_client, world):
    response = _login(csrf_client, world.lead_tebet, next="/cart")
    assert response.headers["Location"] == "/cart"
    # An unsafe next falls back to the main role's home, never off-site.
    csrf_client.post("/logout")
    response = _login(csrf_client, world.lead_tebet, next="//evil.example/x")
    assert response.headers["Location"] == "/lead/tebet/"


def test_the_menu_shows_only_the_areas_of_the_roles_held(csrf_client, login_as, db, world):
    login_as(csrf_client.client, world.consumer_a)
    page = csrf_client.get("/").get_data(as_text=True)
    assert 'data-area="shopper"' in page
    assert 'data-area="owner"' not in page
    assert 'data-area="lead"' not in page
    assert 'data-area="admin"' not in page
    assert 'data-area="bank"' not in page
    assert "Jual di Pasarkita" in page

    several = world.biz_tebet.owner
    make_lead(chapter=world.cakung, user=several)
    login_as(csrf_client.client, several)
    page = csrf_client.get("/").get_data(as_text=True)
    assert 'data-area="owner"' in page
    assert 'data-area="lead"' in page
    assert "/lead/cakung/" in page
    assert "/lead/tebet/" not in page
    assert "Pindah peran" in page  # the role switcher for someone with several roles
    assert 'data-area="admin"' not in page


@pytest.mark.skipif("referrals" not in PLUGINS, reason="the bank area is the plug-in's")
def test_a_bank_officer_menu_links_his_portal_and_no_business_page(csrf_client, login_as, db):
    bank = make_bank(slug="bri", name="BRI")
    officer = make_officer(bank=bank)
    login_as(csrf_client.client, officer)
    page = csrf_client.get("/bank/bri/").get_data(as_text=True)
    assert 'data-area="bank"' in page
    assert 'href="/bank/bri/"' in page
    assert 'data-area="owner"' not in page


def test_the_header_costs_no_statement_of_its_own(
    csrf_client, login_as, db, world, count_statements
):
    login_as(csrf_client.client, world.biz_tebet.owner)
    csrf_client.get("/notifications/")
    with count_statements() as counted:
        csrf_client.get("/notifications/")
    login_as(csrf_client.client, world.consumer_a)
    with count_statements() as buyer:
        csrf_client.get("/notifications/")
    # The owner's menu (areas, cart count) reads nothing the buyer's does not.
    assert len(counted) == len(buyer)


# --- dead ends -------------------------------------------------------------------------------


def test_friendly_404_for_an_unlisted_product_offers_the_sellers_others_and_search(
    client, db, world
):
    business = world.biz_tebet
    make_document(business=business, kind="nib")
    listed = make_listable_product(business=business, name="Keripik Balado")
    listed.status = "listed"
    hidden = make_product(business=business, name="Keripik Rahasia", status="unlisted")
    db.session.commit()
    response = client.get(f"/p/{hidden.id}")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Produk ini tidak tersedia sekarang" in page
    assert "Keripik Balado" in page
    assert f"/p/{listed.id}" in page
    assert 'role="search"' in page
    assert "Keripik Rahasia" not in page
    assert "Permintaan tidak dapat diproses" not in page


def test_friendly_404_for_an_unknown_product_in_both_languages(client, db):
    response = client.get("/p/987654")
    assert response.status_code == 404
    assert "Produk ini tidak tersedia sekarang" in response.get_data(as_text=True)
    client.get("/lang/en")
    page = client.get("/p/987654").get_data(as_text=True)
    assert "This product is not available now" in page


def test_friendly_404_page_in_both_languages(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Alamat ini tidak ada" in page
    assert 'role="search"' in page
    client.get("/lang/en")
    assert "This address does not exist" in client.get("/no-such-page").get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "indonesian", "english"),
    [
        (403, "Halaman ini hanya untuk peran tertentu", "This page is only for"),
        (429, "Tunggu beberapa menit", "Wait a few minutes"),
        (500, "Ini bukan kesalahan Anda", "This is not your fault"),
    ],
)
def test_friendly_403_429_500_pages_in_both_languages(app, status, indonesian, english):
    from flask_babel import force_locale

    from marketplace.core.errors import error_response

    with app.test_request_context("/x"):
        body, code = error_response(status)
        assert code == status
        assert indonesian in body
        assert 'role="search"' in body
        with force_locale("en"):
            body, _ = error_response(status)
        assert english in body


def test_favicon_is_served_and_cached(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"
    assert response.cache_control.max_age >= 3600


# --- times -----------------------------------------------------------------------------------


def test_every_instant_on_a_page_goes_through_the_one_wib_filter():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    for folder in ("templates", "referrals/templates"):
        for path in (root / folder).rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if re.search(r"_at\.strftime|\bUTC\b", text):
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_an_order_shows_its_time_in_wib(csrf_client, login_as, db, world):
    from datetime import UTC, datetime

    from tests.factories import make_order

    order = make_order(business=world.biz_tebet, consumer=world.consumer_a)
    order.created_at = datetime(2026, 5, 12, 12, 0, tzinfo=UTC)
    db.session.commit()
    login_as(csrf_client.client, world.consumer_a)
    page = csrf_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "12-05-2026 19:00 WIB" in page
    assert "UTC" not in page


# --- forms that help: the business registration ----------------------------------------------

REGISTRATION = {
    "name": "Dapur Bu Tini",
    "nik": "3171011708450001",
    "nib": "9120003849102",
    "npwp": "",
    "scale": "mikro",
    "sector": "kuliner",
    "started_on": "2021-03-01",
    "kecamatan": "cakung",
    "kelurahan_code": "31.75.06.1001",
    "address_line": "Jl. Raya Cakung No. 5, RT 01/RW 02",
    "postal_code": "13910",
    "whatsapp": "0812-3456-7890",
}


def test_registration_shows_every_error_at_once_in_a_summary_and_keeps_the_values(
    csrf_client, login_as, db
):
    from sqlalchemy import func, select

    from marketplace.businesses.models import Business

    login_as(csrf_client.client, make_user())
    typed = {**REGISTRATION, "nik": "3171013202900001", "nib": "", "whatsapp": "021-2345-6789"}
    response = csrf_client.post("/business/register", data=typed)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = page[
        page.index('class="error-summary"') : page.index("</ul>", page.index("error-summary"))
    ]
    # One summary at the top, one link per refused field: NIK, NIB and WhatsApp together.
    assert 'href="#nik"' in summary
    assert 'href="#nib"' in summary
    assert 'href="#whatsapp"' in summary
    assert "Tanggal lahir di dalam NIK" in summary
    assert page.index("error-summary") < page.index('id="name"')
    # What was typed stays, the NIK too (the owner's own, back only to them).
    assert 'value="3171013202900001"' in page
    assert 'value="Dapur Bu Tini"' in page
    assert 'value="021-2345-6789"' in page
    assert db.session.scalar(select(func.count(Business.id))) == 0


def test_registration_checks_the_answers_before_it_registers(csrf_client, login_as, db):
    from sqlalchemy import func, select

    from marketplace.businesses.models import Business

    owner = make_user()
    login_as(csrf_client.client, owner)
    response = csrf_client.post("/business/register", data=REGISTRATION)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Periksa jawaban Anda" in page
    assert "3171********0001" in page  # masked in the answers...
    assert 'name="nik" value="3171011708450001"' in page  # ...carried back to confirm
    assert "Cakung" in page
    assert db.session.scalar(select(func.count(Business.id))) == 0
    # "Ubah jawaban" returns to the form with every answer in place.
    edit = csrf_client.post("/business/register", data={**REGISTRATION, "edit": "1"})
    assert edit.status_code == 200
    assert 'value="Dapur Bu Tini"' in edit.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Business.id))) == 0
    done = csrf_client.post("/business/register", data={**REGISTRATION, "confirm": "1"})
    assert done.status_code == 302
    business = db.session.scalar(select(Business).where(Business.owner_id == owner.id))
    assert business.chapter.slug == "cakung"


def test_kelurahan_is_narrowed_by_kecamatan_and_typed_names_are_understood(
    csrf_client, login_as, db
):
    login_as(csrf_client.client, make_user())
    page = csrf_client.get("/business/register?kecamatan=tebet").get_data(as_text=True)
    datalist = page[page.index('<datalist id="kelurahan-options">') : page.index("</datalist>")]
    assert "Manggarai" in datalist
    assert "Cakung" not in datalist
    # Without JavaScript: "Tampilkan kelurahan" posts the form back, values kept, no errors.
    narrowed = csrf_client.post(
        "/business/register", data={"name": "Dapur", "kecamatan": "cakung", "narrow": "1"}
    )
    body = narrowed.get_data(as_text=True)
    assert narrowed.status_code == 200
    assert "error-summary" not in body
    assert 'value="Dapur"' in body
    # A kelurahan typed by its name (from the datalist) is found within the kecamatan.
    from marketplace.businesses.services import find_kelurahan
    from marketplace.chapters.models import Kelurahan

    kelurahan = db.session.get(Kelurahan, "31.75.06.1001")
    assert find_kelurahan(kelurahan.name.upper(), "cakung").code == kelurahan.code
    response = csrf_client.post(
        "/business/register", data={**REGISTRATION, "kelurahan_code": kelurahan.name}
    )
    assert response.status_code == 200
    assert "Periksa jawaban Anda" in response.get_data(as_text=True)


def test_a_form_with_a_file_says_the_file_must_be_chosen_again(csrf_client, login_as, world):
    login_as(csrf_client.client, world.biz_tebet.owner)
    response = csrf_client.post("/business/documents/new", data={"kind": "nib", "number": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "error-summary" in page
    assert "Pilih berkasnya lagi" in page


# --- the truthful checklist ------------------------------------------------------------------


def _states(page: str) -> list[tuple[str, str, str]]:
    """(product article or 'business', requirement, state) for every requirement row."""
    import re

    out = []
    section = "business"
    for match in re.finditer(
        r'<article id="(product-\d+)"|data-requirement="([^"]+)" data-state="([^"]+)"', page
    ):
        if match.group(1):
            section = match.group(1)
        else:
            out.append((section, match.group(2), match.group(3)))
    return out


def test_checklist_single_state_per_requirement(csrf_client, login_as, db, world):
    from datetime import date

    from marketplace.accounts.models import User

    business = world.biz_tebet
    product = make_product(business=business, name="Keripik Pedas", category="kuliner")
    make_document(business=business, kind="nib", status="submitted")
    make_document(
        business=business,
        kind="pirt",
        status="rejected",
        products=[product],
        review_note="Nomor SPP-IRT tidak terbaca",
    )
    make_document(
        business=business, kind="halal", products=[product], expires_on=date(2029, 12, 31)
    )
    lead = db.session.get(User, world.lead_tebet.id)
    lead.phone_e164 = "+6281311112222"
    db.session.commit()

    login_as(csrf_client.client, business.owner)
    page = csrf_client.get("/business/").get_data(as_text=True)
    states = _states(page)
    # Exactly one state per requirement, wherever it is shown.
    seen: dict[tuple[str, str], str] = {}
    for section, kind, state in states:
        assert (section, kind) not in seen, (section, kind)
        seen[(section, kind)] = state
    by_kind = {kind: {s for (_, k), s in seen.items() if k == kind} for _, kind in seen}
    assert all(len(states_of) == 1 for states_of in by_kind.values()), by_kind
    assert by_kind["nib"] == {"waiting"}
    assert by_kind["pirt"] == {"rejected"}
    assert by_kind["halal"] == {"verified"}
    # A document waiting for review is never asked for again.
    assert "kind=nib" not in page
    assert "menunggu pemeriksaan pengurus" in page
    assert "Nomor SPP-IRT tidak terbaca" in page
    assert "kind=pirt" in page
    assert "berlaku sampai 31-12-2029" in page
    # Whom to ask.
    assert "https://wa.me/6281311112222" in page


def test_checklist_shows_the_chapters_median_review_time(csrf_client, login_as, db, world):
    from datetime import timedelta

    from marketplace.businesses.checklist import median_review_time
    from marketplace.core.timeutil import utcnow

    now = utcnow()
    for days in (1, 2, 10):
        doc = make_document(business=world.biz_tebet, kind="nib", status="verified")
        doc.created_at = now - timedelta(days=days + 1)
        doc.status_changed_at = now - timedelta(days=1)
    other = make_document(business=world.biz_cakung, kind="nib", status="verified")
    other.created_at = now - timedelta(days=40)
    db.session.commit()
    median = median_review_time(world.tebet.id)
    assert timedelta(days=1, hours=23) < median < timedelta(days=2, hours=1)
    assert median_review_time(world.cakung.id) > timedelta(days=38)
    login_as(csrf_client.client, world.biz_tebet.owner)
    page = csrf_client.get("/business/").get_data(as_text=True)
    assert "biasanya memeriksa dokumen dalam 2 hari" in page


# Pages whose forms other work is reshaping right now (the bank inbox and referral pages):
# the error summary goes in when they change. Every other form with fields has it.
NOT_YET_SUMMARISED: set[str] = set()  # every form page has its summary now


def test_every_form_with_fields_starts_with_the_error_summary():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    missing = []
    for folder in ("templates", "referrals/templates"):
        for path in (root / folder).rglob("*.html"):
            name = str(path.relative_to(root))
            text = path.read_text(encoding="utf-8")
            if name.endswith("_forms.html") or name in NOT_YET_SUMMARISED:
                continue
            if "{{ field(" in text and "form_errors(" not in text:
                missing.append(name)
    assert missing == []


def test_a_storefront_that_is_not_there_says_page_not_found_not_cannot_be_processed(client, db):
    response = client.get("/b/987654")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Halaman tidak ditemukan.</h1>" in page
    assert "Permintaan tidak dapat diproses" not in page
    client.get("/lang/en")
    assert "<h1>Page not found.</h1>" in client.get("/b/987654").get_data(as_text=True)


def test_checklist_names_only_the_chapters_leads_with_a_whatsapp_number(db, world):
    from marketplace.businesses.checklist import lead_contacts

    second = make_lead(chapter=world.tebet)
    second.name = "Ani Pengurus"
    second.phone_e164 = "+6281399990000"
    world.lead_cakung.phone_e164 = "+6281377770000"  # another chapter's lead
    db.session.commit()
    assert world.lead_tebet.phone_e164 is None
    assert lead_contacts(world.tebet.id) == [("Ani Pengurus", "https://wa.me/6281399990000")]
