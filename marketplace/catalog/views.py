"""Buyer-facing catalog pages: search, product, business, photos."""

from urllib.parse import quote

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from marketplace.catalog import pagecache, storefront
from marketplace.catalog import params as search_params
from marketplace.catalog.categories import CATEGORIES
from marketplace.catalog.models import Product
from marketplace.core import uploads
from marketplace.core.urls import external_url
from marketplace.core.views import domain_errors
from marketplace.search import services as search

bp = Blueprint("catalog", __name__)


@bp.get("/search")
@pagecache.cached_page
def search_page():
    with domain_errors(show=False) as refused:
        params = search_params.parse(request.args)
    if refused:
        return render_template(
            "catalog/search.html",
            error=refused.message,
            params=None,
            result=None,
            products=[],
            categories=CATEGORIES,
            kotas=search_params.kota_slugs(),
        ), 400
    result, products = search.search_products(
        params.q,
        params.filters,
        sort=params.sort,
        page=params.page,
        per_page=params.per_page,
        facets=True,
        # Above index.FACET_EXACT matches the counts are estimates unless asked for.
        exact_facets=request.args.get("facets") == "exact",
    )
    pagecache.shows(products)
    chapters = search.chapter_names(result.facets.get("chapter", {}).keys())
    more = result.total > params.page * params.per_page
    return render_template(
        "catalog/search.html",
        params=params,
        result=result,
        products=products,
        categories=CATEGORIES,
        kotas=search_params.kota_slugs(),
        chapter_names=chapters,
        error=None,
        prev_url=_page_url(params.page - 1) if params.page > 1 else None,
        next_url=_page_url(params.page + 1) if more else None,
        exact_facets_url=_page_url(params.page, facets="exact"),
    )


def _page_url(page: int, **extra: str) -> str:
    args = request.args.to_dict()
    args["page"] = page
    args.update(extra)
    return url_for("catalog.search_page", **args)


def whatsapp_link(product: Product) -> str:
    text = (
        f"Halo {product.business.name}, saya tertarik dengan {product.name} di Pasarkita: "
        f"{external_url('catalog.product', product_id=product.id)}"
    )
    number = product.business.whatsapp_e164.lstrip("+")
    return f"https://wa.me/{number}?text={quote(text)}"


@bp.get("/p/<int:product_id>")
@pagecache.cached_page
def product(product_id: int):
    item = storefront.find_visible_product(product_id)
    if item is None:
        # A shared link to an unlisted or unknown product: say so and offer a way on (404).
        others = storefront.unavailable_product(product_id)
        return render_template("catalog/unavailable.html", others=others), 404
    pagecache.shows([item])
    share_url = external_url("catalog.product", product_id=item.id)
    return render_template(
        "catalog/product.html",
        product=item,
        permits=storefront.permits_of(item),
        whatsapp=whatsapp_link(item),
        share_url=share_url,
        share_whatsapp=f"https://wa.me/?text={quote(item.name + ' ' + share_url)}",
        category_label=CATEGORIES.get(item.category, item.category),
    )


@bp.get("/b/<int:business_id>")
@pagecache.cached_page
def business(business_id: int):
    biz, products, more = storefront.business_page(
        business_id, after=search_params.after_id(request.args)
    )
    pagecache.shows(products)
    return render_template(
        "catalog/business.html",
        business=biz,
        products=products,
        next_after=products[-1].id if more else None,
    )


@bp.get("/media/p/<int:image_id>/<any(large, thumb):size>.jpg")
def product_image(image_id: int, size: str):
    image = storefront.viewable_image(image_id, current_user)
    if image is None:
        abort(404)
    return uploads.send_public_image(image.key_large if size == "large" else image.key_thumb)
