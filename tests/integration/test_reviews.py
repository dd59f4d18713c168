"""Ratings and reviews (issue 16 item 3): who may review, once, the edit window, the seller's
one reply, reports and the admin's hiding, the kept averages (exact under concurrency and
equal to an independent computation), photos, search sorts, the API and flat pages."""

import io
import random
from datetime import timedelta

import pytest
from freezegun import freeze_time
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.core.audit import AuditEvent
from marketplace.core.errors import IllegalTransition, NotFound, ValidationFailed
from marketplace.extensions import db as _db
from marketplace.orders import aftersales
from marketplace.orders.models import OrderLine
from marketplace.reviews import services as reviews
from marketplace.reviews.models import Review, ReviewReport, ReviewStatus
from marketplace.search import services as search
from marketplace.search.index import Filters
from tests.concurrency import race
from tests.factories import make_order, make_product, make_user


def photo(fmt="JPEG", size=(500, 400)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (90, 140, 200)).save(out, fmt)
    return out.getvalue()


def files(*blobs, name="ulasan.jpg"):
    return [FileStorage(io.BytesIO(b), name) for b in blobs]


def bought(product, consumer, *, status="completed", quantity=1):
    """A line of ``consumer``'s order of ``product`` in ``status`` (fixture data)."""
    order = make_order(business=product.business, consumer=consumer, status=status)
    line = order.lines[0]
    line.product_id = product.id
    line.product_name = product.name
    line.quantity = quantity
    _db.session.commit()
    return line


@pytest.fixture
def goods(world, db):
    return make_product(business=world.biz_tebet, name="Keripik Tempe Sagu", status="listed")


def review_url(line):
    return f"/orders/{line.order_id}/lines/{line.id}/review"


def sums(model, row_id):
    _db.session.expire_all()
    row = _db.session.get(model, row_id)
    return row.rating_count, row.rating_sum


def independent(product_id):
    """SQL AVG/COUNT/SUM over the visible rows: what the kept columns must equal."""
    return _db.session.execute(
        select(
            func.count(Review.id),
            func.coalesce(func.sum(Review.rating), 0),
            func.avg(Review.rating),
        ).where(Review.product_id == product_id, Review.status == ReviewStatus.VISIBLE)
    ).one()


# --- who may review ---------------------------------------------------------------------------


def test_review_only_after_a_completed_purchase_by_its_buyer(csrf_client, login_as, world, goods):
    shipped = bought(goods, world.consumer_a, status="shipped")
    done = bought(goods, world.consumer_a)
    login_as(csrf_client, world.consumer_a)
    assert csrf_client.get(review_url(shipped)).status_code == 404
    assert csrf_client.post(review_url(shipped), data={"rating": "5"}).status_code == 404
    # Another buyer and the seller get 404 for the completed one.
    for other in (world.consumer_b, world.biz_tebet.owner):
        login_as(csrf_client, other)
        assert csrf_client.get(review_url(done)).status_code == 404
        assert csrf_client.post(review_url(done), data={"rating": "1"}).status_code == 404
    assert _db.session.scalar(select(func.count(Review.id))) == 0
    login_as(csrf_client, world.consumer_a)
    order_page = csrf_client.get(f"/orders/{done.order_id}").get_data(as_text=True)
    assert "Beri ulasan" in order_page
    page = csrf_client.get(review_url(done))
    assert page.status_code == 200
    assert 'type="radio"' in page.get_data(as_text=True)
    response = csrf_client.post(review_url(done), data={"rating": "4", "text": "Renyah, enak"})
    assert response.status_code == 302
    assert sums(Product, goods.id) == (1, 4)
    assert sums(Business, world.biz_tebet.id) == (1, 4)
    assert "Ubah ulasan" in csrf_client.get(f"/orders/{done.order_id}").get_data(as_text=True)


def test_service_refuses_a_line_not_completed_or_not_the_actors(world, goods):
    shipped = bought(goods, world.consumer_a, status="shipped")
    done = bought(goods, world.consumer_a)
    with pytest.raises(NotFound):
        reviews.reviewable_line_or_404(world.consumer_a, shipped.order_id, shipped.id)
    with pytest.raises(NotFound):
        reviews.reviewable_line_or_404(world.consumer_b, done.order_id, done.id)
    with pytest.raises(NotFound):
        reviews.create_review(done, rating=5, text="", actor=world.consumer_b)


