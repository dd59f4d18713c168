"""Journey 2: a buyer pays several SMEs at once; no replay, race or fault can charge twice,
oversell or lose an order. Stripe is localstripe, driven by the real `stripe` client."""

import json
import logging
import threading
import time
from datetime import timedelta

import pytest
import stripe
from sqlalchemy import func, select

from marketplace.core.timeutil import utcnow
from marketplace.extensions import db as _db
from marketplace.ledger.models import LedgerEntry
from marketplace.notifications.models import Notification
from marketplace.orders import services as orders
from marketplace.orders.models import Cart, Checkout, Order
from marketplace.payments import services as payments
from marketplace.payments.gateway import GatewayError, get_gateway
from marketplace.payments.models import ProcessedStripeEvent
from tests.factories import make_document, make_listable_product, make_product, make_user

DELIVERY = {
    "recipient_name": "Ani Lestari",
    "address_line": "Jl. Tebet Raya No. 10, RT 02/RW 03",
    "kelurahan_code": "31.74.01.1001",
    "postal_code": "12810",
    "whatsapp": "0812-9876-5432",
}


@pytest.fixture
def goods(world, db):
    """Two sellers whose products pass the legality gate (checkout re-checks it)."""
    keripik = make_listable_product(
        business=world.biz_tebet, name="Keripik Balado", status="listed", price_idr=15_000, stock=10
    )
    make_document(business=world.biz_cakung, kind="nib")
    batik = make_product(
        business=world.biz_cakung,
        name="Kain Batik",
        category="fashion",
        status="listed",
        price_idr=120_000,
        stock=3,
    )
    return {"keripik": keripik, "batik": batik}


def buy(client, product, quantity=1):
    return client.post("/cart/add", data={"product_id": str(product.id), "quantity": str(quantity)})


def checkout_via_web(csrf_client, **delivery):
    return csrf_client.post("/checkout", data={**DELIVERY, **delivery})


def latest_checkout() -> Checkout:
    return _db.session.scalar(select(Checkout).order_by(Checkout.id.desc()))


def signed(app, event: dict, *, secret=None, timestamp=None):
    payload = json.dumps(event)
    header = stripe.WebhookSignature.generate_signature_header(
        payload, secret or app.config["STRIPE_WEBHOOK_SECRET"], timestamp=timestamp
    )
    return payload, header


def post_event(client, app, event, **kw):
    payload, header = signed(app, event, **kw)
    return client.post(
        "/payments/stripe/webhook",
        data=payload,
        headers={"Stripe-Signature": header},
        content_type="application/json",
    )


def intent_event(
    checkout: Checkout,
    kind="payment_intent.succeeded",
    *,
    amount=None,
    currency="idr",
    event_id=None,
    intent_id=None,
):
    return {
        "id": event_id or f"evt_{kind}_{checkout.id}",
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {
            "object": {
                "id": intent_id or checkout.payment_intent_id,
                "object": "payment_intent",
                "amount": (checkout.total_idr if amount is None else amount) * 100,
                "currency": currency,
                "status": "succeeded" if kind.endswith("succeeded") else "requires_payment_method",
                "metadata": {"checkout_id": str(checkout.id)},
                "last_payment_error": {"message": "Your card was declined."},
            }
        },
    }


@pytest.fixture
def started(app, stripe_base, csrf_client, login_as, world, goods):
    """Ani has a checkout over two SMEs with a PaymentIntent at localstripe."""
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["keripik"], 2)
    buy(csrf_client, goods["batik"], 1)
    response = checkout_via_web(csrf_client)
    assert response.status_code == 302, response.get_data(as_text=True)
    checkout = latest_checkout()
    assert csrf_client.get(f"/checkout/{checkout.id}/pay").status_code == 200
    _db.session.refresh(checkout)
    return checkout


# --- the journey -----------------------------------------------------------------------------


