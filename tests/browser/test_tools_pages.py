"""The reviewers' and admins' tools in Chromium at 360x640 with axe-core (issue 14): the
lead sees a permit photo inline and confirms a rejection on its own page; the admin's
refund confirmation, the take-down form; the bank officer assigns a referral to himself."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.core.uploads import store
from marketplace.extensions import db
from tests import factories
from tests.browser.test_journeys import check_page, log_in, log_out

pytestmark = pytest.mark.browser


def test_lead_previews_a_photo_and_confirms_a_rejection(page, live_server, world):
    document = factories.make_document(business=world.biz_tebet, kind="pirt", status="submitted")
    document.file_key = store(factories.image_bytes("JPEG", size=(1600, 1200)))
    document.file_mime = "image/jpeg"
    db.session.commit()

    log_in(page, live_server, world.lead_tebet)
    page.goto(live_server(f"/lead/tebet/documents/{document.id}"))
    preview = page.get_by_role("img", name=re.compile("Pratinjau"))
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.naturalWidth") == 1200
    check_page(page)
    page.get_by_label("Keputusan").select_option("reject")
    page.get_by_label(re.compile("Alasan / catatan")).fill("Foto buram, nomor tidak terbaca.")
    page.get_by_role("button", name="Simpan keputusan").click()
    expect(page.get_by_role("heading", name="Tolak dokumen ini?")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Ya, tolak dokumen").click()
    expect(page.get_by_role("status")).to_contain_text("Keputusan disimpan")


def test_admin_confirms_a_refund_and_takes_a_product_down(page, live_server, world):
    order = factories.make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    product = factories.make_product(business=world.biz_cakung, name="Batik Cap Biru")

    log_in(page, live_server, world.admin)
    page.goto(live_server(f"/admin/orders?q={order.id}"))
    check_page(page)
    page.get_by_label("Alasan pengembalian dana").fill("Barang tidak dikirim")
    page.get_by_role("button", name="Kembalikan dana").click()
    expect(
        page.get_by_role("heading", name=f"Kembalikan dana pesanan #{order.id}?")
    ).to_be_visible()
    check_page(page)

    page.goto(live_server(f"/admin/products/{product.id}/take-down"))
    check_page(page)
    page.get_by_label(re.compile("Alasan untuk penjual")).fill("Foto memakai merek orang lain.")
    page.get_by_role("button", name="Ya, turunkan produk").click()
    expect(page.get_by_role("status")).to_contain_text("diturunkan")
    check_page(page)
    log_out(page)

    log_in(page, live_server, world.biz_cakung.owner)
    page.goto(live_server(f"/business/products/{product.id}/edit"))
    expect(page.get_by_text("Foto memakai merek orang lain.")).to_be_visible()
    check_page(page)


def test_officer_filters_the_inbox_and_assigns_a_referral(page, live_server, world):
    bank = factories.make_bank(slug="bank-x", name="Bank X", chapters=[world.tebet])
    officer = factories.make_officer(bank=bank)
    referral = factories.make_referral(business=world.biz_tebet, bank=bank, lead=world.lead_tebet)

    log_in(page, live_server, officer)
    page.goto(live_server("/bank/bank-x/"))
    check_page(page)
    page.get_by_text("Saring dan urutkan").click()
    page.get_by_label("Jumlah paling sedikit (Rp)").fill("65rb")
    page.get_by_role("button", name="Tampilkan").click()
    # The message sits by the field, and the summary at the top links to it.
    expect(page.locator("#amount_min-error")).to_contain_text("bukan 65rb")
    expect(page.get_by_role("link", name="Jumlah paling sedikit (Rp)")).to_be_visible()
    check_page(page)
    page.goto(live_server(f"/bank/bank-x/referrals/{referral.id}"))
    page.get_by_role("button", name="Tugaskan ke saya").click()
    expect(page.get_by_role("status")).to_contain_text("Penugasan")
    check_page(page)
    page.goto(live_server(f"/bank/bank-x/referrals/{referral.id}/assign"))
    check_page(page)
