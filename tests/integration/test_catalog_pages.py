"""Catalog pages at scale: no catalogue scans, keyset pages, the guest page cache (always
re-checked), compression in production and long-lived, content-hashed static files."""

import gzip
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import event, update

from marketplace import create_app
from marketplace.catalog.models import Product
from marketplace.catalog.services import unlist_product
from marketplace.core.timeutil import jakarta_today
from tests.factories import make_business, make_document, make_product

CACHED = {"PAGE_CACHE_SECONDS": 60, "FIGURES_CACHE_SECONDS": 60}


def _grow(business, n, category="fashion"):
    return [
        make_product(business=business, name=f"Kain {i:03d}", status="listed", category=category)
        for i in range(n)
    ]


def _product_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'href="/p/(\d+)"', html)]


def _next_link(html: str) -> str | None:
    found = re.search(r'href="([^"]+after=\d+)"', html)
    return found.group(1).replace("&amp;", "&") if found else None


def _walk(client, url) -> list[int]:
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        seen += _product_ids(html.split('id="products-title"')[-1])
        url = _next_link(html)
    return seen


# --- no scan, no sort of the catalogue -----------------------------------------------------


def test_home_and_storefronts_never_scan_or_sort_the_catalogue(client, db, world):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("reads SQLite's EXPLAIN QUERY PLAN")
    products = _grow(world.biz_tebet, 30)
    captured = []

    def record(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        for url in (
            "/",
            "/c/tebet",
            f"/c/tebet?after={products[10].id}",
            f"/b/{world.biz_tebet.id}",
        ):
            assert client.get(url).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    checked = 0
    for sql, parameters in captured:
        if not re.search(r"\b(FROM|JOIN) product\b(?!_)", sql):
            continue
        plan = [
            row[3]
            for row in db.session.connection().exec_driver_sql(
                "EXPLAIN QUERY PLAN " + sql, parameters
            )
        ]
        checked += 1
        assert not [step for step in plan if step.startswith("SCAN product")], (sql, plan)
        assert not [step for step in plan if "TEMP B-TREE" in step], (sql, plan)
    assert checked >= 6


# --- home picks ----------------------------------------------------------------------------


def test_home_picks_are_stable_for_a_day_and_change_the_next(client, db, world):
    from marketplace.catalog.storefront import home_products

    _grow(world.biz_tebet, 40)
    today = jakarta_today()
    newest, picks = home_products(today=today)
    assert len(newest) == 8
    assert len(picks) == 8
    assert not {p.id for p in newest} & {p.id for p in picks}
    assert [p.id for p in home_products(today=today)[1]] == [p.id for p in picks]
    days = {
        tuple(p.id for p in home_products(today=today + timedelta(days=d))[1]) for d in range(5)
    }
    assert len(days) > 1


@pytest.mark.parametrize("app_config", [CACHED], indirect=True)
def test_home_never_shows_a_product_after_it_is_unlisted(client, db, world):
    products = _grow(world.biz_tebet, 20)
    shown = _product_ids(client.get("/").get_data(as_text=True))
    victim = db.session.get(Product, shown[0])
    unlist_product(victim, actor=world.biz_tebet.owner)
    db.session.commit()
    assert victim.id not in _product_ids(client.get("/").get_data(as_text=True))
    assert len(products) == 20


@pytest.mark.parametrize("app_config", [CACHED], indirect=True)
def test_cached_page_is_rechecked_even_when_the_feed_did_not_move(client, db, world):
    """An unlisting whose feed row is not the newest (a PostgreSQL commit out of id order)
    still takes the product off a cached page: the listing itself is re-checked."""
    product = _grow(world.biz_tebet, 3)[0]
    for url in ("/", "/c/tebet", f"/b/{world.biz_tebet.id}", f"/p/{product.id}"):
        assert client.get(url).status_code == 200
    db.session.execute(update(Product).where(Product.id == product.id).values(status="unlisted"))
    db.session.commit()
    for url in ("/", "/c/tebet", f"/b/{world.biz_tebet.id}"):
        assert product.id not in _product_ids(client.get(url).get_data(as_text=True)), url
    assert client.get(f"/p/{product.id}").status_code == 404


@pytest.mark.parametrize("app_config", [CACHED], indirect=True)
def test_home_never_shows_a_product_whose_permit_expired(client, db, world):
    from marketplace.legality.services import expire_permits

    today = jakarta_today()
    food = make_product(business=world.biz_tebet, name="Keripik Tempe", status="listed")
    make_document(
        business=world.biz_tebet, kind="pirt", products=[food], expires_on=today + timedelta(days=2)
    )
    assert food.id in _product_ids(client.get("/").get_data(as_text=True))
    stats = expire_permits(today + timedelta(days=3))
    db.session.commit()
    assert stats["unlisted"] >= 1
    assert food.id not in _product_ids(client.get("/").get_data(as_text=True))


# --- keyset pages --------------------------------------------------------------------------


def test_chapter_storefront_pages_through_every_listed_product_once_newest_first(client, world):
    products = _grow(world.biz_tebet, 30)
    seen = _walk(client, "/c/tebet")
    assert seen == [
        p.id for p in sorted(products, key=lambda p: (p.created_at, p.id), reverse=True)
    ]


def test_business_storefront_reaches_every_listed_product_by_name(client, world):
    """It used to stop at the first 60, with no way to the rest."""
    products = _grow(world.biz_tebet, 61)
    seen = _walk(client, f"/b/{world.biz_tebet.id}")
    assert seen == [p.id for p in sorted(products, key=lambda p: (p.name, p.id))]


def test_a_malformed_or_foreign_after_is_the_first_page(client, world):
    _grow(world.biz_tebet, 3)
    first = _product_ids(client.get("/c/tebet").get_data(as_text=True))
    for after in ("abc", "-1", "9" * 40, "99999999"):
        response = client.get(f"/c/tebet?after={after}")
        assert response.status_code == 200
    assert _product_ids(client.get("/c/tebet?after=abc").get_data(as_text=True)) == first


# --- statements: flat with the data, one per cached hit -------------------------------------

PAGES = (
    "/",
    "/c/tebet",
    "/search",
    "/search?q=kain",
    "/search?category=fashion&in_stock=true&sort=price_asc",
    "/search?q=kain&chapter=tebet&min_price=1000",
)


def _pages(world):
    product = world.biz_tebet_products[0]
    return (*PAGES, f"/p/{product.id}", f"/b/{world.biz_tebet.id}")


@pytest.mark.parametrize("app_config", [{}, CACHED], indirect=True, ids=["uncached", "cached"])
def test_page_statements_are_equal_at_two_sizes_10x_apart(client, world, count_statements, app):
    other = make_business(chapter=world.cakung, name="Tenun Cakung")
    world.biz_tebet_products = _grow(world.biz_tebet, 8) + _grow(other, 7)
    client.get("/search?q=pemanasan")  # applies the feed outside the measurement

    def measure():
        counts = {}
        for url in _pages(world):
            if app.config["PAGE_CACHE_SECONDS"]:
                assert client.get(url).status_code == 200  # fills the cache
            with count_statements() as counter:
                assert client.get(url).status_code == 200
            counts[url] = len(counter)
        return counts

    small = measure()
    _grow(world.biz_tebet, 80)
    _grow(other, 70)
    client.get("/search?q=pemanasan")
    assert measure() == small
    assert max(small.values()) <= 8
    if app.config["PAGE_CACHE_SECONDS"]:
        # A hit: the data version and the shown products' listing, in one statement.
        assert set(small.values()) == {1}


@pytest.mark.parametrize("app_config", [CACHED], indirect=True)
def test_signed_in_pages_never_come_from_the_guest_cache(client, app, world, login_as):
    _grow(world.biz_tebet, 2)
    guest = app.test_client()
    assert "Masuk" in guest.get("/").get_data(as_text=True)
    login_as(client, world.consumer_a)
    page = client.get("/")
    assert "Keluar" in page.get_data(as_text=True)
    assert "no-store" in page.headers["Cache-Control"]


@pytest.mark.parametrize("app_config", [CACHED], indirect=True)
def test_every_guest_gets_their_own_working_cart_token_from_a_cached_page(app, world):
    product = _grow(world.biz_tebet, 1)[0]
    tokens = []
    for _ in range(2):
        guest = app.test_client()
        html = guest.get(f"/p/{product.id}").get_data(as_text=True)
        assert 'data-lazy-csrf="/csrf-token"' in html  # fetched when the form is submitted
        token = guest.get("/csrf-token").get_json()["csrf_token"]
        assert "placeholder" not in token
        tokens.append(token)
        response = guest.post(
            "/cart/add", data={"csrf_token": token, "product_id": product.id, "quantity": 1}
        )
        assert response.status_code == 302
        assert "/cart" in response.headers["Location"]
    assert tokens[0] != tokens[1]


# --- production: compression, static files -------------------------------------------------


@contextmanager
def _production_app(migrated, **overrides):
    """A production app on the test database; its own engine is closed afterwards (on
    PostgreSQL an engine left to the garbage collector leaks open connections)."""
    from marketplace.extensions import db
    from tests.integration.test_security_defaults import STRONG_KEY, prod_config

    app = create_app(
        prod_config(SECRET_KEY=STRONG_KEY, SQLALCHEMY_DATABASE_URI=migrated, **overrides)
    )
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_production_compresses_pages_for_clients_that_accept_gzip(migrated, tmp_path):
    with _production_app(migrated, SEARCH_INDEX_DIR=str(tmp_path / "index")) as app:
        client = app.test_client()
        base = "https://pasarkita.example"
        zipped = client.get("/", base_url=base, headers={"Accept-Encoding": "gzip"})
        assert zipped.status_code == 200
        assert zipped.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in zipped.headers["Vary"]
        assert b"<!doctype html>" in gzip.decompress(zipped.data)
        css = client.get("/static/css/app.css", base_url=base, headers={"Accept-Encoding": "gzip"})
        assert css.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(css.data).startswith(b"/*") or len(gzip.decompress(css.data)) > 100
        css.close()
        plain = client.get("/", base_url=base)
        assert "Content-Encoding" not in plain.headers
        assert plain.data.startswith(b"<!doctype html>")


def test_development_and_tests_do_not_compress(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers


def test_static_files_are_linked_by_content_hash_and_kept_a_year(client, app):
    import hashlib
    from pathlib import Path

    html = client.get("/").get_data(as_text=True)
    href = re.search(r'href="(/static/css/app\.css\?v=([0-9a-f]+))"', html)
    assert href, "the stylesheet link carries a version"
    css = Path(app.static_folder, "css", "app.css").read_bytes()
    assert href.group(2) == hashlib.sha256(css).hexdigest()[:12]
    kept = client.get(href.group(1))
    kept.close()
    assert kept.status_code == 200
    cache_control = kept.headers["Cache-Control"]
    assert "max-age=31536000" in cache_control
    assert "immutable" in cache_control
    assert "public" in cache_control
    for stale in ("/static/css/app.css", "/static/css/app.css?v=000000000000"):
        response = client.get(stale)
        response.close()
        assert "max-age=31536000" not in response.headers.get("Cache-Control", "")


def test_production_serves_a_cached_guest_page_precompressed_without_a_cookie(migrated, tmp_path):
    import brotli

    with _production_app(migrated, SEARCH_INDEX_DIR=str(tmp_path / "index")) as app:
        base = "https://pasarkita.example"
        first = app.test_client().get("/", base_url=base, headers={"Accept-Encoding": "gzip"})
        for accept, encoding in (("br, gzip", "br"), ("gzip;q=1, br;q=0", "gzip"), ("", None)):
            guest = app.test_client()
            response = guest.get("/", base_url=base, headers={"Accept-Encoding": accept})
            assert response.status_code == 200
            assert response.headers.get("Content-Encoding") == encoding
            assert "Set-Cookie" not in response.headers  # nothing per guest on the page
            body = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(
                response.data
            )
            assert body == gzip.decompress(first.data)
