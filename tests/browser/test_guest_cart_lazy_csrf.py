"""A guest adds to the cart from a product page that carried no CSRF token (the page starts
no session; static/js/lazy-csrf.js fetches the token when the form is submitted)."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import assert_no_horizontal_scroll, assert_no_serious_axe_violations

pytestmark = pytest.mark.browser


def test_guest_adds_to_cart_from_a_page_without_a_token(page, live_server, world):
    product = factories.make_product(
        business=world.biz_tebet, name="Sambal Roa Manado", status="listed", stock=5
    )
    page.goto(live_server(f"/p/{product.id}"))
    assert page.context.cookies() == []  # no session for a guest's page
    expect(page.locator('input[name="csrf_token"]')).to_have_value("")
    assert_no_horizontal_scroll(page)
    assert_no_serious_axe_violations(page)
    page.get_by_role("button", name="Tambah ke keranjang").click()
    expect(page).to_have_url(re.compile(r"/cart$"))
    expect(page.get_by_text("Ditambahkan ke keranjang.")).to_be_visible()
    expect(page.get_by_text("Sambal Roa Manado").first).to_be_visible()
