"""Issue 15 in Chromium at 360 px with axe-core: one cart, a courier for one seller and a
pickup at the chapter centre for the other, ongkir seen per seller and in the total before
paying, the card pays lines + shipping (localstripe), the seller ships with a resi and the
buyer gets the courier's tracking link and the pickup code."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.delivery import services as delivery
from marketplace.delivery.models import Zone
from marketplace.extensions import db
from tests import factories
from tests.browser.test_journeys import check_page, log_in, log_out

pytestmark = pytest.mark.browser


def test_buyer_picks_a_courier_and_a_pickup_sees_ongkir_and_pays(
    page, live_server, stripe_base, world
):
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
    delivery.add_option(tebet, kind="pickup_seller", opening_hours="Setiap hari 08.00-20.00")
    delivery.add_option(
        tebet,
        kind="courier",
        courier_code="jne",
        service="REG",
        rates=[(z, 1, 12_000) for z in Zone],
    )
    delivery.add_option(
        cakung,
        kind="courier",
        courier_code="sicepat",
        service="REG",
        rates=[(Zone.JAKARTA, None, 18_000), (Zone.KOTA, None, 18_000)],
    )
    delivery.add_option(cakung, kind="pickup_chapter")
    db.session.commit()

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
    check_page(page)

    page.get_by_label(re.compile(r"JNE REG")).check()
    page.get_by_label(re.compile(r"Ambil sendiri di sekretariat Cakung")).check()
    page.get_by_role("button", name="Hitung ongkir").click()
    expect(page.get_by_text("Ongkir: Rp12.000")).to_be_visible()
    expect(page.get_by_text("Total dengan ongkir: Rp147.000")).to_be_visible()
    check_page(page)
    page.get_by_role("button", name="Lanjut bayar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bayar dengan kartu")
    expect(page.get_by_role("button", name=re.compile("^Bayar"))).to_have_text("Bayar Rp147.000")
    check_page(page)
    card = page.locator("#card-element")
    card.locator("input").nth(0).fill("4242424242424242")
    card.locator("input").nth(1).fill("12")
    card.locator("input").nth(2).fill("30")
    card.locator("input").nth(3).fill("123")
    card.locator("input").nth(4).fill("12910")
    page.get_by_role("button", name=re.compile("^Bayar")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Terima kasih, pembayaran berhasil!", timeout=20_000
    )
    check_page(page)
    page.get_by_role("link", name=re.compile("Kain Batik|Batik Pak Joko")).click()
    expect(page.get_by_text("Kode ambil Anda:")).to_be_visible()
    expect(page.get_by_text(re.compile("Tempat ambil: Kantor Kecamatan Cakung"))).to_be_visible()
    check_page(page)
    log_out(page)

    log_in(page, live_server, tebet.owner)
    page.goto(live_server("/business/orders"))
    page.get_by_role("link", name=re.compile("Pesanan #")).click()
    check_page(page)
    page.get_by_label("Kurir").select_option("jne")
    page.get_by_label("Nomor resi").fill("0101 1624 0120 792")
    page.get_by_role("button", name="Sudah dikirim").click()
    expect(page.get_by_role("status")).to_contain_text("ditandai dikirim")
    log_out(page)

    log_in(page, live_server, world.consumer_a)
    page.goto(live_server("/orders"))
    page.get_by_role("link", name=re.compile("Keripik Bu Tini")).first.click()
    link = page.get_by_role("link", name=re.compile("Lacak paket di situs JNE"))
    expect(link).to_have_attribute("href", re.compile(r"awb=010116240120792$"))
    check_page(page)
