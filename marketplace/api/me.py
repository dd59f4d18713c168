"""JSON endpoints for the signed-in SME owner (cookie session + X-CSRFToken header).

They call the same services as the web forms, so the legality gate holds here too.
"""

from flask import Blueprint, jsonify, request
from flask_login import current_user

from marketplace.businesses import services as businesses
from marketplace.catalog import services as catalog
from marketplace.core.errors import DomainError, error_response
from marketplace.extensions import db

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
    business = businesses.require_business_of(current_user)
    return jsonify({"items": [product_json(p) for p in catalog.products_of(business)]})


@bp.post("/products/<int:product_id>/status")
def set_status(product_id: int):
    business = businesses.require_business_of(current_user)
    product = catalog.own_product_or_404(business, product_id)
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict) or not isinstance(payload.get("status"), str):
        return error_response(400, 'Body must be JSON: {"status": "listed" | "unlisted"}')
    try:
        catalog.set_status(product, payload["status"], actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        body = {"error": {"code": exc.code, "message": str(exc.message)}}
        if hasattr(exc, "blockers"):
            body["error"]["missing"] = [
                {"kind": b.kind, "message": str(b.message)} for b in exc.blockers
            ]
        return jsonify(body), exc.status_code
    db.session.commit()
    return jsonify(product_json(product))
