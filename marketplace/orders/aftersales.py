"""After checkout (issue 15): cash on delivery, cancellation before shipping, receipt and the
money held until it, and the steps both sides are told of.

Every step is a compare-and-set transition on the order (``core.statemachine``), so each
happens once whoever races it (a cancel and a ship, two runs of the daily job); its event
carries actor, role and time. Money moves only after the transition won: stock goes back,
Stripe refunds under a key derived from the order, the books get one entry.
"""

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from marketplace.core import audit
from marketplace.core.errors import DomainError, IllegalTransition, ValidationFailed
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.ledger import services as ledger
from marketplace.notifications.services import notify_everywhere
from marketplace.orders.models import Order, OrderEvent, OrderStatus
from marketplace.orders.services import release_stock

# Delivery kinds (the "shipping" engineer's Order.delivery_kind) that are local: pickup and
# the seller's own delivery complete after AUTO_COMPLETE_DAYS_LOCAL, couriers after _COURIER.
LOCAL_KINDS = ("pickup_seller", "pickup_chapter", "seller")
# The order events that count as a failed cash-on-delivery order for the buyer.
COD_FAILURES = ("fail_delivery", "release_cod")


def tell_buyer(order: Order, kind: str, **params) -> None:
    notify_everywhere(
        order.consumer_id,
        kind,
        order=order.id,
        business=order.business.name,
        link=external_url("orders.my_order", order_id=order.id),
        **params,
    )


def tell_seller(order: Order, kind: str, **params) -> None:
    notify_everywhere(
        order.business.owner_id,
        kind,
        order=order.id,
        business=order.business.name,
        link=external_url("orders.sale", order_id=order.id),
        **params,
    )


def tell_both(order: Order, kind: str, **params) -> None:
    tell_buyer(order, kind, **params)
    tell_seller(order, kind, **params)


# --- cash on delivery ---------------------------------------------------------------------


def cod_failures(user) -> int:
    """How many of ``user``'s cash-on-delivery orders failed (refused at the door, never
    collected in time)."""
    return int(
        db.session.scalar(
            select(func.count(OrderEvent.id))
            .join(Order, Order.id == OrderEvent.order_id)
            .where(Order.consumer_id == user.id, OrderEvent.action.in_(COD_FAILURES))
        )
        or 0
    )


def cod_allowed_for(user) -> bool:
    """Whether ``user`` may pay at pickup or on delivery: a verified phone, and fewer than
    COD_MAX_FAILURES failed COD orders (the checkout asks this per group)."""
    if not getattr(user, "is_authenticated", False) or not user.phone_e164:
        return False
    return cod_failures(user) < current_app.config["COD_MAX_FAILURES"]


def record_cash(order: Order, *, amount_idr, actor) -> None:
    """The seller received the cash: awaiting_delivery -> paid -> the books, in the caller's
    one transaction. The amount must be the order's total, to the rupiah."""
    if (
        not isinstance(amount_idr, int)
        or isinstance(amount_idr, bool)
        or amount_idr != order.total_idr
    ):
        raise ValidationFailed(
            _l(
                "Jumlah uang yang diterima harus sama dengan total pesanan (%(total)s).",
                total=format_rupiah(order.total_idr),
            ),
            field="amount_idr",
        )
    apply_transition(
        order,
        "record_cash",
        actor=actor,
        role="sme_owner",
        note=f"cash {amount_idr}",
        paid_at=utcnow(),
    )
    ledger.record_sale(order)
    total = format_rupiah(order.total_idr)
    tell_buyer(order, "order_paid_buyer", total=total)
    tell_seller(order, "order_cash_recorded", total=total)
    audit.record("order.cash_recorded", actor=actor, role="sme_owner", target=order)


def fail_delivery(order: Order, *, actor, note: str | None = None) -> None:
    """The buyer was not there or refused the goods: the order is cancelled and its stock
    goes back (once: the transition is the guard). It counts against the buyer's COD."""
    note = (note or "").strip()[:300] or None
    apply_transition(order, "fail_delivery", actor=actor, role="sme_owner", note=note)
    release_stock(order)
    tell_both(order, "order_delivery_failed")


def release_cod(now: datetime | None = None) -> dict:
    """COD orders not delivered within COD_RELEASE_HOURS: expired, stock back, exactly once
    (``flask orders release-cod``, also run by ``orders expire``)."""
    now = now or utcnow()
    cutoff = now - timedelta(hours=current_app.config["COD_RELEASE_HOURS"])
    stale = db.session.scalars(
        select(Order)
        .where(Order.status == OrderStatus.AWAITING_DELIVERY, Order.status_changed_at < cutoff)
        .options(selectinload(Order.lines), selectinload(Order.business))
    ).all()
    released = 0
    for order in stale:
        try:
            apply_transition(
                order, "release_cod", actor=None, role="system", note="not delivered in time"
            )
        except DomainError:
            continue  # delivered or cancelled meanwhile
        release_stock(order)
        tell_both(order, "order_cod_released")
        released += 1
    db.session.flush()
    return {"released": released}


# --- cancellation before shipping -----------------------------------------------------------


