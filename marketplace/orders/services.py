"""Cart, checkout and the order lifecycle.

Stock is reserved with a conditional UPDATE that can never go below zero; an unpaid
checkout expires and gives its stock back exactly once (the order's compare-and-set
transition is the guard). The legality gate is re-checked at checkout.
"""

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, union_all, update
from sqlalchemy.orm import selectinload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductVariant
from marketplace.catalog.visibility import is_visible, visible_condition, visible_products
from marketplace.chapters.models import Kelurahan
from marketplace.core import audit
from marketplace.core.errors import DomainError, NotFound, ValidationFailed
from marketplace.core.ids import parse_id
from marketplace.core.models import rowcount
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.core.urls import external_url
from marketplace.delivery import services as delivery
from marketplace.delivery import tracking
from marketplace.delivery.models import NO_RESI_KINDS_SET, PICKUP_KINDS, DeliveryKind, PaymentMethod
from marketplace.extensions import db
from marketplace.legality import services as legality
from marketplace.legality import validators as v
from marketplace.notifications.services import notify
from marketplace.orders.models import Cart, CartItem, Checkout, Order, OrderLine, OrderStatus
from marketplace.search import feed as search_feed

MAX_QUANTITY = 99


class CartError(DomainError):
    code = "cart"


class OutOfStock(CartError):
    code = "out_of_stock"


# --- cart -----------------------------------------------------------------------------------


def cart_for(user=None, token: str | None = None, create: bool = False) -> Cart | None:
    """The signed-in user's cart, or the anonymous cart of ``token``."""
    items = selectinload(Cart.items)
    options = (
        items.selectinload(CartItem.product).selectinload(Product.business),
        items.selectinload(CartItem.variant),
    )
    if user is not None and getattr(user, "is_authenticated", False):
        cart = db.session.scalar(select(Cart).where(Cart.user_id == user.id).options(*options))
        if cart is None and create:
            cart = Cart(user_id=user.id)
            db.session.add(cart)
        return cart
    cart = None
    if token:
        cart = db.session.scalar(select(Cart).where(Cart.token == token).options(*options))
    if cart is None and create:
        cart = Cart(token=secrets.token_urlsafe(32))
        db.session.add(cart)
    return cart


def _sellable(product_id) -> Product:
    pid = parse_id(product_id)
    product = db.session.scalar(visible_products().where(Product.id == pid))
    if product is None:
        raise NotFound()
    return product


def _check_quantity(quantity) -> int:
    if (
        not isinstance(quantity, int)
        or isinstance(quantity, bool)
        or not (1 <= quantity <= MAX_QUANTITY)
    ):
        raise ValidationFailed(_l("Jumlah harus 1 sampai %(n)d.", n=MAX_QUANTITY), field="quantity")
    return quantity


def _variant_for(product: Product, variant_id):
    """The chosen variant of a product that has variants (one must be chosen), else None."""
    from marketplace.catalog import variants

    if not product.has_variants:
        return None
    if variant_id in (None, ""):
        raise ValidationFailed(
            _l("Pilih %(option)s dulu.", option=(product.option1_name or "").lower()),
            field="variant_id",
        )
    variant = variants.variant_of(product, variant_id)
    if variant is None:
        raise ValidationFailed(_l("Pilihan ini sudah tidak dijual."), field="variant_id")
    return variant


def _line(cart: Cart, product_id, variant_id) -> CartItem | None:
    key = int(variant_id) if variant_id not in (None, "") else 0
    return next(
        (i for i in cart.items if i.product_id == product_id and i.variant_key == key), None
    )


