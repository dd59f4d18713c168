"""Carts, checkouts (one payment) and orders (one per SME per checkout)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import EventMixin, known_states, sql_states
from marketplace.core.timeutil import utcnow
from marketplace.delivery.models import NO_RESI_KINDS_SET, PICKUP_KINDS, DeliveryKind, PaymentMethod
from marketplace.extensions import db


class Cart(db.Model):
    """An anonymous visitor's cart (by token, kept in the session) or an account's cart."""

    __tablename__ = "cart"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), unique=True)
    token: Mapped[str | None] = mapped_column(String(43), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list["CartItem"]] = relationship(
        back_populates="cart", cascade="all, delete-orphan", order_by="CartItem.id"
    )


class CartItem(db.Model):
    __tablename__ = "cart_item"
    __table_args__ = (
        # One line per (product, variant). variant_key is the variant's id or 0: NULLs are
        # distinct in a UNIQUE on both SQLite and PostgreSQL, so variant_id cannot be the key.
        UniqueConstraint("cart_id", "product_id", "variant_key"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("variant_key = COALESCE(variant_id, 0)", name="variant_key_matches"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cart_id: Mapped[int] = mapped_column(ForeignKey("cart.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    quantity: Mapped[int]
    # Issue 16: the size/colour chosen, for a product with variants.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variant.id", ondelete="CASCADE")
    )
    variant_key: Mapped[int] = mapped_column(default=0, server_default="0")

    cart: Mapped[Cart] = relationship(back_populates="items")
    product: Mapped["Product"] = relationship()  # noqa: F821
    variant: Mapped["ProductVariant | None"] = relationship()  # noqa: F821

    @property
    def unit_price_idr(self) -> int:
        """Today's price of one: the product's, plus the variant's difference."""
        delta = self.variant.price_delta_idr if self.variant is not None else 0
        return self.product.price_idr + delta

    @property
    def available(self) -> int:
        """What may be in the cart: the variant's stock, else the product's."""
        return self.variant.stock if self.variant is not None else self.product.stock


