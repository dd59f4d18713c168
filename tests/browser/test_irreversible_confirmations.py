"""Issue 14 in Chromium at 360 px: the bank officer's reject and the lead's withdraw each
go through a check-your-answers page ("Ubah" keeps what was typed); every page is checked
with axe-core and for sideways scrolling."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll, assert_no_serious_axe_violations
from tests.browser.test_journeys import log_in

pytestmark = pytest.mark.browser

NOTE = "Omzet tiga bulan terakhir belum cukup untuk cicilan."


def check_page(page) -> None:
    assert_no_horizontal_scroll(page, 360)
    assert_no_serious_axe_violations(page)


def test_bank_reject_checks_the_answers_first_at_360_px(page, live_server, world):
    page.set_viewport_size({"width": 360, "height": 800})
    bank = factories.make_bank(slug="bri", name="Bank Rakyat Indonesia", chapters=[world.tebet])
    officer = factories.make_officer(bank=bank)
    referral = factories.make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="acknowledged"
    )
    log_in(page, live_server, officer)
    page.goto(live_server(f"/bank/bri/referrals/{referral.id}"))
    page.get_by_label("Alasan penolakan").select_option("lainnya")
    page.get_by_label("Penjelasan untuk anggota (wajib untuk alasan lain)").fill(NOTE)
    page.get_by_role("button", name="Tolak pengajuan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa sebelum menolak")
    expect(page.locator("main")).to_contain_text(NOTE)
    expect(page.locator("main")).to_contain_text(world.biz_tebet.name)
    check_page(page)
    page.get_by_role("button", name="Ubah").click()
    expect(page.get_by_label("Penjelasan untuk anggota (wajib untuk alasan lain)")).to_have_value(
        NOTE
    )
    expect(page.get_by_label("Alasan penolakan")).to_have_value("lainnya")
    check_page(page)
    page.get_by_role("button", name="Tolak pengajuan").click()
    page.get_by_role("button", name="Tolak rujukan").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("button", name="Tolak pengajuan")).to_have_count(0)
    check_page(page)


def test_lead_withdraw_checks_the_answers_first_at_360_px(page, live_server, world):
    page.set_viewport_size({"width": 360, "height": 800})
    bank = factories.make_bank(slug="bri", name="Bank Rakyat Indonesia", chapters=[world.tebet])
    referral = factories.make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="sent"
    )
    log_in(page, live_server, world.lead_tebet)
    page.goto(live_server(f"/lead/tebet/referrals/{referral.id}"))
    page.get_by_label("Alasan (boleh dikosongkan)").fill(NOTE)
    page.get_by_role("button", name="Tarik rujukan ini").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa sebelum menarik rujukan")
    expect(page.locator("main")).to_contain_text("Bank Rakyat Indonesia")
    check_page(page)
    page.get_by_role("button", name="Ubah").click()
    expect(page.get_by_label("Alasan (boleh dikosongkan)")).to_have_value(NOTE)
    check_page(page)
    page.get_by_role("button", name="Tarik rujukan ini").click()
    page.get_by_role("button", name="Tarik rujukan", exact=True).click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("button", name="Tarik rujukan ini")).to_have_count(0)
    check_page(page)
