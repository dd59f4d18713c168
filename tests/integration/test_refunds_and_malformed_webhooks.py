"""Issue 12: refunds from any source, in any order, and signed but malformed webhooks.

localstripe makes the payments and refunds; it sends no charge.refunded or refund.* events
(RECIPES), so those are built here as signed fixtures carrying the real refund ids."""

import json
import logging
import threading
import time

import pytest
import stripe
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from marketplace.extensions import db as _db
from marketplace.ledger.models import LedgerEntry
from marketplace.notifications.models import Notification
from marketplace.orders import services as orders
from marketplace.payments.gateway import get_gateway
from marketplace.payments.models import PaymentRefund, ProcessedStripeEvent
from tests.integration import test_checkout_payments as journey
from tests.integration.test_checkout_payments import (
    buy,
    checkout_via_web,
    intent_event,
    latest_checkout,
    post_event,
    signed,
)

# The journey's fixtures: two sellers' goods, and Ani's checkout over both.
goods = journey.goods
started = journey.started


def _charge(checkout, refunds, *, amount_refunded=None, with_list=True):
    total = sum(amount for _id, amount in refunds) if amount_refunded is None else amount_refunded
    charge = {
        "id": f"ch_{checkout.id}",
        "object": "charge",
        "payment_intent": checkout.payment_intent_id,
        "amount": checkout.total_idr * 100,
        "amount_refunded": total * 100,
        "currency": "idr",
        "refunded": total == checkout.total_idr,
    }
    if with_list:
        charge["refunds"] = {
            "object": "list",
            "data": [_refund(checkout, rid, amount) for rid, amount in refunds],
        }
    return charge


def _refund(checkout, refund_id, amount, status="succeeded"):
    return {
        "id": refund_id,
        "object": "refund",
        "amount": amount * 100,
        "currency": "idr",
        "payment_intent": checkout.payment_intent_id,
        "charge": f"ch_{checkout.id}",
        "status": status,
        "metadata": {},
    }


def _event(kind, obj, event_id):
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"object": obj},
    }


def charge_refunded(checkout, refunds, event_id="evt_charge_refunded", **kw):
    return _event("charge.refunded", _charge(checkout, refunds, **kw), event_id)


def refund_created(checkout, refund_id, amount, event_id="evt_refund_created"):
    return _event("refund.created", _refund(checkout, refund_id, amount), event_id)


def refund_at_stripe(checkout, amount, key):
    """A refund made at Stripe directly (dashboard, support): not through our service."""
    return get_gateway().refund(checkout.payment_intent_id, amount_idr=amount, idempotency_key=key)


def pay_at_stripe(checkout):
    get_gateway().confirm_with_test_card(checkout.payment_intent_id, "pm_card_visa")


def count(model_column, *where):
    return _db.session.scalar(select(func.count(model_column)).where(*where))


def refund_entries():
    return _db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.kind == "refund").order_by(LedgerEntry.order_id)
    ).all()


def notices(kind):
    return count(Notification.id, Notification.kind == kind)


@pytest.fixture
def single(app, stripe_base, csrf_client, login_as, world, goods):
    """Ani pays one SME only (Rp30.000): a partial refund has one order to go to."""
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["keripik"], 2)
    assert checkout_via_web(csrf_client).status_code == 302
    checkout = latest_checkout()
    assert csrf_client.get(f"/checkout/{checkout.id}/pay").status_code == 200
    _db.session.refresh(checkout)
    return checkout


# --- refunds ------------------------------------------------------------------------------


def test_a_full_refund_delivered_before_the_success_event_means_the_order_is_never_paid(
    app,
    stripe_base,
    client,
    started,
    goods,
    db,
):
    pay_at_stripe(started)
    refund_id = refund_at_stripe(started, started.total_idr, "dashboard-1")
    # Stripe delivers the refund first, then the (older) success.
    assert (
        post_event(
            client, app, charge_refunded(started, [(refund_id, started.total_idr)])
        ).status_code
        == 200
    )
    assert post_event(client, app, intent_event(started)).status_code == 200
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"cancelled"}
    assert all(o.flagged_reason for o in fresh.orders)
    assert count(LedgerEntry.id) == 0  # no sale, so nothing to reverse
    assert count(ProcessedStripeEvent.event_id) == 2
    assert notices("order_paid") == 0
    assert notices("order_refunded_unpaid") == 2 * len(fresh.orders)  # buyer and seller
    db.session.refresh(goods["keripik"])
    assert goods["keripik"].stock == 10  # the reserved stock went back
    # Stripe's retry of either event changes nothing.
    post_event(client, app, intent_event(started))
    post_event(client, app, charge_refunded(started, [(refund_id, started.total_idr)]))
    db.session.expire_all()
    assert {o.status for o in latest_checkout().orders} == {"cancelled"}
    assert count(ProcessedStripeEvent.event_id) == 2
    assert count(LedgerEntry.id) == 0


