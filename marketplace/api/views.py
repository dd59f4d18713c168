"""Public JSON API (read-only, no cookies needed)."""

from flask import Blueprint, jsonify, request

from marketplace.catalog import params as search_params
from marketplace.catalog import storefront
from marketplace.chapters import services as chapters
from marketplace.core.errors import error_response
from marketplace.core.urls import external_url
from marketplace.core.views import domain_errors
from marketplace.delivery import services as delivery
from marketplace.search import services as search

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/chapters")
def list_chapters():
    counts = chapters.member_counts()
    return jsonify(
        [
            {
                "slug": c.slug,
                "name": c.name,
                "code": c.code,
                "kota": c.kota,
                "members_count": counts.get(c.id, 0),
            }
            for c in chapters.list_chapters()
        ]
    )


def product_item(product) -> dict:
    permits = storefront.permits_of(product)
    chapter = product.business.chapter
    return {
        "id": product.id,
        "name": product.name,
        "price_idr": product.price_idr,
        "category": product.category,
        "halal": any(p.kind == "halal" for p in permits),
        "permits": [{"kind": p.kind, "number": p.number} for p in permits],
        "business": {
            "id": product.business.id,
            "name": product.business.name,
            "chapter": {"slug": chapter.slug, "name": chapter.name},
        },
        "url": external_url("catalog.product", product_id=product.id),
        "images": product_images(product),
        "variants": product_variants(product),
        "rating": product_rating(product),
    }


def product_variants(product) -> list[dict]:
    """The variants a buyer picks from (issue 16), [] for a product without."""
    if not product.has_variants:
        return []
    return [
        {
            "id": v.id,
            "label": v.label,
            "options": v.options,
            "price_idr": v.price_idr,
            "in_stock": v.stock > 0,
        }
        for v in product.active_variants
    ]


def product_rating(product) -> dict | None:
    """``{"average": 4.6, "count": 12}`` over the visible reviews, or None (issue 16): the
    kept columns, no statement."""
    from marketplace.reviews.services import rating_of

    return rating_of(product)


def product_images(product) -> list[dict]:
    """The photos, cover first (issue 16): each with its sizes, a WebP and a JPEG URL per
    width (absolute, content-hashed: cacheable for a year). A photo stored before the
    renditions existed has one JPEG size."""
    out = []
    for image in product.images:
        webp = {r["w"]: r for r in image.sources("webp")}
        sizes = [
            {
                "width": r["w"],
                "height": r["h"],
                "jpeg": external_url(
                    "catalog.photo", image_id=image.id, width=r["w"], digest=r["d"], fmt="jpg"
                ),
                **(
                    {
                        "webp": external_url(
                            "catalog.photo",
                            image_id=image.id,
                            width=r["w"],
                            digest=webp[r["w"]]["d"],
                            fmt="webp",
                        )
                    }
                    if r["w"] in webp
                    else {}
                ),
            }
            for r in image.sources("jpg")
        ] or [
            {
                "width": 1200,
                "height": 1200,
                "jpeg": external_url("catalog.product_image", image_id=image.id, size="large"),
            }
        ]
        out.append({"id": image.id, "cover": not out, "sizes": sizes})
    return out


@bp.get("/products")
def list_products():
    with domain_errors(show=False) as refused:
        params = search_params.parse(request.args)
    if refused:
        return error_response(400, refused.message, "invalid_parameter")
    result, products = search.search_products(
        params.q,
        params.filters,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        with_documents=True,
    )
    return jsonify(
        {"items": [product_item(p) for p in products], "total": result.total, "page": params.page}
    )


@bp.get("/products/<product_id>")
def get_product(product_id: str):
    if not product_id.isdigit() or len(product_id) > 18:
        return error_response(404)
    product = storefront.visible_product(product_id)
    return jsonify(
        {
            **product_item(product),
            "weight_grams": product.weight_grams,
            "delivery": [
                {k: option[k] for k in ("kind", "courier", "zones", "cod")}
                for option in delivery.summary_for(product.business)
            ],
        }
    )


@bp.get("/openapi.json")
def openapi_document():
    """The host's public API and every registered plug-in's part, merged."""
    from marketplace.api.openapi import build

    return jsonify(build())