def test_journey_buy_from_two_smes_in_one_payment(
    app, stripe_base, csrf_client, login_as, world, goods, db, started
):
    checkout = started
    assert len(checkout.orders) == 2
    assert checkout.total_idr == 2 * 15_000 + 120_000
    intent = get_gateway().retrieve(checkout.payment_intent_id)
    assert intent.amount_idr == checkout.total_idr
    assert intent.currency == "idr"
    assert intent.checkout_id == checkout.id
    # Stock is reserved as soon as the checkout starts.
    db.session.refresh(goods["keripik"])
    assert goods["keripik"].stock == 8

    get_gateway().confirm_with_test_card(checkout.payment_intent_id, "pm_card_visa")
    page = csrf_client.get(f"/checkout/{checkout.id}/done").get_data(as_text=True)
    assert "pembayaran berhasil" in page
    statuses = {o.business_id: o.status for o in checkout.orders}
    db.session.expire_all()
    statuses = {o.business_id: o.status for o in latest_checkout().orders}
    assert statuses == {world.biz_tebet.id: "paid", world.biz_cakung.id: "paid"}

    # Each SME sees only its own order and ships it; the books updated by themselves.
    tebet_order = next(o for o in latest_checkout().orders if o.business_id == world.biz_tebet.id)
    login_as(csrf_client.client, world.biz_tebet.owner)
    sales = csrf_client.get("/business/orders").get_data(as_text=True)
    assert f"#{tebet_order.id}" in sales
    other = next(o for o in latest_checkout().orders if o.business_id == world.biz_cakung.id)
    assert f"#{other.id}" not in sales
    assert csrf_client.get(f"/business/orders/{other.id}").status_code == 404
    response = csrf_client.post(
        f"/business/orders/{tebet_order.id}",
        data={"courier": "JNE", "tracking_number": "JNE123456789"},
    )
    assert response.status_code == 302
    sale = db.session.scalar(
        select(LedgerEntry).where(
            LedgerEntry.business_id == world.biz_tebet.id, LedgerEntry.kind == "sale"
        )
    )
    assert sale.amount_idr == 30_000

    login_as(csrf_client.client, world.consumer_a)
    page = csrf_client.get(f"/orders/{tebet_order.id}").get_data(as_text=True)
    assert "JNE123456789" in page
    assert csrf_client.post(f"/orders/{tebet_order.id}/received").status_code == 302
    db.session.refresh(tebet_order)
    assert tebet_order.status == "completed"


def test_a_consumer_cannot_see_another_consumers_order(
    app, stripe_base, csrf_client, login_as, world, started
):
    order = started.orders[0]
    login_as(csrf_client.client, world.consumer_b)
    assert csrf_client.get(f"/orders/{order.id}").status_code == 404
    assert csrf_client.get(f"/checkout/{started.id}/pay").status_code == 404
    assert csrf_client.post(f"/orders/{order.id}/received").status_code == 404


def test_anonymous_cart_survives_login(app, csrf_client, world, goods, db):
    user = make_user(email="ani@example.com")
    buy(csrf_client, goods["keripik"], 3)
    response = csrf_client.post(
        "/login", data={"email": "ani@example.com", "password": "correct horse battery"}
    )
    assert response.status_code == 302
    cart = db.session.scalar(select(Cart).where(Cart.user_id == user.id))
    assert [(i.product_id, i.quantity) for i in cart.items] == [(goods["keripik"].id, 3)]
    assert db.session.scalar(select(func.count(Cart.id))) == 1


def test_cart_refuses_more_than_the_stock_and_hidden_products(csrf_client, world, goods, db):
    response = buy(csrf_client, goods["batik"], 4)
    assert response.status_code == 302
    assert "Stok Kain Batik tinggal 3" in csrf_client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    draft = make_product(business=world.biz_tebet, name="Rahasia", status="draft")
    assert buy(csrf_client, draft).status_code == 404
    assert db.session.scalar(select(func.count(Cart.id))) <= 1


def test_a_refusal_naming_a_sellers_product_shows_its_name_as_text_never_as_markup(
    csrf_client, world, goods, db
):
    """Refusals are lazy strings with the product's name inside ("Stok %(name)s tinggal"):
    the name a seller typed is escaped like any other text on the buyer's page."""
    goods["batik"].name = 'Kain <img src=x onerror="alert(1)"> & Batik'
    db.session.commit()
    response = buy(csrf_client, goods["batik"], 4)
    page = csrf_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Stok Kain &lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; Batik tinggal 3" in page
    assert "<img src=x" not in page


def test_minimum_order_is_rp10000(app, csrf_client, login_as, world, db):
    make_document(business=world.biz_tebet, kind="nib")
    cheap = make_product(
        business=world.biz_tebet,
        name="Gantungan Kunci",
        status="listed",
        category="kriya",
        price_idr=5_000,
        stock=5,
    )
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, cheap, 1)
    response = checkout_via_web(csrf_client)
    assert response.status_code == 302
    assert "Minimal belanja Rp10.000" in csrf_client.get("/cart").get_data(as_text=True)
    assert db.session.scalar(select(func.count(Checkout.id))) == 0


