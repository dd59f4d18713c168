"""Guest catalog pages start no session: their forms carry no CSRF token until submitted
(static/js/lazy-csrf.js fetches one from /csrf-token), so the pages are the same bytes for
every guest and cost no session write; every POST stays CSRF-protected."""

import re

import pytest

from tests.factories import make_product

CACHED = {"PAGE_CACHE_SECONDS": 60, "FIGURES_CACHE_SECONDS": 60}


def _pages(world):
    product = make_product(business=world.biz_tebet, name="Sambal Roa", status="listed")
    return product, (
        "/",
        "/search?q=sambal",
        f"/p/{product.id}",
        f"/b/{world.biz_tebet.id}",
        "/c/tebet",
    )


def _cart_lines(client) -> int:
    html = client.get("/cart").get_data(as_text=True)
    return html.count('name="product_id"')


@pytest.mark.parametrize("app_config", [{}, CACHED], indirect=True, ids=["uncached", "cached"])
def test_a_guest_get_of_a_catalog_page_sets_no_session_cookie(app, world):
    _product, pages = _pages(world)
    for url in pages:
        for _ in range(2):  # a miss, then (cached) a hit
            guest = app.test_client()
            response = guest.get(url)
            assert response.status_code == 200, url
            assert "Set-Cookie" not in response.headers, (url, response.headers["Set-Cookie"])
            html = response.get_data(as_text=True)
            assert 'name="csrf-token"' not in html, url
            assert not re.search(r'name="csrf_token" value="[^"]+"', html), url


@pytest.mark.parametrize("app_config", [{}, CACHED], indirect=True, ids=["uncached", "cached"])
def test_a_guest_post_without_a_token_is_still_refused(app, world):
    product, _pages_ = _pages(world)
    guest = app.test_client()
    guest.get(f"/p/{product.id}")
    response = guest.post("/cart/add", data={"product_id": product.id, "quantity": 1})
    assert response.status_code == 400
    assert _cart_lines(guest) == 0
    forged = guest.post(
        "/cart/add", data={"product_id": product.id, "quantity": 1, "csrf_token": "forged"}
    )
    assert forged.status_code == 400
    assert _cart_lines(guest) == 0


@pytest.mark.parametrize("app_config", [{}, CACHED], indirect=True, ids=["uncached", "cached"])
def test_a_guest_adds_to_cart_with_the_lazily_fetched_token(app, world):
    product, _pages_ = _pages(world)
    tokens = []
    for _ in range(2):
        guest = app.test_client()
        html = guest.get(f"/p/{product.id}").get_data(as_text=True)
        assert 'data-lazy-csrf="/csrf-token"' in html
        assert "js/lazy-csrf" in html
        fetched = guest.get("/csrf-token")
        assert fetched.headers["Cache-Control"] == "no-store"
        assert "Set-Cookie" in fetched.headers  # the session starts here, not on the page
        token = fetched.get_json()["csrf_token"]
        tokens.append(token)
        response = guest.post(
            "/cart/add",
            data={"csrf_token": token, "lazy_csrf": "1", "product_id": product.id, "quantity": 2},
        )
        assert response.status_code == 302
        assert "/cart" in response.headers["Location"]
        assert _cart_lines(guest) == 1
    assert tokens[0] != tokens[1]


def test_without_javascript_the_refused_cart_form_comes_back_with_a_token(app, world):
    """The tokenless post does nothing (400) and answers the same fields with a token;
    posting that adds to the cart."""
    product, _pages_ = _pages(world)
    guest = app.test_client()
    guest.get(f"/p/{product.id}")
    refused = guest.post(
        "/cart/add", data={"lazy_csrf": "1", "product_id": product.id, "quantity": 3}
    )
    assert refused.status_code == 400
    assert _cart_lines(guest) == 0
    html = refused.get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert f'name="product_id" value="{product.id}"' in html
    assert 'name="quantity" value="3"' in html
    assert 'action="/cart/add"' in html
    done = guest.post(
        "/cart/add", data={"csrf_token": token, "product_id": product.id, "quantity": 3}
    )
    assert done.status_code == 302
    assert _cart_lines(guest) == 1


def test_the_no_javascript_fallback_is_only_for_a_guests_cart(app, world, login_as):
    """Another endpoint, or a signed-in user, gets the plain refusal (no form to repeat)."""
    guest = app.test_client()
    other = guest.post("/login", data={"lazy_csrf": "1", "email": "a@b.test", "password": "x"})
    assert other.status_code == 400
    assert 'name="csrf_token" value="' not in other.get_data(as_text=True).split("<main")[-1]
    client = app.test_client()
    login_as(client, world.consumer_a)
    product, _pages_ = _pages(world)
    signed_in = client.post(
        "/cart/add", data={"lazy_csrf": "1", "product_id": product.id, "quantity": 1}
    )
    assert signed_in.status_code == 400
    assert "Lanjutkan" not in signed_in.get_data(as_text=True)
