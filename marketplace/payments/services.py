"""Payments: PaymentIntents for checkouts, idempotent fulfilment, webhooks, refunds.

``fulfil`` is called from the success page and from the webhook; whichever comes first
pays the orders, the other finds nothing left to do (compare-and-set on each order and a
unique ledger row per order).
"""

import logging
from typing import Literal, overload

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from marketplace.accounts.models import User
from marketplace.core import audit
from marketplace.core.errors import DomainError, IllegalTransition, ValidationFailed
from marketplace.core.models import rowcount
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.notifications.services import notify, notify_everywhere
from marketplace.orders.models import Checkout, Order, OrderStatus
from marketplace.payments.gateway import (
    CardDeclined,
    GatewayError,
    Intent,
    Refund,
    get_gateway,
)
from marketplace.payments.models import PaymentRefund, ProcessedStripeEvent

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
    if db.session.scalar(
        select(PaymentRefund.refund_id).where(PaymentRefund.checkout_id == checkout.id).limit(1)
    ):
        # Events disagree (a success for a payment with refunds): Stripe's word decides.
        try:
            intent = get_gateway().retrieve(intent.id)
        except GatewayError as exc:
            raise PaymentUnavailable() from exc
        if not intent.succeeded:
            return 0
        if refunded_at_stripe(checkout) >= checkout.total_idr:
            return _refunded_before_payment(checkout, intent)
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
        notify_everywhere(  # the buyer too, at payment (issue 15)
            order.consumer_id,
            "order_paid_buyer",
            order=order.id,
            business=order.business.name,
            total=format_rupiah(order.total_idr),
            link=external_url("orders.my_order", order_id=order.id),
        )
        paid += 1
    if paid:
        audit.record("checkout.paid", role="system", target=checkout, orders=paid)
        _apply_refunds(checkout)  # a partial refund that arrived before the success
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

# The largest amount Stripe takes in IDR: 12 digits in the minor unit (DOMAIN 7).
MAX_STRIPE_AMOUNT = 999_999_999_999
REFUND_EVENTS = (
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
    "refund.failed",
)
HANDLED_EVENTS = ("payment_intent.succeeded", "payment_intent.payment_failed", *REFUND_EVENTS)


class MalformedEvent(Exception):
    """A validly signed event we cannot read. ``reason`` names the field, never its value
    (values may be huge or hold what should not be logged)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@overload
def _str_field(
    obj: dict, key: str, *, required: Literal[True] = ..., max_len: int = ...
) -> str: ...
@overload
def _str_field(obj: dict, key: str, *, required: bool, max_len: int = ...) -> str | None: ...
def _str_field(obj: dict, key: str, *, required: bool = True, max_len: int = 255) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > max_len:
        raise MalformedEvent(f"{key} is not a string id")
    return value


@overload
def _dict_field(obj: dict, key: str, *, required: Literal[True] = ...) -> dict: ...
@overload
def _dict_field(obj: dict, key: str, *, required: bool) -> dict | None: ...
def _dict_field(obj: dict, key: str, *, required: bool = True) -> dict | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise MalformedEvent(f"{key} is not an object")
    return value


def stripe_amount_idr(value, field: str = "amount") -> int:
    """A Stripe IDR amount from an event: an integer of whole rupiah (minor unit x100)."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedEvent(f"{field} is not an integer")
    if not 0 <= value <= MAX_STRIPE_AMOUNT:
        raise MalformedEvent(f"{field} is out of range")
    if value % 100:
        raise MalformedEvent(f"{field} is not a whole number of rupiah")
    return value // 100


def _envelope(event) -> tuple[str, str, dict, str | None]:
    """The parts every handled event must have: (id, type, data.object, intent id).
    Anything else is malformed: the webhook answers 400 and records nothing."""
    if not isinstance(event, dict):
        raise MalformedEvent("body is not an object")
    event_id = _str_field(event, "id")
    kind = _str_field(event, "type", max_len=64)
    obj = _dict_field(_dict_field(event, "data"), "object")
    intent_id = None
    if kind in HANDLED_EVENTS:
        key = "id" if kind.startswith("payment_intent.") else "payment_intent"
        intent_id = _str_field(obj, key, required=key == "id", max_len=64)
    return event_id, kind, obj, intent_id


def _event_intent(obj: dict) -> Intent:
    metadata = obj.get("metadata")
    checkout = metadata.get("checkout_id") if isinstance(metadata, dict) else None
    currency = obj.get("currency")
    status = obj.get("status")
    return Intent(
        id=obj["id"],
        status=status if isinstance(status, str) else "",
        amount_idr=stripe_amount_idr(obj.get("amount")),
        currency=currency.lower() if isinstance(currency, str) else "",
        client_secret=None,
        checkout_id=int(checkout)
        if isinstance(checkout, str) and checkout.isdigit() and len(checkout) < 19
        else None,
    )