def test_checkout_rechecks_the_gate_and_reserves_nothing(
    app, csrf_client, login_as, world, goods, db
):
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["keripik"], 2)
    buy(csrf_client, goods["batik"], 1)
    # The batik seller's product is unlisted between adding and paying.
    goods["batik"].status = "unlisted"
    db.session.commit()
    response = checkout_via_web(csrf_client)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(Checkout.id))) == 0
    db.session.refresh(goods["keripik"])
    assert goods["keripik"].stock == 10


def test_bad_delivery_details_explain_and_change_nothing(csrf_client, login_as, world, goods, db):
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["keripik"], 1)
    response = checkout_via_web(csrf_client, whatsapp="021-2345-6789")
    assert response.status_code == 400
    assert "nomor HP" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Checkout.id))) == 0


# --- webhooks -----------------------------------------------------------------------------


@pytest.mark.parametrize("header", ["", "garbage", "t=1,v1=deadbeef"])
def test_webhook_without_a_valid_signature_is_refused(
    app, stripe_base, client, started, header, caplog
):
    payload = json.dumps(intent_event(started))
    with caplog.at_level(logging.WARNING, logger="pasarkita.payments"):
        response = client.post(
            "/payments/stripe/webhook",
            data=payload,
            headers={"Stripe-Signature": header},
            content_type="application/json",
        )
    assert response.status_code == 400
    assert all(o.status == "pending_payment" for o in started.orders)
    assert app.config["STRIPE_WEBHOOK_SECRET"] not in caplog.text


def test_webhook_signed_with_another_secret_or_too_old_is_refused(
    app, stripe_base, client, started, db
):
    assert post_event(client, app, intent_event(started), secret="whsec_wrong").status_code == 400
    old = int(time.time()) - 301
    assert post_event(client, app, intent_event(started), timestamp=old).status_code == 400
    db.session.expire_all()
    assert all(o.status == "pending_payment" for o in latest_checkout().orders)
    assert db.session.scalar(select(func.count(ProcessedStripeEvent.event_id))) == 0


def test_valid_webhook_pays_the_orders(app, stripe_base, client, started, db):
    assert post_event(client, app, intent_event(started)).status_code == 200
    db.session.expire_all()
    assert {o.status for o in latest_checkout().orders} == {"paid"}


def test_the_same_event_twice_pays_once(app, stripe_base, client, started, db):
    event = intent_event(started)
    assert post_event(client, app, event).status_code == 200
    assert post_event(client, app, event).status_code == 200
    _assert_paid_once(db, started)


def test_the_same_event_twice_concurrently_pays_once(app, stripe_base, started, db):
    event = intent_event(started)
    payload, header = signed(app, event)
    results = []
    barrier = threading.Barrier(2, timeout=60)

    def deliver():
        client = app.test_client()
        barrier.wait()
        results.append(
            client.post(
                "/payments/stripe/webhook",
                data=payload,
                headers={"Stripe-Signature": header},
                content_type="application/json",
            ).status_code
        )

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(status < 500 for status in results) or 200 in results
    _assert_paid_once(db, started)


def _assert_paid_once(db, checkout):
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"paid"}
    assert db.session.scalar(
        select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == "sale")
    ) == len(fresh.orders)
    assert db.session.scalar(select(func.count(ProcessedStripeEvent.event_id))) == 1
    assert db.session.scalar(
        select(func.count(Notification.id)).where(Notification.kind == "order_paid")
    ) == len(fresh.orders)
    from marketplace.mentoring.models import OutboxEmail

    # One e-mail per paid order to its seller and one to the buyer (issue 15: the buyer is
    # told at payment), written with the payment and sent after the commit.
    assert db.session.scalar(select(func.count(OutboxEmail.id))) == 2 * len(fresh.orders)


def test_success_page_and_webhook_together_pay_once(app, stripe_base, csrf_client, started, db):
    get_gateway().confirm_with_test_card(started.payment_intent_id, "pm_card_visa")
    csrf_client.get(f"/checkout/{started.id}/done")
    assert post_event(csrf_client.client, app, intent_event(started)).status_code == 200
    _assert_paid_once_without_event_count(db)


def _assert_paid_once_without_event_count(db):
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"paid"}
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == len(fresh.orders)