def add_to_cart(cart: Cart, product_id, quantity: int = 1, variant_id=None) -> CartItem:
    """Add a listed product (the chosen variant when it has variants: one line per variant);
    the total in the cart may not exceed the variant's or the product's stock."""
    product = _sellable(product_id)
    quantity = _check_quantity(quantity)
    variant = _variant_for(product, variant_id)
    item = _line(cart, product.id, variant.id if variant else None)
    wanted = quantity + (item.quantity if item else 0)
    stock = variant.stock if variant is not None else product.stock
    if wanted > stock:
        name = f"{product.name} ({variant.label})" if variant is not None else product.name
        raise OutOfStock(_l("Stok %(name)s tinggal %(n)d.", name=name, n=stock))
    if wanted > MAX_QUANTITY:
        raise ValidationFailed(_l("Jumlah harus 1 sampai %(n)d.", n=MAX_QUANTITY), field="quantity")
    if item is None:
        item = CartItem(
            product_id=product.id,
            quantity=quantity,
            variant_id=variant.id if variant else None,
            variant_key=variant.id if variant else 0,
        )
        cart.items.append(item)
    else:
        item.quantity = wanted
    db.session.flush()
    return item


def set_quantity(cart: Cart, product_id, quantity: int, variant_id=None) -> None:
    """Change a line's quantity (0 removes it), capped by the variant's or product's stock."""
    item = next(
        (
            i
            for i in cart.items
            if str(i.product_id) == str(product_id) and str(i.variant_key) == str(variant_id or 0)
        ),
        None,
    )
    if item is None:
        raise NotFound()
    if quantity == 0:
        cart.items.remove(item)
        db.session.flush()
        return
    quantity = _check_quantity(quantity)
    if quantity > item.available:
        name = item.product.name + (f" ({item.variant.label})" if item.variant else "")
        raise OutOfStock(_l("Stok %(name)s tinggal %(n)d.", name=name, n=item.available))
    item.quantity = quantity


def merge_carts(anonymous: Cart | None, user) -> None:
    """On login the visitor's cart joins the account's (quantities capped at stock); lines
    of different variants of one product stay apart."""
    if anonymous is None or not anonymous.items:
        if anonymous is not None:
            db.session.delete(anonymous)
        return
    target = cart_for(user, create=True)
    assert target is not None  # create=True always gives a cart
    for item in list(anonymous.items):
        existing = next(
            (
                i
                for i in target.items
                if i.product_id == item.product_id and i.variant_key == item.variant_key
            ),
            None,
        )
        total = item.quantity + (existing.quantity if existing else 0)
        capped = max(0, min(total, item.available, MAX_QUANTITY))
        if existing is not None:
            existing.quantity = capped or existing.quantity
        elif capped:
            target.items.append(
                CartItem(
                    product_id=item.product_id,
                    quantity=capped,
                    variant_id=item.variant_id,
                    variant_key=item.variant_key,
                )
            )
    db.session.delete(anonymous)
    db.session.flush()


@dataclass
class CartGroup:
    business: Business
    items: list[CartItem]

    @property
    def total_idr(self) -> int:
        return sum(i.unit_price_idr * i.quantity for i in self.items)


def grouped(cart: Cart | None) -> list[CartGroup]:
    groups: dict[int, CartGroup] = {}
    for item in cart.items if cart else []:
        business = item.product.business
        groups.setdefault(business.id, CartGroup(business, [])).items.append(item)
    return list(groups.values())


def cart_total(cart: Cart | None) -> int:
    return sum(g.total_idr for g in grouped(cart))


# --- checkout -------------------------------------------------------------------------------


@dataclass
class Delivery:
    recipient_name: str
    address_line: str
    kelurahan_code: str
    postal_code: str
    whatsapp: str


def _check_delivery(data: Delivery) -> dict:
    name = (data.recipient_name or "").strip()
    if not 2 <= len(name) <= 120:
        raise ValidationFailed(_l("Nama penerima wajib diisi."), field="recipient_name")
    address = (data.address_line or "").strip()
    if not 5 <= len(address) <= 200:
        raise ValidationFailed(
            _l("Alamat pengiriman wajib diisi (jalan, nomor, RT/RW)."), field="address_line"
        )
    if db.session.get(Kelurahan, data.kelurahan_code or "") is None:
        raise ValidationFailed(_l("Pilih kelurahan pengiriman."), field="kelurahan_code")
    try:
        postal = v.validate_postal_code(data.postal_code)
        phone = v.validate_whatsapp(data.whatsapp)
    except v.InvalidIdentifier as exc:
        field = "postal_code" if exc.kind == "postal" else "whatsapp"
        raise ValidationFailed(exc.reason, field=field) from exc
    return {
        "recipient_name": name,
        "address_line": address,
        "kelurahan_code": data.kelurahan_code,
        "postal_code": postal.value,
        "whatsapp_e164": phone.value,
    }


