"""The seller's side of a take-down: ask the admin for a review once the product is fixed
(the owner scope: their business, their product; anyone else's is 404)."""

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.businesses.scope import owner_business_or_404, owner_product_or_404
from marketplace.catalog import takedown
from marketplace.core.views import domain_errors, unit_of_work

bp = Blueprint("takedown_owner", __name__, url_prefix="/business/products")


@bp.before_request
@login_required
def require_login():
    return None


@bp.post("/<int:product_id>/review-request")
@unit_of_work
def appeal(product_id: int):
    product = owner_product_or_404(owner_business_or_404(current_user), product_id)
    with domain_errors():
        takedown.appeal(product, request.form.get("note", ""), owner=current_user)
        flash(_("Permintaan peninjauan ulang terkirim ke admin."), "success")
    return redirect(url_for("business.edit_product", product_id=product.id))
