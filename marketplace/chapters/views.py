"""Public chapter storefronts."""

from flask import Blueprint, render_template, request

from marketplace.catalog.storefront import chapter_storefront

bp = Blueprint("chapters", __name__)


@bp.get("/c/<slug>")
def show(slug: str):
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and len(page) <= 3 and 0 < int(page) <= 500 else 1
    chapter, figures, products = chapter_storefront(slug, page=page)
    return render_template(
        "chapters/show.html", chapter=chapter, figures=figures, products=products, page=page
    )
