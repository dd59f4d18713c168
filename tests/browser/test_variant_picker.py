"""Issue 16 variants in Chromium at 360x640 with axe-core: the size picker on /p/ (radio
buttons in a fieldset, a sold-out size disabled with "habis", no JavaScript needed to
choose), add to cart with the size, the cart line saying "Ukuran: M", and the seller's
variant rows on the product form."""

import pytest
from playwright.sync_api import expect

from marketplace.catalog import variants
from marketplace.catalog.variants import VariantRow
from marketplace.extensions import db
from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll, assert_no_serious_axe_violations

pytestmark = pytest.mark.browser


def _log_in(page, live_server, email):
    page.goto(live_server("/login"))
    form = page.locator("main form")
    form.get_by_label("E-mail").fill(email)
    form.get_by_label("Kata sandi", exact=True).fill(factories.PASSWORD)
    form.get_by_role("button", name="Masuk").click()


def test_buyer_picks_a_size_on_a_phone_and_the_cart_says_which(page, live_server, world):
    business = world.biz_cakung
    factories.make_document(business=business, kind="nib")
    product = factories.make_product(
        business=business,
        name="Daster Batik Kawung",
        category="fashion",
        status="listed",
        price_idr=85_000,
        stock=0,
    )
    rows = [
        VariantRow(option1=size, stock=stock, price_delta=delta)
        for size, stock, delta in (("S", 2, ""), ("M", 5, ""), ("L", 0, ""), ("XL", 3, "10.000"))
    ]
    variants.set_variants(product, "Ukuran", None, rows, actor=business.owner)
    db.session.commit()

    page.goto(live_server(f"/p/{product.id}"))
    picker = page.get_by_role("group", name="Pilih Ukuran")
    expect(picker).to_be_visible()
    expect(picker.get_by_label("L (habis)")).to_be_disabled()
    expect(picker.get_by_label("XL · Rp95.000")).to_be_enabled()
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)

    _log_in(page, live_server, world.consumer_a.email)
    page.goto(live_server(f"/p/{product.id}"))
    page.get_by_role("group", name="Pilih Ukuran").get_by_label("M", exact=True).check()
    page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page.get_by_text("Ukuran: M")).to_be_visible()
    expect(page.get_by_text("Rp85.000 × 1")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)


def test_seller_variant_rows_fit_a_phone_and_show_errors_at_the_row(page, live_server, world):
    business = world.biz_cakung
    product = factories.make_product(
        business=business, name="Kemeja Batik Parang", category="fashion", price_idr=185_000
    )
    _log_in(page, live_server, business.owner.email)
    page.goto(live_server(f"/business/products/{product.id}/edit"))
    section = page.locator("#variants")
    section.get_by_label("Varian 1: Ukuran").fill("M")
    section.get_by_label("Varian 1: stok").fill("4")
    section.get_by_label("Varian 2: Ukuran").fill("m")
    section.get_by_label("Varian 2: stok").fill("-1")
    section.get_by_role("button", name="Simpan varian").click()
    expect(page.locator("#variants .error-summary")).to_be_visible()
    expect(page.locator("#variant-1-stock-error")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)
    section = page.locator("#variants")
    section.get_by_label("Varian 2: Ukuran").fill("L")
    section.get_by_label("Varian 2: stok").fill("1.000")
    section.get_by_label("Varian 2: selisih harga (Rp)").fill("-5.000")
    section.get_by_role("button", name="Simpan varian").click()
    expect(page.get_by_text("Varian disimpan.")).to_be_visible()
    expect(page.get_by_text("Stok: 1004")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)
