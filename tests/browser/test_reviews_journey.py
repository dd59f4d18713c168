"""Issue 16 ratings and reviews, in Chromium on a 360x640 phone with axe-core: the buyer of a
completed order rates it with the star radio buttons (no script needed) and writes a review;
the product page shows the average and the review; the seller replies once; someone reports
it and the admin hides it with a reason, and it leaves the page."""

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from tests import factories
from tests.browser.test_journeys import check_page, log_in, log_out

pytestmark = pytest.mark.browser


def test_buyer_reviews_seller_replies_admin_hides(page, live_server, world):
    product = factories.make_product(
        business=world.biz_tebet, name="Keripik Tempe Sagu", status="listed"
    )
    buyer = factories.make_user(name="Rina Maharani", phone="+6281311113333")
    order = factories.make_order(business=world.biz_tebet, consumer=buyer, status="completed")
    line = order.lines[0]
    line.product_id, line.product_name = product.id, product.name
    db.session.commit()

    log_in(page, live_server, buyer)
    page.goto(live_server(f"/orders/{order.id}"))
    check_page(page)
    page.get_by_role("link", name="Beri ulasan").click()
    check_page(page)
    page.get_by_label("4 bintang: puas").check()
    page.get_by_label("Ulasan Anda (boleh kosong)").fill("Renyah dan gurih, kemasan rapi.")
    page.get_by_role("button", name="Kirim ulasan").click()
    expect(page.get_by_role("status")).to_contain_text("Terima kasih")
    page.goto(live_server(f"/p/{product.id}"))
    expect(page.get_by_text("Renyah dan gurih")).to_be_visible()
    expect(page.locator(".rating").first).to_contain_text("4,0")
    check_page(page)
    log_out(page)

    log_in(page, live_server, world.biz_tebet.owner)
    page.goto(live_server("/business/reviews"))
    check_page(page)
    page.get_by_label("Balasan untuk pembeli (hanya sekali)").fill("Terima kasih, Kak Rina!")
    page.get_by_role("button", name="Kirim balasan").click()
    expect(page.get_by_role("status")).to_contain_text("Balasan Anda tampil")
    expect(page.get_by_role("button", name="Kirim balasan")).to_have_count(0)
    log_out(page)

    log_in(page, live_server, world.consumer_b)
    page.goto(live_server(f"/p/{product.id}"))
    page.get_by_role("link", name="Laporkan ulasan ini").click()
    check_page(page)
    page.get_by_label("Mengapa ulasan ini perlu diperiksa?").fill("Ulasan ini iklan toko lain.")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_role("status")).to_contain_text("laporan Anda akan diperiksa")
    log_out(page)

    log_in(page, live_server, world.admin)
    page.goto(live_server("/admin/reviews"))
    check_page(page)
    page.get_by_role("link", name="Keripik Tempe Sagu").first.click()
    check_page(page)
    page.get_by_label("Alasan menyembunyikan (tercatat)").fill("Dilaporkan: bukan ulasan barang.")
    page.get_by_role("button", name="Sembunyikan ulasan").click()
    expect(page.get_by_role("status")).to_contain_text("Ulasan disembunyikan")
    page.goto(live_server(f"/p/{product.id}"))
    expect(page.get_by_text("Renyah dan gurih")).to_have_count(0)