def test_a_late_failure_never_moves_a_paid_order_back(app, stripe_base, client, started, db):
    post_event(client, app, intent_event(started))
    response = post_event(client, app, intent_event(started, "payment_intent.payment_failed"))
    assert response.status_code == 200
    db.session.expire_all()
    assert {o.status for o in latest_checkout().orders} == {"paid"}
    # Nor does the expiry job, even when the checkout's time is long gone.
    latest_checkout().expires_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    assert orders.expire_checkouts()["expired"] == 0


def test_an_unknown_payment_is_acknowledged_and_changes_nothing(
    app, stripe_base, client, started, db, caplog
):
    event = intent_event(started, intent_id="pi_unknown123", event_id="evt_unknown")
    with caplog.at_level(logging.WARNING, logger="pasarkita.payments"):
        assert post_event(client, app, event).status_code == 200
    assert "unknown payment" in caplog.text
    db.session.expire_all()
    assert {o.status for o in latest_checkout().orders} == {"pending_payment"}


@pytest.mark.parametrize(("amount_delta", "currency"), [(-1, "idr"), (0, "usd")])
def test_an_amount_or_currency_mismatch_flags_instead_of_paying(
    app, stripe_base, client, started, db, amount_delta, currency
):
    event = intent_event(started, amount=started.total_idr + amount_delta, currency=currency)
    assert post_event(client, app, event).status_code == 200
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"pending_payment"}
    assert all(o.flagged_reason for o in fresh.orders)
    assert db.session.scalar(select(func.count(LedgerEntry.id))) == 0


def test_unhandled_event_types_are_acknowledged(app, stripe_base, client, started):
    event = {
        "id": "evt_customer",
        "type": "customer.created",
        "created": int(time.time()),
        "data": {"object": {"id": "cus_1", "object": "customer"}},
    }
    assert post_event(client, app, event).status_code == 200


def test_webhook_takes_no_cookies_and_needs_no_csrf_token(
    app, stripe_base, csrf_client, login_as, world, started
):
    login_as(csrf_client.client, world.admin)
    response = csrf_client.client.post(
        "/payments/stripe/webhook",
        data=json.dumps(intent_event(started)),
        content_type="application/json",
    )
    assert response.status_code == 400  # a session cookie is not a signature


# --- gateway faults -------------------------------------------------------------------------


class FlakyGateway:
    """The real gateway, with a fault injected on the first ``failures`` create calls."""

    def __init__(self, real, failures=1, after_call=False):
        self.real = real
        self.failures = failures
        self.after_call = after_call
        self.keys = []

    def create_payment_intent(self, **kwargs):
        self.keys.append(kwargs["idempotency_key"])
        if self.failures:
            self.failures -= 1
            if self.after_call:  # Stripe made it, but the answer was lost (timeout)
                self.real.create_payment_intent(**kwargs)
            raise GatewayError("timeout")
        return self.real.create_payment_intent(**kwargs)

    def __getattr__(self, name):
        return getattr(self.real, name)


@pytest.mark.parametrize("after_call", [False, True])
def test_a_gateway_fault_keeps_the_order_pending_and_the_retry_reuses_the_key(
    app, stripe_base, csrf_client, login_as, world, goods, db, after_call
):
    flaky = FlakyGateway(get_gateway(), failures=1, after_call=after_call)
    app.extensions["payment_gateway"] = flaky
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["keripik"], 2)
    checkout_via_web(csrf_client)
    checkout = latest_checkout()
    first = csrf_client.get(f"/checkout/{checkout.id}/pay")
    assert first.status_code == 503
    assert "Pesanan Anda aman" in first.get_data(as_text=True)
    db.session.expire_all()
    assert {o.status for o in latest_checkout().orders} == {"pending_payment"}
    db.session.refresh(goods["keripik"])
    assert goods["keripik"].stock == 8  # still reserved for the buyer
    assert csrf_client.get(f"/checkout/{checkout.id}/pay").status_code == 200
    assert flaky.keys == [f"checkout-{checkout.id}-1"] * 2


def test_a_declined_card_leaves_the_order_pending_with_a_retry(app, stripe_base, started, db):
    status = payments.pay_with_test_card(started, "pm_card_chargeCustomerFail")
    db.session.commit()
    assert status == "declined"
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"pending_payment"}
    assert fresh.last_payment_error == "declined"


# --- stock and expiry -----------------------------------------------------------------------


