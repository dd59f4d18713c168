"""Cart, checkout, payment pages, and orders for buyers and sellers."""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses import services as businesses
from marketplace.businesses.scope import owner_business_or_404
from marketplace.complaints.forms import CashForm, FailDeliveryForm
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import choices
from marketplace.core.pagination import keyset_page
from marketplace.core.views import domain_errors, show_error, unit_of_work
from marketplace.delivery.models import NO_RESI_KINDS_SET, DeliveryKind
from marketplace.delivery.tracking import COURIERS
from marketplace.orders import aftersales, services
from marketplace.orders.forms import (
    AddToCartForm,
    CheckoutForm,
    PayForm,
    PickupCodeForm,
    QuantityForm,
    ShipCourierForm,
    ShipForm,
)
from marketplace.orders.models import Order, OrderStatus
from marketplace.orders.scope import buyer_checkout_or_404, buyer_order_or_404, owner_order_or_404
from marketplace.payments import services as payments
from marketplace.payments.gateway import CardDeclined

bp = Blueprint("orders", __name__)


def current_cart(create: bool = False):
    cart = services.cart_for(current_user, session.get("cart_token"), create=create)
    if cart is not None and cart.token and session.get("cart_token") != cart.token:
        session["cart_token"] = cart.token
    return cart


@bp.get("/cart")
def cart():
    cart = current_cart()
    return render_template(
        "orders/cart.html",
        groups=services.grouped(cart),
        total=services.cart_total(cart),
        form=QuantityForm(),
        minimum=current_app.config["MIN_ORDER_IDR"],
    )


@bp.post("/cart/add")
@unit_of_work
def add_to_cart():
    form = AddToCartForm()
    if not form.validate_on_submit():
        flash(_("Jumlah harus 1 sampai 99."), "error")
        return redirect(request.referrer or url_for("orders.cart"))
    # A product that is not for sale answers 404 like a missing one (domain_errors lets
    # NotFound through).
    with domain_errors():
        services.add_to_cart(
            current_cart(create=True),
            form.product_id.data,
            form.quantity.data,
            variant_id=form.variant_id.data or None,
        )
        flash(_("Ditambahkan ke keranjang."), "success")
        return redirect(url_for("orders.cart"))
    return redirect(
        url_for("catalog.product", product_id=form.product_id.data)
        if str(form.product_id.data).isdigit()
        else url_for("orders.cart")
    )


@bp.post("/cart/update")
@unit_of_work
def update_cart():
    form = QuantityForm()
    cart = current_cart()
    if cart is not None and form.validate_on_submit():
        with domain_errors(not_found=True):  # a line already gone is only a message
            services.set_quantity(
                cart, form.product_id.data, form.quantity.data or 0, form.variant_id.data or None
            )
    return redirect(url_for("orders.cart"))


def _choices_from(form_data, groups) -> dict:
    """The buyer's pick per seller group from the posted form (delivery_<id>, payment_<id>)."""
    return {
        g.business.id: services.Choice(
            option=(form_data.get(f"delivery_{g.business.id}") or "").strip()[:20] or None,
            payment=(form_data.get(f"payment_{g.business.id}") or "").strip()[:8] or None,
        )
        for g in groups
    }