def _by_product(lines) -> list[tuple[int, list]]:
    """Lines grouped by product, in the one lock order every stock writer keeps: products by
    id and, within a product, its variants by id, then the product's own row once. Two
    checkouts (or a checkout and a release) never hold rows the other waits for."""
    groups: dict[int, list] = {}
    for line in sorted(lines, key=lambda line: (line.product_id, line.variant_id or 0)):
        groups.setdefault(line.product_id, []).append(line)
    return list(groups.items())


def _take_variant(product_id: int, variant_id: int, quantity: int) -> bool:
    taken = db.session.execute(
        update(ProductVariant)
        .where(
            ProductVariant.id == variant_id,
            ProductVariant.product_id == product_id,
            ProductVariant.active.is_(True),
            ProductVariant.stock >= quantity,
        )
        .values(stock=ProductVariant.stock - quantity)
        .execution_options(synchronize_session=False)
    )
    return rowcount(taken) == 1


def reserve_lines(lines):
    """Take every line's quantity from stock, never below zero: from each variant sold and
    from its product's total, in the lock order of ``_by_product``. Returns the first line
    that could not be taken (the caller rolls back: all or nothing), or None."""
    for product_id, group in _by_product(lines):
        sizes = [line.variant_id for line in group if line.variant_id is not None]
        for line in group:
            if line.variant_id is not None and not _take_variant(
                product_id, line.variant_id, line.quantity
            ):
                return line
        quantity = sum(line.quantity for line in group)
        taken = db.session.execute(
            update(Product)
            .where(Product.id == product_id, visible_condition(), Product.stock >= quantity)
            .values(stock=Product.stock - quantity)
            .execution_options(synchronize_session=False)
        )
        if rowcount(taken) != 1:
            return group[0]
        # Sold out (or one size sold out): search's "in stock", its size facet and the cached
        # product page must hear of it, so the change goes into the search feed. Other sales
        # change only the count shown, which the page cache's lifetime bounds.
        left = [select(Product.stock).where(Product.id == product_id)]
        if sizes:
            left.append(select(ProductVariant.stock).where(ProductVariant.id.in_(sizes)))
        if 0 in set(db.session.scalars(union_all(*left))):
            search_feed.record(db.session(), [product_id])
    return None


def release_stock(order: Order) -> None:
    """Give an order's stock back (the caller's compare-and-set transition makes it once):
    to the variant sold, and to the product's total while that variant is still on sale
    (an inactive variant's units are not in the total); in the lock order of ``_by_product``."""
    for product_id, group in _by_product(order.lines):
        back: Any = 0
        for line in group:
            if line.variant_id is None:
                back = back + line.quantity
                continue
            db.session.execute(
                update(ProductVariant)
                .where(ProductVariant.id == line.variant_id)
                .values(stock=ProductVariant.stock + line.quantity)
                .execution_options(synchronize_session=False)
            )
            on_sale = (
                select(ProductVariant.id)
                .where(ProductVariant.id == line.variant_id, ProductVariant.active.is_(True))
                .exists()
            )
            back = back + case((on_sale, line.quantity), else_=0)
        db.session.execute(
            update(Product)
            .where(Product.id == product_id)
            .values(stock=Product.stock + back)
            .execution_options(synchronize_session=False)
        )
    # Back in stock, maybe from zero: search and the cached pages hear of it (rare: expiry,
    # cancellation, refund).
    search_feed.record(db.session(), [line.product_id for line in order.lines])


@dataclass
class Choice:
    """The buyer's pick for one seller's parcel: the offer's key and how they pay."""

    option: str | None = None
    payment: str | None = None