def test_a_line_is_reviewed_once(world, goods):
    line = bought(goods, world.consumer_a)
    reviews.create_review(line, rating=5, text="Mantap", actor=world.consumer_a)
    _db.session.commit()
    with pytest.raises(IllegalTransition):
        reviews.create_review(line, rating=1, text="lagi", actor=world.consumer_a)
    _db.session.rollback()
    assert sums(Product, goods.id) == (1, 5)


def test_rating_must_be_one_to_five(world, goods):
    line = bought(goods, world.consumer_a)
    for bad in (0, 6, "x", None, True):
        with pytest.raises(ValidationFailed):
            reviews.create_review(line, rating=bad, text="", actor=world.consumer_a)
        _db.session.rollback()


# --- the edit window ----------------------------------------------------------------------------


def test_the_author_edits_within_30_days_and_is_refused_after(csrf_client, login_as, world, goods):
    line = bought(goods, world.consumer_a)
    with freeze_time("2026-11-01 10:00:00") as frozen:
        login_as(csrf_client, world.consumer_a)
        csrf_client.post(review_url(line), data={"rating": "2", "text": "Agak lembek"})
        frozen.tick(timedelta(days=29))
        login_as(csrf_client, world.consumer_a)  # a login session does not last a month
        response = csrf_client.post(review_url(line), data={"rating": "4", "text": "Dikirim ulang"})
        assert response.status_code == 302
        assert sums(Product, goods.id) == (1, 4)
        frozen.tick(timedelta(days=2))
        login_as(csrf_client, world.consumer_a)
        page = csrf_client.get(review_url(line)).get_data(as_text=True)
        assert "hanya bisa diubah dalam 30 hari" in page
        refused = csrf_client.post(review_url(line), data={"rating": "1", "text": "Ubah lagi"})
        assert refused.status_code == 400
        assert "hanya bisa diubah dalam 30 hari" in refused.get_data(as_text=True)
    _db.session.expire_all()
    review = _db.session.scalar(select(Review))
    assert (review.rating, review.text) == (4, "Dikirim ulang")
    assert sums(Product, goods.id) == (1, 4)


def test_only_the_author_edits(world, goods):
    line = bought(goods, world.consumer_a)
    review = reviews.create_review(line, rating=3, text="", actor=world.consumer_a)
    _db.session.commit()
    with pytest.raises(NotFound):
        reviews.own_review_or_404(world.consumer_b, review.id)
    with pytest.raises(NotFound):
        reviews.edit_review(review, rating=1, text="", actor=world.consumer_b)


# --- the seller's reply -------------------------------------------------------------------------


def test_the_seller_replies_once_and_another_seller_gets_404(csrf_client, login_as, world, goods):
    line = bought(goods, world.consumer_a)
    review = reviews.create_review(line, rating=2, text="Kurang pedas", actor=world.consumer_a)
    _db.session.commit()
    login_as(csrf_client, world.biz_cakung.owner)
    assert csrf_client.get("/business/reviews").status_code == 200
    other = csrf_client.post(f"/business/reviews/{review.id}/reply", data={"text": "Hai"})
    assert other.status_code == 404
    login_as(csrf_client, world.biz_tebet.owner)
    listing = csrf_client.get("/business/reviews").get_data(as_text=True)
    assert "Kurang pedas" in listing
    csrf_client.post(f"/business/reviews/{review.id}/reply", data={"text": "Terima kasih, Kak"})
    csrf_client.post(f"/business/reviews/{review.id}/reply", data={"text": "Balasan kedua"})
    _db.session.expire_all()
    assert _db.session.get(Review, review.id).reply_text == "Terima kasih, Kak"
    with pytest.raises(IllegalTransition):
        reviews.reply(
            _db.session.get(Review, review.id), text="Ketiga", actor=world.biz_tebet.owner
        )
    _db.session.rollback()
    page = csrf_client.get(f"/p/{goods.id}").get_data(as_text=True)
    assert "Terima kasih, Kak" in page
    assert "Balasan kedua" not in page


# --- reports and hiding -------------------------------------------------------------------------


