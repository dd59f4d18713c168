"""Issue 16 item 2: product variants (size, colour, one named option) with their own stock
and price difference, through the product page, cart, checkout, stock, orders, books,
search and the public API. A product without variants works as before."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog import variants
from marketplace.catalog.models import Product, ProductVariant
from marketplace.catalog.variants import VariantRow
from marketplace.core.errors import ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db as _db
from marketplace.ledger.models import LedgerEntry
from marketplace.orders import services as orders
from marketplace.orders.models import Cart, CartItem, Order, OrderLine
from marketplace.payments import services as payments
from marketplace.payments.gateway import Intent
from marketplace.search import services as search
from marketplace.search.index import Filters
from tests.concurrency import race
from tests.factories import make_document, make_product, make_user

DELIVERY = {
    "recipient_name": "Ani Lestari",
    "address_line": "Jl. Tebet Raya No. 10, RT 02/RW 03",
    "kelurahan_code": "31.74.01.1001",
    "postal_code": "12810",
    "whatsapp": "0812-9876-5432",
}


def with_sizes(product, sizes, *, actor=None, option2_name=None):
    """Give ``product`` variants through the seller's service: sizes = [(label, stock,
    delta)] or [(label, colour, stock, delta)] with ``option2_name``."""
    rows = []
    for size in sizes:
        if option2_name:
            first, second, stock, delta = size
        else:
            (first, stock, delta), second = size, ""
        rows.append(VariantRow(option1=first, option2=second, stock=stock, price_delta=delta))
    variants.set_variants(
        product,
        "Ukuran",
        option2_name,
        rows,
        actor=actor or product.business.owner,
    )
    _db.session.commit()
    return {v.label: v for v in product.active_variants}


@pytest.fixture
def daster(world, db):
    make_document(business=world.biz_cakung, kind="nib")
    product = make_product(
        business=world.biz_cakung,
        name="Daster Batik Rayon",
        category="fashion",
        status="listed",
        price_idr=65_000,
        stock=0,
    )
    sizes = with_sizes(product, [("S", 3, ""), ("M", 10, ""), ("L", 0, ""), ("XL", 4, "5.000")])
    return product, sizes


@pytest.fixture
def kaos(world, db):
    """A product without variants (as every product was before issue 16)."""
    return make_product(
        business=world.biz_cakung,
        name="Kaos Polos",
        category="fashion",
        status="listed",
        price_idr=40_000,
        stock=5,
    )


def buyer_cart(user) -> Cart:
    cart = orders.cart_for(user, create=True)
    _db.session.flush()
    return cart


# --- the model: stock is the variants' sum ---------------------------------------------------


def test_a_product_with_variants_has_the_sum_of_their_stock(daster, db):
    product, sizes = daster
    db.session.refresh(product)
    assert product.stock == 3 + 10 + 0 + 4
    assert product.option1_name == "Ukuran"
    assert [v.label for v in product.active_variants] == ["S", "M", "L", "XL"]
    assert sizes["XL"].price_idr == 70_000


def test_a_product_without_variants_is_unchanged(kaos, world, db):
    assert not kaos.has_variants
    cart = buyer_cart(world.consumer_a)
    orders.add_to_cart(cart, kaos.id, 2)
    db.session.commit()
    item = cart.items[0]
    assert (item.variant_id, item.variant_key, item.unit_price_idr) == (None, 0, 40_000)
    assert orders.cart_total(cart) == 80_000


# --- the seller's form: numbers as typed, every refusal at once, nothing changed -------------


def test_seller_saves_variants_written_as_indonesians_write_numbers(
    csrf_client, login_as, world, kaos, db
):
    login_as(csrf_client.client, world.biz_cakung.owner)
    response = csrf_client.post(
        f"/business/products/{kaos.id}/variants",
        data={
            "option1_name": "ukuran",
            "option2_name": "",
            "variant-0-option1": "m",
            "variant-0-stock": "1.000",
            "variant-0-price_delta": "",
            "variant-1-option1": "XL",
            "variant-1-stock": "2",
            "variant-1-price_delta": "-5.000",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    product = db.session.get(Product, kaos.id)
    assert product.option1_name == "Ukuran"
    assert [(v.label, v.stock, v.price_delta_idr) for v in product.active_variants] == [
        ("M", 1000, 0),
        ("XL", 2, -5000),
    ]
    assert product.stock == 1002
    page = csrf_client.get(f"/business/products/{kaos.id}/edit").get_data(as_text=True)
    assert 'value="-5.000"' in page


@pytest.mark.parametrize(
    ("rows", "field", "message"),
    [
        ([("M", "2", ""), ("m", "3", "")], "variant-1-option1", "sama dengan baris 1"),
        ([("M", "-1", "")], "variant-0-stock", "stok harus angka 0 atau lebih"),
        ([("M", "2", "-40.000")], "variant-0-price_delta", "harus lebih dari Rp0"),
        ([("M", "2", "5rb")], "variant-0-price_delta", "65.000"),
    ],
)
def test_a_refused_variant_row_changes_nothing_and_says_why(
    csrf_client, login_as, world, daster, db, rows, field, message
):
    product, _ = daster
    before = [(v.id, v.label, v.stock, v.price_delta_idr, v.active) for v in product.variants]
    login_as(csrf_client.client, world.biz_cakung.owner)
    data = {"option1_name": "Ukuran"}
    for n, (label, stock, delta) in enumerate(rows):
        data |= {
            f"variant-{n}-option1": label,
            f"variant-{n}-stock": stock,
            f"variant-{n}-price_delta": delta,
        }
    # The product's price is 65.000: a -40.000 difference is fine, so make it 30.000.
    if "-40.000" in str(rows):
        product.price_idr = 30_000
        db.session.commit()
    response = csrf_client.post(f"/business/products/{product.id}/variants", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert f'id="{field}-error"' in page
    db.session.expire_all()
    after = [
        (v.id, v.label, v.stock, v.price_delta_idr, v.active)
        for v in db.session.get(Product, product.id).variants
    ]
    assert after == before
    assert db.session.get(Product, product.id).stock == 17


def test_too_many_variants_are_refused(daster, db):
    product, _ = daster
    rows = [VariantRow(option1=str(30 + n), stock=1) for n in range(variants.MAX_VARIANTS + 1)]
    with pytest.raises(ValidationFailed) as refused:
        variants.set_variants(product, "Ukuran", None, rows, actor=product.business.owner)
    assert "Maksimal 30 varian" in str(refused.value.details["errors"]["variants"])


def test_removing_a_variant_keeps_its_row_and_takes_it_out_of_the_stock(daster, db):
    product, sizes = daster
    rows = [
        VariantRow(id=v.id, option1=v.option1, stock=v.stock, remove=(v.label == "M"))
        for v in product.active_variants
    ]
    variants.set_variants(product, "Ukuran", None, rows, actor=product.business.owner)
    db.session.commit()
    db.session.refresh(product)
    assert [v.label for v in product.active_variants] == ["S", "L", "XL"]
    assert product.stock == 7
    assert db.session.get(ProductVariant, sizes["M"].id).active is False


# --- buyer side: the picker, add to cart ---------------------------------------------------


def test_product_page_shows_a_size_picker_with_sold_out_sizes_disabled(client, daster):
    product, sizes = daster
    page = client.get(f"/p/{product.id}").get_data(as_text=True)
    assert "<legend>Pilih Ukuran</legend>" in page
    assert re.search(rf'value="{sizes["L"].id}" disabled', page)
    assert "(habis)" in page
    assert re.search(rf'value="{sizes["M"].id}"(?! disabled)', page)
    assert "XL · Rp70.000" in page
    assert "Rp65.000 – Rp70.000" in page  # the price range of its sizes


def test_add_to_cart_needs_a_variant_when_the_product_has_variants(
    csrf_client, login_as, world, daster, db
):
    product, sizes = daster
    login_as(csrf_client.client, world.consumer_a)
    refused = csrf_client.post("/cart/add", data={"product_id": product.id, "quantity": "1"})
    assert refused.headers["Location"].endswith(f"/p/{product.id}")
    assert "Pilih ukuran dulu." in csrf_client.get(f"/p/{product.id}").get_data(as_text=True)
    assert db.session.scalar(select(func.count(CartItem.id))) == 0
    sold_out = csrf_client.post(
        "/cart/add", data={"product_id": product.id, "quantity": "1", "variant_id": sizes["L"].id}
    )
    assert sold_out.status_code == 302
    assert db.session.scalar(select(func.count(CartItem.id))) == 0
    ok = csrf_client.post(
        "/cart/add", data={"product_id": product.id, "quantity": "2", "variant_id": sizes["M"].id}
    )
    assert ok.headers["Location"].endswith("/cart")
    cart = csrf_client.get("/cart").get_data(as_text=True)
    assert "Ukuran: M" in cart


def test_cart_keeps_one_line_per_variant_with_its_price_and_stock_cap(world, daster, db):
    product, sizes = daster
    cart = buyer_cart(world.consumer_a)
    orders.add_to_cart(cart, product.id, 2, variant_id=sizes["M"].id)
    orders.add_to_cart(cart, product.id, 1, variant_id=sizes["XL"].id)
    orders.add_to_cart(cart, product.id, 1, variant_id=sizes["M"].id)
    db.session.commit()
    assert sorted((i.variant.label, i.quantity, i.unit_price_idr) for i in cart.items) == [
        ("M", 3, 65_000),
        ("XL", 1, 70_000),
    ]
    assert orders.cart_total(cart) == 3 * 65_000 + 70_000
    with pytest.raises(orders.OutOfStock, match="XL"):
        orders.set_quantity(cart, product.id, 5, variant_id=sizes["XL"].id)
    with pytest.raises(orders.OutOfStock):
        orders.add_to_cart(cart, product.id, 4, variant_id=sizes["S"].id)


def test_merging_carts_keeps_variants_apart(world, daster, db):
    product, sizes = daster
    anonymous = Cart(token="t" * 43)
    db.session.add(anonymous)
    orders.add_to_cart(anonymous, product.id, 2, variant_id=sizes["S"].id)
    mine = buyer_cart(world.consumer_a)
    orders.add_to_cart(mine, product.id, 1, variant_id=sizes["M"].id)
    orders.add_to_cart(mine, product.id, 2, variant_id=sizes["S"].id)
    db.session.commit()
    orders.merge_carts(anonymous, world.consumer_a)
    db.session.commit()
    merged = orders.cart_for(world.consumer_a)
    assert sorted((i.variant.label, i.quantity) for i in merged.items) == [("M", 1), ("S", 3)]


# --- checkout, stock, expiry -----------------------------------------------------------------


def _checkout(user, product, variant, quantity=1):
    cart = buyer_cart(user)
    orders.add_to_cart(cart, product.id, quantity, variant_id=variant.id)
    checkout = orders.start_checkout(user, cart, orders.Delivery(**DELIVERY))
    _db.session.commit()
    return checkout


def test_checkout_prices_the_variant_and_takes_its_stock_and_the_total(world, daster, db):
    product, sizes = daster
    checkout = _checkout(world.consumer_a, product, sizes["XL"], quantity=2)
    line = checkout.orders[0].lines[0]
    assert (line.unit_price_idr, line.variant_id, line.variant_label) == (
        70_000,
        sizes["XL"].id,
        "Ukuran: XL",
    )
    assert line.display_name == "Daster Batik Rayon (Ukuran: XL)"
    db.session.expire_all()
    assert db.session.get(ProductVariant, sizes["XL"].id).stock == 2
    assert db.session.get(ProductVariant, sizes["M"].id).stock == 10
    assert db.session.get(Product, product.id).stock == 15


def test_expiry_gives_the_variants_stock_back_exactly_once(world, daster, db):
    product, sizes = daster
    checkout = _checkout(world.consumer_a, product, sizes["S"], quantity=3)
    checkout.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert orders.expire_checkouts() == {"expired": 1}
    db.session.commit()
    assert orders.expire_checkouts() == {"expired": 0}
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ProductVariant, sizes["S"].id).stock == 3
    assert db.session.get(Product, product.id).stock == 17


def test_a_variant_removed_while_in_checkout_gets_its_units_back_outside_the_total(
    world, daster, db
):
    product, sizes = daster
    checkout = _checkout(world.consumer_a, product, sizes["S"], quantity=1)
    rows = [
        VariantRow(id=v.id, option1=v.option1, stock=v.stock, remove=v.label == "S")
        for v in product.active_variants
    ]
    variants.set_variants(product, "Ukuran", None, rows, actor=product.business.owner)
    checkout.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    orders.expire_checkouts()
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(ProductVariant, sizes["S"].id).stock == 3
    assert db.session.get(Product, product.id).stock == 14  # M 10 + XL 4: S is off sale


def test_100_buyers_race_for_10_units_of_one_size(app, world, db):
    make_document(business=world.biz_cakung, kind="nib")
    product = make_product(
        business=world.biz_cakung,
        name="Kemeja Batik",
        category="fashion",
        status="listed",
        price_idr=150_000,
        stock=0,
    )
    sizes = with_sizes(product, [("M", 10, ""), ("L", 7, ""), ("XL", 5, "10.000")])
    users = [make_user() for _ in range(100)]
    for user in users:
        cart = Cart(user_id=user.id)
        cart.items.append(
            CartItem(
                product_id=product.id,
                quantity=1,
                variant_id=sizes["M"].id,
                variant_key=sizes["M"].id,
            )
        )
        db.session.add(cart)
    db.session.commit()
    ids = [u.id for u in users]

    def attempt(i, prepared):
        from marketplace.accounts.models import User

        if prepared is None:
            return ids[i]
        user = _db.session.get(User, prepared)
        orders.start_checkout(user, orders.cart_for(user), orders.Delivery(**DELIVERY))

    ok, refused = race(app, 100, attempt)
    assert (len(ok), len(refused)) == (10, 90)
    db.session.expire_all()
    assert db.session.get(ProductVariant, sizes["M"].id).stock == 0
    assert db.session.get(ProductVariant, sizes["L"].id).stock == 7
    assert db.session.get(ProductVariant, sizes["XL"].id).stock == 5
    assert db.session.get(Product, product.id).stock == 12
    assert db.session.scalar(select(func.count(OrderLine.id))) == 10
    assert db.session.scalar(select(func.count(Order.id))) == 10


def test_checkouts_of_overlapping_sizes_at_once_all_finish_with_exact_stock(app, world, db):
    """Carts with two sizes of one product and carts with one of them, checked out together:
    stock rows are locked in one order (a product's variants, then its total once), so on
    PostgreSQL no two checkouts wait on each other in a circle (a deadlock is a 500)."""
    make_document(business=world.biz_cakung, kind="nib")
    product = make_product(
        business=world.biz_cakung,
        name="Daster Batik",
        category="fashion",
        status="listed",
        price_idr=90_000,
        stock=0,
    )
    sizes = with_sizes(product, [("M", 20, ""), ("L", 20, "")])
    users = [make_user() for _ in range(12)]
    for n, user in enumerate(users):
        cart = Cart(user_id=user.id)
        picked = ("M", "L") if n % 2 == 0 else ("L",) if n % 4 == 1 else ("M",)
        for label in picked:
            variant = sizes[label]
            cart.items.append(
                CartItem(
                    product_id=product.id,
                    quantity=1,
                    variant_id=variant.id,
                    variant_key=variant.id,
                )
            )
        db.session.add(cart)
    db.session.commit()
    ids = [u.id for u in users]

    def attempt(i, prepared):
        from marketplace.accounts.models import User

        if prepared is None:
            return ids[i]
        user = _db.session.get(User, prepared)
        orders.start_checkout(user, orders.cart_for(user), orders.Delivery(**DELIVERY))

    ok, refused = race(app, 12, attempt)
    assert (len(ok), len(refused)) == (12, 0)
    db.session.expire_all()
    sold = db.session.scalar(select(func.count(OrderLine.id)))
    assert sold == 18  # 6 carts of two sizes, 6 of one
    m, l_size = (db.session.get(ProductVariant, sizes[k].id).stock for k in ("M", "L"))
    assert m + l_size == 40 - 18
    assert db.session.get(Product, product.id).stock == m + l_size


# --- orders pages and the books --------------------------------------------------------------


def test_order_pages_and_the_books_say_which_variant_was_sold(
    app, client, login_as, world, daster, db
):
    product, sizes = daster
    checkout = _checkout(world.consumer_a, product, sizes["M"], quantity=2)
    order = checkout.orders[0]
    checkout.payment_intent_id = "pi_variant_test"
    paid = Intent("pi_variant_test", "succeeded", checkout.total_idr, "idr", None, checkout.id)
    assert payments.fulfil(checkout, paid) == 1
    db.session.commit()
    entry = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.order_id == order.id, LedgerEntry.category == "penjualan_platform"
        )
    )
    assert entry.note == f"Pesanan #{order.id}: Daster Batik Rayon (Ukuran: M) × 2"
    login_as(client, world.consumer_a)
    assert "Daster Batik Rayon (Ukuran: M) × 2" in client.get(f"/orders/{order.id}").get_data(
        as_text=True
    )
    login_as(client, world.biz_cakung.owner)
    assert "Daster Batik Rayon (Ukuran: M) × 2" in client.get(
        f"/business/orders/{order.id}"
    ).get_data(as_text=True)


# --- search and the API ----------------------------------------------------------------------


def test_search_has_a_size_facet_and_filter_of_sizes_in_stock(client, daster, kaos, db):
    product, _ = daster
    result, found = search.search_products("", Filters(size="M"), facets=True)
    assert [p.id for p in found] == [product.id]
    assert result.facets["size"] == {"S": 1, "M": 1, "XL": 1}  # L is sold out
    assert search.search_products("", Filters(size="L"))[1] == []
    page = client.get("/search?category=fashion").get_data(as_text=True)
    assert '<option value="M">M (1)</option>' in page
    filtered = client.get("/search?size=m").get_data(as_text=True)
    assert "Daster Batik Rayon" in filtered
    assert "Kaos Polos" not in filtered
    assert client.get("/search?size=%3Cscript%3E").status_code == 400


def test_a_variant_edit_reaches_search_through_the_change_feed(daster, db):
    product, _ = daster
    assert search.search_products("", Filters(size="L"))[1] == []  # the index is current
    rows = [
        VariantRow(id=v.id, option1=v.option1, stock=5 if v.label == "L" else v.stock)
        for v in product.active_variants
    ]
    variants.set_variants(product, "Ukuran", None, rows, actor=product.business.owner)
    db.session.commit()
    assert [p.id for p in search.search_products("", Filters(size="L"))[1]] == [product.id]


def test_api_products_carry_their_variants_and_take_a_size_filter(client, daster, kaos):
    product, sizes = daster
    body = client.get(f"/api/v1/products/{product.id}").get_json()
    assert body["variants"][0] == {
        "id": sizes["S"].id,
        "label": "S",
        "options": {"Ukuran": "S"},
        "price_idr": 65_000,
        "in_stock": True,
    }
    assert [(v["label"], v["price_idr"], v["in_stock"]) for v in body["variants"]] == [
        ("S", 65_000, True),
        ("M", 65_000, True),
        ("L", 65_000, False),
        ("XL", 70_000, True),
    ]
    assert client.get(f"/api/v1/products/{kaos.id}").get_json()["variants"] == []
    listed = client.get("/api/v1/products?size=XL").get_json()
    assert [i["id"] for i in listed["items"]] == [product.id]
    assert listed["items"][0]["variants"][3]["label"] == "XL"
    assert client.get("/api/v1/products?size=huge").status_code == 400


def test_openapi_describes_variants_and_the_size_filter(client):
    document = client.get("/api/v1/openapi.json").get_json()
    schemas = document["components"]["schemas"]
    assert "variants" in schemas["Product"]["required"]
    assert schemas["Product"]["properties"]["variants"]["items"] == {
        "$ref": "#/components/schemas/Variant"
    }
    assert set(schemas["Variant"]["required"]) == {
        "id",
        "label",
        "options",
        "price_idr",
        "in_stock",
    }
    parameters = document["paths"]["/api/v1/products"]["get"]["parameters"]
    assert "size" in {p["name"] for p in parameters}


def test_two_options_size_and_colour_make_one_variant_each(world, kaos, db):
    found = with_sizes(
        kaos,
        [("M", "Merah", 2, ""), ("M", "Biru", 1, ""), ("L", "Merah", 0, "")],
        option2_name="warna",
    )
    assert set(found) == {"M / Merah", "M / Biru", "L / Merah"}
    assert found["M / Biru"].options == {"Ukuran": "M", "Warna": "Biru"}
    assert found["M / Biru"].described == "Ukuran: M, Warna: Biru"
    assert variants.size_labels(kaos) == ["M"]


# --- flat pages: statements do not grow with variants, lines or products ----------------------


def _grow_variant_products(business, n, start=0):
    made = []
    for i in range(start, start + n):
        product = make_product(
            business=business,
            name=f"Kemeja Batik Motif {i}",
            category="fashion",
            status="listed",
            price_idr=100_000 + i,
            stock=0,
        )
        with_sizes(product, [(s, 3, "2.000" if s == "XL" else "") for s in ("S", "M", "L", "XL")])
        made.append(product)
    return made


def test_variant_pages_cost_the_same_statements_at_two_sizes(
    client, login_as, world, count_statements, db
):
    make_document(business=world.biz_cakung, kind="nib")
    login_as(client, world.consumer_a)
    products = _grow_variant_products(world.biz_cakung, 2)
    cart = buyer_cart(world.consumer_a)

    def fill(chosen):
        for product in chosen:
            for variant in product.active_variants[:2]:
                orders.add_to_cart(cart, product.id, 1, variant_id=variant.id)
        _db.session.commit()

    fill(products)
    client.get("/search?q=pemanasan")  # applies the feed outside the measurement

    def measure(product):
        counts = {}
        for url in (f"/p/{product.id}", "/search?category=fashion&size=M", "/cart", "/checkout"):
            with count_statements() as counter:
                assert client.get(url).status_code == 200, url
            counts[url.split("?")[0].rsplit("/", 1)[0] or url] = len(counter)
        return counts

    small = measure(products[0])
    more = _grow_variant_products(world.biz_cakung, 18, start=2)
    fill(more[:8])  # 10 products, 20 variant lines in the cart instead of 4
    client.get("/search?q=pemanasan")
    assert measure(more[-1]) == small


def test_editing_a_product_with_variants_keeps_their_stock_and_their_prices_above_zero(daster, db):
    from dataclasses import replace

    from marketplace.catalog import services as catalog
    from marketplace.catalog.services import ProductInput

    product, sizes = daster
    data = ProductInput(
        name=product.name,
        description="",
        ingredients="",
        category="fashion",
        price_idr=60_000,
        stock=999,  # what a stale form could send: the variants' sum stays
    )
    catalog.update_product(product, data, actor=product.business.owner)
    db.session.commit()
    db.session.refresh(product)
    assert (product.price_idr, product.stock) == (60_000, 17)
    rows = [
        VariantRow(id=v.id, option1=v.option1, stock=v.stock, price_delta="-50.000")
        for v in product.active_variants
    ]
    variants.set_variants(product, "Ukuran", None, rows, actor=product.business.owner)
    db.session.commit()
    with pytest.raises(ValidationFailed) as refused:
        catalog.update_product(
            product, replace(data, price_idr=50_000), actor=product.business.owner
        )
    assert refused.value.details["field"] == "price_idr"