@dataclass
class GroupQuote:
    group: CartGroup
    offers: list
    offer: delivery.Offer | None = None
    method: PaymentMethod = PaymentMethod.CARD

    @property
    def shipping_idr(self) -> int:
        return self.offer.price_idr if self.offer is not None else 0

    @property
    def total_idr(self) -> int:
        return self.group.total_idr + self.shipping_idr


def quote_groups(user, cart: Cart | None, kelurahan_code: str | None, choices=None) -> list:
    """Every seller group of the cart with the options offered to ``kelurahan_code`` and,
    where ``choices`` ({business_id: Choice}) names one, the buyer's pick (checked: an
    unknown option, one not offered here, or COD where it is not offered is refused)."""
    destination = db.session.get(Kelurahan, kelurahan_code or "") if kelurahan_code else None
    quotes = []
    for group in grouped(cart):
        items = [(i.product, i.quantity) for i in group.items]
        offers = (
            delivery.offers_for(
                group.business, destination, items, buyer=user, subtotal_idr=group.total_idr
            )
            if destination is not None
            else []
        )
        quote = GroupQuote(group, offers)
        if choices is not None and destination is not None:
            choice = choices.get(group.business.id) or Choice()
            quote.offer, quote.method = delivery.choose(
                offers, choice.option, choice.payment, group.business
            )
        quotes.append(quote)
    return quotes


def start_checkout(
    user, cart: Cart, delivery_to: Delivery, choices=None, expected_total_idr=None
) -> Checkout:
    """Turn the cart into one checkout with one order per SME, reserving stock.

    Each seller group takes the option the buyer picked (``choices``: {business_id:
    Choice}; a group with one offer takes it), its ongkir and how it is paid: card groups
    are one PaymentIntent (lines + shipping), COD groups wait for the cash. When the buyer
    says what total they saw (``expected_total_idr``) and it is not today's, nothing is
    made: the price changed or was tampered with. Re-checks the legality gate for every
    product; the caller commits, then asks the payment service for a PaymentIntent.
    """
    if cart is None or not cart.items:
        raise CartError(_l("Keranjang Anda kosong."))
    details = _check_delivery(delivery_to)
    groups = grouped(cart)
    goods = sum(g.total_idr for g in groups)
    minimum = current_app.config["MIN_ORDER_IDR"]
    if goods < minimum:
        raise CartError(_l("Minimal belanja %(min)s.", min=format_rupiah(minimum)))
    quotes = quote_groups(user, cart, details["kelurahan_code"], choices or {})
    total = sum(q.total_idr for q in quotes)
    maximum = current_app.config["MAX_CHECKOUT_IDR"]
    if total > maximum:
        raise CartError(
            _l(
                "Belanja di atas %(max)s: hubungi penjual langsung lewat WhatsApp.",
                max=format_rupiah(maximum),
            )
        )
    if expected_total_idr is not None and expected_total_idr != total:
        raise ValidationFailed(
            _l(
                "Total berubah menjadi %(total)s. Periksa ongkir lalu lanjutkan lagi.",
                total=format_rupiah(total),
            ),
            field="expected_total_idr",
        )
    for group in groups:
        for item in group.items:
            product = item.product
            if not is_visible(product):
                raise CartError(
                    _l("%(name)s sudah tidak dijual. Hapus dari keranjang.", name=product.name)
                )
            try:
                legality.assert_listable(product)
            except legality.ListingGateError:
                raise CartError(
                    _l(
                        "%(name)s sedang tidak bisa dibeli. Hapus dari keranjang.",
                        name=product.name,
                    )
                ) from None
            if item.variant is not None and not item.variant.active:
                raise CartError(
                    _l(
                        "%(name)s (%(variant)s) sudah tidak dijual. Hapus dari keranjang.",
                        name=product.name,
                        variant=item.variant.label,
                    )
                )
            if item.variant is None and product.has_variants:
                raise CartError(
                    _l(
                        "Pilih %(option)s %(name)s dulu: hapus dari keranjang lalu tambahkan "
                        "lagi dengan pilihannya.",
                        option=(product.option1_name or "").lower(),
                        name=product.name,
                    )
                )

    card = sum(q.total_idr for q in quotes if q.method == PaymentMethod.CARD)
    checkout = Checkout(
        user_id=user.id,
        total_idr=card,
        cod_idr=total - card,
        expires_at=utcnow() + timedelta(minutes=current_app.config["CHECKOUT_TTL_MINUTES"]),
        **details,
    )
    db.session.add(checkout)
    for quote in quotes:
        group, offer = quote.group, quote.offer
        option = offer.option if offer is not None else None
        kind = option.kind if option is not None else None
        order = Order(
            checkout=checkout,
            business_id=group.business.id,
            consumer_id=user.id,
            total_idr=quote.total_idr,
            shipping_idr=quote.shipping_idr,
            payment_method=quote.method,
            status=OrderStatus.AWAITING_DELIVERY
            if quote.method == PaymentMethod.COD
            else OrderStatus.PENDING_PAYMENT,
            delivery_kind=kind,
            delivery_option_id=option.id if option is not None else None,
            courier_code=option.courier_code if option is not None else None,
            service=option.service if option is not None else None,
            delivery_label=offer.label[:120] if offer is not None else None,
            delivery_zone=str(offer.zone) if offer is not None and offer.zone else None,
            pickup_address=(delivery.pickup_address(option) or "")[:330] or None,
            pickup_code=delivery.new_pickup_code() if kind in PICKUP_KINDS else None,
        )
        db.session.add(order)
        for item in group.items:
            order.lines.append(
                OrderLine(
                    product_id=item.product_id,
                    product_name=item.product.name,
                    unit_price_idr=item.unit_price_idr,
                    quantity=item.quantity,
                    variant_id=item.variant_id,
                    variant_label=item.variant.described[:120] if item.variant else None,
                )
            )
    # Every line's stock, in the one lock order (_by_product): all or nothing.
    short = reserve_lines(cart.items)
    if short is not None:
        name = short.product.name + (f" ({short.variant.label})" if short.variant else "")
        raise OutOfStock(_l("Stok %(name)s tidak cukup lagi. Kurangi jumlahnya.", name=name))
    cart.items.clear()
    db.session.flush()
    audit.record(
        "checkout.started",
        actor=user,
        role="consumer",
        target=checkout,
        orders=len(groups),
        total_idr=total,
        card_idr=card,
    )
    for order in checkout.orders:
        if order.status == OrderStatus.AWAITING_DELIVERY:
            notify(
                order.business.owner_id,
                "order_cod",
                order=order.id,
                total=format_rupiah(order.total_idr),
                link=external_url("orders.sale", order_id=order.id),
            )
    return checkout