def test_report_once_then_the_admin_hides_with_a_reason_recorded(
    csrf_client, login_as, client, world, goods
):
    a = reviews.create_review(
        bought(goods, world.consumer_a), rating=1, text="Penipu! 0812", actor=world.consumer_a
    )
    reviews.create_review(
        bought(goods, world.consumer_b), rating=5, text="Enak sekali", actor=world.consumer_b
    )
    _db.session.commit()
    assert sums(Product, goods.id) == (2, 6)
    reporter = make_user(name="Citra Lestari")
    login_as(csrf_client, reporter)
    assert csrf_client.get(f"/reviews/{a.id}/report").status_code == 200
    csrf_client.post(f"/reviews/{a.id}/report", data={"reason": "Ada nomor telepon"})
    again = csrf_client.post(f"/reviews/{a.id}/report", data={"reason": "Laporan kedua"})
    assert again.status_code == 400
    assert _db.session.scalar(select(func.count(ReviewReport.id))) == 1
    login_as(csrf_client, world.admin)
    listing = csrf_client.get("/admin/reviews").get_data(as_text=True)
    assert f"/admin/reviews/{a.id}/hide" in listing
    assert "Ada nomor telepon" in csrf_client.get(f"/admin/reviews/{a.id}/hide").get_data(
        as_text=True
    )
    csrf_client.post(f"/admin/reviews/{a.id}/hide", data={"reason": "Memuat data pribadi"})
    _db.session.expire_all()
    hidden = _db.session.get(Review, a.id)
    assert hidden.status == ReviewStatus.HIDDEN
    assert hidden.hidden_reason == "Memuat data pribadi"
    assert hidden.hidden_by_id == world.admin.id
    assert hidden.hidden_at is not None
    event = _db.session.scalar(select(AuditEvent).where(AuditEvent.action == "review.hidden"))
    assert (event.actor_id, event.role, event.target_id) == (world.admin.id, "admin", a.id)
    # Gone from the averages, the product page, the storefront and the API.
    assert sums(Product, goods.id) == (1, 5)
    assert sums(Business, world.biz_tebet.id) == (1, 5)
    assert "Penipu" not in client.get(f"/p/{goods.id}").get_data(as_text=True)
    assert "Penipu" not in client.get(f"/b/{world.biz_tebet.id}").get_data(as_text=True)
    body = client.get(f"/api/v1/products/{goods.id}/reviews").get_json()
    assert [r["text"] for r in body["items"]] == ["Enak sekali"]
    assert body["rating"] == {"average": 5.0, "count": 1}
    # Unhide: it counts again.
    csrf_client.post(f"/admin/reviews/{a.id}/unhide", data={})
    assert sums(Product, goods.id) == (2, 6)


def test_a_guest_cannot_report_and_a_non_admin_cannot_hide(csrf_client, login_as, world, goods):
    review = reviews.create_review(
        bought(goods, world.consumer_a), rating=3, text="", actor=world.consumer_a
    )
    _db.session.commit()
    assert (
        csrf_client.post(f"/reviews/{review.id}/report", data={"reason": "Spam spam"}).status_code
        == 302
    )
    login_as(csrf_client, world.consumer_b)
    assert csrf_client.get("/admin/reviews").status_code == 403
    assert (
        csrf_client.post(
            f"/admin/reviews/{review.id}/hide", data={"reason": "Tidak suka"}
        ).status_code
        == 403
    )
    assert _db.session.get(Review, review.id).status == ReviewStatus.VISIBLE


def test_a_hidden_review_cannot_be_reported(world, goods):
    review = reviews.create_review(
        bought(goods, world.consumer_a), rating=3, text="", actor=world.consumer_a
    )
    reviews.hide(review, reason="Bukan tentang barangnya", admin=world.admin)
    _db.session.commit()
    with pytest.raises(NotFound):
        reviews.visible_review_or_404(review.id)


# --- the kept averages --------------------------------------------------------------------------


