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
from marketplace.core.errors import DomainError, NotFound, ValidationFailed
from marketplace.core.forms import choices
from marketplace.core.views import run_action
from marketplace.extensions import db
from marketplace.orders import services
from marketplace.orders.forms import AddToCartForm, CheckoutForm, PayForm, QuantityForm, ShipForm
from marketplace.orders.models import OrderStatus
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
def add_to_cart():
    form = AddToCartForm()
    if not form.validate_on_submit():
        flash(_("Jumlah harus 1 sampai 99."), "error")
        return redirect(request.referrer or url_for("orders.cart"))
    try:
        services.add_to_cart(current_cart(create=True), form.product_id.data, form.quantity.data)
    except NotFound:
        raise  # a product that is not for sale answers 404 like a missing one
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(
            url_for("catalog.product", product_id=form.product_id.data)
            if str(form.product_id.data).isdigit()
            else url_for("orders.cart")
        )
    db.session.commit()
    flash(_("Ditambahkan ke keranjang."), "success")
    return redirect(url_for("orders.cart"))


@bp.post("/cart/update")
def update_cart():
    form = QuantityForm()
    cart = current_cart()
    if cart is not None and form.validate_on_submit():
        try:
            services.set_quantity(cart, form.product_id.data, form.quantity.data or 0)
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
        else:
            db.session.commit()
    return redirect(url_for("orders.cart"))


@bp.route("/checkout", methods=["GET", "POST"])
@login_required
def checkout():
    cart = current_cart()
    form = CheckoutForm()
    form.kelurahan_code.choices = choices(
        [("", _("— pilih kelurahan —")), *businesses.kelurahan_choices()]
    )
    if request.method == "GET" and not form.recipient_name.data:
        form.recipient_name.data = current_user.name
        form.whatsapp.data = current_user.phone_e164 or ""
    status = 200
    if form.validate_on_submit():
        delivery = services.Delivery(
            recipient_name=form.recipient_name.data,
            address_line=form.address_line.data,
            kelurahan_code=form.kelurahan_code.data,
            postal_code=form.postal_code.data,
            whatsapp=form.whatsapp.data,
        )
        try:
            started = services.start_checkout(current_user, cart, delivery)
        except ValidationFailed as exc:
            db.session.rollback()
            field = getattr(form, exc.details.get("field") or "", None)
            if field is not None:
                field.errors = [*field.errors, str(exc.message)]
            else:
                flash(str(exc.message), "error")
            status = 400
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            return redirect(url_for("orders.cart"))
        else:
            db.session.commit()  # stock is reserved whatever the gateway does next
            return redirect(url_for("orders.pay", checkout_id=started.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "orders/checkout.html",
        form=form,
        groups=services.grouped(cart),
        total=services.cart_total(cart),
    ), status


@bp.route("/checkout/<int:checkout_id>/pay", methods=["GET", "POST"])
@login_required
def pay(checkout_id: int):
    checkout = services.own_checkout_or_404(current_user, checkout_id)
    pending = any(o.status == OrderStatus.PENDING_PAYMENT for o in checkout.orders)
    if not pending:
        return redirect(url_for("orders.done", checkout_id=checkout.id))
    if request.method == "POST":
        form = PayForm()
        if not form.validate_on_submit():
            return jsonify(error=_("Data kartu tidak lengkap.")), 400
        try:
            intent = payments.pay_with_token(checkout, form.token.data)
        except CardDeclined:
            db.session.commit()
            return jsonify(error=_("Kartu ditolak. Coba kartu lain.")), 402
        except DomainError as exc:
            db.session.rollback()
            return jsonify(error=str(exc.message)), exc.status_code
        db.session.commit()
        return jsonify(
            status=intent.status,
            client_secret=intent.client_secret,
            next=url_for("orders.done", checkout_id=checkout.id),
        )
    try:
        intent = payments.ensure_intent(checkout)
    except DomainError as exc:
        db.session.rollback()
        return render_template(
            "orders/pay.html", checkout=checkout, intent=None, error=str(exc.message)
        ), 503
    db.session.commit()
    return render_template(
        "orders/pay.html", checkout=checkout, intent=intent, error=None, form=PayForm()
    )


@bp.get("/checkout/<int:checkout_id>/done")
@login_required
def done(checkout_id: int):
    checkout = services.own_checkout_or_404(current_user, checkout_id)
    status = payments.confirm_return(checkout)
    db.session.commit()
    paid = all(o.status != OrderStatus.PENDING_PAYMENT for o in checkout.orders)
    return render_template("orders/done.html", checkout=checkout, paid=paid, status=status)


@bp.get("/orders")
@login_required
def my_orders():
    return render_template(
        "orders/my_orders.html", orders=services.orders_of_consumer(current_user)
    )


@bp.get("/orders/<int:order_id>")
@login_required
def my_order(order_id: int):
    order = services.consumer_order_or_404(current_user, order_id)
    return render_template("orders/my_order.html", order=order, confirm=ConfirmForm())


@bp.post("/orders/<int:order_id>/received")
@login_required
def received(order_id: int):
    order = services.consumer_order_or_404(current_user, order_id)
    run_action(
        lambda: services.complete_order(order, actor=current_user, role="consumer"),
        _("Terima kasih! Pesanan selesai."),
    )
    return redirect(url_for("orders.my_order", order_id=order_id))


# --- the seller's orders -------------------------------------------------------------------


@bp.get("/business/orders")
@login_required
def sales():
    business = businesses.require_business_of(current_user)
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
    ):
        status = None
    return render_template(
        "orders/sales.html",
        business=business,
        status=status,
        orders=services.orders_of_business(business, status),
    )


@bp.route("/business/orders/<int:order_id>", methods=["GET", "POST"])
@login_required
def sale(order_id: int):
    business = businesses.require_business_of(current_user)
    order = services.business_order_or_404(business, order_id)
    form = ShipForm()
    status = 200
    if form.validate_on_submit():
        try:
            services.ship_order(
                order,
                courier=form.courier.data,
                tracking_number=form.tracking_number.data,
                actor=current_user,
            )
        except DomainError as exc:
            db.session.rollback()
            flash(str(exc.message), "error")
            status = 400
        else:
            db.session.commit()
            flash(_("Pesanan ditandai dikirim. Pembeli sudah diberi tahu."), "success")
            return redirect(url_for("orders.sales"))
    elif form.is_submitted():
        status = 400
    return render_template("orders/sale.html", order=order, form=form), status