def test_a_refund_at_stripe_after_shipping_refunds_every_order_with_one_reversal_each(
    app,
    stripe_base,
    client,
    started,
    world,
    db,
):
    pay_at_stripe(started)
    post_event(client, app, intent_event(started))
    db.session.expire_all()
    fresh = latest_checkout()
    shipped = next(o for o in fresh.orders if o.business_id == world.biz_tebet.id)
    orders.ship_order(
        shipped, courier="JNE", tracking_number="JNE123456", actor=world.biz_tebet.owner
    )
    orders.complete_order(shipped, actor=world.consumer_a, role="consumer")
    db.session.commit()
    refund_id = refund_at_stripe(started, started.total_idr, "dashboard-2")
    assert (
        post_event(
            client, app, charge_refunded(started, [(refund_id, started.total_idr)])
        ).status_code
        == 200
    )
    # The same refund told again by its own event type: already known.
    assert (
        post_event(client, app, refund_created(started, refund_id, started.total_idr)).status_code
        == 200
    )
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"refunded"}
    assert all(o.refunded_idr == o.total_idr for o in fresh.orders)
    entries = refund_entries()
    assert [(e.order_id, e.amount_idr) for e in entries] == sorted(
        (o.id, o.total_idr) for o in fresh.orders
    )
    assert notices("order_refunded") == 2 * len(fresh.orders)
    assert count(PaymentRefund.refund_id) == 1


def test_a_partial_refund_keeps_the_status_and_records_the_refunded_amount(
    app, stripe_base, client, single, db
):
    pay_at_stripe(single)
    post_event(client, app, intent_event(single))
    first = refund_at_stripe(single, 10_000, "partial-1")
    assert (
        post_event(client, app, refund_created(single, first, 10_000, "evt_r1")).status_code == 200
    )
    db.session.expire_all()
    order = latest_checkout().orders[0]
    assert (order.status, order.refunded_idr) == ("paid", 10_000)
    assert [e.amount_idr for e in refund_entries()] == [10_000]
    assert notices("order_partially_refunded") == 2
    # A second partial refund, told by a charge.refunded that lists both.
    second = refund_at_stripe(single, 5_000, "partial-2")
    event = charge_refunded(single, [(first, 10_000), (second, 5_000)], "evt_c2")
    assert post_event(client, app, event).status_code == 200
    db.session.expire_all()
    order = latest_checkout().orders[0]
    assert (order.status, order.refunded_idr) == ("paid", 15_000)
    assert [e.amount_idr for e in refund_entries()] == [15_000]
    assert notices("order_partially_refunded") == 4
    # The rest: the order is refunded.
    last = refund_at_stripe(single, 15_000, "partial-3")
    assert (
        post_event(client, app, refund_created(single, last, 15_000, "evt_r3")).status_code == 200
    )
    db.session.expire_all()
    order = latest_checkout().orders[0]
    assert (order.status, order.refunded_idr) == ("refunded", 30_000)
    assert [e.amount_idr for e in refund_entries()] == [30_000]
    assert notices("order_refunded") == 2


def test_a_partial_refund_before_the_success_event_is_applied_when_the_payment_lands(
    app, stripe_base, client, single, db
):
    pay_at_stripe(single)
    refund_id = refund_at_stripe(single, 12_000, "early-partial")
    post_event(client, app, refund_created(single, refund_id, 12_000))
    post_event(client, app, intent_event(single))
    db.session.expire_all()
    order = latest_checkout().orders[0]
    assert (order.status, order.refunded_idr) == ("paid", 12_000)
    kinds = db.session.scalars(select(LedgerEntry.kind).order_by(LedgerEntry.id)).all()
    assert kinds == ["sale", "refund"]
    assert [e.amount_idr for e in refund_entries()] == [12_000]


