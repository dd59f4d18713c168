"""Public chapter storefronts."""

from flask import Blueprint, render_template, request

from marketplace.catalog.pagecache import cached_page, shows
from marketplace.catalog.params import after_id
from marketplace.catalog.storefront import chapter_storefront

bp = Blueprint("chapters", __name__)


@bp.get("/c/<slug>")
@cached_page
def show(slug: str):
    chapter, figures, products, more = chapter_storefront(slug, after=after_id(request.args))
    shows(products)
    return render_template(
        "chapters/show.html",
        chapter=chapter,
        figures=figures,
        products=products,
        next_after=products[-1].id if more else None,
    )
