"""Buyers find legal products by the words they type, and see nothing else."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from marketplace.catalog.models import Product
from marketplace.search import services as search
from marketplace.search.index import Filters
from tests.factories import image_bytes, make_business, make_document, make_product, make_user

ROOT = Path(__file__).resolve().parents[2]


def names(text, **filters):
    _, products = search.search_products(text, Filters(**filters))
    return [p.name for p in products]


@pytest.fixture
def shop(world, db):
    """Listed products in two chapters, plus hidden ones that must never show."""
    t, c = world.biz_tebet, world.biz_cakung
    listed = {
        "keripik": make_product(
            business=t,
            name="Keripik Singkong Pedas",
            status="listed",
            description="Camilan gurih dengan rasa kepedasan pas",
        ),
        "batik": make_product(
            business=c,
            name="Batik untuk Wanita",
            category="fashion",
            status="listed",
            price_idr=150_000,
            description="Kain batik tulis motif mega mendung",
        ),
        "kemeja": make_product(
            business=c,
            name="Kemeja Batik Pria",
            category="fashion",
            status="listed",
            price_idr=185_000,
        ),
        "rotan": make_product(
            business=t,
            name="Keranjang Rotan Pengrajin Cakung",
            category="kriya",
            status="listed",
            price_idr=90_000,
            stock=0,
        ),
        "kue": make_product(
            business=t, name="Kue-kue Kering Lebaran", status="listed", price_idr=60_000
        ),
    }
    hidden = {
        "draft": make_product(business=t, name="Sambal Rahasia Draft", status="draft"),
        "unlisted": make_product(business=c, name="Sambal Turun Etalase", status="unlisted"),
    }
    make_document(business=t, kind="halal", products=[listed["keripik"]])
    return listed, hidden


# --- Indonesian words --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kepedasan", "Keripik Singkong Pedas"),  # ke-an affix
        ("pedas", "Keripik Singkong Pedas"),  # a description's "kepedasan" meets "pedas"
        ("kripik", "Keripik Singkong Pedas"),  # a typo, one letter missing
        ("keripk", "Keripik Singkong Pedas"),
        ("pakaian batik wanita", "Batik untuk Wanita"),  # "pakaian" is not in the text
        ("kerajinan rotan", "Keranjang Rotan Pengrajin Cakung"),  # kerajinan/pengrajin -> rajin
        ("kue", "Kue-kue Kering Lebaran"),  # reduplication
        ("KEMEJA batik", "Kemeja Batik Pria"),
    ],
)
def test_buyers_find_products_by_the_words_they_type(shop, query, expected):
    assert expected in names(query)


def test_name_matches_rank_above_description_matches(shop, world, db):
    make_product(
        business=world.biz_tebet,
        name="Tas Anyaman",
        status="listed",
        description="Cocok dibawa bersama batik",
    )
    assert names("batik")[:2] == ["Batik untuk Wanita", "Kemeja Batik Pria"] or set(
        names("batik")[:2]
    ) == {"Batik untuk Wanita", "Kemeja Batik Pria"}
    assert names("batik")[-1] == "Tas Anyaman"


def test_did_you_mean_suggests_the_indexed_word(shop):
    result, _ = search.search_products("kemejja", Filters())
    assert result.suggestion == "kemeja"


def test_filters_sorting_and_facets(shop, world):
    assert names("", category="fashion") == ["Kemeja Batik Pria", "Batik untuk Wanita"] or set(
        names("", category="fashion")
    ) == {"Kemeja Batik Pria", "Batik untuk Wanita"}
    assert names("batik", chapter="tebet") == []
    assert names("", min_price=100_000, max_price=160_000) == ["Batik untuk Wanita"]
    assert names("", halal=True) == ["Keripik Singkong Pedas"]
    assert "Keranjang Rotan Pengrajin Cakung" not in names("", in_stock=True)
    result, products = search.search_products("", Filters(category="fashion"), sort="price_desc")
    assert [p.price_idr for p in products] == [185_000, 150_000]
    result, _ = search.search_products("", Filters(), facets=True)
    assert result.facets["category"] == {"kuliner": 2, "fashion": 2, "kriya": 1}
    assert result.facets["chapter"] == {"tebet": 3, "cakung": 2}


# --- visibility ----------------------------------------------------------------------------


HIDDEN_QUERIES = [
    "sambal",
    "Sambal Rahasia Draft",
    "status:draft",
    "status:unlisted",
    "chapter:cakung sambal",
    "category:kuliner OR sambal",
    "id:*",
    "*",
    "s*",
]


@pytest.mark.parametrize("query", HIDDEN_QUERIES)
def test_unlisted_and_draft_products_never_appear_even_for_field_syntax(client, shop, query):
    listed, hidden = shop
    hidden_names = {p.name for p in hidden.values()}
    assert not hidden_names & set(names(query))
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    api = client.get("/api/v1/products", query_string={"q": query}).get_json()
    for name in hidden_names:
        assert name not in json.dumps(api)
    for hidden_product in hidden.values():
        assert f'href="/p/{hidden_product.id}"' not in page
    for hidden_product in hidden.values():
        assert client.get(f"/p/{hidden_product.id}").status_code == 404
        assert client.get(f"/api/v1/products/{hidden_product.id}").status_code == 404


def test_facets_count_only_visible_products(shop):
    result, _ = search.search_products("sambal", Filters(), facets=True)
    assert result.total == 0
    assert sum(result.facets.get("category", {}).values()) == 0


def test_permit_lapse_removes_a_product_from_search_storefront_and_api(client, db, world):
    from marketplace.catalog.services import list_product
    from marketplace.core.timeutil import jakarta_today
    from marketplace.legality.services import expire_permits
    from tests.factories import make_listable_product

    product = make_listable_product(business=world.biz_tebet, name="Abon Ikan Tongkol")
    list_product(product, actor=world.biz_tebet.owner, without_photo=True)
    db.session.commit()
    assert "Abon Ikan Tongkol" in names("abon")
    assert "Abon Ikan Tongkol" in client.get("/c/tebet").get_data(as_text=True)

    from datetime import timedelta

    from marketplace.legality.models import LegalityDocument

    pirt = db.session.scalar(select(LegalityDocument).where(LegalityDocument.kind == "pirt"))
    pirt.expires_on = jakarta_today() - timedelta(days=1)
    db.session.commit()
    expire_permits()
    db.session.commit()
    assert names("abon") == []
    assert "Abon Ikan Tongkol" not in client.get("/c/tebet").get_data(as_text=True)
    assert "Abon Ikan Tongkol" not in client.get("/").get_data(as_text=True)
    assert client.get(f"/api/v1/products/{product.id}").status_code == 404
    assert client.get(f"/p/{product.id}").status_code == 404


def test_products_of_a_business_without_verified_nib_are_not_listed_anywhere(client, db, world):
    """Listing passes the gate; a business that never passed it has nothing to show."""
    from marketplace.catalog.services import list_product
    from marketplace.core.errors import DomainError

    unverified = make_business(chapter=world.tebet, owner=make_user(), name="Toko Belum Sah")
    product = make_product(business=unverified, name="Madu Hutan Liar")
    with pytest.raises(DomainError):
        list_product(product, actor=unverified.owner, without_photo=True)
    db.session.rollback()
    assert names("madu") == []
    assert client.get(f"/b/{unverified.id}").status_code == 404


def test_reindex_yields_exactly_the_listed_set(app, shop, db):
    runner = app.test_cli_runner()
    from marketplace.search.cli import search as search_cli

    result = runner.invoke(search_cli, ["reindex"])
    assert result.exit_code == 0, result.output
    listed_ids = set(db.session.scalars(select(Product.id).where(Product.status == "listed")))
    assert search.get_index().doc_ids() == listed_ids
    assert f"indexed {len(listed_ids)}" in result.output


# --- the change feed -------------------------------------------------------------------------


def test_index_converges_after_a_crash_between_commit_and_index_update(app, shop, db):
    listed, _ = shop
    search.apply_feed()
    # The product is unlisted and committed, but the process "dies" before the index
    # hears of it: nothing applies the feed.
    from marketplace.core.statemachine import apply_transition

    apply_transition(listed["batik"], "unlist", actor=None, role="system")
    db.session.commit()
    assert listed["batik"].id in search.get_index().doc_ids()  # stale until the feed runs
    # Start-up (or `flask search follow`) applies the feed and the index converges.
    search.get_index().close()
    from marketplace.search.cli import search as search_cli

    assert app.test_cli_runner().invoke(search_cli, ["follow", "--once"]).exit_code == 0
    assert listed["batik"].id not in search.get_index().doc_ids()


def test_a_web_change_is_searchable_right_after_the_request(csrf_client, login_as, db, world):
    from tests.factories import make_listable_product

    product = make_listable_product(business=world.biz_tebet, name="Rengginang Ketan")
    login_as(csrf_client.client, world.biz_tebet.owner)
    csrf_client.post(f"/business/products/{product.id}/list", data={"without_photo": "y"})
    assert product.id in search.get_index().doc_ids()
    csrf_client.post(f"/business/products/{product.id}/unlist")
    assert product.id not in search.get_index().doc_ids()


WRITER = r"""
import sys
from wsgi import app
from marketplace.extensions import db
from marketplace.catalog.models import Product
from marketplace.core.statemachine import apply_transition
from marketplace.search.services import apply_feed
from sqlalchemy import select

