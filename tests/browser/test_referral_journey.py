"""Journey 4 in Chromium at 360x640: the lead opens a KUR referral, the member consents,
the lead endorses it, the bank officer acknowledges, approves and disburses, and the
member sees it. Every page is checked with axe-core and for sideways scrolling."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll, assert_no_serious_axe_violations
from tests.browser.test_journeys import log_in, log_out

pytestmark = pytest.mark.browser


def check_page(page) -> None:
    assert_no_horizontal_scroll(page, page.viewport_size["width"])
    assert_no_serious_axe_violations(page)


def test_kur_referral_from_the_lead_to_disbursement(page, live_server, world):
    member = world.biz_tebet
    factories.make_ready_member(business=member, lead=world.lead_tebet)
    bank = factories.make_bank(
        slug="bri", name="Bank Rakyat Indonesia", chapters=[world.tebet, world.cakung]
    )
    officer = factories.make_officer(bank=bank)

    # The lead opens the referral and sees the pre-screen.
    log_in(page, live_server, world.lead_tebet)
    page.goto(live_server(f"/lead/tebet/members/{member.id}"))
    page.get_by_role("link", name="Buka rujukan KUR untuk anggota ini").click()
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Bank penyalur").select_option(str(bank.id))
    form.get_by_label("Skema KUR").select_option("mikro")
    form.get_by_label("Jumlah pinjaman yang diajukan (rupiah)").fill("25000000")
    form.get_by_label("Tenor (bulan)").fill("24")
    form.get_by_label(re.compile("Untuk apa pinjaman ini")).fill(
        "Membeli oven kedua agar produksi kue naik menjelang Lebaran."
    )
    form.get_by_label(re.compile("ia tidak punya kredit lain selain")).check()
    form.get_by_role("button", name="Buat rujukan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Rujukan KUR #")
    expect(page.get_by_text("bukan keputusan kredit").first).to_be_visible()
    check_page(page)
    referral_url = page.url
    log_out(page)

    # The member reads exactly what is shared and consents with an unticked box.
    log_in(page, live_server, member.owner)
    page.goto(live_server("/business/referrals/"))
    check_page(page)
    page.get_by_role("link", name=re.compile("Bank Rakyat Indonesia")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Persetujuan berbagi data ke Bank Rakyat Indonesia"
    )
    check_page(page)
    agree = page.get_by_label(re.compile("Saya setuju data usaha saya"))
    expect(agree).not_to_be_checked()
    agree.check()
    page.get_by_label(re.compile("Saya menyatakan tidak punya kredit lain")).check()
    page.get_by_role("button", name="Saya setuju, kirim data ke Bank Rakyat Indonesia").click()
    expect(page.get_by_role("status")).to_be_visible()
    log_out(page)

    # The lead endorses and sends.
    log_in(page, live_server, world.lead_tebet)
    page.goto(referral_url)
    page.get_by_label(re.compile("Rekomendasi Anda untuk bank")).fill(
        "Bu Tini rajin ikut pendampingan, buku kasnya rapi tiga bulan, penjualan naik."
    )
    page.get_by_role("button", name=re.compile("Rekomendasikan dan kirim")).click()
    expect(page.get_by_role("status")).to_be_visible()
    check_page(page)
    log_out(page)

    # The bank officer works it end to end.
    log_in(page, live_server, officer)
    page.goto(live_server("/bank/bri/"))
    check_page(page)
    page.get_by_role("link", name=re.compile(r"^#\d+$")).first.click()
    check_page(page)
    page.get_by_role("button", name="Terima rujukan untuk dinilai").click()
    expect(page.get_by_role("button", name="Setujui kredit")).to_be_visible()
    page.get_by_label("Jumlah disetujui (rupiah)").fill("25000000")
    page.get_by_label("Tenor disetujui (bulan)").fill("24")
    page.get_by_label("Bunga efektif per tahun (%)").fill("6")
    page.get_by_role("button", name="Setujui kredit").click()
    # Issue 12: a summary to check before the decision is recorded.
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa sebelum disetujui")
    check_page(page)
    page.get_by_role("button", name="Konfirmasi dan simpan").click()
    page.get_by_role("button", name="Tandai dana sudah dicairkan").click()
    expect(page.get_by_role("button", name="Tandai dana sudah dicairkan")).to_have_count(0)
    check_page(page)
    log_out(page)

    # The member sees every step.
    log_in(page, live_server, member.owner)
    page.goto(live_server("/business/referrals/"))
    page.get_by_role("link", name=re.compile("Bank Rakyat Indonesia")).first.click()
    expect(page.get_by_text(re.compile("dicairkan", re.IGNORECASE)).first).to_be_visible()
    check_page(page)
    page.goto(live_server("/business/pathway"))
    expect(page.locator("li.done", has_text="Permodalan")).to_have_count(1)


@pytest.mark.parametrize("width", [360, 1280])
def test_bank_approve_form_with_its_confirmation_step(page, live_server, world, width):
    page.set_viewport_size({"width": width, "height": 800})
    bank = factories.make_bank(slug="bri", name="Bank Rakyat Indonesia", chapters=[world.tebet])
    officer = factories.make_officer(bank=bank)
    referral = factories.make_referral(
        business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="acknowledged"
    )
    log_in(page, live_server, officer)
    page.goto(live_server(f"/bank/bri/referrals/{referral.id}"))
    check_page(page)
    rate = page.get_by_label("Bunga efektif per tahun (%)")
    expect(rate).to_have_attribute("inputmode", "decimal")
    expect(rate).to_have_attribute("type", "text")
    page.get_by_label("Jumlah disetujui (rupiah)").fill("Rp 25.000.000")
    page.get_by_label("Tenor disetujui (bulan)").fill("24")
    rate.fill("65")  # the 65 % a number input made of "6,5": refused, naming the rule
    page.get_by_role("button", name="Setujui kredit").click()
    expect(page.locator("#appr-rate_percent-error")).to_contain_text("6%")
    check_page(page)
    page.get_by_label("Bunga efektif per tahun (%)").fill("6,0 %")
    page.get_by_role("button", name="Setujui kredit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Periksa sebelum disetujui")
    expect(page.locator("[data-term=amount]")).to_have_text("Rp25.000.000")
    expect(page.locator("[data-term=rate]")).to_have_text("6%")
    check_page(page)
    page.get_by_role("button", name="Ubah").click()
    expect(page.get_by_label("Jumlah disetujui (rupiah)")).to_have_value("25000000")
    check_page(page)
    page.get_by_role("button", name="Setujui kredit").click()
    page.get_by_role("button", name="Konfirmasi dan simpan").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.get_by_role("button", name="Tandai dana sudah dicairkan")).to_be_visible()
    check_page(page)