def handle_event(event) -> str:
    """Apply one verified Stripe event exactly once. Returns what happened, for the log.

    The event id is inserted first, in the same transaction as the effect: a duplicate
    delivery, even a concurrent one, fails on the primary key and is rolled back.
    Raises MalformedEvent (answered 400) when the event has no readable id, type, object
    or payment; a readable event with unreadable amounts flags its checkout instead
    (answered 200: a retry would carry the same body).
    """
    event_id, kind, obj, intent_id = _envelope(event)
    db.session.add(ProcessedStripeEvent(event_id=event_id, type=kind[:64]))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return "duplicate"

    if kind not in HANDLED_EVENTS:
        log.info("stripe event %s of type %s ignored", event_id, kind)
        return "ignored"
    checkout = (
        db.session.scalar(select(Checkout).where(Checkout.payment_intent_id == intent_id))
        if intent_id
        else None
    )
    if checkout is None or intent_id is None:
        log.warning("stripe event %s for an unknown payment %s", event_id, intent_id)
        return "unknown payment"
    try:
        if kind == "payment_intent.succeeded":
            intent = _event_intent(obj)
            refunded = _charge_refunds(obj.get("latest_charge"))  # read all before acting
            paid = fulfil(checkout, intent)
            if refunded is not None:
                _external_refund(checkout, intent_id, *refunded)
            return f"paid {paid}"
        if kind == "payment_intent.payment_failed":
            # Never moves an order backwards: a late failure after success changes nothing.
            if any(o.status == OrderStatus.PENDING_PAYMENT for o in checkout.orders):
                error = obj.get("last_payment_error")
                message = error.get("message") if isinstance(error, dict) else None
                checkout.last_payment_error = (
                    message[:200] if isinstance(message, str) and message else "declined"
                )
            return "failure noted"
        if (
            obj.get("object") == "refund"
            or kind.startswith("refund.")
            or kind == ("charge.refund.updated")
        ):
            return _external_refund(checkout, intent_id, [_refund_claim(obj)], None)
        claims, cumulative = _charge_refunds(obj) or ([], None)
        return _external_refund(checkout, intent_id, claims, cumulative)
    except MalformedEvent as exc:
        _flag(checkout, f"unreadable stripe event {event_id}: {exc.reason}")
        return f"malformed, flagged: {exc.reason}"


# --- refunds from Stripe (any source, any order) ------------------------------------------


def _refund_claim(obj) -> Refund:
    if not isinstance(obj, dict):
        raise MalformedEvent("refund is not an object")
    metadata = obj.get("metadata")
    order = metadata.get("order_id") if isinstance(metadata, dict) else None
    status = obj.get("status")
    return Refund(
        id=_str_field(obj, "id"),
        amount_idr=stripe_amount_idr(obj.get("amount"), "refund amount"),
        status=status if isinstance(status, str) else "",
        order_id=int(order)
        if isinstance(order, str) and order.isdigit() and len(order) < 19
        else None,
    )


def _charge_refunds(charge) -> tuple[list[Refund], int] | None:
    """The refunds a charge object carries: its list (when Stripe includes it) and its
    cumulative ``amount_refunded``. None for a charge that is only an id (or absent)."""
    if not isinstance(charge, dict):
        return None
    cumulative = stripe_amount_idr(charge.get("amount_refunded") or 0, "amount_refunded")
    listed = charge.get("refunds")
    claims = []
    if isinstance(listed, dict) and isinstance(listed.get("data"), list):
        claims = [_refund_claim(item) for item in listed["data"]]
    if not claims and not cumulative:
        return None
    return claims, cumulative


def _recorded(checkout: Checkout) -> dict[str, PaymentRefund]:
    rows = db.session.scalars(
        select(PaymentRefund).where(PaymentRefund.checkout_id == checkout.id)
    ).all()
    return {row.refund_id: row for row in rows}


def refunded_at_stripe(checkout: Checkout) -> int:
    """What Stripe gave back on this checkout's payment, as far as we have recorded."""
    return sum(row.amount_idr for row in _recorded(checkout).values())


