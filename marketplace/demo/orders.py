"""A year of demo orders, made the way buyers, sellers and the platform make them.

Carts and checkouts go through the order services; payment through the payment service
and the webhook's own event handler (with the in-process DemoGateway, since localstripe
may not be running yet); shipping, receipt and the refund through their services. Only
dates move: the services stamp "now", and this is a year of history.
"""

import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select, update

from marketplace.catalog.models import Product, ProductStatus
from marketplace.chapters.models import Kelurahan
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.demo import gateway as demo_gateway
from marketplace.extensions import db
from marketplace.ledger.models import LedgerEntry
from marketplace.mentoring.models import OutboxEmail
from marketplace.notifications import services as notifications
from marketplace.orders import services as orders
from marketplace.orders.models import Checkout
from marketplace.payments import services as payments

REFUND_NOTE = "demo: barang rusak dalam pengiriman"


def seed_orders(fake, consumers, admin) -> int:
    """Completed, shipped and refunded orders over twelve months, one awaiting payment.
    Returns how many checkouts were made (none when there already are some)."""
    if db.session.scalar(select(Checkout.id).limit(1)):
        return 0
    rng = random.Random(2026)  # noqa: S311 - reproducible demo data
    listed = db.session.scalars(
        select(Product).where(Product.status == ProductStatus.LISTED).order_by(Product.id)
    ).all()
    if not listed:
        return 0
    kelurahan = db.session.scalar(select(Kelurahan).order_by(Kelurahan.code))
    made = 0
    awaiting_payment = 1
    refund_one = True
    now = utcnow()
    with demo_gateway.installed(current_app._get_current_object()) as gateway:
        for month_back in range(11, -1, -1):
            for consumer in consumers:
                if rng.random() < 0.35:
                    continue
                picks = rng.sample(listed, k=min(len(listed), rng.choice((1, 1, 2))))
                quantities = [rng.choice((1, 2)) for _ in picks]
                delivery = orders.Delivery(
                    recipient_name=consumer.name,
                    address_line=fake.street_address(),
                    kelurahan_code=kelurahan.code,
                    postal_code=kelurahan.postal_code,
                    whatsapp="0812" + f"{rng.randrange(10**7, 10**8)}",
                )
                checkout = _checkout(consumer, picks, quantities, delivery)
                if checkout is None:
                    continue
                when = now - timedelta(days=30 * month_back + rng.randrange(0, 25), hours=3)
                made += 1
                if month_back == 0 and awaiting_payment:
                    awaiting_payment -= 1
                    continue  # one still awaiting payment (expires like any other)
                _pay(gateway, checkout, when)
                for order in checkout.orders:
                    if refund_one and month_back >= 1:
                        refund_one = False
                        payments.refund_order(order, actor=admin, role="admin", note=REFUND_NOTE)
                        continue
                    if month_back >= 1 or rng.random() < 0.5:
                        orders.ship_order(
                            order,
                            courier="JNE",
                            tracking_number=f"JNE{order.id:010d}",
                            actor=order.business.owner,
                        )
                        if month_back >= 1:
                            orders.complete_order(order, actor=consumer, role="consumer")
            db.session.flush()
    # The year of demo orders is history: its e-mails count as sent long ago (delivering
    # them now would only print a year of mail into the console).
    db.session.execute(update(OutboxEmail).where(OutboxEmail.sent_at.is_(None)).values(sent_at=now))
    for consumer in consumers:
        notifications.mark_all_read(consumer.id)  # and the buyers have read their notices
    return made


def _checkout(consumer, picks, quantities, delivery) -> Checkout | None:
    """The consumer's cart filled and checked out; None when the cart is refused (stock)."""
    try:
        with db.session.begin_nested():
            cart = orders.cart_for(consumer, create=True)
            for product, quantity in zip(picks, quantities, strict=True):
                orders.add_to_cart(cart, product.id, quantity)
            return orders.start_checkout(consumer, cart, delivery)
    except orders.CartError:
        return None


def _pay(gateway, checkout: Checkout, when) -> None:
    """Pay as a buyer does: the intent, the test card, then Stripe's succeeded event."""
    intent = payments.ensure_intent(checkout)
    intent = gateway.confirm_with_test_card(intent.id, "pm_card_visa")
    outcome = payments.handle_event(gateway.succeeded_event(intent))
    if outcome != f"paid {len(checkout.orders)}":
        raise RuntimeError(f"demo payment of checkout {checkout.id}: {outcome}")
    # History: bought and paid on ``when``, not today (the services stamp now).
    checkout.created_at = when
    for order in checkout.orders:
        order.created_at = order.paid_at = when
        db.session.execute(
            update(LedgerEntry)
            .where(LedgerEntry.order_id == order.id, LedgerEntry.kind == "sale")
            .values(occurred_on=when.astimezone(JAKARTA).date())
        )
