"""Demo after-sales (issue 15): a cancellation before shipping, orders held until receipt
and a complaint in each outcome, all through the services (the in-process DemoGateway
refunds). Cash-on-delivery orders come with the delivery options' checkout ("shipping"),
which is what creates them; the COD steps themselves are in marketplace/orders/aftersales.

Made once: a second run finds the complaints and adds nothing."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from marketplace.catalog.models import Product, ProductStatus
from marketplace.chapters.models import Kelurahan
from marketplace.complaints import services as complaints
from marketplace.complaints.models import Complaint
from marketplace.core.timeutil import utcnow
from marketplace.demo import gateway as demo_gateway
from marketplace.demo.orders import _checkout, _pay
from marketplace.extensions import db
from marketplace.orders import aftersales
from marketplace.orders import services as orders
from marketplace.orders.models import OrderStatus

TEXT = "Kemasan sobek saat tiba dan sebagian isinya tumpah."


def _paid_order(gateway, consumer, product, kelurahan, number: int):
    delivery = orders.Delivery(
        recipient_name=consumer.name,
        address_line=f"Jl. Melati No. {number}, RT 01/RW 02",
        kelurahan_code=kelurahan.code,
        postal_code=kelurahan.postal_code,
        whatsapp="081234567" + f"{number:03d}",
    )
    checkout = _checkout(consumer, [product], [1], delivery)
    if checkout is None:
        return None
    _pay(gateway, checkout, utcnow())
    return checkout.orders[0]


def seed_aftersales(consumers, admin) -> int:
    """Returns how many demo complaints were made (none when there already are some)."""
    if db.session.scalar(select(Complaint.id).limit(1)) or not consumers:
        return 0
    product = db.session.scalar(
        select(Product)
        .where(Product.status == ProductStatus.LISTED, Product.stock >= 12)
        .order_by(Product.stock.desc(), Product.id)
    )
    if product is None:
        return 0
    owner = product.business.owner
    kelurahan = db.session.scalar(select(Kelurahan).order_by(Kelurahan.code))
    buyer = consumers[0]
    made = 0
    with demo_gateway.installed(current_app._get_current_object()) as gateway:
        # Cancelled by the buyer before shipping: refunded, stock back.
        order = _paid_order(gateway, buyer, product, kelurahan, 901)
        if order is not None:
            aftersales.cancel_order(order, actor=buyer)
        # Paid, waiting to be shipped: its money is held.
        _paid_order(gateway, buyer, product, kelurahan, 902)
        outcomes = ("open", "answered", "full", "partial", "return", "returning", "decided")
        for number, outcome in enumerate(outcomes, start=903):
            order = _paid_order(gateway, buyer, product, kelurahan, number)
            if order is None:
                continue
            orders.ship_order(
                order, courier="JNE", tracking_number=f"JNE{order.id:010d}", actor=owner
            )
            complaint = complaints.open_complaint(
                order, reason="damaged", text=TEXT, photos=(), actor=buyer
            )
            if outcome == "answered":
                complaints.answer(complaint, text="Kami kirim ulang besok pagi.", actor=owner)
            elif outcome == "full":
                complaints.accept_full(complaint, actor=owner)
            elif outcome == "partial":
                complaints.accept_partial(
                    complaint, amount_idr=max(1, order.total_idr // 4), actor=owner
                )
            elif outcome in ("return", "returning"):
                complaints.request_return(complaint, actor=owner)
                complaints.ship_return(
                    complaint, courier="J&T", tracking_number=f"JP{order.id:010d}", actor=buyer
                )
                if outcome == "return":
                    complaints.receive_return(complaint, actor=owner)
            elif outcome == "decided":
                # Opened long enough ago for the daily job to pass it to an admin.
                complaint.created_at = utcnow() - timedelta(days=30)
                db.session.flush()
                complaints.escalate_overdue()
                complaints.decide(
                    complaint,
                    refund_idr=order.total_idr // 2,
                    note="Foto menunjukkan kemasan rusak; separuh dana dikembalikan.",
                    actor=admin,
                )
            made += 1
        # Shipped and confirmed: payable.
        order = _paid_order(gateway, buyer, product, kelurahan, 950)
        if order is not None and order.status == OrderStatus.PAID:
            orders.ship_order(
                order, courier="JNE", tracking_number=f"JNE{order.id:010d}", actor=owner
            )
            aftersales.confirm_receipt(order, actor=buyer)
        db.session.flush()
    return made


def seed_cod(consumers) -> int:
    """Cash-on-delivery orders through the checkout (issue 15), one in each COD state: waiting
    for the cash at pickup, paid in cash (in the books), and a failed delivery (stock back).
    Runs after the delivery options exist. Made once: returns how many orders were made."""
    from marketplace.delivery.models import DeliveryKind, DeliveryOption, PaymentMethod
    from marketplace.orders.models import Order

    if len(consumers) < 2 or db.session.scalar(
        select(Order.id).where(Order.payment_method == PaymentMethod.COD).limit(1)
    ):
        return 0
    option = db.session.scalar(
        select(DeliveryOption)
        .join(Product, Product.business_id == DeliveryOption.business_id)
        .where(
            DeliveryOption.kind == DeliveryKind.PICKUP_SELLER,
            DeliveryOption.cod_allowed.is_(True),
            DeliveryOption.active.is_(True),
            Product.status == ProductStatus.LISTED,
            Product.stock >= 5,
        )
        .order_by(DeliveryOption.id)
        .limit(1)
    )
    if option is None:
        return 0
    product = db.session.scalar(
        select(Product)
        .where(
            Product.business_id == option.business_id,
            Product.status == ProductStatus.LISTED,
            Product.stock >= 5,
        )
        .order_by(Product.id)
        .limit(1)
    )
    buyer = consumers[1]
    if not buyer.phone_e164:
        buyer.phone_e164 = "+6281299000902"  # a verified WhatsApp number: COD needs one
    kelurahan = option.business.kelurahan
    owner = option.business.owner
    made = []
    for number in (911, 912, 913):
        cart = orders.cart_for(buyer, create=True)
        cart.items.clear()
        db.session.flush()
        orders.add_to_cart(cart, product.id, 1)
        checkout = orders.start_checkout(
            buyer,
            cart,
            orders.Delivery(
                recipient_name=buyer.name,
                address_line=f"Jl. Kenanga No. {number}, RT 03/RW 04",
                kelurahan_code=kelurahan.code,
                postal_code=kelurahan.postal_code,
                whatsapp=buyer.phone_e164,
            ),
            choices={option.business_id: orders.Choice(option=str(option.id), payment="cod")},
        )
        made.append(checkout.orders[0])
    _waiting, paid, failed = made  # the first stays awaiting_delivery, its cash not yet in
    aftersales.record_cash(paid, amount_idr=paid.total_idr, actor=owner)
    aftersales.fail_delivery(failed, actor=owner, note="Pembeli tidak datang mengambil.")
    db.session.flush()
    return len(made)