def cancel_terms(order: Order) -> dict:
    """What cancelling ``order`` would do, for the buyer's check-your-answers page: the
    same refusal as ``cancel_order`` when it may not be cancelled, otherwise the refund
    (``refund_idr``, 0 for a COD order, where no money was taken) and where it goes."""
    if order.status == OrderStatus.AWAITING_DELIVERY:
        return {"refund_idr": 0, "method": "cod"}
    if order.status != OrderStatus.PAID:
        raise IllegalTransition(
            _l("Pesanan yang sudah dikirim tidak bisa dibatalkan. Ajukan keluhan."),
            state=order.status,
            action="cancel_paid",
        )
    return {"refund_idr": order.total_idr - order.refunded_idr, "method": "card"}


def cancel_order(order: Order, *, actor) -> None:
    """The buyer cancels before the seller ships. A COD order is simply cancelled; a paid
    one is refunded in full through the gateway (the same idempotency key as an admin's
    refund of the order, so the two can never both give money back). Stock goes back. The
    compare-and-set on ``paid`` is what a concurrent "ship" also needs: one of them wins."""
    if order.status == OrderStatus.AWAITING_DELIVERY:
        apply_transition(order, "cancel", actor=actor, role="consumer", note="cancelled by buyer")
        release_stock(order)
        tell_both(order, "order_cancelled")
        return
    if order.status != OrderStatus.PAID:
        raise IllegalTransition(
            _l("Pesanan yang sudah dikirim tidak bisa dibatalkan. Ajukan keluhan."),
            state=order.status,
            action="cancel_paid",
        )
    from marketplace.payments.services import refund_part

    apply_transition(order, "cancel_paid", actor=actor, role="consumer", note="cancelled by buyer")
    release_stock(order)
    refund_part(
        order,
        order.total_idr - order.refunded_idr,
        idempotency_key=f"refund-order-{order.id}",
        actor=actor,
        role="consumer",
        note="cancelled before shipping",
    )
    tell_both(order, "order_cancelled")
    tell_both(order, "order_refunded", total=format_rupiah(order.total_idr))


# --- receipt and the money held until it ------------------------------------------------------


def _has_open_complaint(order: Order) -> bool:
    from marketplace.complaints.models import UNSETTLED, Complaint

    return bool(
        db.session.scalar(
            select(Complaint.id).where(
                Complaint.order_id == order.id, Complaint.status.in_(UNSETTLED)
            )
        )
    )


def complete(order: Order, action: str, *, actor, role: str, note: str | None = None) -> None:
    """Shipped -> completed: from now on the order's money is payable to the seller."""
    apply_transition(order, action, actor=actor, role=role, note=note, completed_at=utcnow())
    tell_both(order, "order_completed", total=format_rupiah(order.total_idr - order.refunded_idr))


def confirm_receipt(order: Order, *, actor) -> None:
    """The buyer has the goods. Not while a complaint about them is open."""
    if _has_open_complaint(order):
        raise IllegalTransition(
            _l("Keluhan untuk pesanan ini masih berjalan."), state=order.status, action="complete"
        )
    complete(order, "complete", actor=actor, role="consumer")


def auto_complete_due(now: datetime | None = None):
    """The shipped orders whose window has passed (N days after shipping, per delivery
    kind) and with no open complaint: a SELECT, unordered."""
    from marketplace.complaints.models import UNSETTLED, Complaint

    now = now or utcnow()
    config = current_app.config
    local_cutoff = now - timedelta(days=config["AUTO_COMPLETE_DAYS_LOCAL"])
    courier_cutoff = now - timedelta(days=config["AUTO_COMPLETE_DAYS_COURIER"])
    kind = getattr(Order, "delivery_kind", None)
    if kind is None:
        due = Order.status_changed_at < courier_cutoff
    else:
        due = or_(
            and_(kind.in_(LOCAL_KINDS), Order.status_changed_at < local_cutoff),
            and_(
                or_(kind.is_(None), kind.not_in(LOCAL_KINDS)),
                Order.status_changed_at < courier_cutoff,
            ),
        )
    open_complaint = (
        select(Complaint.id)
        .where(Complaint.order_id == Order.id, Complaint.status.in_(UNSETTLED))
        .exists()
    )
    return select(Order).where(Order.status == OrderStatus.SHIPPED, due, ~open_complaint)


def window_ends(order: Order) -> datetime | None:
    """When a shipped order completes by itself (and the complaint window closes)."""
    if order.status != OrderStatus.SHIPPED:
        return None
    config = current_app.config
    kind = getattr(order, "delivery_kind", None)
    days = (
        config["AUTO_COMPLETE_DAYS_LOCAL"]
        if kind in LOCAL_KINDS
        else config["AUTO_COMPLETE_DAYS_COURIER"]
    )
    return order.status_changed_at + timedelta(days=days)


def auto_complete(now: datetime | None = None) -> dict:
    """``flask orders auto-complete`` (daily): complete the orders whose window passed, and
    send complaints the seller left unsettled to an admin. Idempotent: a second run (or a
    concurrent one) finds nothing, each order's transition happens once."""
    from marketplace.complaints import services as complaints

    now = now or utcnow()
    orders = db.session.scalars(
        auto_complete_due(now).options(selectinload(Order.business)).order_by(Order.id)
    ).all()
    completed = 0
    for order in orders:
        try:
            complete(order, "auto_complete", actor=None, role="system", note="window passed")
        except DomainError:
            continue
        completed += 1
    escalated = complaints.escalate_overdue(now)
    db.session.flush()
    return {"completed": completed, "escalated": escalated}