def test_duplicated_refund_events_reverse_the_books_once_even_concurrently(
    app, stripe_base, client, single, db
):
    pay_at_stripe(single)
    post_event(client, app, intent_event(single))
    refund_id = refund_at_stripe(single, single.total_idr, "dup")
    bodies = [
        signed(app, charge_refunded(single, [(refund_id, single.total_idr)], "evt_a")),
        signed(app, refund_created(single, refund_id, single.total_idr, "evt_b")),
        signed(app, charge_refunded(single, [(refund_id, single.total_idr)], "evt_a")),
    ]
    barrier = threading.Barrier(len(bodies), timeout=60)
    statuses = []

    def deliver(payload, header):
        own = app.test_client()
        barrier.wait()
        statuses.append(
            own.post(
                "/payments/stripe/webhook",
                data=payload,
                headers={"Stripe-Signature": header},
                content_type="application/json",
            ).status_code
        )

    threads = [threading.Thread(target=deliver, args=body) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(statuses) == len(bodies)
    assert all(status < 500 for status in statuses)
    # Serial redelivery of each afterwards: still once.
    for payload, header in bodies:
        assert (
            client.post(
                "/payments/stripe/webhook",
                data=payload,
                headers={"Stripe-Signature": header},
                content_type="application/json",
            ).status_code
            == 200
        )
    db.session.expire_all()
    order = latest_checkout().orders[0]
    assert (order.status, order.refunded_idr) == ("refunded", order.total_idr)
    assert [e.amount_idr for e in refund_entries()] == [order.total_idr]
    assert notices("order_refunded") == 2
    assert count(ProcessedStripeEvent.event_id) == 3  # the success and evt_a, evt_b


def test_a_cumulative_refund_that_does_not_add_up_is_settled_by_asking_stripe(
    app, stripe_base, client, single, db
):
    pay_at_stripe(single)
    post_event(client, app, intent_event(single))
    refund_id = refund_at_stripe(single, 7_000, "no-list")
    # Newer API versions send the charge without its refunds list: only the total.
    event = charge_refunded(single, [], amount_refunded=7_000, with_list=False)
    assert post_event(client, app, event).status_code == 200
    assert db.session.get(PaymentRefund, refund_id).amount_idr == 7_000
    assert post_event(client, app, refund_created(single, refund_id, 7_000)).status_code == 200
    db.session.expire_all()
    assert latest_checkout().orders[0].refunded_idr == 7_000
    assert [e.amount_idr for e in refund_entries()] == [7_000]


def test_our_own_refund_is_not_counted_again_when_stripe_reports_it(
    app,
    stripe_base,
    client,
    started,
    world,
    db,
):
    from marketplace.payments import services as payments

    pay_at_stripe(started)
    post_event(client, app, intent_event(started))
    db.session.expire_all()
    order = next(o for o in latest_checkout().orders if o.business_id == world.biz_cakung.id)
    payments.refund_order(order, actor=world.admin, role="admin")
    db.session.commit()
    refund_id = db.session.scalar(select(PaymentRefund.refund_id))
    event = charge_refunded(started, [(refund_id, order.total_idr)])
    assert post_event(client, app, event).status_code == 200
    db.session.expire_all()
    statuses = sorted(o.status for o in latest_checkout().orders)
    assert statuses == ["paid", "refunded"]
    assert [e.amount_idr for e in refund_entries()] == [order.total_idr]


# --- malformed but validly signed bodies ----------------------------------------------------


def _raw(app, client, body: str):
    header = stripe.WebhookSignature.generate_signature_header(
        body, app.config["STRIPE_WEBHOOK_SECRET"]
    )
    return client.post(
        "/payments/stripe/webhook",
        data=body,
        headers={"Stripe-Signature": header},
        content_type="application/json",
    )


def _malformed(checkout):
    good = intent_event(checkout)

    def with_object(**changes):
        event = json.loads(json.dumps(good))
        event["data"]["object"].update(changes)
        return event

    def replaced(**changes):
        event = json.loads(json.dumps(good))
        event.update(changes)
        return event

    nested = "[" * 5000 + "]" * 5000
    return {
        "amount not whole rupiah": (with_object(amount=checkout.total_idr * 100 + 1), 200),
        "amount a string": (with_object(amount="abc"), 200),
        "amount null": (with_object(amount=None), 200),
        "amount a float": (with_object(amount=1.5), 200),
        "amount huge": (with_object(amount=10**40), 200),
        "amount negative": (with_object(amount=-100), 200),
        "amount true": (with_object(amount=True), 200),
        "metadata a string": (with_object(metadata="x", amount=None), 200),
        "data a string": (replaced(data="oops"), 400),
        "data null": (replaced(data=None), 400),
        "object a list": (replaced(data={"object": [1, 2]}), 400),
        "id an object": (replaced(id={"a": 1}), 400),
        "id null": (replaced(id=None), 400),
        "id huge number": (replaced(id=10**40), 400),
        "type a number": (replaced(type=7), 400),
        "intent id an object": (with_object(id={"x": 1}), 400),
        "no keys": ({}, 400),
        "body a list": ([1, 2], 400),
        "body a string": ("evt", 400),
        "body null": (None, 400),
        "refund amount a string": (
            _event("refund.created", {**_refund(checkout, "re_x", 1), "amount": "abc"}, "e_r"),
            200,
        ),
        "refund list of strings": (
            _event(
                "charge.refunded",
                {**_charge(checkout, []), "refunds": {"data": ["re_1"]}},
                "e_c",
            ),
            200,
        ),
        "amount_refunded odd": (
            _event("charge.refunded", {**_charge(checkout, []), "amount_refunded": 150}, "e_c2"),
            200,
        ),
        "latest_charge bad": (with_object(latest_charge={"amount_refunded": "x"}), 200),
        "not json": ("{not json", 400),
        "deeply nested": (nested, 400),
    }


CASES = [
    "amount not whole rupiah", "amount a string", "amount null", "amount a float",
    "amount huge", "amount negative", "amount true", "metadata a string", "data a string",
    "data null", "object a list", "id an object", "id null", "id huge number",
    "type a number", "intent id an object", "no keys", "body a list", "body a string",
    "body null", "refund amount a string", "refund list of strings", "amount_refunded odd",
    "latest_charge bad", "not json", "deeply nested",
]  # fmt: skip


@pytest.mark.parametrize("case", CASES)
def test_a_signed_malformed_webhook_answers_4xx_or_flags_never_5xx(
    app,
    stripe_base,
    client,
    started,
    db,
    caplog,
    case,
):
    body, expected = _malformed(started)[case]
    raw = (
        body
        if isinstance(body, str) and case in ("not json", "deeply nested")
        else json.dumps(body)
    )
    with caplog.at_level(logging.INFO, logger="pasarkita.payments"):
        response = _raw(app, client, raw)
    assert response.status_code == expected
    assert app.config["STRIPE_WEBHOOK_SECRET"] not in caplog.text
    db.session.expire_all()
    fresh = latest_checkout()
    assert {o.status for o in fresh.orders} == {"pending_payment"}
    assert count(LedgerEntry.id) == 0
    if expected == 200:
        # Recorded, so Stripe stops retrying, and flagged for a human.
        assert all(o.flagged_reason for o in fresh.orders)
        assert count(ProcessedStripeEvent.event_id) == 1
    else:
        assert count(ProcessedStripeEvent.event_id) == 0


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
event_like = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(max_size=30), json_values),
        "type": st.sampled_from(
            ["payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded",
             "refund.created", "refund.updated", "charge.refund.updated", "customer.created"]
        ) | json_values,
        "data": st.fixed_dictionaries(
            {},
            optional={
                "object": st.fixed_dictionaries(
                    {},
                    optional={
                        k: json_values
                        for k in ("id", "payment_intent", "amount", "amount_refunded",
                                  "currency", "status", "metadata", "refunds", "latest_charge",
                                  "object", "last_payment_error")
                    },
                )
                | json_values
            },
        )
        | json_values,
    },
)  # fmt: skip


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.one_of(event_like, json_values))
def test_any_signed_json_body_never_answers_5xx(app, client, body):
    response = _raw(app, client, json.dumps(body))
    assert response.status_code < 500