def test_kept_averages_equal_an_independent_sql_computation_after_a_random_mix(world, db):
    rng = random.Random(16)
    products = [
        make_product(business=world.biz_tebet, name=f"Produk {i}", status="listed")
        for i in range(3)
    ]
    buyers = [make_user(name=f"Pembeli {i}") for i in range(6)]
    written = []
    for _step in range(60):
        action = rng.choice(["create", "create", "edit", "hide", "unhide"])
        if action == "create" or not written:
            line = bought(rng.choice(products), rng.choice(buyers))
            author = _db.session.get(
                type(buyers[0]), _db.session.get(OrderLine, line.id).order.consumer_id
            )
            written.append(
                reviews.create_review(line, rating=rng.randint(1, 5), text="", actor=author).id
            )
        else:
            review = _db.session.get(Review, rng.choice(written))
            try:
                if action == "edit":
                    reviews.edit_review(
                        review, rating=rng.randint(1, 5), text="", actor=review.author
                    )
                elif action == "hide":
                    reviews.hide(review, reason="Alasan acak", admin=world.admin)
                else:
                    reviews.unhide(review, admin=world.admin)
            except IllegalTransition:
                _db.session.rollback()
                continue
        _db.session.commit()
    for product in products:
        count, total, avg = independent(product.id)
        assert sums(Product, product.id) == (count, total)
        kept = _db.session.get(Product, product.id)
        assert reviews.average(kept.rating_count, kept.rating_sum) == (
            round(float(avg), 1) if count else None
        )
    business_count, business_sum, _ = _db.session.execute(
        select(
            func.count(Review.id),
            func.coalesce(func.sum(Review.rating), 0),
            func.avg(Review.rating),
        ).where(Review.business_id == world.biz_tebet.id, Review.status == ReviewStatus.VISIBLE)
    ).one()
    assert sums(Business, world.biz_tebet.id) == (business_count, business_sum)
    before = {p.id: sums(Product, p.id) for p in products}
    reviews.recount()
    _db.session.commit()
    assert {p.id: sums(Product, p.id) for p in products} == before


def test_concurrent_reviews_on_one_product_keep_count_and_sum_exact(app, world, db, goods):
    buyers = [make_user(name=f"Pembeli Serentak {i}") for i in range(6)]
    lines = [(bought(goods, b).id, b.id) for b in buyers]
    ratings = [5, 4, 3, 5, 1, 2]

    def attempt(i, prepared):
        from marketplace.accounts.models import User

        line = _db.session.get(OrderLine, lines[i][0])
        if prepared is None:
            return True
        reviews.create_review(
            line, rating=ratings[i], text="", actor=_db.session.get(User, lines[i][1])
        )

    ok, refused = race(app, len(lines), attempt)
    assert sorted(ok) == list(range(len(lines)))
    assert sums(Product, goods.id) == (len(lines), sum(ratings))
    assert sums(Business, world.biz_tebet.id) == (len(lines), sum(ratings))


def test_two_reviews_of_one_line_at_once_count_once(app, world, db, goods):
    line_id, buyer_id = bought(goods, world.consumer_a).id, world.consumer_a.id

    def attempt(i, prepared):
        from marketplace.accounts.models import User

        line = _db.session.get(OrderLine, line_id)
        if prepared is None:
            return True
        reviews.create_review(line, rating=5, text="", actor=_db.session.get(User, buyer_id))

    ok, refused = race(app, 2, attempt)
    assert (len(ok), len(refused)) == (1, 1)
    assert sums(Product, goods.id) == (1, 5)


# --- photos -------------------------------------------------------------------------------------


def test_up_to_three_photos_checked_like_product_photos_and_served_cached(
    client, login_as, world, goods
):
    line = bought(goods, world.consumer_a)
    with pytest.raises(ValidationFailed):
        reviews.create_review(
            line, rating=5, text="", photos=files(*[photo()] * 4), actor=world.consumer_a
        )
    _db.session.rollback()
    for bad, name in (
        (b"<html><script>alert(1)</script></html>", "x.jpg"),
        (b"%PDF-1.4\n%%EOF", "x.pdf"),
    ):
        with pytest.raises(ValidationFailed):
            reviews.create_review(
                line, rating=5, text="", photos=files(bad, name=name), actor=world.consumer_a
            )
        _db.session.rollback()
    assert sums(Product, goods.id) == (0, 0)
    review = reviews.create_review(
        line,
        rating=5,
        text="Foto",
        photos=files(photo()) + files(photo("PNG"), name="ulasan.png"),
        actor=world.consumer_a,
    )
    _db.session.commit()
    assert len(review.photos) == 2
    with pytest.raises(ValidationFailed):
        reviews.edit_review(
            review, rating=5, text="", photos=files(photo(), photo()), actor=world.consumer_a
        )
    _db.session.rollback()
    page = client.get(f"/p/{goods.id}").get_data(as_text=True)
    first = _db.session.get(Review, review.id).photos[0]
    small = first.sources("jpg")[0]
    url = f"/media/r/{first.id}/{small['w']}-{small['d']}.jpg"
    assert url in page
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert "immutable" in response.headers["Cache-Control"]
    assert client.get(f"/media/r/{first.id}/{small['w']}-0000.jpg").status_code == 404
    reviews.hide(_db.session.get(Review, review.id), reason="Foto tidak pantas", admin=world.admin)
    _db.session.commit()
    assert client.get(url).status_code == 404
    # Its author (and the seller, and admins) still see it, never cached publicly.
    login_as(client, world.consumer_a)
    private = client.get(url)
    assert private.status_code == 200
    assert private.headers["Cache-Control"].startswith("private")
    login_as(client, world.consumer_b)
    assert client.get(url).status_code == 404