def test_two_checkouts_race_for_the_last_unit(app, world, db):
    make_document(business=world.biz_tebet, kind="nib")
    last = make_product(
        business=world.biz_tebet,
        name="Tas Rotan Terakhir",
        status="listed",
        category="kriya",
        price_idr=50_000,
        stock=1,
    )
    results = _race(app, last.id, buyers=2, quantity=1)
    assert sorted(results) == [False, True]
    db.session.refresh(last)
    assert last.stock == 0


def test_100_buyers_race_for_the_last_10_units(app, world, db):
    make_document(business=world.biz_tebet, kind="nib")
    product = make_product(
        business=world.biz_tebet,
        name="Tas Anyaman",
        status="listed",
        category="kriya",
        price_idr=50_000,
        stock=10,
    )
    results = _race(app, product.id, buyers=100, quantity=1)
    assert results.count(True) == 10
    db.session.refresh(product)
    assert product.stock == 0
    assert db.session.scalar(select(func.count(Order.id))) == 10


def _race(app, product_id, *, buyers, quantity):
    """Each buyer is its own thread, app context and database session."""
    from marketplace.core.errors import DomainError
    from marketplace.orders.models import CartItem

    users = [make_user() for _ in range(buyers)]
    for user in users:
        cart = Cart(user_id=user.id)
        cart.items.append(CartItem(product_id=product_id, quantity=quantity))
        _db.session.add(cart)
    _db.session.commit()
    ids = [u.id for u in users]
    results = []
    barrier = threading.Barrier(buyers, timeout=60)
    lock = threading.Lock()

    def attempt(user_id):
        with app.app_context():
            from marketplace.accounts.models import User

            # Hand the pooled connection back before waiting: 100 threads share a pool.
            _db.session.rollback()
            barrier.wait()
            try:
                user = _db.session.get(User, user_id)
                cart = orders.cart_for(user)
                orders.start_checkout(user, cart, orders.Delivery(**DELIVERY))
                _db.session.commit()
                ok = True
            except DomainError:
                _db.session.rollback()
                ok = False
            finally:
                _db.session.remove()
            with lock:
                results.append(ok)

    threads = [threading.Thread(target=attempt, args=(uid,)) for uid in ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def test_orders_expire_releases_the_stock_exactly_once(app, stripe_base, started, goods, db):
    from marketplace.orders.cli import orders as orders_cli

    started.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(orders_cli, ["expire"])
    second = runner.invoke(orders_cli, ["expire"])
    assert "expired 2 unpaid order(s)" in first.output
    assert "expired 0 unpaid order(s)" in second.output
    db.session.expire_all()
    assert {o.status for o in latest_checkout().orders} == {"expired"}
    db.session.refresh(goods["keripik"])
    db.session.refresh(goods["batik"])
    assert (goods["keripik"].stock, goods["batik"].stock) == (10, 3)


def test_a_sold_out_product_leaves_in_stock_search_and_comes_back_when_its_order_expires(
    app, stripe_base, csrf_client, login_as, world, goods, db
):
    """Stock is taken by a compare-and-set UPDATE the ORM never sees: selling the last unit
    writes a search feed row, so "in stock" search (and the cached product page) hears of it."""
    from marketplace.search import services as search
    from marketplace.search.index import Filters

    def in_stock_names():
        _, products = search.search_products("batik", Filters(in_stock=True))
        return [p.name for p in products]

    assert in_stock_names() == ["Kain Batik"]
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["batik"], 3)  # all of it
    assert checkout_via_web(csrf_client).status_code == 302
    assert in_stock_names() == []
    latest_checkout().expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    orders.expire_checkouts()
    db.session.commit()
    assert in_stock_names() == ["Kain Batik"]


def test_payment_for_an_expired_order_is_flagged_not_lost(app, stripe_base, client, started, db):
    started.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    orders.expire_checkouts()
    db.session.commit()
    post_event(client, app, intent_event(started))
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"expired"}
    assert all(o.flagged_reason for o in fresh.orders)


# --- refunds and the books ------------------------------------------------------------------


def test_refund_through_stripe_reverses_the_books_once(
    app, stripe_base, client, started, world, db
):
    get_gateway().confirm_with_test_card(started.payment_intent_id, "pm_card_visa")
    post_event(client, app, intent_event(started))
    db.session.expire_all()
    order = next(o for o in latest_checkout().orders if o.business_id == world.biz_cakung.id)
    payments.refund_order(order, actor=world.admin, role="admin", note="barang rusak")
    db.session.commit()
    db.session.refresh(order)
    assert order.status == "refunded"
    kinds = db.session.scalars(
        select(LedgerEntry.kind)
        .where(LedgerEntry.business_id == world.biz_cakung.id)
        .order_by(LedgerEntry.id)
    ).all()
    assert kinds == ["sale", "refund"]
    from marketplace.core.errors import IllegalTransition

    with pytest.raises(IllegalTransition):
        payments.refund_order(order, actor=world.admin, role="admin")


