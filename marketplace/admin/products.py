"""The admin's product tools (issue 14 item 10): find a product, take it down with a reason
the seller reads, see the open take-downs (those the seller asked to review first) and lift
one. The rules are in ``catalog.takedown``."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses.models import Business
from marketplace.catalog import takedown
from marketplace.catalog.models import Product
from marketplace.core.forms import Form
from marketplace.core.pagination import keyset_page
from marketplace.core.security import admin_required
from marketplace.core.tenancy import get_or_404
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.extensions import db

bp = Blueprint("admin_products", __name__, url_prefix="/admin/products")


class TakedownForm(Form):
    reason = TextAreaField(
        _l("Alasan untuk penjual (ia membacanya persis seperti ini)"),
        validators=[DataRequired(), Length(max=1000)],
    )


@bp.before_request
@admin_required
def require_admin():
    return None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@bp.get("/")
def index():
    """Products by name, seller or number, newest first (keyset pages)."""
    query = "".join(ch for ch in request.args.get("q", "") if ch.isprintable()).strip()[:80]
    stmt = select(Product).options(joinedload(Product.business))
    if query:
        number = query.lstrip("#")
        if number.isascii() and number.isdigit() and len(number) <= 18:
            stmt = stmt.where(Product.id == int(number))
        else:
            pattern = _like(query)
            stmt = stmt.where(
                or_(
                    Product.name.ilike(pattern, escape="\\"),
                    Product.business_id.in_(
                        select(Business.id).where(Business.name.ilike(pattern, escape="\\"))
                    ),
                )
            )
    products = keyset_page(stmt, (Product.id,), request.args.get("page"))
    taken = takedown.open_takedowns_select().where(
        takedown.ProductTakedown.product_id.in_([p.id for p in products])
    )
    down = {t.product_id for t in db.session.scalars(taken)}
    return render_template("admin/products.html", query=query, products=products, down=down)


@bp.route("/<int:product_id>/take-down", methods=["GET", "POST"])
@unit_of_work
def take_down(product_id: int):
    """The reason first (the seller reads it as written), then the product leaves."""
    product = get_or_404(Product, product_id)
    form = TakedownForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form):
            takedown.take_down(product, form.reason.data, admin=current_user)
            flash(
                _("Produk %(name)s diturunkan; penjual diberi tahu.", name=product.name), "success"
            )
            return redirect(url_for("admin_products.takedowns"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "admin/product_takedown.html",
        product=product,
        form=form,
        current=takedown.open_takedown(product),
    ), status


@bp.get("/taken-down")
def takedowns():
    """Open take-downs: the ones the seller asked to review first, then the newest."""
    rows = db.session.scalars(
        takedown.open_takedowns_select()
        .options(joinedload(takedown.ProductTakedown.product).joinedload(Product.business))
        .order_by(
            takedown.ProductTakedown.appealed_at.is_(None),
            takedown.ProductTakedown.created_at.desc(),
            takedown.ProductTakedown.id.desc(),
        )
        .limit(200)
    ).all()
    return render_template("admin/takedowns.html", rows=rows, confirm=ConfirmForm())


@bp.post("/taken-down/<int:takedown_id>/lift")
@unit_of_work
def lift(takedown_id: int):
    row = get_or_404(takedown.ProductTakedown, takedown_id)
    if ConfirmForm().validate_on_submit():
        with domain_errors():
            takedown.lift(row, admin=current_user)
            flash(_("Penurunan dicabut; penjual boleh menampilkan produknya lagi."), "success")
    return redirect(url_for("admin_products.takedowns"))