# --- pages --------------------------------------------------------------------------------------


def test_product_page_storefront_and_cards_show_the_average_and_count(client, world, goods, db):
    for consumer, rating in ((world.consumer_a, 5), (world.consumer_b, 4)):
        reviews.create_review(
            bought(goods, consumer), rating=rating, text=f"Nilai {rating}", actor=consumer
        )
    _db.session.commit()
    page = client.get(f"/p/{goods.id}").get_data(as_text=True)
    assert "4,5 ★ (2 ulasan)" in page
    assert "Nilai 5" in page
    assert "Nilai 4" in page
    assert "Laporkan ulasan ini" in page
    store = client.get(f"/b/{world.biz_tebet.id}").get_data(as_text=True)
    assert "4,5 ★ (2 ulasan)" in store
    assert "Ulasan terbaru" in store
    assert "4,5 ★ (2 ulasan)" in client.get("/search?q=keripik").get_data(as_text=True)
    # The buyer's surname never shows (first name only).
    assert world.consumer_a.name.split(" ")[0] in page


def test_a_new_review_invalidates_the_guests_cached_pages(app, client, world, goods):
    app.config["PAGE_CACHE_SECONDS"] = 300
    assert "ulasan)" not in client.get(f"/p/{goods.id}").get_data(as_text=True)
    reviews.create_review(
        bought(goods, world.consumer_a), rating=5, text="", actor=world.consumer_a
    )
    _db.session.commit()
    assert "5,0 ★ (1 ulasan)" in client.get(f"/p/{goods.id}").get_data(as_text=True)


def test_product_reviews_are_paged_newest_first(client, world, goods):
    buyers = [make_user(name=f"Pembeli{i} Test") for i in range(12)]
    with freeze_time("2026-11-01 10:00:00") as frozen:
        for i, b in enumerate(buyers):
            reviews.create_review(bought(goods, b), rating=5, text=f"Ulasan nomor {i}", actor=b)
            _db.session.commit()
            frozen.tick(timedelta(minutes=1))
    first = client.get(f"/p/{goods.id}").get_data(as_text=True)
    assert "Ulasan nomor 11" in first
    assert "Ulasan nomor 1<" not in first
    import re

    cursor = re.search(r'href="[^"]*ulasan=([^"&]+)"', first).group(1)
    second = client.get(f"/p/{goods.id}?ulasan={cursor}").get_data(as_text=True)
    assert "Ulasan nomor 1<" in second
    assert "Ulasan nomor 0<" in second


# --- units sold and the search sorts -------------------------------------------------------------


def test_units_sold_grow_when_an_order_completes(world, goods):
    line = bought(goods, world.consumer_a, status="shipped", quantity=3)
    assert _db.session.get(Product, goods.id).units_sold == 0
    aftersales.confirm_receipt(_db.session.get(OrderLine, line.id).order, actor=world.consumer_a)
    _db.session.commit()
    _db.session.expire_all()
    assert _db.session.get(Product, goods.id).units_sold == 3


def test_search_sorts_by_rating_then_count_and_by_units_sold(world, db):
    names = ["Keripik Satu", "Keripik Dua", "Keripik Tiga", "Keripik Empat"]
    made = {n: make_product(business=world.biz_tebet, name=n, status="listed") for n in names}
    buyers = [make_user(name=f"Pembeli {i}") for i in range(3)]

    def rate(name, *ratings):
        for buyer, rating in zip(buyers, ratings, strict=False):
            reviews.create_review(bought(made[name], buyer), rating=rating, text="", actor=buyer)

    rate("Keripik Satu", 4)
    rate("Keripik Dua", 5, 5)
    rate("Keripik Tiga", 5)
    for name, quantity in (("Keripik Empat", 7), ("Keripik Satu", 2)):
        line = bought(made[name], world.consumer_a, status="shipped", quantity=quantity)
        aftersales.confirm_receipt(
            _db.session.get(OrderLine, line.id).order, actor=world.consumer_a
        )
    _db.session.commit()

    def order(sort):
        _, products = search.search_products("keripik", Filters(), sort=sort)
        return [p.name for p in products]

    assert order("rating")[:3] == ["Keripik Dua", "Keripik Tiga", "Keripik Satu"]
    assert order("sold")[:2] == ["Keripik Empat", "Keripik Satu"]
    page = search.search_products  # the page and the API take the same sorts
    assert page
    assert 'value="rating"' in _search_page("keripik")
    assert 'value="sold"' in _search_page("keripik")


