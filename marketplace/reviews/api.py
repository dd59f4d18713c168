"""``GET /api/v1/products/<id>/reviews`` (issue 16 item 6): a listed product's visible
reviews, newest first, in keyset pages (``cursor`` from the previous page's ``next``)."""

from flask import Blueprint, jsonify, request

from marketplace.catalog import storefront
from marketplace.core.errors import error_response
from marketplace.core.urls import external_url
from marketplace.reviews import services

bp = Blueprint("reviews_api", __name__, url_prefix="/api/v1")

PER_PAGE = 20


def review_item(review) -> dict:
    """What the public sees of a review: no surname, phone or e-mail (PDP)."""
    return {
        "id": review.id,
        "rating": review.rating,
        "text": review.text,
        "created": review.created_at.isoformat(),
        "edited": review.edited_at.isoformat() if review.edited_at else None,
        "author": review.author_first_name,
        "photos": [
            {
                "width": r["w"],
                "height": r["h"],
                "jpeg": external_url(
                    "reviews.photo", photo_id=photo.id, width=r["w"], digest=r["d"], fmt="jpg"
                ),
            }
            for photo in review.photos
            for r in photo.sources("jpg")[-1:]
        ],
        "reply": (
            {"text": review.reply_text, "created": review.reply_at.isoformat()}
            if review.reply_text
            else None
        ),
    }


@bp.get("/products/<product_id>/reviews")
def product_reviews(product_id: str):
    if not product_id.isdigit() or len(product_id) > 18:
        return error_response(404)
    product = storefront.visible_product(product_id)
    page = services.product_reviews(product.id, request.args.get("cursor"), per_page=PER_PAGE)
    return jsonify(
        {
            "rating": services.rating_of(product),
            "items": [review_item(r) for r in page.items],
            "next": page.next,
        }
    )


def openapi_part() -> dict:
    from marketplace.api.openapi import error, id_parameter, json_response, nullable, ref

    when = {"type": "string", "format": "date-time"}
    return {
        "paths": {
            "/api/v1/products/{product_id}/reviews": {
                "get": {
                    "operationId": "listProductReviews",
                    "tags": ["public"],
                    "security": [],
                    "summary": "A listed product's visible reviews, newest first.",
                    "parameters": [
                        id_parameter("product_id", 10**18 - 1),
                        {
                            "name": "cursor",
                            "in": "query",
                            "required": False,
                            "description": "The previous page's `next`; anything else gives "
                            "the first page.",
                            "schema": {"type": "string", "maxLength": 300},
                        },
                    ],
                    "responses": {
                        "200": json_response(ref("ReviewPage"), "One page of reviews"),
                        "404": error("NotFound"),
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "ReviewPage": {
                    "type": "object",
                    "required": ["rating", "items", "next"],
                    "additionalProperties": False,
                    "properties": {
                        "rating": {"oneOf": [ref("Rating"), {"type": "null"}]},
                        "items": {"type": "array", "items": ref("Review")},
                        "next": nullable("string", description="Cursor of the next page."),
                    },
                },
                "Review": {
                    "type": "object",
                    "required": [
                        "id",
                        "rating",
                        "text",
                        "created",
                        "edited",
                        "author",
                        "photos",
                        "reply",
                    ],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "rating": {"type": "integer", "minimum": 1, "maximum": 5},
                        "text": {"type": "string"},
                        "created": when,
                        "edited": nullable("string", format="date-time"),
                        "author": {
                            "type": "string",
                            "description": "The buyer's first name only.",
                        },
                        "photos": {
                            "type": "array",
                            "maxItems": 3,
                            "items": {
                                "type": "object",
                                "required": ["width", "height", "jpeg"],
                                "additionalProperties": False,
                                "properties": {
                                    "width": {"type": "integer", "minimum": 1},
                                    "height": {"type": "integer", "minimum": 1},
                                    "jpeg": {"type": "string", "format": "uri"},
                                },
                            },
                        },
                        "reply": {
                            "oneOf": [
                                {
                                    "type": "object",
                                    "required": ["text", "created"],
                                    "additionalProperties": False,
                                    "properties": {"text": {"type": "string"}, "created": when},
                                },
                                {"type": "null"},
                            ],
                            "description": "The seller's one reply.",
                        },
                    },
                },
            }
        },
    }