ids = [int(x) for x in sys.argv[1].split(",")]
with app.app_context():
    for round_ in range(6):
        for pid in ids:
            product = db.session.get(Product, pid)
            action = "unlist" if product.status == "listed" else "list"
            apply_transition(product, action, actor=None, role="system")
            db.session.commit()
            apply_feed(timeout=10)
"""


def test_two_processes_writing_converge_to_the_database(app, shop, db, tmp_path, migrated):
    env_url = migrated
    listed, _ = shop
    ids = sorted(p.id for p in listed.values())
    index_dir = app.config["SEARCH_INDEX_DIR"]
    search.apply_feed()
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "PASARKITA_ENV": "development",
        "DATABASE_URL": env_url,
        "SEARCH_INDEX_DIR": index_dir,
        "PASARKITA_INSTANCE": str(tmp_path),
    }
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), ",".join(map(str, half))],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for half in (ids[::2], ids[1::2])
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert proc.returncode == 0, err
    db.session.expire_all()
    search.get_index().close()
    search.apply_feed()
    listed_now = set(db.session.scalars(select(Product.id).where(Product.status == "listed")))
    assert search.get_index().doc_ids() == listed_now


# --- pages and API ---------------------------------------------------------------------------


def test_product_page_shows_verified_permits_whatsapp_and_breadcrumbs(client, shop, world):
    listed, _ = shop
    page = client.get(f"/p/{listed['keripik'].id}").get_data(as_text=True)
    assert "ID31110000326470622" in page  # the verified halal certificate number
    assert "https://wa.me/6281234567890?text=" in page
    assert "Keripik%20Singkong%20Pedas" in page
    assert 'aria-label="Jejak halaman"' in page
    assert "Tebet" in page


def test_halal_badge_only_with_a_verified_certificate(client, shop, world, db):
    listed, _ = shop
    submitted = make_document(
        business=world.biz_cakung, kind="halal", status="submitted", products=[listed["batik"]]
    )
    assert submitted.status == "submitted"
    api = client.get(f"/api/v1/products/{listed['batik'].id}").get_json()
    assert api["halal"] is False
    assert api["permits"] == []
    api = client.get(f"/api/v1/products/{listed['keripik'].id}").get_json()
    assert api["halal"] is True
    assert {"kind": "halal", "number": "ID31110000326470622"} in api["permits"]


def test_products_api_shape_and_paging(client, shop):
    body = client.get("/api/v1/products?per_page=2&sort=price_asc").get_json()
    assert set(body) == {"items", "total", "page"}
    assert body["page"] == 1
    assert body["total"] == 5
    assert len(body["items"]) == 2
    item = body["items"][0]
    assert set(item) == {
        "id",
        "name",
        "price_idr",
        "category",
        "halal",
        "permits",
        "business",
        "url",
        "images",  # issue 16: the photos, cover first
        "variants",  # issue 16: sizes/colours to pick from
        "rating",  # issue 16: {"average", "count"} or null
    }
    assert item["images"] == []  # the shop's products have no photos
    assert item["variants"] == []  # nor variants
    assert item["rating"] is None  # nor reviews
    assert set(item["business"]) == {"id", "name", "chapter"}
    assert set(item["business"]["chapter"]) == {"slug", "name"}
    assert item["price_idr"] <= body["items"][1]["price_idr"]
    kota = client.get("/api/v1/products?kota=jakarta-timur").get_json()
    assert {i["business"]["chapter"]["slug"] for i in kota["items"]} == {"cakung"}


@pytest.mark.parametrize(
    "query",
    [
        "per_page=101",
        "per_page=0",
        "page=0",
        "page=abc",
        "min_price=-5",
        "max_price=1e9",
        "category=senjata",
        "sort=random",
        "halal=maybe",
        "kota=bandung",
        "min_price=10&max_price=5",
        "q=" + "x" * 201,
        "chapter=../../etc",
    ],
)
def test_bad_api_parameters_answer_400_json(client, query):
    response = client.get(f"/api/v1/products?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "invalid_parameter"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=60),
    params=st.dictionaries(
        st.sampled_from(
            [
                "category",
                "chapter",
                "kota",
                "halal",
                "min_price",
                "max_price",
                "sort",
                "page",
                "per_page",
                "in_stock",
            ]
        ),
        st.text(max_size=12),
        max_size=4,
    ),
)
def test_no_query_or_parameter_yields_a_server_error(client, shop, q, params):
    for path in ("/api/v1/products", "/search"):
        response = client.get(path, query_string={"q": q, **params})
        assert response.status_code < 500, (path, q, params)


# --- stored XSS ----------------------------------------------------------------------------


XSS = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def test_product_text_is_escaped_on_every_buyer_page(client, world, db):
    world.biz_tebet.name = XSS
    product = make_product(
        business=world.biz_tebet,
        name="Keripik " + XSS,
        status="listed",
        description="javascript:alert(3) " + XSS,
    )
    db.session.commit()
    pages = {
        "search": client.get("/search", query_string={"q": "keripik " + XSS}),
        "product": client.get(f"/p/{product.id}"),
        "storefront": client.get("/c/tebet"),
        "business": client.get(f"/b/{world.biz_tebet.id}"),
        "home": client.get("/"),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert "<script>alert(2)" not in page, name
        assert "<img src=x" not in page, name
        assert 'href="javascript:' not in page, name


# --- bounded SQL per page ------------------------------------------------------------------


def _grow(world, n):
    for i in range(n):
        make_product(
            business=world.biz_tebet if i % 2 else world.biz_cakung,
            name=f"Produk Kue {i}",
            status="listed",
        )


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_use_a_bounded_number_of_sql_statements(
    client, login_as, world, db, count_statements, signed_in
):
    if signed_in:
        login_as(client, world.consumer_a)
    _grow(world, 10)
    product = db.session.scalar(select(Product).where(Product.status == "listed"))
    urls = [
        "/",
        "/c/tebet",
        "/search?q=kue",
        "/search?q=kue&category=kuliner&sort=price_asc",
        f"/p/{product.id}",
        f"/b/{world.biz_tebet.id}",
        "/api/v1/products?q=kue",
    ]
    client.get("/search?q=warmup")  # applies the feed once, outside the measurement
    small = {}
    for url in urls:
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        small[url] = len(counter)
    _grow(world, 150)
    client.get("/search?q=warmup")
    for url in urls:
        with count_statements() as counter:
            assert client.get(url).status_code == 200
        assert len(counter) == small[url], (url, counter.statements)
        # The storefront also shows the seller's delivery options (issue 15): one more.
        assert len(counter) <= (9 if url.startswith("/b/") else 8), (url, counter.statements)


# --- photos --------------------------------------------------------------------------------


def test_owner_adds_up_to_five_photos_shown_as_thumbnails(csrf_client, login_as, db, world):
    product = make_product(business=world.biz_tebet, status="listed")
    login_as(csrf_client.client, world.biz_tebet.owner)
    for i in range(6):
        csrf_client.post(
            f"/business/products/{product.id}/images",
            data={"file": (io.BytesIO(image_bytes(size=(1600, 1200))), f"foto{i}.jpg")},
            content_type="multipart/form-data",
        )
    db.session.refresh(product)
    assert len(product.images) == 5
    thumb = csrf_client.get(f"/media/p/{product.images[0].id}/thumb.jpg")
    from PIL import Image

    assert max(Image.open(io.BytesIO(thumb.data)).size) == 320  # the 320 px rendition (issue 16)
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"


def test_photos_of_hidden_products_are_not_served_to_the_public(client, db, world, app):
    product = make_product(business=world.biz_tebet, status="listed")
    from werkzeug.datastructures import FileStorage

    from marketplace.catalog.services import add_image

    image = add_image(
        product, FileStorage(io.BytesIO(image_bytes()), "a.jpg"), actor=world.biz_tebet.owner
    )
    db.session.commit()
    assert client.get(f"/media/p/{image.id}/thumb.jpg").status_code == 200
    product.status = "unlisted"
    db.session.commit()
    assert client.get(f"/media/p/{image.id}/thumb.jpg").status_code == 404


def test_search_pages_link_to_the_next_page(client, shop):
    first = client.get("/search?per_page=2").get_data(as_text=True)
    assert "page=2" in first
    last = client.get("/search?per_page=2&page=3").get_data(as_text=True)
    assert "page=2" in last
    assert "page=4" not in last


def test_search_page_says_when_facet_counts_are_estimates_and_counts_exactly_on_demand(
    client, shop, monkeypatch
):
    from marketplace.search import index as search_index

    monkeypatch.setattr(search_index, "FACET_EXACT", 2)  # 5 listed products match ""
    page = client.get("/search?q=").get_data(as_text=True)
    assert "adalah perkiraan dari sebagian produk yang cocok" in page
    assert "facets=exact" in page
    assert "(sekitar " in page
    exact = client.get("/search?q=&facets=exact").get_data(as_text=True)
    assert "perkiraan" not in exact
    assert "(sekitar " not in exact
    assert " (2)</option>" in exact  # kuliner and fashion, counted exactly
