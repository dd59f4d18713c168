"""The buyer scope: a consumer reaches only their own checkouts and orders (else 404); and
the owner scope applied to orders (a seller reaches only orders placed with their business)."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.businesses.scope import of_business
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.extensions import db
from marketplace.orders.models import Checkout, Order


def buyer_checkout_or_404(user, checkout_id) -> Checkout:
    """``user``'s checkout with its orders and lines; NotFound for anyone else's."""
    checkout = db.session.scalar(
        select(Checkout)
        .where(Checkout.id == parse_id(checkout_id), Checkout.user_id == user.id)
        .options(selectinload(Checkout.orders).selectinload(Order.lines))
    )
    if checkout is None:
        raise NotFound()
    return checkout


def buyer_order_or_404(user, order_id) -> Order:
    """``user``'s order with its lines and events; NotFound for anyone else's."""
    order = db.session.scalar(
        select(Order)
        .where(Order.id == parse_id(order_id), Order.consumer_id == user.id)
        .options(selectinload(Order.lines), selectinload(Order.events))
    )
    if order is None:
        raise NotFound()
    return order


def owner_order_or_404(business, order_id) -> Order:
    """An order placed with ``business`` (lines and checkout loaded); NotFound otherwise."""
    return of_business(
        business, Order, order_id, selectinload(Order.lines), selectinload(Order.checkout)
    )
