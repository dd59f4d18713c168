"""Search as the rest of the app sees it: documents from products, feed, queries."""

import logging
import time
from pathlib import Path

from flask import current_app, g
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.catalog.visibility import is_visible, visible_products
from marketplace.chapters.models import Chapter
from marketplace.extensions import db
from marketplace.search.index import Filters, ProductIndex, SearchResult
from marketplace.search.models import SearchChange

log = logging.getLogger("pasarkita.search")
FEED_BATCH = 500


def get_index() -> ProductIndex:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    index = app.extensions.get("search_index")
    if index is None:
        path = app.config.get("SEARCH_INDEX_DIR") or Path(app.instance_path) / "search_index"
        index = app.extensions["search_index"] = ProductIndex(path)
    return index


def _load(ids) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product)
            .where(Product.id.in_(ids))
            .options(
                selectinload(Product.business).selectinload(Business.chapter),
                selectinload(Product.documents),
            )
        )
    )


def document_for(product: Product, halal: bool) -> dict:
    business = product.business
    return {
        "id": str(product.id),
        "name": product.name,
        "description": product.description or "",
        "business_name": business.name,
        "category": product.category,
        "chapter": business.chapter.slug,
        "kota": business.chapter.kota_code,
        "halal": halal,
        "in_stock": product.stock > 0,
        "price": product.price_idr,
        "created": int(product.created_at.timestamp()),
    }


def _documents(products: list[Product]) -> dict[int, dict]:
    from marketplace.legality.services import has_verified_halal

    return {p.id: document_for(p, has_verified_halal(p)) for p in products}


def apply_feed(timeout: float = 5.0) -> int:
    """Bring this node's index up to the feed; returns rows applied (0 if busy)."""
    index = get_index()
    applied = 0
    while True:
        start = index.position()
        rows = db.session.execute(
            select(SearchChange.id, SearchChange.product_id)
            .where(SearchChange.id > start)
            .order_by(SearchChange.id)
            .limit(FEED_BATCH)
        ).all()
        if not rows:
            return applied
        ids = {product_id for _, product_id in rows}
        visible = [p for p in _load(ids) if is_visible(p)]
        documents: dict[int, dict | None] = dict.fromkeys(ids)
        documents.update(_documents(visible))
        if not index.apply(documents, rows[-1][0], timeout=timeout):
            return applied
        applied += len(rows)


def feed_behind() -> bool:
    latest = db.session.scalar(select(func.max(SearchChange.id))) or 0
    return latest > get_index().position()


def catch_up() -> None:
    """Apply the feed if this node is behind; never lets a busy index reach the user."""
    try:
        if feed_behind():
            apply_feed(timeout=current_app.config.get("SEARCH_WRITE_TIMEOUT", 2.0))
    except Exception:  # the database stays the truth; the next request retries
        log.exception("search feed catch-up failed")


def reindex(procs: int = 1, batch: int = 2000) -> int:
    """Rebuild this node's index from the database (listed products only)."""
    from marketplace.legality.services import has_verified_halal

    position = db.session.scalar(select(func.max(SearchChange.id))) or 0

    def documents():
        last = 0
        while True:
            chunk = list(
                db.session.scalars(
                    visible_products()
                    .where(Product.id > last)
                    .order_by(Product.id)
                    .limit(batch)
                    .options(
                        selectinload(Product.business).selectinload(Business.chapter),
                        selectinload(Product.documents),
                    )
                )
            )
            if not chunk:
                return
            for product in chunk:
                yield document_for(product, has_verified_halal(product))
            last = chunk[-1].id
            db.session.expunge_all()

    return get_index().rebuild(documents(), position, procs=procs)


def follow(interval: float = 1.0, rounds: int | None = None) -> None:
    """Keep applying the feed (for servers that should converge without traffic)."""
    done = 0
    while rounds is None or done < rounds:
        applied = apply_feed()
        if applied:
            log.info("search follow applied %s change(s)", applied)
        db.session.rollback()  # end the read transaction so the next poll sees new rows
        done += 1
        if rounds is None or done < rounds:
            time.sleep(interval)


def search_products(
    text: str,
    filters: Filters,
    *,
    sort="relevance",
    page=1,
    per_page=20,
    facets=False,
    exact_facets=False,
    with_documents=False,
) -> tuple[SearchResult, list[Product]]:
    """Search and load the page's products in one query, in rank order."""
    catch_up()
    result = get_index().search(
        text,
        filters,
        sort=sort,
        page=page,
        per_page=per_page,
        facets=facets,
        exact_facets=exact_facets,
    )
    products = []
    if result.ids:
        options = [
            joinedload(Product.business).joinedload(Business.chapter),
            selectinload(Product.images),
        ]
        if with_documents:
            options.append(selectinload(Product.documents))
        loaded = {
            p.id: p
            for p in db.session.scalars(
                visible_products().where(Product.id.in_(result.ids)).options(*options)
            ).unique()
        }
        # Never show a product the database no longer lists, even if the index lags.
        products = [loaded[i] for i in result.ids if i in loaded]
    return result, products


def chapter_names(slugs) -> dict[str, str]:
    if not slugs:
        return {}
    return dict(
        db.session.execute(
            select(Chapter.slug, Chapter.name).where(Chapter.slug.in_(list(slugs)))
        ).all()
    )


def register(app) -> None:
    """Apply the feed after each request that committed changes, and once at start-up."""

    @app.teardown_request
    def _apply_after_commit(exc):
        if g.pop("search_feed_pending", False) and exc is None:
            try:
                apply_feed(timeout=app.config.get("SEARCH_WRITE_TIMEOUT", 2.0))
            except Exception:
                log.exception("search feed apply failed; it will be retried")

    if app.config.get("SEARCH_APPLY_ON_START"):
        with app.app_context():
            try:
                apply_feed()
            except Exception:
                log.exception("search feed apply at start-up failed")