def expire_checkouts(now=None) -> dict:
    """Expire unpaid orders past their time and give the stock back, exactly once."""
    now = now or utcnow()
    stale = db.session.scalars(
        select(Order)
        .join(Checkout)
        .where(Order.status == OrderStatus.PENDING_PAYMENT, Checkout.expires_at < now)
        .options(selectinload(Order.lines))
    ).all()
    expired = 0
    for order in stale:
        try:
            apply_transition(
                order, "expire", actor=None, role="system", note="unpaid for 30 minutes"
            )
        except DomainError:
            continue  # paid or expired by someone else meanwhile: nothing to give back
        release_stock(order)
        expired += 1
    db.session.flush()
    return {"expired": expired}


# --- seller side ------------------------------------------------------------------------------


def orders_of_business_select(business: Business, status: str | None = None):
    """The business's orders (one status, or all but unpaid checkouts), unordered: the
    caller pages it, lines eager-loaded."""
    stmt = select(Order).where(Order.business_id == business.id).options(selectinload(Order.lines))
    if status:
        return stmt.where(Order.status == status)
    return stmt.where(Order.status != OrderStatus.PENDING_PAYMENT)


def orders_of_business(business: Business, status: str | None = None) -> list[Order]:
    stmt = orders_of_business_select(business, status).order_by(Order.created_at.desc())
    return list(db.session.scalars(stmt.limit(200)))