def _search_page(q):
    from flask import current_app

    return current_app.test_client().get(f"/search?q={q}&sort=rating").get_data(as_text=True)


# --- the API ------------------------------------------------------------------------------------


def test_api_products_carry_rating_and_the_reviews_endpoint_pages(client, world, goods):
    assert client.get(f"/api/v1/products/{goods.id}").get_json()["rating"] is None
    line = bought(goods, world.consumer_a)
    review = reviews.create_review(
        line, rating=4, text="Bagus", photos=files(photo()), actor=world.consumer_a
    )
    reviews.reply(review, text="Terima kasih", actor=world.biz_tebet.owner)
    _db.session.commit()
    item = client.get(f"/api/v1/products/{goods.id}").get_json()
    assert item["rating"] == {"average": 4.0, "count": 1}
    listed = client.get("/api/v1/products?q=keripik&sort=rating").get_json()
    assert listed["items"][0]["rating"] == {"average": 4.0, "count": 1}
    body = client.get(f"/api/v1/products/{goods.id}/reviews").get_json()
    [entry] = body["items"]
    assert entry["rating"] == 4
    assert entry["text"] == "Bagus"
    assert entry["author"] == world.consumer_a.name.split(" ")[0]
    assert entry["reply"]["text"] == "Terima kasih"
    assert entry["photos"][0]["jpeg"].startswith("http")
    assert "email" not in str(entry)
    assert "phone" not in str(entry)
    assert body["next"] is None
    assert client.get(f"/api/v1/products/{goods.id}/reviews?cursor=rubbish").status_code == 200
    assert client.get("/api/v1/products/999999/reviews").status_code == 404
    draft = make_product(business=world.biz_tebet, name="Draf", status="draft")
    assert client.get(f"/api/v1/products/{draft.id}/reviews").status_code == 404