def _record_refund(checkout: Checkout, refund: Refund, *, allocated: bool = False) -> bool:
    """Insert the refund once: a savepoint absorbs a concurrent or earlier copy."""
    order_ids = {o.id for o in checkout.orders}
    row = PaymentRefund(
        refund_id=refund.id,
        checkout_id=checkout.id,
        order_id=refund.order_id if refund.order_id in order_ids else None,
        amount_idr=refund.amount_idr,
        allocated=allocated,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def _external_refund(
    checkout: Checkout, intent_id: str, claims: list[Refund], cumulative: int | None
) -> str:
    """Record the refunds an event tells of, once each, then let them reach the orders.

    When the event and our records disagree (a cumulative amount that the refunds we know
    do not add up to, more refunded than paid, a refund we counted now failed), Stripe's
    own list of the intent's refunds is read and recorded instead.
    """
    known = _recorded(checkout)
    failed = [c for c in claims if c.id in known and not c.counts]
    new = [c for c in claims if c.counts and c.id not in known and c.amount_idr > 0]
    expected = sum(r.amount_idr for r in known.values()) + sum(c.amount_idr for c in new)
    if (
        failed
        or (cumulative is not None and cumulative != expected)
        or (expected > checkout.total_idr)
    ):
        try:
            truth = get_gateway().refunds_for(intent_id)
        except GatewayError as exc:
            raise PaymentUnavailable() from exc  # 503: Stripe retries the event later
        new = [c for c in truth if c.counts and c.id not in known and c.amount_idr > 0]
        gone = [c for c in truth if c.id in known and not c.counts]
        if gone:
            _flag(checkout, f"refund {gone[0].id} counted here is {gone[0].status} at Stripe")
    recorded = sum(_record_refund(checkout, c) for c in new)
    applied = _apply_refunds(checkout)
    if not recorded and not applied:
        return "refund already known"
    return f"refunds recorded {recorded}"


def _notify_both(order: Order, kind: str, **params) -> None:
    notify(
        order.consumer_id,
        kind,
        order=order.id,
        link=external_url("orders.my_order", order_id=order.id),
        **params,
    )
    notify(
        order.business.owner_id,
        kind,
        order=order.id,
        link=external_url("orders.sale", order_id=order.id),
        **params,
    )


def _refund_to_order(order: Order, amount: int, refund_id: str) -> int:
    """Give ``amount`` back on one paid order: the refunded amount, the books, the state
    (refunded once it is the whole order), both sides told. Returns what was applied."""
    room = order.total_idr - order.refunded_idr
    if amount > room:
        _flag(order.checkout, f"refund {refund_id} exceeds order {order.id} by {amount - room}")
        amount = room
    if amount <= 0:
        return 0
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.refunded_idr + amount <= Order.total_idr)
        .values(refunded_idr=Order.refunded_idr + amount)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        return 0
    db.session.refresh(order, ["refunded_idr"])
    ledger.record_stripe_refund(order, order.refunded_idr)
    if order.refunded_idr == order.total_idr:
        apply_transition(
            order, "refund_at_stripe", actor=None, role="system", note=f"refund {refund_id}"
        )
        _notify_both(order, "order_refunded", total=format_rupiah(order.total_idr))
    else:
        _notify_both(
            order,
            "order_partially_refunded",
            amount=format_rupiah(amount),
            total=format_rupiah(order.total_idr),
        )
    audit.record(
        "order.refunded_at_stripe", role="system", target=order, refund=refund_id, amount=amount
    )
    return amount


def _apply_refunds(checkout: Checkout) -> int:
    """Bring every recorded, not yet applied refund of the checkout to its orders.

    Before the payment is confirmed nothing is applied: the refund waits, and ``fulfil``
    reads it. A refund names its order (ours do, in Stripe metadata); one that does not
    goes to the only paid order, or is the whole remainder of the checkout, or matches
    exactly one order's remainder; otherwise a human decides (flagged).
    """
    pending = [row for row in _recorded(checkout).values() if not row.allocated]
    applied = 0
    for row in sorted(pending, key=lambda r: (r.created_at, r.refund_id)):
        paid = [
            o
            for o in checkout.orders
            if o.status in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED)
        ]
        if any(o.status == OrderStatus.PENDING_PAYMENT for o in checkout.orders):
            continue  # not paid yet: fulfil decides
        room = {o.id: o.total_idr - o.refunded_idr for o in paid}
        targets: list[tuple[Order, int]] = []
        named = next((o for o in paid if o.id == row.order_id), None)
        if named is not None:
            targets = [(named, row.amount_idr)]
        elif len(paid) == 1:
            targets = [(paid[0], row.amount_idr)]
        elif paid and row.amount_idr == sum(room.values()):
            targets = [(o, room[o.id]) for o in paid if room[o.id]]
        else:
            exact = [o for o in paid if room[o.id] == row.amount_idr]
            if len(exact) == 1:
                targets = [(exact[0], row.amount_idr)]
        if not targets:
            _flag(checkout, f"refund {row.refund_id} of {row.amount_idr} matches no order")
            continue
        claimed = db.session.execute(
            update(PaymentRefund)
            .where(PaymentRefund.refund_id == row.refund_id, PaymentRefund.allocated.is_(False))
            .values(allocated=True)
            .execution_options(synchronize_session=False)
        )
        if rowcount(claimed) != 1:
            continue  # another delivery applied it
        for order, amount in targets:
            applied += _refund_to_order(order, amount, row.refund_id)
    return applied