def test_the_ledger_equals_paid_orders_minus_refunds_plus_manual_entries(
    app, stripe_base, client, started, world, db
):
    from marketplace.ledger import services as ledger

    get_gateway().confirm_with_test_card(started.payment_intent_id, "pm_card_visa")
    post_event(client, app, intent_event(started))
    db.session.expire_all()
    fresh = latest_checkout()
    refunded = fresh.orders[0]
    payments.refund_order(refunded, actor=world.admin, role="admin")
    ledger.add_entry(
        world.biz_tebet,
        kind="manual_income",
        category="penjualan_offline",
        amount_idr=40_000,
        occurred_on=None,
        note=None,
        actor=world.biz_tebet.owner,
    )
    ledger.add_entry(
        world.biz_tebet,
        kind="expense",
        category="bahan_baku",
        amount_idr=12_500,
        occurred_on=None,
        note=None,
        actor=world.biz_tebet.owner,
    )
    db.session.commit()
    for business in (world.biz_tebet, world.biz_cakung):
        orders_of = [o for o in fresh.orders if o.business_id == business.id]
        expected = sum(o.total_idr for o in orders_of if o.status in ("paid", "refunded"))
        expected -= sum(o.total_idr for o in orders_of if o.status == "refunded")
        if business is world.biz_tebet:
            expected += 40_000 - 12_500
        books = sum(e.signed_amount for e in ledger.all_entries(business.id))
        assert books == expected
    assert ledger.payable_balance(refunded.business_id) == 0


def test_admin_refunds_an_order_and_records_a_payout_within_the_balance(
    app, stripe_base, csrf_client, login_as, started, world, db
):
    from marketplace.ledger import services as ledger

    get_gateway().confirm_with_test_card(started.payment_intent_id, "pm_card_visa")
    post_event(csrf_client.client, app, intent_event(started))
    db.session.expire_all()
    tebet = next(o for o in latest_checkout().orders if o.business_id == world.biz_tebet.id)
    cakung = next(o for o in latest_checkout().orders if o.business_id == world.biz_cakung.id)
    login_as(csrf_client.client, world.admin)
    assert f"#{tebet.id}" in csrf_client.get("/admin/orders").get_data(as_text=True)
    confirm = csrf_client.post(f"/admin/orders/{cakung.id}/refund", data={"note": "rusak"})
    assert confirm.status_code == 200  # check your answers first (issue 14)
    db.session.refresh(cakung)
    assert cakung.status == "paid"
    response = csrf_client.post(
        f"/admin/orders/{cakung.id}/refund", data={"note": "rusak", "confirmed": "1"}
    )
    assert response.status_code == 302
    db.session.refresh(cakung)
    assert cakung.status == "refunded"
    # Money is payable once the order is completed (issue 15): shipped, then received.
    assert ledger.payable_balance(world.biz_tebet.id) == 0
    orders.ship_order(
        tebet, courier="JNE", tracking_number="JNE0001234567", actor=world.biz_tebet.owner
    )
    orders.complete_order(tebet, actor=world.consumer_a, role="consumer")
    db.session.commit()

    too_much = csrf_client.post(
        "/admin/payouts",
        data={
            "business_id": str(world.biz_tebet.id),
            "amount_idr": "30001",
            "reference": "BCA-0001",
            "paid_on": "2026-11-28",
        },
    )
    assert too_much.status_code == 400
    ok = csrf_client.post(
        "/admin/payouts",
        data={
            "business_id": str(world.biz_tebet.id),
            "amount_idr": "30000",
            "reference": "BCA-0001",
            "paid_on": "2026-11-28",
        },
    )
    assert ok.status_code == 302
    assert ledger.payable_balance(world.biz_tebet.id) == 0
    assert ledger.payable_balance(world.biz_cakung.id) == 0


def test_only_admins_reach_payouts_and_refunds(client, login_as, world):
    login_as(client, world.biz_tebet.owner)
    assert client.get("/admin/payouts").status_code == 403
    assert client.get("/admin/orders").status_code == 403
