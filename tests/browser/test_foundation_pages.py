"""The foundation pages in a real browser on a 360x640 phone screen: home, register, log out,
log in, account, a chapter page and the language switch, each checked with axe-core and for
sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    assert_no_serious_axe_violations,
    open_menu,
)

pytestmark = pytest.mark.browser

PASSWORD = "kata-sandi-rahasia-123"


def check_page(page) -> None:
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def test_home_page_shows_brand_and_chapter_list(page, live_server):
    page.goto(live_server("/"))

    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.locator("header .brand")).to_have_text("Pasarkita")
    chapters = page.get_by_role("region", name="Chapter kecamatan")
    expect(chapters.locator("details.kota")).to_have_count(6)
    check_page(page)

    # A kota opens with a tap and its chapters are links to their pages.
    jaksel = chapters.locator("summary", has_text="Jakarta Selatan")
    jaksel.click()
    tebet = chapters.get_by_role("link", name="Tebet", exact=True)
    expect(tebet).to_be_visible()
    check_page(page)
    tebet.click()
    expect(page).to_have_url(live_server("/c/tebet"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chapter Tebet")


def test_register_log_out_and_log_in_again_through_the_forms(page, live_server):
    page.goto(live_server("/"))
    open_menu(page).get_by_role("link", name="Daftar").click()
    expect(page).to_have_url(live_server("/register"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Buat akun")
    check_page(page)

    form = page.locator("main form")
    form.get_by_label("Nama lengkap").fill("Sari Wulandari")
    form.get_by_label("E-mail").fill("sari@example.com")
    form.get_by_label(re.compile(r"^Kata sandi \(minimal")).fill(PASSWORD)
    form.get_by_label("Ulangi kata sandi").fill(PASSWORD)
    form.get_by_role("button", name="Daftar").click()

    # Registering does not sign in (the same answer for a known e-mail): log in next.
    expect(page).to_have_url(live_server("/login"))
    expect(page.get_by_role("status")).to_contain_text(
        "Kami sudah mengirim e-mail ke sari@example.com"
    )
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("E-mail").fill("sari@example.com")
    form.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server("/"))
    expect(open_menu(page).get_by_role("link", name="Akun saya")).to_be_visible()
    check_page(page)

    # Log out with the header button.
    open_menu(page).get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("status")).to_have_text("Anda sudah keluar.")
    expect(open_menu(page).get_by_role("link", name="Masuk")).to_be_visible()
    expect(open_menu(page).get_by_role("button", name="Keluar")).to_have_count(0)

    # Log in again through the form.
    open_menu(page).get_by_role("link", name="Masuk").click()
    expect(page).to_have_url(live_server("/login"))
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("E-mail").fill("sari@example.com")
    form.get_by_label("Kata sandi", exact=True).fill(PASSWORD)
    form.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(live_server("/"))
    expect(open_menu(page).get_by_role("button", name="Keluar")).to_be_visible()

    open_menu(page).get_by_role("link", name="Akun saya").click()
    expect(page).to_have_url(live_server("/account"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Akun saya")
    expect(page.locator("main")).to_contain_text("sari@example.com")
    check_page(page)


def test_wrong_password_shows_an_error_and_stays_accessible(page, live_server):
    factories.make_user(email="budi@example.com", name="Budi")
    page.goto(live_server("/login"))
    form = page.locator("main form")
    form.get_by_label("E-mail").fill("budi@example.com")
    form.get_by_label("Kata sandi", exact=True).fill("bukan-sandinya-123")
    form.get_by_role("button", name="Masuk").click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(open_menu(page)).not_to_contain_text("Akun saya")
    check_page(page)


def test_chapter_page_and_language_switch(page, live_server, world):
    page.goto(live_server("/c/tebet"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Chapter Tebet")
    expect(page.get_by_role("region", name="Pengurus")).to_contain_text(world.lead_tebet.name)
    check_page(page)

    open_menu(page).get_by_role("link", name="English").click()
    expect(page).to_have_url(live_server("/c/tebet"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    check_page(page)

    # The choice sticks across pages, and switching back works too.
    page.goto(live_server("/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    open_menu(page).get_by_role("link", name="Bahasa Indonesia").click()
    expect(page.locator("html")).to_have_attribute("lang", "id")


def test_signed_in_member_sees_account_page_without_violations(page, live_server):
    factories.make_user(email="ani@example.com", name="Ani", phone="081234567890")
    page.goto(live_server("/login?next=/account"))
    form = page.locator("main form")
    form.get_by_label("E-mail").fill("ani@example.com")
    form.get_by_label("Kata sandi", exact=True).fill(factories.PASSWORD)
    form.get_by_role("button", name="Masuk").click()

    expect(page).to_have_url(live_server("/account"))
    expect(page.get_by_label("Nama lengkap")).to_have_value("Ani")
    check_page(page)