class Checkout(db.Model):
    """One payment for a cart that may span several SMEs."""

    __tablename__ = "checkout"
    # total_idr is what the card pays (the PaymentIntent's amount); cod_idr what is paid in
    # cash at pickup or delivery (issue 15). One of them is more than zero.
    __table_args__ = (
        CheckConstraint(
            "total_idr >= 0 AND cod_idr >= 0 AND total_idr + cod_idr > 0", name="total_positive"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    total_idr: Mapped[int] = mapped_column(BigInteger)
    cod_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # Bumped only when a PaymentIntent is abandoned for good, so every retry of the
    # same attempt reuses the same idempotency key.
    attempt: Mapped[int] = mapped_column(default=1)
    recipient_name: Mapped[str] = mapped_column(String(120))
    address_line: Mapped[str] = mapped_column(String(200))
    kelurahan_code: Mapped[str] = mapped_column(ForeignKey("kelurahan.code"))
    postal_code: Mapped[str] = mapped_column(String(5))
    whatsapp_e164: Mapped[str] = mapped_column(String(20))
    last_payment_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    orders: Mapped[list["Order"]] = relationship(back_populates="checkout", order_by="Order.id")
    kelurahan: Mapped["Kelurahan"] = relationship()  # noqa: F821

    @property
    def idempotency_key(self) -> str:
        return f"checkout-{self.id}-{self.attempt}"


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    SHIPPED = "shipped"
    REFUNDED = "refunded"
    COMPLETED = "completed"
    # Pay at pickup / on delivery (issue 15): created at checkout, stock reserved, no intent.
    AWAITING_DELIVERY = "awaiting_delivery"


# The states an order reaches only through "pay", which sets paid_at; the others never have it.
PAID_STATES = (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.COMPLETED, OrderStatus.REFUNDED)
UNPAID_STATES = (
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.EXPIRED,
    OrderStatus.CANCELLED,
    OrderStatus.AWAITING_DELIVERY,  # cash on delivery: paid_at once the cash is recorded
)
# The states an order reaches only through "ship", which sets courier and tracking number
# for a courier parcel (and for orders from before delivery options, delivery_kind NULL).
SHIPPED_STATES = (OrderStatus.SHIPPED, OrderStatus.COMPLETED)
# Delivery kinds whose "ship" is "ready for pickup" or "out for delivery": no resi.
NO_RESI_KINDS = tuple(sorted(NO_RESI_KINDS_SET))


class Order(db.Model):
    __tablename__ = "order"
    __table_args__ = (
        CheckConstraint("total_idr > 0", name="total_positive"),
        CheckConstraint(
            "refunded_idr >= 0 AND refunded_idr <= total_idr", name="refunded_in_total"
        ),
        known_states(OrderStatus),
        CheckConstraint(
            f"status NOT IN ({sql_states(*PAID_STATES)}) OR paid_at IS NOT NULL",
            name="paid_has_paid_at",
        ),
        CheckConstraint(
            f"status NOT IN ({sql_states(*UNPAID_STATES)}) OR paid_at IS NULL",
            name="unpaid_has_no_paid_at",
        ),
        CheckConstraint(
            f"status NOT IN ({sql_states(*SHIPPED_STATES)}) OR "
            f"COALESCE(delivery_kind, '') IN ({sql_states(*NO_RESI_KINDS)}) OR "
            "(courier IS NOT NULL AND tracking_number IS NOT NULL)",
            name="shipped_has_tracking",
        ),
        known_states(DeliveryKind, "delivery_kind"),
        known_states(PaymentMethod, "payment_method"),
        CheckConstraint("shipping_idr >= 0 AND shipping_idr < total_idr", name="shipping_in_total"),
        CheckConstraint(
            f"delivery_kind NOT IN ({sql_states(*PICKUP_KINDS)}) OR pickup_code IS NOT NULL",
            name="pickup_has_code",
        ),
        # The 7 PAS Pemasaran step and the funnel's first sale: a member's first paid order.
        Index("ix_order_business_paid", "business_id", "paid_at"),
        # Keyset pages (issue 11): the seller's and the buyer's orders, newest first, and
        # the admin's latest orders.
        Index("ix_order_business_created", "business_id", "created_at", "id"),
        Index("ix_order_consumer_created", "consumer_id", "created_at", "id"),
        Index("ix_order_created", "created_at", "id"),
        # The admin's flagged payments: a handful among all orders (a partial index).
        Index(
            "ix_order_flagged_created",
            "created_at",
            postgresql_where=text("flagged_reason IS NOT NULL"),
            sqlite_where=text("flagged_reason IS NOT NULL"),
        ),
    )

    TRANSITIONS = {
        (OrderStatus.PENDING_PAYMENT, "pay"): OrderStatus.PAID,
        (OrderStatus.PENDING_PAYMENT, "expire"): OrderStatus.EXPIRED,
        (OrderStatus.PENDING_PAYMENT, "cancel"): OrderStatus.CANCELLED,
        (OrderStatus.PAID, "ship"): OrderStatus.SHIPPED,
        (OrderStatus.PAID, "refund"): OrderStatus.REFUNDED,
        (OrderStatus.SHIPPED, "complete"): OrderStatus.COMPLETED,
        # A refund made at Stripe (dashboard, dispute, support): it happened, whatever the
        # order's state after payment; our own refunds stay "refund" (paid only).
        (OrderStatus.PAID, "refund_at_stripe"): OrderStatus.REFUNDED,
        (OrderStatus.SHIPPED, "refund_at_stripe"): OrderStatus.REFUNDED,
        (OrderStatus.COMPLETED, "refund_at_stripe"): OrderStatus.REFUNDED,
        # After-sales (issue 15): cash on delivery, cancellation before shipping, receipt,
        # complaints (a full refund of a shipped order; a partial one keeps it shipped).
        (OrderStatus.AWAITING_DELIVERY, "record_cash"): OrderStatus.PAID,
        (OrderStatus.AWAITING_DELIVERY, "fail_delivery"): OrderStatus.CANCELLED,
        (OrderStatus.AWAITING_DELIVERY, "release_cod"): OrderStatus.EXPIRED,
        (OrderStatus.AWAITING_DELIVERY, "cancel"): OrderStatus.CANCELLED,
        (OrderStatus.PAID, "cancel_paid"): OrderStatus.REFUNDED,
        (OrderStatus.SHIPPED, "auto_complete"): OrderStatus.COMPLETED,
        (OrderStatus.SHIPPED, "complaint_closed"): OrderStatus.COMPLETED,
        (OrderStatus.SHIPPED, "complaint_refund"): OrderStatus.REFUNDED,
    }
    EVENT_FK = "order_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    checkout_id: Mapped[int] = mapped_column(ForeignKey("checkout.id"), index=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    consumer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[OrderStatus] = mapped_column(
        String(20), default=OrderStatus.PENDING_PAYMENT, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    total_idr: Mapped[int] = mapped_column(BigInteger)
    # What Stripe gave back so far (full or partial refunds); refunded when it is the total.
    refunded_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    courier: Mapped[str | None] = mapped_column(String(60))
    tracking_number: Mapped[str | None] = mapped_column(String(60))
    # Delivery (issue 15): the option chosen at checkout, as it was (a snapshot: the seller
    # may change or drop the option later). NULL kind: an order from before the options.
    delivery_kind: Mapped[DeliveryKind | None] = mapped_column(String(16))
    delivery_option_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery_option.id", ondelete="SET NULL")
    )
    courier_code: Mapped[str | None] = mapped_column(String(16))
    service: Mapped[str | None] = mapped_column(String(16))
    delivery_label: Mapped[str | None] = mapped_column(String(120))
    delivery_zone: Mapped[str | None] = mapped_column(String(12))
    pickup_address: Mapped[str | None] = mapped_column(String(330))
    pickup_code: Mapped[str | None] = mapped_column(String(6))
    shipping_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    payment_method: Mapped[PaymentMethod] = mapped_column(
        String(8), default=PaymentMethod.CARD, server_default="card"
    )
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Money held until receipt (issue 15): set once, when the order completes; only the
    # sales of completed orders are payable to the seller, whatever happens after.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when a payment does not match what we asked for: a human looks before anything.
    flagged_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    checkout: Mapped[Checkout] = relationship(back_populates="orders")
    business: Mapped["Business"] = relationship()  # noqa: F821
    consumer: Mapped["User"] = relationship()  # noqa: F821
    lines: Mapped[list["OrderLine"]] = relationship(back_populates="order", order_by="OrderLine.id")
    events: Mapped[list["OrderEvent"]] = relationship(order_by="OrderEvent.seq", viewonly=True)

    @property
    def goods_idr(self) -> int:
        return self.total_idr - self.shipping_idr

    @property
    def tracking_url(self) -> str | None:
        from marketplace.delivery.tracking import tracking_link

        return tracking_link(self.courier_code, self.tracking_number)


class OrderLine(db.Model):
    __tablename__ = "order_line"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price_idr > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)
    product_name: Mapped[str] = mapped_column(String(120))  # as sold, even if renamed later
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)
    quantity: Mapped[int]
    # Issue 16: the variant sold and what it was called then ("Ukuran: M"), like the name.
    variant_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_variant.id", ondelete="SET NULL"), index=True
    )
    variant_label: Mapped[str | None] = mapped_column(String(120))

    order: Mapped[Order] = relationship(back_populates="lines")

    @property
    def display_name(self) -> str:
        """ "Daster Rayon (Ukuran: M)": the name as sold, with the variant when there is one."""
        if self.variant_label:
            return f"{self.product_name} ({self.variant_label})"
        return self.product_name

    @property
    def line_total_idr(self) -> int:
        return self.unit_price_idr * self.quantity


class OrderEvent(EventMixin, db.Model):
    __tablename__ = "order_event"
    __table_args__ = (
        UniqueConstraint("order_id", "seq"),
        known_states(OrderStatus, "from_status"),
        known_states(OrderStatus, "to_status"),
    )

    order_id: Mapped[int] = mapped_column(ForeignKey("order.id"), index=True)


Order.EVENT_MODEL = OrderEvent
