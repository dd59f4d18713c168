"""Issue 14's assisted mode and "My data" at 360x640 with axe-core: the member grants the
lead, the lead acts for her under the banner and leaves, the member reads what was done and
revokes; the member's data page, its export and the erasure check page."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import (
    assert_no_horizontal_scroll,
    assert_no_serious_axe_violations,
    open_menu,
)

pytestmark = pytest.mark.browser


def check_page(page) -> None:
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def log_in(page, live_server, user):
    page.goto(live_server("/login"))
    form = page.locator("main form")
    form.get_by_label("E-mail atau nomor WhatsApp").fill(user.email)
    form.get_by_label("Kata sandi", exact=True).fill(factories.PASSWORD)
    form.get_by_role("button", name="Masuk").click()
    expect(open_menu(page).get_by_role("button", name="Keluar")).to_be_visible()


def log_out(page):
    open_menu(page).get_by_role("button", name="Keluar").click()


def test_member_grants_the_lead_who_acts_under_the_banner_then_revokes(page, live_server, db):
    world = factories.make_world()
    business, lead = world.biz_tebet, world.lead_tebet

    log_in(page, live_server, business.owner)
    page.goto(live_server("/business/assist/"))
    check_page(page)
    page.get_by_label("Pengurus kecamatan Anda").select_option(label=lead.name)
    page.get_by_label("Mencatat buku kas").check()
    page.get_by_label("30 hari").check()
    page.get_by_role("button", name="Beri akses").click()
    expect(page.locator("main")).to_contain_text(f"{lead.name} sekarang boleh membantu Anda.")
    check_page(page)
    log_out(page)

    log_in(page, live_server, lead)
    page.goto(live_server(f"/lead/{world.tebet.slug}/assisted/"))
    check_page(page)
    page.get_by_role("button", name=f"Bantu {business.name} sekarang").click()
    banner = page.get_by_role("region", name="Mode pendampingan")
    expect(banner).to_contain_text(f"Anda bertindak untuk {business.name}")
    check_page(page)
    page.goto(live_server("/business/books/"))
    expect(banner).to_be_visible()
    form = page.locator("#add form")
    form.get_by_label("Pengeluaran", exact=True).check()
    form.get_by_label("Jumlah").fill("25000")
    form.get_by_label("Kategori").select_option("bahan_baku")
    form.get_by_role("button", name="Simpan catatan").click()
    check_page(page)
    banner.get_by_role("button", name="Selesai mendampingi").click()
    expect(page.get_by_role("region", name="Mode pendampingan")).to_have_count(0)
    check_page(page)
    log_out(page)

    log_in(page, live_server, business.owner)
    page.goto(live_server("/business/assist/"))
    expect(page.locator("main")).to_contain_text(f"dikerjakan oleh {lead.name} untuk Anda")
    page.get_by_role("button", name=f"Cabut akses {lead.name}").click()
    expect(page.locator("main")).to_contain_text(f"Akses {lead.name} dicabut.")
    check_page(page)


def test_my_data_page_export_and_erasure_check(page, live_server, db):
    world = factories.make_world()
    owner = world.biz_tebet.owner
    log_in(page, live_server, owner)
    page.goto(live_server("/account"))
    page.get_by_role("link", name="Lihat, unduh, betulkan atau hapus data Anda").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Data saya")
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Unduh (JSON)").click()
    assert download.value.suggested_filename == "pasarkita-data-saya.json"
    page.get_by_role("link", name="Minta penghapusan akun").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa sebelum menghapus akun")
    check_page(page)
    page.get_by_role("button", name="Hapus akun saya").click()
    expect(page.locator("main")).to_contain_text("Centang kotak ini jika Anda yakin.")
    check_page(page)


def test_the_nik_notice_opens_on_the_registration_form(page, live_server, db):
    user = factories.make_user(name="Calon Anggota")
    log_in(page, live_server, user)
    page.goto(live_server("/business/register"))
    page.get_by_text("Mengapa kami meminta NIK?").click()
    expect(page.locator(".nik-notice")).to_contain_text("Dasar hukum")
    check_page(page)
