"""Buyer-facing catalog pages: search, product, business, photos."""

from urllib.parse import quote

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import current_user

from marketplace.catalog import pagecache, posters, storefront
from marketplace.catalog import params as search_params
from marketplace.catalog.categories import CATEGORIES
from marketplace.catalog.models import Product
from marketplace.core import uploads
from marketplace.core.urls import external_url
from marketplace.core.views import domain_errors
from marketplace.search import services as search

bp = Blueprint("catalog", __name__)


bp.add_url_rule("/csrf-token", "csrf_token", pagecache.csrf_token_view, methods=["GET"])


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
        size_choices=_size_choices(params, result),
    )


def _size_choices(params, result) -> list[tuple[str, int]]:
    """The size facet (issue 16), only for fashion results: the sizes in stock among them."""
    from marketplace.catalog import variants

    sizes = result.facets.get("size") or {}
    fashion = params.filters.category == "fashion" or (
        not params.filters.category and "fashion" in (result.facets.get("category") or {})
    )
    if not fashion and not params.filters.size:
        return []
    return variants.size_facet(sizes)


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
        og=storefront.product_open_graph(item),
    )


def storefront_whatsapp_link(business) -> str:
    """wa.me with a prefilled greeting naming the storefront (issue 16)."""
    text = (
        f"Halo {business.name}, saya melihat etalase Anda di Pasarkita: "
        f"{external_url('catalog.business', business_id=business.id)}"
    )
    return f"https://wa.me/{business.whatsapp_e164.lstrip('+')}?text={quote(text)}"


@bp.get("/b/<int:business_id>")
@pagecache.cached_page
def business(business_id: int):
    category = request.args.get("category")
    if category not in CATEGORIES:
        category = None
    biz, products, more = storefront.business_page(
        business_id, after=search_params.after_id(request.args), category=category
    )
    pagecache.shows(products)
    share_url = external_url("catalog.business", business_id=biz.id)
    return render_template(
        "catalog/business.html",
        business=biz,
        products=products,
        category=category,
        categories=CATEGORIES,
        category_counts=storefront.business_categories(biz.id),
        permits=storefront.business_permits(biz.id),
        whatsapp=storefront_whatsapp_link(biz),
        share_url=share_url,
        share_whatsapp=f"https://wa.me/?text={quote(biz.name + ' ' + share_url)}",
        og=storefront.business_open_graph(biz, storefront.storefront_cover(biz.id)),
        next_after=products[-1].id if more else None,
    )


@bp.get("/b/<int:business_id>/poster")
def business_poster(business_id: int):
    """The storefront's printable A5 poster with its QR code (issue 16)."""
    biz, products, _more = storefront.business_page(business_id, per_page=1)
    permits = storefront.business_permits(biz.id)
    return render_template(
        "catalog/poster.html",
        poster=posters.business_poster(biz, permits),
        back=url_for("catalog.business", business_id=biz.id),
    )


@bp.get("/c/<slug>/poster")
def chapter_poster(slug: str):
    """The chapter's printable A5 poster: its storefront's QR code, for bazaars."""
    chapter = storefront.chapter_by_slug(slug)
    return render_template(
        "catalog/poster.html",
        poster=posters.chapter_poster(chapter),
        back=url_for("chapters.show", slug=chapter.slug),
    )


@bp.get("/media/p/<int:image_id>/<any(large, thumb):size>.jpg")
def product_image(image_id: int, size: str):
    image = storefront.viewable_image(image_id, current_user)
    if image is None:
        abort(404)
    return uploads.send_public_image(image.key_large if size == "large" else image.key_thumb)


@bp.get("/media/p/<int:image_id>/<int:width>-<digest>.<any(webp, jpg):fmt>")
def photo(image_id: int, width: int, digest: str, fmt: str):
    """One rendition of a product photo at its content-hashed URL (cached for a year)."""
    image = storefront.viewable_image(image_id, current_user)
    rendition = image and next(
        (r for r in image.sources(fmt) if r["w"] == width and r["d"] == digest), None
    )
    if rendition is None:
        abort(404)
    public = storefront.is_public_image(image)
    return uploads.send_rendition(rendition["k"], fmt=fmt, public=public)
