"""Issue 15's browser test as ONE journey, in Chromium at 360 px with axe-core on every
page: a buyer puts two sellers' products in one cart, picks a courier for one and a pickup
at the chapter centre for the other, sees the ongkir per seller and in the total, pays by
card (localstripe); the courier seller ships with a resi and the pickup seller marks the
parcel ready; the buyer follows the tracking link, confirms receipt of the pickup, opens a
complaint (with a photo) about the parcel, and the seller settles it with a partial refund;
the buyer's order page shows every step.

Also here: the pages added with it, each at 360 px with axe-core — the lead's chapter rate
tables and the buyer's cancel confirmation."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.delivery import services as delivery
from marketplace.delivery.models import Zone
from marketplace.extensions import db
from marketplace.orders.models import Checkout
from marketplace.payments.gateway import get_gateway
from tests import factories
from tests.browser.test_journeys import check_page, log_in, log_out

pytestmark = pytest.mark.browser


def _two_sellers(world):
    tebet, cakung = world.biz_tebet, world.biz_cakung
    keripik = factories.make_listable_product(
        business=tebet, name="Keripik Balado", status="listed", price_idr=15_000, stock=10
    )
    factories.make_document(business=cakung, kind="nib")
    batik = factories.make_product(
        business=cakung,
        name="Kain Batik Tulis",
        category="fashion",
        status="listed",
        price_idr=120_000,
    )
    keripik.weight_grams = 250
    cakung.chapter.centre_address = "Kantor Kecamatan Cakung, Jl. Raya Bekasi Km 17"
    delivery.add_option(
        tebet,
        kind="courier",
        courier_code="jne",
        service="REG",
        rates=[(z, 1, 12_000) for z in Zone],
    )
    delivery.add_option(cakung, kind="pickup_chapter")
    delivery.add_option(
        cakung,
        kind="courier",
        courier_code="sicepat",
        service="REG",
        rates=[(Zone.JAKARTA, None, 18_000), (Zone.KOTA, None, 18_000)],
    )
    db.session.commit()
    return keripik, batik


def _pay_by_card(page):
    expect(page.get_by_role("heading", level=1)).to_have_text("Bayar dengan kartu")
    check_page(page)
    card = page.locator("#card-element")
    for i, value in enumerate(("4242424242424242", "12", "30", "123", "12910")):
        card.locator("input").nth(i).fill(value)
    page.get_by_role("button", name=re.compile("^Bayar")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Terima kasih, pembayaran berhasil!", timeout=20_000
    )


def test_one_cart_two_sellers_courier_and_pickup_paid_shipped_received_complained_refunded(
    page, live_server, stripe_base, world, tmp_path
):
    keripik, batik = _two_sellers(world)
    tebet, cakung = world.biz_tebet, world.biz_cakung
    photo = tmp_path / "keripik-hancur.jpg"
    photo.write_bytes(factories.image_bytes())

    # One cart over two sellers; a courier for one, the chapter-centre pickup for the other.
    log_in(page, live_server, world.consumer_a)
    for product in (keripik, batik):
        page.goto(live_server(f"/p/{product.id}"))
        page.get_by_role("button", name="Tambah ke keranjang").click()
        expect(page.get_by_role("status")).to_contain_text("Ditambahkan ke keranjang")
    page.get_by_role("link", name="Lanjut ke pembayaran").click()
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Alamat (jalan, nomor, RT/RW)").fill("Jl. Tebet Raya 10, RT 02/RW 03")
    form.get_by_label("Kelurahan").select_option("31.74.02.1001")  # Setia Budi
    form.get_by_label("Kode pos").fill("12910")
    form.get_by_label("Nomor WhatsApp penerima").fill("081298765432")
    form.get_by_role("button", name="Hitung ongkir").click()
    page.get_by_label(re.compile(r"JNE REG")).check()
    page.get_by_label(re.compile(r"Ambil sendiri di sekretariat Cakung")).check()
    page.get_by_role("button", name="Hitung ongkir").click()
    expect(page.get_by_text("Ongkir Keripik Bu Tini: Rp12.000")).to_be_visible()  # per group
    expect(page.get_by_text("Ongkir Batik Pak Joko: Rp0")).to_be_visible()
    expect(page.get_by_text("Ongkir: Rp12.000")).to_be_visible()  # and in the total
    expect(page.get_by_text("Total dengan ongkir: Rp147.000")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Lanjut bayar").click()
    expect(page.get_by_role("button", name=re.compile("^Bayar"))).to_have_text("Bayar Rp147.000")
    _pay_by_card(page)
    check_page(page)
    log_out(page)

    # The courier seller ships with a resi; the pickup seller marks the parcel ready.
    log_in(page, live_server, tebet.owner)
    page.goto(live_server("/business/orders"))
    page.get_by_role("link", name=re.compile("Pesanan #")).click()
    check_page(page)
    page.get_by_label("Kurir").select_option("jne")
    page.get_by_label("Nomor resi").fill("0101 1624 0120 792")
    page.get_by_role("button", name="Sudah dikirim").click()
    expect(page.get_by_role("status")).to_contain_text("ditandai dikirim")
    log_out(page)
    log_in(page, live_server, cakung.owner)
    page.goto(live_server("/business/orders"))
    page.get_by_role("link", name=re.compile("Pesanan #")).click()
    page.get_by_role("button", name="Tandai siap diambil").click()
    expect(page.get_by_role("status")).to_be_visible()
    check_page(page)
    log_out(page)

    # The buyer follows the parcel, confirms the pickup, complains about the parcel.
    log_in(page, live_server, world.consumer_a)
    page.goto(live_server("/orders"))
    page.get_by_role("link", name=re.compile("Batik Pak Joko")).first.click()
    expect(page.get_by_text("Kode ambil Anda:")).to_be_visible()
    page.get_by_role("button", name="Barang sudah saya terima").click()
    expect(page.get_by_role("status")).to_contain_text("Pesanan selesai")
    expect(page.get_by_text("Diterima pembeli")).to_be_visible()
    check_page(page)
    page.goto(live_server("/orders"))
    page.get_by_role("link", name=re.compile("Keripik Bu Tini")).first.click()
    link = page.get_by_role("link", name=re.compile("Lacak paket di situs JNE"))
    expect(link).to_have_attribute("href", re.compile(r"awb=010116240120792$"))
    check_page(page)
    order_url = page.url
    page.get_by_role("link", name="Ada masalah? Ajukan keluhan").click()
    check_page(page)
    page.get_by_label("Barang rusak").check()
    page.get_by_label("Ceritakan masalahnya").fill("Dua bungkus keripik sobek dan hancur.")
    page.get_by_label(re.compile("^Foto")).set_input_files(str(photo))
    page.get_by_role("button", name="Kirim keluhan").click()
    expect(page.get_by_role("status")).to_contain_text("Keluhan terkirim")
    expect(page.get_by_role("link", name="Foto 1")).to_be_visible()  # the photo, kept
    check_page(page)
    log_out(page)

    # The seller sees the photo and gives part of the money back.
    log_in(page, live_server, tebet.owner)
    page.goto(live_server("/business/orders"))
    page.get_by_role("link", name=re.compile("Pesanan #")).click()
    page.get_by_role("link", name="Tanggapi keluhan pembeli").click()
    expect(page.get_by_role("link", name="Foto 1")).to_be_visible()
    check_page(page)
    page.get_by_label("Jumlah yang dikembalikan (Rp)").fill("10.000")
    page.get_by_role("button", name="Kembalikan sebagian").click()
    expect(page.get_by_role("status")).to_contain_text("Sebagian dana dikembalikan")
    check_page(page)
    log_out(page)

    # The buyer's order page shows every step, by whom; the refund went back to the card.
    log_in(page, live_server, world.consumer_a)
    page.goto(order_url)
    steps = page.locator("ol.timeline li")
    for step in (
        "Pesanan dibuat",
        "Dibayar",
        "Dikirim",
        "Keluhan dibuka",
        "Penjual mengembalikan sebagian dana",
        "Selesai setelah keluhan",
    ):
        expect(steps.filter(has_text=step).first).to_be_visible()
    expect(page.get_by_text("Dana dikembalikan ke kartu Anda: Rp10.000")).to_be_visible()
    expect(page.get_by_text("complaint 1")).to_have_count(0)  # no internal note shown
    check_page(page)
    db.session.rollback()
    checkout = db.session.scalar(select(Checkout).where(Checkout.user_id == world.consumer_a.id))
    refunds = get_gateway().refunds_for(checkout.payment_intent_id)
    assert [r.amount_idr for r in refunds] == [10_000]


def test_the_lead_sets_the_chapter_table_and_the_seller_sees_it_to_adopt(page, live_server, world):
    log_in(page, live_server, world.lead_tebet)
    page.goto(live_server(f"/lead/{world.tebet.slug}/"))
    page.get_by_role("link", name="Tabel ongkir chapter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tabel ongkir chapter")
    check_page(page)
    page.get_by_role("link", name="Buat tabel AnterAja").click()
    page.get_by_label("Kelurahan yang sama, ≤1 kg").fill("65rb")
    page.get_by_role("button", name="Simpan tabel").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    check_page(page)
    page.get_by_label("Kelurahan yang sama, ≤1 kg").fill("8.000")
    page.get_by_label("Seluruh Jakarta, berat berapa saja").fill("Rp 30.000")
    page.get_by_role("button", name="Simpan tabel").click()
    expect(page.get_by_role("status")).to_contain_text("Tabel ongkir AnterAja chapter disimpan")
    table = page.locator("[data-courier=anteraja] table")
    expect(table).to_contain_text("Rp8.000")
    expect(table).to_contain_text("Rp30.000")
    check_page(page)
    log_out(page)

    log_in(page, live_server, world.biz_tebet.owner)
    page.goto(live_server("/business/delivery"))
    expect(page.locator("#adopt").locator("..")).to_contain_text("Rp30.000")
    check_page(page)
    page.get_by_role("button", name="Pakai tabel ini").click()
    expect(page.get_by_role("status")).to_contain_text("Tabel ongkir chapter dipakai")
    expect(page.get_by_role("button", name="Matikan AnterAja REG")).to_be_visible()
    check_page(page)


def test_the_buyer_checks_what_a_cancel_does_before_cancelling(page, live_server, world):
    buyer = factories.make_user(name="Rina", phone="+6281311112222")
    from tests.integration.test_aftersales import cod_order

    order = cod_order(world.biz_tebet, buyer, quantity=2, price=15_000)
    db.session.commit()
    log_in(page, live_server, buyer)
    page.goto(live_server(f"/orders/{order.id}"))
    page.get_by_role("button", name="Batalkan pesanan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Batalkan pesanan #{order.id}?")
    expect(page.get_by_text("Anda belum membayar")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name="Kembali").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Pesanan #{order.id}")
    page.get_by_role("button", name="Batalkan pesanan").click()
    page.get_by_role("button", name="Batalkan pesanan").click()
    expect(page.get_by_role("status")).to_contain_text("Pesanan dibatalkan")
    expect(page.get_by_text("Dibatalkan").first).to_be_visible()
    check_page(page)
