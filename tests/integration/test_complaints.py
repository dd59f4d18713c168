"""Issue 15 item 6: complaints. Each outcome (accept full, partial, a return with its own
tracking, an admin's decision after N days) gives exactly one refund at Stripe and one
reversal in the books; the window holds the money; nobody complains outside the window or
about someone else's order."""

from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import func, select, update

from marketplace.complaints import services as complaints
from marketplace.complaints.models import Complaint, ComplaintEvent, ComplaintStatus
from marketplace.core.errors import DomainError
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db as _db
from marketplace.ledger import services as ledger
from marketplace.ledger.models import LedgerEntry
from marketplace.notifications.models import Notification
from marketplace.orders import aftersales
from marketplace.orders import services as orders
from marketplace.orders.models import Order, OrderEvent, OrderStatus
from marketplace.payments import services as payments
from marketplace.payments.gateway import get_gateway
from tests.factories import image_bytes, make_order
from tests.integration import test_checkout_payments as journey
from tests.integration.test_checkout_payments import buy, checkout_via_web, latest_checkout

goods = journey.goods

COMPLAINT = {"reason": "damaged", "text": "Kemasan sobek dan keripiknya hancur semua."}


@pytest.fixture
def shipped(app, stripe_base, csrf_client, login_as, world, goods, db):
    """Ani paid Rp30.000 at localstripe for one seller's keripik, and it was shipped."""
    login_as(csrf_client.client, world.consumer_a)
    buy(csrf_client, goods["keripik"], 2)
    assert checkout_via_web(csrf_client).status_code == 302
    checkout = latest_checkout()
    payments.pay_with_test_card(checkout)
    db.session.commit()
    order = checkout.orders[0]
    orders.ship_order(
        order, courier="JNE", tracking_number="JNE0001234567", actor=world.biz_tebet.owner
    )
    db.session.commit()
    return order


def refunds_at_stripe(order):
    return get_gateway().refunds_for(order.checkout.payment_intent_id)


def reversals(order):
    return _db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.order_id == order.id, LedgerEntry.kind == "refund")
    ).all()


def open_via_web(csrf_client, order, **extra):
    return csrf_client.post(f"/orders/{order.id}/complaint", data={**COMPLAINT, **extra})


def complaint_of(order) -> Complaint:
    return _db.session.scalar(select(Complaint).where(Complaint.order_id == order.id))


def as_seller(csrf_client, login_as, world):
    login_as(csrf_client.client, world.biz_tebet.owner)


