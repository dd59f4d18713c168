"""Payments: PaymentIntents for checkouts, idempotent fulfilment, webhooks, refunds.

``fulfil`` is called from the success page and from the webhook; whichever comes first
pays the orders, the other finds nothing left to do (compare-and-set on each order and a
unique ledger row per order).
"""

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.errors import DomainError, IllegalTransition
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.notifications.services import notify
from marketplace.orders.models import Checkout, Order, OrderStatus
from marketplace.payments.gateway import CardDeclined, GatewayError, Intent, get_gateway
from marketplace.payments.models import ProcessedStripeEvent

log = logging.getLogger("pasarkita.payments")


class PaymentUnavailable(DomainError):
    status_code = 503
    code = "payment_unavailable"

    def __init__(self):
        super().__init__(
            _l(
                "Layanan pembayaran sedang gangguan. Pesanan Anda aman; silakan "
                "coba bayar lagi sebentar lagi."
            )
        )


def ensure_intent(checkout: Checkout) -> Intent:
    """The checkout's PaymentIntent, created once. A retry after a timeout sends the same
    idempotency key, so Stripe answers with the intent it already made."""
    gateway = get_gateway()
    try:
        if checkout.payment_intent_id:
            return gateway.retrieve(checkout.payment_intent_id)
        intent = gateway.create_payment_intent(
            amount_idr=checkout.total_idr,
            checkout_id=checkout.id,
            idempotency_key=checkout.idempotency_key,
        )
    except GatewayError as exc:
        raise PaymentUnavailable() from exc
    checkout.payment_intent_id = intent.id
    db.session.flush()
    return intent


def _flag(checkout: Checkout, reason: str) -> None:
    for order in checkout.orders:
        order.flagged_reason = reason
    audit.record("payment.flagged", role="system", target=checkout, reason=reason)
    for admin_id in db.session.scalars(select(User.id).where(User.is_admin.is_(True))):
        notify(
            admin_id,
            "payment_flagged",
            checkout=checkout.id,
            reason=reason,
            link=external_url("admin.index"),
        )
    log.warning("payment flagged checkout=%s reason=%s", checkout.id, reason)


def fulfil(checkout: Checkout, intent: Intent) -> int:
    """Pay the checkout's orders for a succeeded intent; returns how many were paid now.

    Idempotent. An amount or currency that differs from the checkout total flags the
    orders instead of paying them.
    """
    if not intent.succeeded:
        return 0
    if intent.id != checkout.payment_intent_id:
        _flag(checkout, f"intent {intent.id} is not the checkout's intent")
        return 0
    if intent.currency != "idr" or intent.amount_idr != checkout.total_idr:
        _flag(
            checkout,
            f"paid {intent.amount_idr} {intent.currency}, expected {checkout.total_idr} idr",
        )
        return 0
    paid = 0
    for order in checkout.orders:
        if order.status != OrderStatus.PENDING_PAYMENT:
            if order.status == OrderStatus.EXPIRED:
                # Money arrived after the order expired and its stock went back.
                _flag(checkout, f"payment for expired order {order.id}")
            continue
        try:
            apply_transition(
                order,
                "pay",
                actor=None,
                role="system",
                note=f"payment {intent.id}",
                paid_at=utcnow(),
            )
        except IllegalTransition:
            continue  # another delivery got there first
        ledger.record_sale(order)
        notify(
            order.business.owner_id,
            "order_paid",
            order=order.id,
            email=True,
            total=format_rupiah(order.total_idr),
            link=external_url("orders.sale", order_id=order.id),
        )
        paid += 1
    if paid:
        audit.record("checkout.paid", role="system", target=checkout, orders=paid)
    return paid


def confirm_return(checkout: Checkout) -> str:
    """The buyer is back from paying: re-read the intent and fulfil. Returns its status."""
    if not checkout.payment_intent_id:
        return "requires_payment_method"
    try:
        intent = get_gateway().retrieve(checkout.payment_intent_id)
    except GatewayError:
        return "unknown"  # the webhook will still pay the orders
    fulfil(checkout, intent)
    if intent.status in ("requires_payment_method",) and not intent.succeeded:
        checkout.last_payment_error = "declined"
    return intent.status