def test_openapi_describes_rating_and_the_reviews_endpoint(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    product = doc["components"]["schemas"]["Product"]
    assert "rating" in product["required"]
    assert doc["components"]["schemas"]["Rating"]["required"] == ["average", "count"]
    path = doc["paths"]["/api/v1/products/{product_id}/reviews"]["get"]
    assert path["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReviewPage"
    }
    review = doc["components"]["schemas"]["Review"]
    assert set(review["properties"]) == {
        "id",
        "rating",
        "text",
        "created",
        "edited",
        "author",
        "photos",
        "reply",
    }
    sorts = next(
        p for p in doc["paths"]["/api/v1/products"]["get"]["parameters"] if p["name"] == "sort"
    )
    assert {"rating", "sold"} <= set(sorts["schema"]["enum"])


# --- flat statement counts ----------------------------------------------------------------------


def _reviews_for(product, n, prefix):
    for i in range(n):
        buyer = make_user(name=f"{prefix}{i} Uji")
        reviews.create_review(
            bought(product, buyer), rating=1 + i % 5, text=f"{prefix} {i}", actor=buyer
        )
    _db.session.commit()


def test_pages_and_lists_are_flat_in_the_number_of_reviews(
    client, csrf_client, login_as, world, count_statements, db
):
    small = make_product(business=world.biz_tebet, name="Sambal Kecil", status="listed")
    big = make_product(business=world.biz_cakung, name="Sambal Besar", status="listed")
    _reviews_for(small, 2, "Kecil")
    _reviews_for(big, 20, "Besar")
    for row in _db.session.scalars(select(Review)):
        reviews.report(row, reason="Periksa ya", actor=world.admin)
    _db.session.commit()

    def statements(url, who=None):
        c = client if who is None else csrf_client
        if who is not None:
            login_as(csrf_client, who)
        c.get(url)  # warm (search index, caches)
        with count_statements() as counter:
            assert c.get(url).status_code == 200
        return len(counter)

    pairs = [
        (f"/p/{small.id}", f"/p/{big.id}", None),
        (f"/b/{world.biz_tebet.id}", f"/b/{world.biz_cakung.id}", None),
        (f"/api/v1/products/{small.id}/reviews", f"/api/v1/products/{big.id}/reviews", None),
        ("/search?q=sambal&sort=rating", "/search?q=sambal&sort=sold", None),
    ]
    for a, b, who in pairs:
        assert statements(a, who) == statements(b, who), (a, b)
    small_seller = statements("/business/reviews", world.biz_tebet.owner)
    big_seller = statements("/business/reviews", world.biz_cakung.owner)
    assert small_seller == big_seller
    admin_list = statements("/admin/reviews", world.admin)
    assert admin_list <= 8


def test_a_refund_at_stripe_after_completion_takes_the_units_back(world, goods):
    from marketplace.core.statemachine import apply_transition

    line = bought(goods, world.consumer_a, status="shipped", quantity=2)
    order = _db.session.get(OrderLine, line.id).order
    aftersales.confirm_receipt(order, actor=world.consumer_a)
    _db.session.commit()
    assert _db.session.get(Product, goods.id).units_sold == 2
    apply_transition(order, "refund_at_stripe", actor=None, role="system")
    _db.session.commit()
    _db.session.expire_all()
    assert _db.session.get(Product, goods.id).units_sold == 0


# --- reports are rate-limited; erasure removes the author's reviews --------------------------


@pytest.mark.parametrize(
    "app_config", [{"RATELIMIT_ENABLED": True, "REVIEW_REPORT_LIMIT": "2 per hour"}], indirect=True
)
def test_reports_are_rate_limited_per_ip(app, csrf_client, login_as, world, goods):
    ids = []
    for i in range(3):
        buyer = make_user(name=f"Penulis{i} Uji")
        ids.append(reviews.create_review(bought(goods, buyer), rating=3, text="", actor=buyer).id)
    _db.session.commit()
    login_as(csrf_client, world.consumer_b)
    codes = [
        csrf_client.post(f"/reviews/{i}/report", data={"reason": "Periksa ulasan ini"}).status_code
        for i in ids
    ]
    assert codes == [302, 302, 429]
    assert _db.session.scalar(select(func.count(ReviewReport.id))) == 2


def test_erasing_an_account_removes_its_reviews_from_the_pages_and_the_averages(
    client, world, goods
):
    from marketplace.privacy import services as privacy
    from tests.factories import PASSWORD

    reviews.create_review(
        bought(goods, world.consumer_a), rating=1, text="Punya Ani", actor=world.consumer_a
    )
    reviews.create_review(
        bought(goods, world.consumer_b), rating=5, text="Punya Bayu", actor=world.consumer_b
    )
    _db.session.commit()
    assert any(s == "reviews" for s, _label, _rows in reviews_export(world.consumer_a))
    privacy.erase_account(world.consumer_a, password=PASSWORD)
    _db.session.commit()
    assert sums(Product, goods.id) == (1, 5)
    page = client.get(f"/p/{goods.id}").get_data(as_text=True)
    assert "Punya Ani" not in page
    assert "Punya Bayu" in page


def reviews_export(user):
    from marketplace.reviews.personal_data import personal_data

    return personal_data(user)


def test_an_operator_rebuilds_drifted_sums_and_units_sold_with_flask_reviews_recount(
    app, world, db
):
    from sqlalchemy import update

    from marketplace.reviews.cli import reviews as reviews_cli

    product = make_product(business=world.biz_tebet, name="Produk Dihitung", status="listed")
    buyer = make_user(name="Pembeli Hitung")
    line = bought(product, buyer, quantity=2)
    reviews.create_review(line, rating=4, text="", actor=buyer)
    _db.session.commit()
    # A restore or a bulk load left the kept figures wrong.
    _db.session.execute(
        update(Product)
        .where(Product.id == product.id)
        .values(rating_count=9, rating_sum=9, units_sold=0)
    )
    _db.session.commit()
    result = app.test_cli_runner().invoke(reviews_cli, ["recount"])
    assert result.exit_code == 0, result.output
    assert "flask search reindex" in result.output
    assert sums(Product, product.id) == (1, 4)
    assert sums(Business, world.biz_tebet.id) == (1, 4)
    assert _db.session.get(Product, product.id).units_sold == 2


# --- the rules hold in the service, whoever calls it ---------------------------------------------


def test_the_service_refuses_a_hide_or_unhide_by_anyone_but_an_admin(world, goods):
    from marketplace.core.errors import PermissionDenied

    review = reviews.create_review(
        bought(goods, world.consumer_a), rating=2, text="", actor=world.consumer_a
    )
    _db.session.commit()
    with pytest.raises(PermissionDenied):
        reviews.hide(review, reason="Tidak suka ulasannya", admin=world.biz_tebet.owner)
    _db.session.rollback()
    reviews.hide(review, reason="Bukan tentang barangnya", admin=world.admin)
    _db.session.commit()
    with pytest.raises(PermissionDenied):
        reviews.unhide(review, admin=world.consumer_b)
    _db.session.rollback()
    assert _db.session.get(Review, review.id).status == ReviewStatus.HIDDEN
    assert sums(Product, goods.id) == (0, 0)


def test_a_review_hidden_after_the_report_form_loaded_is_not_reported(world, goods):
    review = reviews.create_review(
        bought(goods, world.consumer_a), rating=3, text="", actor=world.consumer_a
    )
    _db.session.commit()
    loaded = reviews.visible_review_or_404(review.id)  # the report page opened
    reviews.hide(review, reason="Bukan tentang barangnya", admin=world.admin)
    _db.session.commit()
    with pytest.raises(NotFound):
        reviews.report(loaded, reason="Kata-kata kasar", actor=world.consumer_b)
    _db.session.rollback()
    assert _db.session.get(Review, review.id).report_count == 0


def test_only_the_seller_or_its_catalog_helper_replies(world, goods):
    from marketplace.assist.services import NotGranted

    review = reviews.create_review(
        bought(goods, world.consumer_a), rating=4, text="", actor=world.consumer_a
    )
    _db.session.commit()
    for stranger in (world.biz_cakung.owner, world.consumer_b):
        with pytest.raises(NotGranted):
            reviews.reply(review, text="Bukan penjualnya", actor=stranger)
        _db.session.rollback()
    assert _db.session.get(Review, review.id).reply_text is None


def test_the_storefront_leaves_out_reviews_of_products_no_longer_listed(client, world, goods, db):
    from tests.factories import make_document

    make_document(business=world.biz_tebet, kind="nib")
    other = make_product(business=world.biz_tebet, name="Keripik Pensiun", status="listed")
    reviews.create_review(
        bought(goods, world.consumer_a), rating=5, text="Masih dijual", actor=world.consumer_a
    )
    reviews.create_review(
        bought(other, world.consumer_b), rating=4, text="Sudah ditarik", actor=world.consumer_b
    )
    other.status = "unlisted"
    _db.session.commit()
    shown = [r.text for r in reviews.business_reviews(world.biz_tebet.id)]
    assert shown == ["Masih dijual"]


def test_cleaning_orphan_files_keeps_the_photos_of_reviews(app, world, goods):
    import os
    import time

    from marketplace.catalog.cli import uploads_cli
    from marketplace.core import uploads

    review = reviews.create_review(
        bought(goods, world.consumer_a),
        rating=5,
        text="Foto",
        photos=files(photo()),
        actor=world.consumer_a,
    )
    _db.session.commit()
    keys = review.photos[0].stored_keys()
    old = time.time() - 2 * 3600  # older than the orphan age: only a reference keeps them
    for key in keys:
        os.utime(uploads.upload_dir() / key, (old, old))
    try:
        result = app.test_cli_runner().invoke(uploads_cli, ["orphans", "--delete"])
        assert result.exit_code == 0, result.output
        assert all((uploads.upload_dir() / key).exists() for key in keys)
    finally:  # the upload folder outlives this test's rows: no old files left for the next
        for key in keys:
            (uploads.upload_dir() / key).unlink(missing_ok=True)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("Rina Kartika", "Rina"), ("dr. Wulan Sari, Sp.A", "Wulan"), ("Hj. Aminah", "Aminah")],
)
def test_a_review_shows_the_authors_first_name_never_a_title(world, goods, name, shown):
    buyer = make_user(name=name)
    review = reviews.create_review(bought(goods, buyer), rating=5, text="", actor=buyer)
    assert review.author_first_name == shown