def test_accepting_in_full_refunds_once_and_reverses_the_books_once(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    assert open_via_web(csrf_client, shipped).status_code == 302
    assert count_kind("complaint_opened") == 2  # both sides
    as_seller(csrf_client, login_as, world)
    for _ in range(2):
        response = csrf_client.post(f"/business/orders/{shipped.id}/complaint/full")
        assert response.status_code == 302
    db.session.expire_all()
    order = db.session.get(Order, shipped.id)
    assert order.status == OrderStatus.REFUNDED
    assert [r.amount_idr for r in refunds_at_stripe(order)] == [30_000]
    assert [e.amount_idr for e in reversals(order)] == [30_000]
    assert complaint_of(order).status == ComplaintStatus.RESOLVED
    assert complaint_of(order).refund_idr == 30_000
    assert ledger.payable_balance(world.biz_tebet.id) == 0


def test_a_partial_refund_completes_the_order_with_the_rest_payable(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    assert open_via_web(csrf_client, shipped).status_code == 302
    as_seller(csrf_client, login_as, world)
    too_much = csrf_client.post(
        f"/business/orders/{shipped.id}/complaint/partial", data={"amount_idr": "30000"}
    )
    assert too_much.status_code == 302
    assert complaint_of(shipped).status == ComplaintStatus.OPEN
    for _ in range(2):
        csrf_client.post(
            f"/business/orders/{shipped.id}/complaint/partial", data={"amount_idr": "10000"}
        )
    db.session.expire_all()
    order = db.session.get(Order, shipped.id)
    assert order.status == OrderStatus.COMPLETED
    assert order.refunded_idr == 10_000
    assert [r.amount_idr for r in refunds_at_stripe(order)] == [10_000]
    assert [e.amount_idr for e in reversals(order)] == [10_000]
    assert ledger.payable_balance(world.biz_tebet.id) == 20_000


def test_a_return_with_its_own_tracking_then_a_full_refund(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    assert open_via_web(csrf_client, shipped).status_code == 302
    as_seller(csrf_client, login_as, world)
    csrf_client.post(f"/business/orders/{shipped.id}/complaint/return")
    assert complaint_of(shipped).status == ComplaintStatus.RETURN_REQUESTED
    # The seller cannot refund "received" before the goods are on their way back.
    csrf_client.post(f"/business/orders/{shipped.id}/complaint/received")
    assert refunds_at_stripe(shipped) == []
    login_as(csrf_client.client, world.consumer_a)
    csrf_client.post(
        f"/orders/{shipped.id}/complaint/return",
        data={"courier": "J&T", "tracking_number": "JP1234567890"},
    )
    found = complaint_of(shipped)
    assert (found.status, found.return_courier, found.return_tracking) == (
        ComplaintStatus.RETURN_SHIPPED,
        "J&T",
        "JP1234567890",
    )
    as_seller(csrf_client, login_as, world)
    for _ in range(2):
        csrf_client.post(f"/business/orders/{shipped.id}/complaint/received")
    db.session.expire_all()
    order = db.session.get(Order, shipped.id)
    assert order.status == OrderStatus.REFUNDED
    assert [r.amount_idr for r in refunds_at_stripe(order)] == [30_000]
    assert [e.amount_idr for e in reversals(order)] == [30_000]


def test_unsettled_after_n_days_an_admin_decides_with_one_refund(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    assert open_via_web(csrf_client, shipped).status_code == 302
    as_seller(csrf_client, login_as, world)
    csrf_client.post(
        f"/business/orders/{shipped.id}/complaint/answer",
        data={"answer": "Barang kami kirim utuh, mohon cek lagi."},
    )
    assert complaint_of(shipped).status == ComplaintStatus.ANSWERED
    # Not yet due: nothing escalates, and the open complaint keeps the order from completing.
    later = utcnow() + timedelta(days=app.config["AUTO_COMPLETE_DAYS_COURIER"] + 1)
    soon = utcnow() + timedelta(days=app.config["COMPLAINT_DECISION_DAYS"] - 1)
    assert aftersales.auto_complete(soon) == {"completed": 0, "escalated": 0}
    db.session.commit()
    assert aftersales.auto_complete(later) == {"completed": 0, "escalated": 1}
    db.session.commit()
    assert aftersales.auto_complete(later) == {"completed": 0, "escalated": 0}
    db.session.commit()
    found = complaint_of(shipped)
    assert found.status == ComplaintStatus.ESCALATED

    login_as(csrf_client.client, world.admin)
    assert f"#{shipped.id}" in csrf_client.get("/admin/complaints").get_data(as_text=True)
    decision = {"refund_idr": "5000", "note": "Foto menunjukkan kemasan rusak sebagian."}
    assert csrf_client.post(f"/admin/complaints/{found.id}", data=decision).status_code == 302
    assert csrf_client.post(f"/admin/complaints/{found.id}", data=decision).status_code == 400
    db.session.expire_all()
    order = db.session.get(Order, shipped.id)
    assert complaint_of(order).status == ComplaintStatus.DECIDED
    assert order.status == OrderStatus.COMPLETED
    assert [r.amount_idr for r in refunds_at_stripe(order)] == [5_000]
    assert [e.amount_idr for e in reversals(order)] == [5_000]
    assert count_kind("complaint_decided") == 2
    steps = db.session.scalars(
        select(ComplaintEvent.action)
        .where(ComplaintEvent.complaint_id == found.id)
        .order_by(ComplaintEvent.seq)
    ).all()
    assert steps == ["answer", "escalate", "decide"]


def test_a_buyer_cannot_complain_outside_the_window(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    days = app.config["AUTO_COMPLETE_DAYS_COURIER"]
    db.session.execute(
        update(Order)
        .where(Order.id == shipped.id)
        .values(status_changed_at=utcnow() - timedelta(days=days, minutes=1))
    )
    db.session.commit()
    assert open_via_web(csrf_client, shipped).status_code == 302
    assert complaint_of(shipped) is None
    paid = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="paid")
    completed = make_order(business=world.biz_tebet, consumer=world.consumer_a, status="completed")
    for order in (paid, completed):
        with pytest.raises(DomainError):
            complaints.open_complaint(order, reason="damaged", text=COMPLAINT["text"], actor=None)
        db.session.rollback()
    assert db.session.scalar(select(func.count(Complaint.id))) == 0


def test_a_buyer_cannot_complain_about_another_buyers_order(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    login_as(csrf_client.client, world.consumer_b)
    assert open_via_web(csrf_client, shipped).status_code == 404
    assert csrf_client.get(f"/orders/{shipped.id}/complaint").status_code == 404
    login_as(csrf_client.client, world.consumer_a)
    assert open_via_web(csrf_client, shipped).status_code == 302
    login_as(csrf_client.client, world.consumer_b)
    assert csrf_client.get(f"/orders/{shipped.id}/complaint").status_code == 404
    # Another seller does not reach it either.
    login_as(csrf_client.client, world.biz_cakung.owner)
    assert csrf_client.get(f"/business/orders/{shipped.id}/complaint").status_code == 404
    assert csrf_client.post(f"/business/orders/{shipped.id}/complaint/full").status_code == 404
    assert refunds_at_stripe(shipped) == []


def test_photos_up_to_three_are_kept_and_shown_to_both_sides_only(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    def photos(n):
        return [(BytesIO(image_bytes()), f"foto{i}.jpg") for i in range(n)]

    four = csrf_client.post(
        f"/orders/{shipped.id}/complaint",
        data={**COMPLAINT, "photos": photos(4)},
        content_type="multipart/form-data",
    )
    assert four.status_code == 400
    assert complaint_of(shipped) is None
    three = csrf_client.post(
        f"/orders/{shipped.id}/complaint",
        data={**COMPLAINT, "photos": photos(3)},
        content_type="multipart/form-data",
    )
    assert three.status_code == 302
    found = complaint_of(shipped)
    assert len(found.photos) == 3
    photo = f"/complaint-photos/{found.photos[0].id}"
    assert csrf_client.get(photo).status_code == 200
    as_seller(csrf_client, login_as, world)
    assert csrf_client.get(photo).status_code == 200
    assert "Foto 3" in csrf_client.get(f"/business/orders/{shipped.id}/complaint").get_data(
        as_text=True
    )
    login_as(csrf_client.client, world.consumer_b)
    assert csrf_client.get(photo).status_code == 404


def test_the_buyer_accepts_the_answer_and_the_money_goes_to_the_seller(
    app, stripe_base, csrf_client, login_as, world, shipped, db
):
    open_via_web(csrf_client, shipped)
    # While the complaint is open the buyer cannot just confirm receipt either.
    csrf_client.post(f"/orders/{shipped.id}/received")
    assert db.session.get(Order, shipped.id).status == OrderStatus.SHIPPED
    as_seller(csrf_client, login_as, world)
    csrf_client.post(
        f"/business/orders/{shipped.id}/complaint/answer",
        data={"answer": "Mohon maaf, kami kirim ulang besok pagi."},
    )
    login_as(csrf_client.client, world.consumer_a)
    page = csrf_client.get(f"/orders/{shipped.id}/complaint").get_data(as_text=True)
    assert "Mohon maaf, kami kirim ulang besok pagi." in page
    csrf_client.post(f"/orders/{shipped.id}/complaint/accept-answer")
    db.session.expire_all()
    assert db.session.get(Order, shipped.id).status == OrderStatus.COMPLETED
    assert refunds_at_stripe(shipped) == []
    assert reversals(shipped) == []
    assert ledger.payable_balance(world.biz_tebet.id) == 30_000


def count_kind(kind) -> int:
    return int(
        _db.session.scalar(select(func.count(Notification.id)).where(Notification.kind == kind))
    )


def test_the_demo_has_a_complaint_in_each_outcome(app, db):
    from marketplace.cli import seed_demo

    assert app.test_cli_runner().invoke(seed_demo).exit_code == 0
    statuses = set(db.session.scalars(select(Complaint.status)))
    assert statuses == {"open", "answered", "resolved", "return_shipped", "decided"}
    refunded = db.session.scalars(select(Complaint.refund_idr).where(Complaint.refund_idr > 0))
    assert len(set(refunded)) >= 3  # full, partial, return, the admin's half
    events = db.session.scalars(select(OrderEvent.action)).all()
    assert {"cancel_paid", "complete", "complaint_refund", "complaint_closed"} <= set(events)
    # Cash on delivery through the checkout, one order in each COD state (issue 15 item 8).
    cod = db.session.execute(
        select(Order.status, Order.paid_at).where(Order.payment_method == "cod")
    ).all()
    assert sorted(status for status, _ in cod) == ["awaiting_delivery", "cancelled", "paid"]
    assert all((paid_at is not None) == (status == "paid") for status, paid_at in cod)