def _expected_total(form_data) -> int | None:
    raw = (form_data.get("expected_total_idr") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 16 else (-1 if raw else None)


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
@unit_of_work
def checkout():
    cart = current_cart()
    form = CheckoutForm()
    form.kelurahan_code.choices = choices(
        [("", _("— pilih kelurahan —")), *businesses.kelurahan_choices()]
    )
    if request.method == "GET" and not form.recipient_name.data:
        form.recipient_name.data = current_user.name
        form.whatsapp.data = current_user.contact_phone or ""
    status = 200
    groups = services.grouped(cart)
    picked = _choices_from(request.form, groups) if request.method == "POST" else {}
    quoting = request.form.get("action") == "quote"
    if not quoting and form.validate_on_submit():
        delivery = services.Delivery(
            recipient_name=form.recipient_name.data,
            address_line=form.address_line.data,
            kelurahan_code=form.kelurahan_code.data,
            postal_code=form.postal_code.data,
            whatsapp=form.whatsapp.data,
        )
        # Stock is reserved (committed) before the payment page, whatever the gateway does.
        with domain_errors(show=False) as refused:
            started = services.start_checkout(
                current_user,
                cart,
                delivery,
                choices=picked,
                expected_total_idr=_expected_total(request.form),
            )
            return redirect(url_for("orders.pay", checkout_id=started.id))
        if not isinstance(refused.error, ValidationFailed):
            show_error(refused.error)  # the cart changed under the buyer: back to it
            return redirect(url_for("orders.cart"))
        show_error(refused.error, form)
        status = 400
    elif request.method == "POST" and not quoting:
        status = 400
    quotes = services.quote_groups(current_user, cart, form.kelurahan_code.data)
    selected = {}
    for quote in quotes:
        choice = picked.get(quote.group.business.id)
        key = choice.option if choice else None
        offer = next((o for o in quote.offers if o.key == key), None)
        if offer is None and quote.offers:
            offer = quote.offers[0]
        selected[quote.group.business.id] = offer
    shipping = sum(o.price_idr for o in selected.values() if o is not None)
    return render_template(
        "orders/checkout.html",
        form=form,
        groups=groups,
        quotes=quotes,
        selected=selected,
        picked=picked,
        total=services.cart_total(cart),
        shipping=shipping,
    ), status


@bp.route("/checkout/<int:checkout_id>/pay", methods=["GET", "POST"])
@login_required
@unit_of_work
def pay(checkout_id: int):
    checkout = buyer_checkout_or_404(current_user, checkout_id)
    pending = any(o.status == OrderStatus.PENDING_PAYMENT for o in checkout.orders)
    if not pending:
        return redirect(url_for("orders.done", checkout_id=checkout.id))
    if request.method == "POST":
        form = PayForm()
        if not form.validate_on_submit():
            return jsonify(error=_("Data kartu tidak lengkap.")), 400
        # pay.js reads {"error": "<text>"}: a refusal answers in that shape, not the API's.
        with domain_errors(show=False) as refused:
            try:
                intent = payments.pay_with_token(checkout, form.token.data)
            except CardDeclined:
                # The declined attempt is kept (committed), so support can see it.
                return jsonify(error=_("Kartu ditolak. Coba kartu lain.")), 402
            return jsonify(
                status=intent.status,
                client_secret=intent.client_secret,
                next=url_for("orders.done", checkout_id=checkout.id),
            )
        return jsonify(error=refused.message), refused.status_code
    with domain_errors(show=False) as refused:
        intent = payments.ensure_intent(checkout)
        return render_template(
            "orders/pay.html", checkout=checkout, intent=intent, error=None, form=PayForm()
        )
    return render_template(
        "orders/pay.html", checkout=checkout, intent=None, error=refused.message
    ), 503


@bp.get("/checkout/<int:checkout_id>/done")
@login_required
@unit_of_work  # the return from the card page settles the payment (a GET that writes)
def done(checkout_id: int):
    checkout = buyer_checkout_or_404(current_user, checkout_id)
    status = payments.confirm_return(checkout)
    paid = all(o.status != OrderStatus.PENDING_PAYMENT for o in checkout.orders)
    return render_template("orders/done.html", checkout=checkout, paid=paid, status=status)


@bp.get("/orders")
@login_required
def my_orders():
    orders = keyset_page(
        services.orders_of_consumer_select(current_user),
        (Order.created_at, Order.id),
        request.args.get("page"),
    )
    return render_template("orders/my_orders.html", orders=orders)


@bp.get("/orders/<int:order_id>")
@login_required
def my_order(order_id: int):
    order = buyer_order_or_404(current_user, order_id)
    return render_template("orders/my_order.html", order=order, confirm=ConfirmForm())


@bp.post("/orders/<int:order_id>/received")
@login_required
@unit_of_work
def received(order_id: int):
    order = buyer_order_or_404(current_user, order_id)
    with domain_errors():
        aftersales.confirm_receipt(order, actor=current_user)
        flash(_("Terima kasih! Pesanan selesai."), "success")
    return redirect(url_for("orders.my_order", order_id=order_id))


# --- the seller's orders -------------------------------------------------------------------


@bp.get("/business/orders")
@login_required
def sales():
    business = owner_business_or_404(current_user)
    status = request.args.get("status") or None
    if status not in (
        None,
        OrderStatus.PAID,
        OrderStatus.SHIPPED,
        OrderStatus.COMPLETED,
        OrderStatus.REFUNDED,
        OrderStatus.EXPIRED,
        OrderStatus.CANCELLED,
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.AWAITING_DELIVERY,
    ):
        status = None
    return render_template(
        "orders/sales.html",
        business=business,
        status=status,
        orders=keyset_page(
            services.orders_of_business_select(business, status),
            (Order.created_at, Order.id),
            request.args.get("page"),
        ),
    )


def _ship_form(order):
    """The seller's "ship" form for the order's kind: a courier and resi, a plain
    confirmation ("ready for pickup", "out for delivery"), or the free text of orders from
    before delivery options."""
    if order.delivery_kind in NO_RESI_KINDS_SET:
        return ConfirmForm()
    if order.delivery_kind == DeliveryKind.COURIER:
        form = ShipCourierForm()
        form.courier.choices = choices([(c.code, c.name) for c in COURIERS.values()])
        if not form.is_submitted():
            form.courier.data = order.courier_code
        return form
    return ShipForm()


@bp.route("/business/orders/<int:order_id>", methods=["GET", "POST"])
@login_required
@unit_of_work
def sale(order_id: int):
    order = owner_order_or_404(owner_business_or_404(current_user), order_id)
    form = _ship_form(order)
    status = 200
    if form.validate_on_submit():
        with domain_errors(form):
            services.ship_order(
                order,
                courier=getattr(getattr(form, "courier", None), "data", "") or "",
                tracking_number=getattr(getattr(form, "tracking_number", None), "data", "") or "",
                actor=current_user,
            )
            flash(_("Pesanan ditandai dikirim. Pembeli sudah diberi tahu."), "success")
            return redirect(url_for("orders.sales"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "orders/sale.html",
        order=order,
        form=form,
        cash=CashForm(),
        failed=FailDeliveryForm(),
        pickup_form=PickupCodeForm(formdata=None),
    ), status


@bp.post("/business/orders/<int:order_id>/pickup")
@login_required
@unit_of_work
def pickup(order_id: int):
    order = owner_order_or_404(owner_business_or_404(current_user), order_id)
    form = PickupCodeForm()
    if form.validate_on_submit():
        with domain_errors(form):
            services.hand_over_pickup(order, code=form.pickup_code.data, actor=current_user)
            flash(_("Kode cocok: pesanan selesai diambil."), "success")
            return redirect(url_for("orders.sale", order_id=order.id))
    return render_template(
        "orders/sale.html",
        order=order,
        form=_ship_form(order),
        cash=CashForm(),
        failed=FailDeliveryForm(),
        pickup_form=form,
    ), 400