def pay_with_token(checkout: Checkout, token_id: str) -> Intent:
    """Confirm the checkout's intent with a card token from Stripe.js."""
    intent = ensure_intent(checkout)
    if intent.succeeded:
        return intent
    try:
        intent = get_gateway().confirm_with_token(intent.id, token_id)
    except CardDeclined:
        checkout.last_payment_error = "declined"
        raise
    except GatewayError as exc:
        raise PaymentUnavailable() from exc
    fulfil(checkout, intent)
    return intent


def pay_with_test_card(checkout: Checkout, payment_method: str = "pm_card_visa") -> str:
    """Development only (seed data): pay a checkout with a localstripe test card."""
    intent = ensure_intent(checkout)
    try:
        intent = get_gateway().confirm_with_test_card(intent.id, payment_method)
    except CardDeclined:
        checkout.last_payment_error = "declined"
        return "declined"
    fulfil(checkout, intent)
    return intent.status


# --- webhooks ---------------------------------------------------------------------------


def _checkout_for(obj: dict) -> Checkout | None:
    intent_id = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    if not intent_id:
        return None
    return db.session.scalar(select(Checkout).where(Checkout.payment_intent_id == intent_id))


def handle_event(event: dict) -> str:
    """Apply one verified Stripe event exactly once. Returns what happened, for the log.

    The event id is inserted first, in the same transaction as the effect: a duplicate
    delivery, even a concurrent one, fails on the primary key and is rolled back.
    """
    event_id, kind = event.get("id"), event.get("type", "")
    obj = (event.get("data") or {}).get("object") or {}
    if not event_id:
        return "ignored: no id"
    db.session.add(ProcessedStripeEvent(event_id=event_id, type=kind[:64]))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"

    if kind not in ("payment_intent.succeeded", "payment_intent.payment_failed", "charge.refunded"):
        log.info("stripe event %s of type %s ignored", event_id, kind)
        return "ignored"
    checkout = _checkout_for(obj)
    if checkout is None:
        log.warning("stripe event %s for an unknown payment %s", event_id, obj.get("id"))
        return "unknown payment"
    if kind == "payment_intent.succeeded":
        from marketplace.payments.gateway import _intent

        paid = fulfil(checkout, _intent(obj))
        return f"paid {paid}"
    if kind == "payment_intent.payment_failed":
        # Never moves an order backwards: a late failure after success changes nothing.
        if any(o.status == OrderStatus.PENDING_PAYMENT for o in checkout.orders):
            error = (obj.get("last_payment_error") or {}).get("message") or "declined"
            checkout.last_payment_error = str(error)[:200]
        return "failure noted"
    return _external_refund(checkout, obj)


def _external_refund(checkout: Checkout, charge: dict) -> str:
    """A refund made at Stripe directly: a full one refunds every paid order."""
    from marketplace.core.money import from_stripe_amount

    refunded = from_stripe_amount(int(charge.get("amount_refunded") or 0))
    ours = sum(o.total_idr for o in checkout.orders if o.status == OrderStatus.REFUNDED)
    if refunded <= ours:
        return "refund already known"
    if refunded != checkout.total_idr:
        _flag(checkout, f"partial refund of {refunded} at Stripe")
        return "partial refund flagged"
    for order in checkout.orders:
        if order.status == OrderStatus.PAID:
            apply_transition(order, "refund", actor=None, role="system", note="refunded at Stripe")
            ledger.record_refund(order)
    return "refunded"


# --- refunds we start ---------------------------------------------------------------------


def refund_order(order: Order, *, actor, role: str, note: str | None = None) -> None:
    """Refund one SME's order in full through Stripe (paid -> refunded)."""
    apply_transition(order, "refund", actor=actor, role=role, note=note)
    ledger.record_refund(order)
    try:
        get_gateway().refund(
            order.checkout.payment_intent_id,
            amount_idr=order.total_idr,
            idempotency_key=f"refund-order-{order.id}",
        )
    except GatewayError as exc:
        raise PaymentUnavailable() from exc
    total = format_rupiah(order.total_idr)
    notify(
        order.consumer_id,
        "order_refunded",
        order=order.id,
        total=total,
        link=external_url("orders.my_order", order_id=order.id),
    )
    notify(
        order.business.owner_id,
        "order_refunded",
        order=order.id,
        total=total,
        link=external_url("orders.sale", order_id=order.id),
    )
    audit.record("order.refunded", actor=actor, role=role, target=order)
