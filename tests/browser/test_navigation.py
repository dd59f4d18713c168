"""The compact header (issue 14 item 2) at 360x640 for every role: at most 128 px tall, the
"Menu" usable without JavaScript, each role's areas only, axe-core clean."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    assert_no_serious_axe_violations,
    open_menu,
)
from tests.conftest import PLUGINS

pytestmark = pytest.mark.browser

MAX_HEADER_PX = 128


def _people(world) -> dict:
    """One account per role, and one holding several (owner + lead + officer)."""
    owner = world.biz_tebet.owner
    several = world.biz_cakung.owner
    factories.make_lead(chapter=world.cakung, user=several)
    people = {
        "guest": None,
        "buyer": world.consumer_a,
        "owner": owner,
        "lead": world.lead_tebet,
        "admin": world.admin,
        "several": several,
    }
    if "referrals" in PLUGINS:
        bank = factories.make_bank(slug="bri", name="Bank Rakyat Indonesia")
        people["officer"] = factories.make_officer(bank=bank)
        factories.make_officer(bank=bank, user=several)
    return people


def _log_in(page, live_server, user) -> None:
    page.goto(live_server("/login"))
    form = page.locator("main form")
    form.get_by_label("E-mail").fill(user.email)
    form.get_by_label("Kata sandi", exact=True).fill(factories.PASSWORD)
    form.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state("load")


def _header_height(page) -> float:
    return page.evaluate(
        "() => document.querySelector('header.site-header').getBoundingClientRect().height"
    )


def test_header_height_at_360_for_every_role_and_the_menu_lists_its_areas(
    page, live_server, world, browser
):
    people = _people(world)
    for role, user in people.items():
        context = browser.new_context(viewport={"width": 360, "height": 640}, locale="id-ID")
        tab = context.new_page()
        try:
            if user is not None:
                _log_in(tab, live_server, user)
            for path in ("/", "/search?q=keripik"):
                tab.goto(live_server(path))
                height = _header_height(tab)
                assert height <= MAX_HEADER_PX, f"{role} on {path}: header {height}px"
            assert_no_horizontal_scroll(tab)
            menu = open_menu(tab)
            areas = set(
                tab.locator("nav.menu-panel [data-area]").evaluate_all(
                    "nodes => nodes.map(n => n.dataset.area)"
                )
            )
            expected = {"shopper", "account"}
            expected |= {
                "owner": {"owner"},
                "lead": {"lead"},
                "admin": {"admin"},
                "officer": {"bank"},
                "several": {"owner", "lead"} | ({"bank"} if "referrals" in PLUGINS else set()),
            }.get(role, set())
            assert areas == expected, role
            expect(menu).to_be_visible()
            assert_no_serious_axe_violations(tab)
        finally:
            context.close()


def test_the_menu_works_without_javascript(live_server, world, browser):
    owner = world.biz_tebet.owner
    context = browser.new_context(
        viewport={"width": 360, "height": 640}, locale="id-ID", java_script_enabled=False
    )
    page = context.new_page()
    try:
        _log_in(page, live_server, owner)
        assert page.url == live_server("/business/")  # the owner's home
        page.goto(live_server("/"))
        menu = open_menu(page)
        expect(menu.get_by_role("link", name="Usaha saya").first).to_be_visible()
        menu.get_by_role("link", name="Pesanan saya").click()
        page.wait_for_load_state("load")
        assert page.url == live_server("/orders")
        open_menu(page).get_by_role("button", name="Keluar").click()
        page.wait_for_load_state("load")
        expect(open_menu(page).get_by_role("link", name="Masuk")).to_be_visible()
    finally:
        context.close()


def test_the_friendly_404_of_an_unlisted_product_fits_a_phone(page, live_server, world):
    product = factories.make_product(business=world.biz_tebet, status="unlisted")
    response = page.goto(live_server(f"/p/{product.id}"))
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Produk ini tidak tersedia sekarang")
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def test_registration_error_summary_and_check_answers_fit_a_phone(page, live_server, db):
    user = factories.make_user()
    _log_in(page, live_server, user)
    page.goto(live_server("/business/register?kecamatan=cakung"))
    page.fill("#name", "Dapur Bu Tini")
    page.fill("#nik", "3171013202900001")  # an impossible birth date
    page.select_option("#scale", "mikro")
    page.select_option("#sector", "kuliner")
    page.fill("#started_on", "2021-03-01")
    page.fill("#kelurahan_code", "31.75.06.1001")
    page.fill("#address_line", "Jl. Raya Cakung No. 5, RT 01/RW 02")
    page.fill("#postal_code", "13910")
    page.fill("#whatsapp", "0812-3456-7890")
    page.get_by_role("button", name="Lanjut: periksa jawaban").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link")).to_have_count(2)  # the NIK and the (empty) NIB
    expect(page.locator("#nik")).to_have_value("3171013202900001")
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)
    summary.get_by_role("link").first.click()
    page.fill("#nik", "3171011708450001")
    page.fill("#nib", "9120003849102")
    page.get_by_role("button", name="Lanjut: periksa jawaban").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa jawaban Anda")
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Benar, daftarkan usaha").click()
    page.wait_for_load_state("load")
    assert page.url == live_server("/business/")
    assert_no_serious_axe_violations(page)