def ship_order(order: Order, *, courier: str, tracking_number: str, actor) -> None:
    """The seller hands the parcel over. A courier parcel needs a courier from the list and
    its resi in that courier's format; a pickup becomes "ready for pickup" and the seller's
    own delivery "out for delivery" (no resi). Orders from before delivery options keep
    the free-text courier."""
    kind = order.delivery_kind
    courier = (courier or "").strip()
    tracking_no = (tracking_number or "").strip()
    code: str | None = None
    changes: dict[str, str | None] = {}
    if kind in NO_RESI_KINDS_SET:
        changes = {"courier": None, "tracking_number": None}
        note = "ready for pickup" if kind in PICKUP_KINDS else "out for delivery"
    elif kind == DeliveryKind.COURIER:
        code = (courier or order.courier_code or "").lower()
        found = tracking.courier(code)
        tracking_no = tracking.normalise_resi(found.code, tracking_no)
        code, courier = found.code, found.name
        note = f"{courier} {tracking_no}"
    else:
        if not 2 <= len(courier) <= 60:
            raise ValidationFailed(_l("Isi nama kurir, contoh JNE, J&T, GoSend."), field="courier")
        if not 3 <= len(tracking_no) <= 60:
            raise ValidationFailed(_l("Isi nomor resi pengiriman."), field="tracking_number")
        code = next(
            (c.code for c in tracking.COURIERS.values() if c.name.lower() == courier.lower()),
            None,
        )
        note = f"{courier} {tracking_no}"
    if kind not in NO_RESI_KINDS_SET:
        changes = {"courier": courier, "tracking_number": tracking_no}
    if code:
        changes["courier_code"] = code
    apply_transition(order, "ship", actor=actor, role="sme_owner", note=note, **changes)
    link = external_url("orders.my_order", order_id=order.id)
    if kind in PICKUP_KINDS:
        notify(
            order.consumer_id,
            "order_ready_for_pickup",
            business=order.business.name,
            order=order.id,
            link=link,
        )
    elif kind == DeliveryKind.SELLER:
        notify(
            order.consumer_id,
            "order_out_for_delivery",
            business=order.business.name,
            order=order.id,
            link=link,
        )
    else:
        notify(
            order.consumer_id,
            "order_shipped",
            business=order.business.name,
            order=order.id,
            courier=courier,
            tracking=tracking_no,
            link=link,
        )


def hand_over_pickup(order: Order, *, code: str, actor) -> None:
    """The buyer collects a pickup order: the seller checks the code the buyer shows."""
    if order.delivery_kind not in PICKUP_KINDS:
        raise ValidationFailed(_l("Pesanan ini bukan ambil sendiri."), field="pickup_code")
    if order.status != OrderStatus.SHIPPED:
        raise ValidationFailed(_l("Tandai pesanan siap diambil dulu."), field="pickup_code")
    typed = "".join(ch for ch in (code or "") if ch.isdigit())
    if not secrets.compare_digest(typed, order.pickup_code or "x"):
        raise ValidationFailed(_l("Kode ambil tidak cocok."), field="pickup_code")
    apply_transition(
        order, "complete", actor=actor, role="sme_owner", note="picked up, code checked"
    )


def complete_order(order: Order, *, actor, role: str) -> None:
    # From now on the order's money is payable to the seller (issue 15).
    apply_transition(order, "complete", actor=actor, role=role, completed_at=utcnow())


# --- buyer side -------------------------------------------------------------------------------


def orders_of_consumer_select(user):
    """The buyer's own orders, unordered (the caller pages it), lines and seller loaded."""
    return (
        select(Order)
        .where(Order.consumer_id == user.id)
        .options(selectinload(Order.lines), selectinload(Order.business))
    )


def orders_of_consumer(user) -> list[Order]:
    return list(
        db.session.scalars(
            select(Order)
            .where(Order.consumer_id == user.id)
            .options(selectinload(Order.lines), selectinload(Order.business))
            .order_by(Order.created_at.desc())
            .limit(200)
        )
    )
