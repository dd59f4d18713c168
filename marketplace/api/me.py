"""JSON endpoints for the signed-in SME owner (cookie session + X-CSRFToken header).

They call the same services as the web forms, so the legality gate holds here too.
"""

from flask import Blueprint, jsonify, request
from flask_login import current_user

from marketplace.businesses.scope import owner_business_or_404, owner_product_or_404
from marketplace.catalog import services as catalog
from marketplace.core.errors import error_response
from marketplace.core.views import unit_of_work

bp = Blueprint("api_me", __name__, url_prefix="/api/v1/me")


@bp.before_request
def require_login():
    if not current_user.is_authenticated:
        return error_response(401)
    return None


def product_json(product) -> dict:
    return {
        "id": product.id,
        "name": product.name,
        "status": product.status,
        "price_idr": product.price_idr,
        "stock": product.stock,
        "category": product.category,
    }


@bp.get("/products")
def products():
    business = owner_business_or_404(current_user)
    return jsonify({"items": [product_json(p) for p in catalog.products_of(business)]})


@bp.post("/products/<int:product_id>/status")
@unit_of_work
def set_status(product_id: int):
    product = owner_product_or_404(owner_business_or_404(current_user), product_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("status"), str):
        return error_response(
            400, 'Body must be JSON: {"status": "listed" | "unlisted", "without_photo": bool}'
        )
    # A refusal (the listing gate, an illegal transition) is answered by the app's error
    # handler: {"error": {"code", "message", "missing": [...]}} with its status.
    catalog.set_status(
        product,
        payload["status"],
        actor=current_user,
        without_photo=payload.get("without_photo") is True,
    )
    return jsonify(product_json(product))
