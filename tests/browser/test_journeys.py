"""The DESIGN journeys in Chromium on a 360x640 phone: legality (upload and verify), search
and product, card payment through localstripe's Stripe.js, mentoring (schedule and record
attendance). Every page visited is checked with axe-core and for sideways scrolling."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from marketplace.extensions import db
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
    form.get_by_label("E-mail").fill(user.email)
    form.get_by_label("Kata sandi", exact=True).fill(factories.PASSWORD)
    form.get_by_role("button", name="Masuk").click()
    expect(open_menu(page).get_by_role("button", name="Keluar")).to_be_visible()


def log_out(page):
    open_menu(page).get_by_role("button", name="Keluar").click()


def test_owner_uploads_a_permit_and_the_lead_verifies_it(page, live_server, world, tmp_path):
    product = factories.make_product(business=world.biz_tebet, name="Keripik Talas")
    factories.make_document(business=world.biz_tebet, kind="nib")
    factories.make_document(business=world.biz_tebet, kind="halal", products=[product])
    photo = tmp_path / "pirt.jpg"
    photo.write_bytes(factories.image_bytes())

    log_in(page, live_server, world.biz_tebet.owner)
    page.goto(live_server("/business/"))
    expect(page.get_by_text("SPP-IRT (nomor P-IRT) untuk produk ini belum ada")).to_be_visible()
    check_page(page)
    page.get_by_role("link", name=re.compile("Unggah SPP-IRT")).click()
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Nomor pada dokumen").fill("P-IRT No. 2063171010236-29")
    form.get_by_label("Tanggal terbit").fill("2024-06-01")
    form.get_by_label("Berlaku sampai (jika ada)").fill("2029-06-01")
    form.get_by_label(re.compile("Foto atau PDF")).set_input_files(str(photo))
    form.get_by_role("button", name="Kirim untuk diperiksa").click()
    expect(page.get_by_role("status")).to_contain_text("Dokumen terkirim")
    log_out(page)

    log_in(page, live_server, world.lead_tebet)
    page.goto(live_server("/lead/tebet/queue"))
    check_page(page)
    page.get_by_role("link", name=re.compile("SPP-IRT")).click()
    expect(page.get_by_text("Format benar")).to_be_visible()
    check_page(page)
    page.get_by_label("Keputusan").select_option("verify")
    page.get_by_role("button", name="Simpan keputusan").click()
    expect(page.get_by_role("status")).to_contain_text("Keputusan disimpan")
    log_out(page)

    log_in(page, live_server, world.biz_tebet.owner)
    page.goto(live_server("/business/"))
    # Issue 16: a product without a photo is listed only when the owner says so.
    page.get_by_label(re.compile("Tampilkan tanpa foto")).check()
    page.get_by_role("button", name="Tampilkan di etalase").click()
    expect(page.get_by_role("status")).to_contain_text("Produk tampil di etalase")
    check_page(page)


def test_buyer_searches_filters_and_opens_a_product(page, live_server, world):
    factories.make_listable_product(
        business=world.biz_tebet, name="Keripik Singkong Pedas", status="listed"
    )
    factories.make_document(business=world.biz_cakung, kind="nib")
    factories.make_product(
        business=world.biz_cakung,
        name="Kemeja Batik Pria",
        category="fashion",
        status="listed",
        price_idr=185_000,
    )

    page.goto(live_server("/"))
    check_page(page)
    page.get_by_label("Cari produk").fill("kripik kepedasan")  # a typo and an affix
    page.get_by_role("button", name="Cari").click()
    expect(page.get_by_role("link", name=re.compile("Keripik Singkong Pedas"))).to_be_visible()
    check_page(page)

    page.get_by_text("Saring dan urutkan").click()
    page.get_by_label("Kategori", exact=True).select_option("fashion")
    page.get_by_label("Kata pencarian").fill("")
    page.locator("main form").get_by_role("button", name="Cari").click()
    expect(page.get_by_role("link", name=re.compile("Kemeja Batik Pria"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Keripik Singkong"))).to_have_count(0)
    check_page(page)

    page.get_by_role("link", name=re.compile("Kemeja Batik Pria")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kemeja Batik Pria")
    expect(page.get_by_role("link", name="Chat via WhatsApp")).to_have_attribute(
        "href", re.compile(r"^https://wa\.me/62")
    )
    check_page(page)


def test_buyer_pays_two_smes_by_card_and_both_see_the_order(page, live_server, stripe_base, world):
    keripik = factories.make_listable_product(
        business=world.biz_tebet, name="Keripik Balado", status="listed", price_idr=15_000, stock=10
    )
    factories.make_document(business=world.biz_cakung, kind="nib")
    batik = factories.make_product(
        business=world.biz_cakung,
        name="Kain Batik Tulis",
        category="fashion",
        status="listed",
        price_idr=120_000,
    )

    log_in(page, live_server, world.consumer_a)
    for product in (keripik, batik):
        page.goto(live_server(f"/p/{product.id}"))
        page.get_by_role("button", name="Tambah ke keranjang").click()
        expect(page.get_by_role("status")).to_contain_text("Ditambahkan ke keranjang")
    check_page(page)
    page.get_by_role("link", name="Lanjut ke pembayaran").click()
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Alamat (jalan, nomor, RT/RW)").fill("Jl. Tebet Raya 10, RT 02/RW 03")
    form.get_by_label("Kelurahan").select_option("31.74.01.1001")
    form.get_by_label("Kode pos").fill("12810")
    form.get_by_label("Nomor WhatsApp penerima").fill("081298765432")
    form.get_by_role("button", name="Lanjut bayar").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bayar dengan kartu")
    check_page(page)
    card = page.locator("#card-element")
    card.locator("input").nth(0).fill("4242424242424242")
    card.locator("input").nth(1).fill("12")
    card.locator("input").nth(2).fill("30")
    card.locator("input").nth(3).fill("123")
    card.locator("input").nth(4).fill("12810")
    page.get_by_role("button", name=re.compile("^Bayar")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Terima kasih, pembayaran berhasil!", timeout=20_000
    )
    check_page(page)

    page.goto(live_server("/orders"))
    expect(page.get_by_text("Dibayar, perlu dikirim")).to_have_count(2)
    check_page(page)
    log_out(page)

    log_in(page, live_server, world.biz_cakung.owner)
    page.goto(live_server("/business/orders"))
    expect(page.get_by_text("Dibayar, perlu dikirim")).to_have_count(1)
    check_page(page)
    page.get_by_role("link", name=re.compile("Pesanan #")).click()
    check_page(page)
    page.get_by_label("Kurir").fill("JNE")
    page.get_by_label("Nomor resi").fill("JNE0001234567")
    page.get_by_role("button", name="Sudah dikirim").click()
    expect(page.get_by_role("status")).to_contain_text("ditandai dikirim")
    page.goto(live_server("/business/books/"))
    expect(page.get_by_text("otomatis dari Pasarkita").first).to_be_visible()
    check_page(page)


def test_lead_schedules_a_session_and_records_attendance(page, live_server, world):
    log_in(page, live_server, world.lead_tebet)
    page.goto(live_server("/lead/tebet/"))
    check_page(page)
    page.get_by_role("link", name="Sesi pendampingan").click()
    check_page(page)
    form = page.locator("main form")
    form.get_by_label("Topik", exact=True).fill("Katalog WhatsApp Business")
    form.get_by_label("Jalur").select_option("upskilling")
    from datetime import datetime

    from marketplace.core.timeutil import JAKARTA

    start = (datetime.now(JAKARTA) + timedelta(days=3)).strftime("%Y-%m-%dT19:00")
    form.get_by_label("Tanggal dan jam mulai (WIB)").fill(start)
    form.get_by_label("Tempat", exact=True).fill("Aula Kecamatan Tebet")
    form.get_by_label("Ulangi setiap minggu, berapa kali").fill("4")
    form.get_by_role("button", name="Jadwalkan").click()
    expect(page.get_by_role("status")).to_contain_text("4 sesi dijadwalkan")

    # A week of mentoring later: the first session has happened.
    from marketplace.core.timeutil import utcnow
    from marketplace.mentoring.models import MentoringSession

    first = db.session.scalar(select(MentoringSession).order_by(MentoringSession.starts_at))
    first.starts_at = utcnow() - timedelta(hours=2)
    db.session.commit()
    page.goto(live_server(f"/lead/tebet/sessions/{first.id}"))
    check_page(page)
    page.get_by_label(world.biz_tebet.name).check()
    page.get_by_role("button", name="Simpan kehadiran").click()
    expect(page.get_by_role("status")).to_contain_text("Kehadiran 1 anggota dicatat")
    page.goto(live_server(f"/lead/tebet/members/{world.biz_tebet.id}"))
    expect(page.get_by_text("1 dari 4 sesi")).to_be_visible()
    check_page(page)
