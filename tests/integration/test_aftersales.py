"""Issue 15 after checkout: cash on delivery to the books, stock back on a failed or lapsed
delivery, the buyer losing COD, money held until receipt (and `orders auto-complete`),
cancellation before shipping, and the steps both sides see and are told of.

COD orders are built here directly in awaiting_delivery (the checkout that creates them is
the "shipping" work); card orders are paid at localstripe through the journey's fixtures."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace.catalog.models import Product
from marketplace.core.errors import DomainError, ValidationFailed
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db as _db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerEntry
from marketplace.mentoring.models import OutboxEmail
from marketplace.notifications.models import Notification, OutboxPhoneMessage
from marketplace.orders import aftersales
from marketplace.orders import services as orders
from marketplace.orders.models import Checkout, Order, OrderEvent, OrderLine, OrderStatus
from marketplace.payments import services as payments
from marketplace.payments.gateway import get_gateway
from tests.concurrency import race
from tests.factories import make_order, make_product, make_user
from tests.integration import test_checkout_payments as journey
from tests.integration.test_checkout_payments import buy, checkout_via_web, latest_checkout

goods = journey.goods
started = journey.started


def count(column, *where) -> int:
    return int(_db.session.scalar(select(func.count(column)).where(*where)) or 0)


def cod_order(business, consumer, *, quantity=2, price=15_000) -> Order:
    """A COD order as the checkout leaves it: awaiting delivery, its stock reserved."""
    from marketplace.chapters.models import Kelurahan

    product = make_product(
        business=business, name="Keripik COD", status="listed", price_idr=price, stock=10
    )
    kelurahan = _db.session.scalar(
        select(Kelurahan).where(Kelurahan.chapter_id == business.chapter_id)
    )
    checkout = Checkout(
        user_id=consumer.id,
        total_idr=price * quantity,
        recipient_name=consumer.name,
        address_line="Jl. Kenanga No. 7",
        kelurahan_code=kelurahan.code,
        postal_code=kelurahan.postal_code,
        whatsapp_e164="+6281298765432",
        expires_at=utcnow() + timedelta(minutes=30),
    )
    order = Order(
        checkout=checkout,
        business_id=business.id,
        consumer_id=consumer.id,
        total_idr=price * quantity,
        status=OrderStatus.AWAITING_DELIVERY,
    )
    _db.session.add_all([checkout, order])
    _db.session.flush()
    _db.session.add(
        OrderLine(
            order_id=order.id,
            product_id=product.id,
            product_name=product.name,
            unit_price_idr=price,
            quantity=quantity,
        )
    )
    product.stock -= quantity
    _db.session.commit()
    return order


def stock_of(product_id) -> int:
    return _db.session.scalar(select(Product.stock).where(Product.id == product_id))


@pytest.fixture
def buyer(db):
    """A buyer with an e-mail and a verified phone: told in the app, by mail and by phone."""
    return make_user(name="Rina", phone="+6281311112222")


# --- cash on delivery ---------------------------------------------------------------------


def test_a_cod_order_reaches_the_books_only_with_the_exact_cash(
    app, csrf_client, login_as, world, buyer, db
):
    order = cod_order(world.biz_tebet, buyer)
    login_as(csrf_client.client, world.biz_tebet.owner)
    short = csrf_client.post(f"/business/orders/{order.id}/cash", data={"amount_idr": "29000"})
    assert short.status_code == 302
    db.session.refresh(order)
    assert order.status == OrderStatus.AWAITING_DELIVERY
    assert count(LedgerEntry.id, LedgerEntry.order_id == order.id) == 0
    with pytest.raises(ValidationFailed):
        aftersales.record_cash(order, amount_idr=30_001, actor=world.biz_tebet.owner)
    db.session.rollback()

    exact = csrf_client.post(f"/business/orders/{order.id}/cash", data={"amount_idr": "30000"})
    assert exact.status_code == 302
    db.session.refresh(order)
    assert order.status == OrderStatus.PAID
    assert order.paid_at is not None
    sale = db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order.id)).all()
    assert [(e.kind, e.amount_idr) for e in sale] == [("sale", 30_000)]
    # The buyer is told at payment, in the app, by e-mail and on the verified phone.
    assert count(Notification.id, Notification.user_id == buyer.id) == 1
    assert count(OutboxEmail.id, OutboxEmail.to == buyer.email) == 1
    assert count(OutboxPhoneMessage.id, OutboxPhoneMessage.to == buyer.phone_e164) == 1
    # Recording it again changes nothing.
    again = csrf_client.post(f"/business/orders/{order.id}/cash", data={"amount_idr": "30000"})
    assert again.status_code == 302
    assert count(LedgerEntry.id, LedgerEntry.order_id == order.id) == 1


def test_a_failed_cod_delivery_cancels_and_gives_the_stock_back_once(
    app, csrf_client, login_as, world, buyer, db
):
    order = cod_order(world.biz_tebet, buyer, quantity=3)
    product_id = order.lines[0].product_id
    assert stock_of(product_id) == 7
    login_as(csrf_client.client, world.biz_tebet.owner)
    for _ in range(2):
        response = csrf_client.post(
            f"/business/orders/{order.id}/failed", data={"note": "pembeli tidak ada"}
        )
        assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == OrderStatus.CANCELLED
    assert stock_of(product_id) == 10
    assert count(LedgerEntry.id, LedgerEntry.order_id == order.id) == 0
    assert count(Notification.id, Notification.kind == "order_delivery_failed") == 2  # both


def test_an_undelivered_cod_order_is_released_after_the_configured_time_once(app, world, buyer, db):
    late = cod_order(world.biz_tebet, buyer, quantity=2)
    fresh = cod_order(world.biz_tebet, buyer, quantity=1)
    db.session.execute(
        update(Order)
        .where(Order.id == late.id)
        .values(status_changed_at=utcnow() - timedelta(hours=app.config["COD_RELEASE_HOURS"] + 1))
    )
    db.session.commit()
    assert aftersales.release_cod() == {"released": 1}
    db.session.commit()
    assert aftersales.release_cod() == {"released": 0}
    db.session.commit()
    db.session.refresh(late)
    db.session.refresh(fresh)
    assert late.status == OrderStatus.EXPIRED
    assert fresh.status == OrderStatus.AWAITING_DELIVERY
    assert stock_of(late.lines[0].product_id) == 10
    assert stock_of(fresh.lines[0].product_id) == 9


def test_orders_release_cod_command_runs_from_the_cli(app, world, buyer, db):
    order = cod_order(world.biz_tebet, buyer)
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(status_changed_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["orders", "expire"])
    assert "released 1 undelivered COD order(s)" in result.output
    result = app.test_cli_runner().invoke(args=["orders", "release-cod"])
    assert "released 0 undelivered COD order(s)" in result.output


def test_repeated_failed_cod_orders_lose_the_buyer_the_option(app, world, buyer, db):
    unverified = make_user(name="Tanpa Nomor")
    assert not aftersales.cod_allowed_for(unverified)
    assert aftersales.cod_allowed_for(buyer)
    for _ in range(app.config["COD_MAX_FAILURES"]):
        assert aftersales.cod_allowed_for(buyer)
        order = cod_order(world.biz_tebet, buyer)
        aftersales.fail_delivery(order, actor=world.biz_tebet.owner)
        db.session.commit()
    assert not aftersales.cod_allowed_for(buyer)
    # A delivered COD order does not count against anyone.
    other = make_user(name="Dewi", phone="+6281322223333")
    order = cod_order(world.biz_tebet, other)
    aftersales.record_cash(order, amount_idr=order.total_idr, actor=world.biz_tebet.owner)
    db.session.commit()
    assert aftersales.cod_allowed_for(other)


# --- money held until receipt ---------------------------------------------------------------


def _shipped(business, consumer, *, days_ago: float, total=25_000) -> Order:
    order = make_order(business=business, consumer=consumer, status="shipped", total_idr=total)
    _db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(status_changed_at=utcnow() - timedelta(days=days_ago))
    )
    _db.session.commit()
    return order


def test_auto_complete_run_twice_completes_once_only_orders_past_their_window(app, world, db):
    days = app.config["AUTO_COMPLETE_DAYS_COURIER"]
    due = _shipped(world.biz_tebet, world.consumer_a, days_ago=days + 0.1)
    recent = _shipped(world.biz_tebet, world.consumer_a, days_ago=days - 0.5)
    paid = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    first = app.test_cli_runner().invoke(args=["orders", "auto-complete"])
    assert "completed 1 order(s)" in first.output, first.output
    second = app.test_cli_runner().invoke(args=["orders", "auto-complete"])
    assert "completed 0 order(s)" in second.output
    for order in (due, recent, paid):
        db.session.refresh(order)
    assert due.status == OrderStatus.COMPLETED
    assert due.completed_at is not None
    assert recent.status == OrderStatus.SHIPPED
    assert paid.status == OrderStatus.PAID
    events = count(
        OrderEvent.id, OrderEvent.order_id == due.id, OrderEvent.action == "auto_complete"
    )
    assert events == 1
    assert count(Notification.id, Notification.kind == "order_completed") == 2  # both sides


def test_auto_complete_concurrently_completes_each_order_once(app, world, db):
    orders_due = [_shipped(world.biz_tebet, world.consumer_a, days_ago=30) for _ in range(3)]
    ok, refused = race(app, 4, lambda i, prepared: aftersales.auto_complete() if prepared else 1)
    assert len(ok) + len(refused) == 4
    done = count(
        OrderEvent.id,
        OrderEvent.order_id.in_([o.id for o in orders_due]),
        OrderEvent.action == "auto_complete",
    )
    assert done == 3


def test_the_payable_balance_counts_completed_orders_only_and_so_do_payouts(
    app, csrf_client, login_as, world, db
):
    paid = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    shipped = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="shipped")
    for order in (paid, shipped):
        from marketplace.ledger.services import record_sale

        record_sale(order)
    db.session.commit()
    assert ledger.payable_balance(world.biz_tebet.id) == 0
    assert ledger.held_balance(world.biz_tebet.id) == 50_000
    assert ledger.balances() == []
    with pytest.raises(ValidationFailed):
        ledger.record_payout(
            world.biz_tebet,
            amount_idr=1,
            reference="BCA-1",
            paid_on=utcnow().date(),
            actor=world.admin,
        )
    db.session.rollback()

    login_as(csrf_client.client, world.consumer_a)
    assert csrf_client.post(f"/orders/{shipped.id}/received").status_code == 302
    assert ledger.payable_balance(world.biz_tebet.id) == 25_000
    assert ledger.held_balance(world.biz_tebet.id) == 25_000
    assert [(b.id, amount) for b, amount in ledger.balances()] == [(world.biz_tebet.id, 25_000)]
    login_as(csrf_client.client, world.biz_tebet.owner)
    page = csrf_client.get("/business/money").get_data(as_text=True)
    assert "Rp25.000" in page
    assert f"#{paid.id}" in page
    assert f"#{shipped.id}" not in page


# --- cancellation before shipping ------------------------------------------------------------


@pytest.fixture
def paid_checkout(app, stripe_base, started, db):
    payments.pay_with_test_card(started)
    db.session.commit()
    db.session.refresh(started)
    assert all(o.status == OrderStatus.PAID for o in started.orders)
    return started


def test_cancel_before_shipping_refunds_once_and_releases_the_stock(
    app, stripe_base, csrf_client, world, goods, paid_checkout, db
):
    order = next(o for o in paid_checkout.orders if o.business_id == world.biz_tebet.id)
    assert stock_of(goods["keripik"].id) == 8
    for _ in range(2):
        confirm = {"confirm": "1"}
        assert csrf_client.post(f"/orders/{order.id}/cancel", data=confirm).status_code == 302
    db.session.refresh(order)
    assert order.status == OrderStatus.REFUNDED
    assert order.refunded_idr == order.total_idr
    assert stock_of(goods["keripik"].id) == 10
    at_stripe = get_gateway().refunds_for(paid_checkout.payment_intent_id)
    assert [(r.amount_idr, r.order_id) for r in at_stripe] == [(order.total_idr, order.id)]
    entries = db.session.scalars(select(LedgerEntry).where(LedgerEntry.order_id == order.id)).all()
    assert sorted((e.kind, e.amount_idr) for e in entries) == [
        ("refund", order.total_idr),
        ("sale", order.total_idr),
    ]
    assert ledger.payable_balance(world.biz_tebet.id) == 0
    # The other seller's order is untouched.
    other = next(o for o in paid_checkout.orders if o.business_id == world.biz_cakung.id)
    db.session.refresh(other)
    assert other.status == OrderStatus.PAID


def test_cancel_shows_what_is_cancelled_and_the_refund_and_changes_nothing_until_confirmed(
    app, stripe_base, csrf_client, world, goods, paid_checkout, db
):
    """Check your answers before an irreversible action: the cancel button's POST shows the
    order, the refund and where it goes; only the confirming POST cancels, and once."""
    order = next(o for o in paid_checkout.orders if o.business_id == world.biz_tebet.id)
    response = csrf_client.post(f"/orders/{order.id}/cancel")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Batalkan pesanan #{order.id}?" in page
    assert world.biz_tebet.name in page
    assert f"Rp{order.total_idr:,}".replace(",", ".") + " kembali penuh ke kartu" in page
    assert 'name="confirm" value="1"' in page
    assert f'href="/orders/{order.id}"' in page  # "Kembali"
    db.session.refresh(order)
    assert order.status == OrderStatus.PAID
    assert order.refunded_idr == 0
    assert stock_of(goods["keripik"].id) == 8
    assert get_gateway().refunds_for(paid_checkout.payment_intent_id) == []
    assert (
        count(OrderEvent.id, OrderEvent.order_id == order.id, OrderEvent.action == "cancel_paid")
        == 0
    )

    for _ in range(2):
        response = csrf_client.post(f"/orders/{order.id}/cancel", data={"confirm": "1"})
        assert response.status_code == 302
    db.session.refresh(order)
    assert order.status == OrderStatus.REFUNDED
    assert [r.amount_idr for r in get_gateway().refunds_for(paid_checkout.payment_intent_id)] == [
        order.total_idr
    ]
    assert (
        count(OrderEvent.id, OrderEvent.order_id == order.id, OrderEvent.action == "cancel_paid")
        == 1
    )
    # After the cancel, the button's POST no longer offers a confirmation.
    assert csrf_client.post(f"/orders/{order.id}/cancel").status_code == 302


def test_cancel_confirmation_of_a_cod_order_says_nothing_was_paid(
    app, csrf_client, login_as, world, db
):
    order = cod_order(world.biz_tebet, world.consumer_a)
    db.session.commit()
    login_as(csrf_client.client, world.consumer_a)
    page = csrf_client.post(f"/orders/{order.id}/cancel").get_data(as_text=True)
    assert "Anda belum membayar" in page
    db.session.refresh(order)
    assert order.status == OrderStatus.AWAITING_DELIVERY
    assert csrf_client.post(f"/orders/{order.id}/cancel", data={"confirm": "1"}).status_code == 302
    db.session.refresh(order)
    assert order.status == OrderStatus.CANCELLED


def test_a_shipped_order_cannot_be_cancelled(app, world, db):
    order = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="shipped")
    with pytest.raises(DomainError):
        aftersales.cancel_order(order, actor=world.consumer_a)


def test_cancel_and_ship_racing_exactly_one_wins(app, stripe_base, world, goods, paid_checkout, db):
    order_id = next(o.id for o in paid_checkout.orders if o.business_id == world.biz_tebet.id)
    buyer_id, owner_id = world.consumer_a.id, world.biz_tebet.owner_id

    def attempt(i, prepared):
        from marketplace.accounts.models import User

        order = _db.session.get(Order, order_id)
        if prepared is None:
            return True
        if i == 0:
            aftersales.cancel_order(order, actor=_db.session.get(User, buyer_id))
        else:
            orders.ship_order(
                order,
                courier="JNE",
                tracking_number="JNE0001234567",
                actor=_db.session.get(User, owner_id),
            )

    ok, refused = race(app, 2, attempt)
    assert len(ok) == 1
    assert len(refused) == 1
    db.session.expire_all()
    order = db.session.get(Order, order_id)
    refunds = get_gateway().refunds_for(paid_checkout.payment_intent_id)
    if ok == [0]:
        assert order.status == OrderStatus.REFUNDED
        assert len(refunds) == 1
        assert stock_of(goods["keripik"].id) == 10
    else:
        assert order.status == OrderStatus.SHIPPED
        assert refunds == []
        assert stock_of(goods["keripik"].id) == 8


# --- every step, for both sides ---------------------------------------------------------------


def test_every_step_is_an_event_with_actor_and_time_on_both_pages_and_told_to_both(
    app, csrf_client, login_as, world, buyer, db
):
    order = cod_order(world.biz_tebet, buyer)
    owner = world.biz_tebet.owner
    aftersales.record_cash(order, amount_idr=order.total_idr, actor=owner)
    orders.ship_order(order, courier="JNE", tracking_number="JNE0001234567", actor=owner)
    db.session.commit()
    login_as(csrf_client.client, buyer)
    assert csrf_client.post(f"/orders/{order.id}/received").status_code == 302
    events = db.session.scalars(
        select(OrderEvent).where(OrderEvent.order_id == order.id).order_by(OrderEvent.seq)
    ).all()
    assert [(e.action, e.role, e.actor_id) for e in events] == [
        ("record_cash", "sme_owner", owner.id),
        ("ship", "sme_owner", owner.id),
        ("complete", "consumer", buyer.id),
    ]
    assert all(e.created_at is not None for e in events)
    buyer_page = csrf_client.get(f"/orders/{order.id}").get_data(as_text=True)
    login_as(csrf_client.client, owner)
    seller_page = csrf_client.get(f"/business/orders/{order.id}").get_data(as_text=True)
    for page in (buyer_page, seller_page):
        for step in ("Uang tunai diterima penjual", "Dikirim", "Diterima pembeli", "WIB"):
            assert step in page
    kinds = set(
        db.session.scalars(select(Notification.kind).where(Notification.user_id == buyer.id))
    )
    assert {"order_paid_buyer", "order_completed"} <= kinds
    assert count(Notification.id, Notification.user_id == owner.id) >= 2


def test_a_card_buyer_is_told_at_payment(app, stripe_base, paid_checkout, world, db):
    told = count(
        Notification.id,
        Notification.user_id == world.consumer_a.id,
        Notification.kind == "order_paid_buyer",
    )
    assert told == len(paid_checkout.orders) == 2
    assert count(OutboxEmail.id, OutboxEmail.to == world.consumer_a.email) == 2


def test_the_auto_complete_job_is_in_the_crontab():
    from pathlib import Path

    crontab = (Path(__file__).parents[2] / "deploy" / "crontab").read_text()
    assert "run-job.sh orders auto-complete" in crontab


# Keeps the journey's helpers imported for the fixtures above.
__all__ = ["buy", "checkout_via_web", "latest_checkout"]