def _refunded_before_payment(checkout: Checkout, intent: Intent) -> int:
    """A success event for a payment Stripe already gave back in full: no sale. The
    orders are cancelled (stock back), flagged, both sides told. Returns 0 (none paid)."""
    from marketplace.orders.services import release_stock

    for order in checkout.orders:
        if order.status != OrderStatus.PENDING_PAYMENT:
            continue
        try:
            apply_transition(
                order,
                "cancel",
                actor=None,
                role="system",
                note=f"payment {intent.id} refunded at Stripe before it was confirmed",
            )
        except IllegalTransition:
            continue
        release_stock(order)
        _notify_both(order, "order_refunded_unpaid", total=format_rupiah(order.total_idr))
    db.session.execute(
        update(PaymentRefund)
        .where(PaymentRefund.checkout_id == checkout.id)
        .values(allocated=True)
        .execution_options(synchronize_session=False)
    )
    _flag(checkout, f"payment {intent.id} refunded in full before it was confirmed")
    return 0


# --- refunds we start ---------------------------------------------------------------------


def refund_order(order: Order, *, actor, role: str, note: str | None = None) -> None:
    """Refund one SME's order in full through Stripe (paid -> refunded). Money out: never
    by a helper in assisted mode."""
    from marketplace.assist.services import refuse_helper

    refuse_helper(actor)
    apply_transition(order, "refund", actor=actor, role=role, note=note)
    ledger.record_refund(order)
    try:
        refund_id = get_gateway().refund(
            order.checkout.payment_intent_id,
            amount_idr=order.total_idr,
            idempotency_key=f"refund-order-{order.id}",
            order_id=order.id,
        )
    except GatewayError as exc:
        raise PaymentUnavailable() from exc
    # Stripe's refund event for it then finds it known (a savepoint absorbs a copy that a
    # faster webhook delivery recorded).
    db.session.execute(
        update(Order)
        .where(Order.id == order.id)
        .values(refunded_idr=Order.total_idr)
        .execution_options(synchronize_session=False)
    )
    _record_refund(
        order.checkout,
        Refund(id=refund_id, amount_idr=order.total_idr, status="succeeded", order_id=order.id),
        allocated=True,
    )
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


def refund_part(
    order: Order, amount_idr: int, *, idempotency_key: str, actor, role: str, note: str
) -> str | None:
    """Give ``amount_idr`` back on a paid order (a complaint's outcome, a cancellation):
    the refunded amount raised under a compare-and-set, the order's one refund entry in the
    books written (or raised), and the money sent back through Stripe under
    ``idempotency_key`` (a retry refunds once). A cash-on-delivery order has no payment at
    Stripe: the seller hands the cash back, the books record it the same. Returns Stripe's
    refund id (None for cash). The caller guards "once" with its own transition."""
    room = order.total_idr - order.refunded_idr
    if not 0 < amount_idr <= room:
        raise ValidationFailed(
            _l("Jumlah pengembalian harus 1 sampai %(max)s.", max=format_rupiah(room)),
            field="amount_idr",
        )
    result = db.session.execute(
        update(Order)
        .where(Order.id == order.id, Order.refunded_idr + amount_idr <= Order.total_idr)
        .values(refunded_idr=Order.refunded_idr + amount_idr)
        .execution_options(synchronize_session=False)
    )
    if rowcount(result) != 1:
        raise IllegalTransition(
            _l("Data ini baru saja diubah orang lain. Muat ulang halaman lalu coba lagi."),
            state=order.status,
            action="refund",
        )
    db.session.refresh(order, ["refunded_idr"])
    ledger.record_stripe_refund(order, order.refunded_idr)
    refund_id = None
    intent_id = order.checkout.payment_intent_id
    if intent_id:
        try:
            refund_id = get_gateway().refund(
                intent_id,
                amount_idr=amount_idr,
                idempotency_key=idempotency_key,
                order_id=order.id,
            )
        except GatewayError as exc:
            raise PaymentUnavailable() from exc
        _record_refund(
            order.checkout,
            Refund(id=refund_id, amount_idr=amount_idr, status="succeeded", order_id=order.id),
            allocated=True,
        )
    audit.record(
        "order.refund_part",
        actor=actor,
        role=role,
        target=order,
        amount=amount_idr,
        refund=refund_id or "cash",
        note=note,
    )
    return refund_id
