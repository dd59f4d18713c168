"""Guest page cache for the catalog pages (home, search, /p/, /b/, /c/).

A guest's page depends only on its URL, its language and the catalog data, so each worker
keeps the rendered HTML (Flask-Caching, ``PAGE_CACHE_*`` settings) keyed on (path with query,
language). An entry is served only while it is still true, checked by ONE statement per hit:

- the change feed's latest id is the data version (every product, document or business change
  that may alter a listing writes a feed row in its own transaction): any change, a miss;
- the products the page shows must all still be listed (a primary-key lookup of at most a
  page of ids), so a page never shows an unlisted or expired product, whatever the feed's
  commit order; ``PAGE_CACHE_SECONDS`` bounds what the feed does not carry (chapter leads).

Signed-in users, guests with flashed messages and anything but a 200 bypass the cache. The
CSRF token is per session: the page is rendered with a placeholder that each response
replaces with the guest's own token (so every guest still gets a working cart form).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import wraps

from flask import current_app, g, make_response, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import func, select

from marketplace.catalog.models import Product
from marketplace.catalog.visibility import visible_condition
from marketplace.extensions import cache, db
from marketplace.search.models import SearchChange

TOKEN_PLACEHOLDER = "csrf-placeholder-d41d8cd98f00b204"  # noqa: S105 - not a secret


def shows(products: Iterable) -> None:
    """Record the products a page shows (their listing is re-checked on every cache hit)."""
    ids = g.setdefault("page_product_ids", set())
    ids.update(p if isinstance(p, int) else p.id for p in products)


def placeholder_token() -> str:
    return TOKEN_PLACEHOLDER


def template_context() -> dict:
    """While a cacheable page renders, ``csrf_token()`` gives the placeholder."""
    return {"csrf_token": placeholder_token} if g.get("page_cache_render") else {}


def _cacheable() -> bool:
    if not current_app.config.get("PAGE_CACHE_SECONDS") or request.method != "GET":
        return False
    if request.headers.get("Authorization") or "_flashes" in session:
        return False
    return not current_user.is_authenticated


def _still_true(entry: dict | None) -> tuple[bool, int]:
    """(entry is current, data version) in one statement."""
    version = select(func.coalesce(func.max(SearchChange.id), 0)).scalar_subquery()
    ids = sorted(entry["ids"]) if entry else []
    if not ids:
        latest = db.session.scalar(select(version))
        return entry is not None and entry["version"] == latest, latest
    listed = (
        select(func.count(Product.id))
        .where(Product.id.in_(ids), visible_condition())
        .scalar_subquery()
    )
    latest, count = db.session.execute(select(version, listed)).one()
    return entry["version"] == latest and count == len(ids), latest


def cached_page(view):
    """Serve a guest catalog page from the cache while it is still true (see module doc)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not _cacheable():
            return view(*args, **kwargs)
        key = f"page:{get_locale()}:{request.full_path}"
        entry = cache.get(key)
        current, version = _still_true(entry)
        if not current:
            g.page_cache_render = True
            g.page_product_ids = set()
            try:
                response = make_response(view(*args, **kwargs))
            finally:
                g.page_cache_render = False
            if response.status_code != 200 or response.is_streamed:
                return response
            entry = {
                "version": version,
                "ids": frozenset(g.page_product_ids),
                "body": response.get_data(as_text=True),
                "mimetype": response.mimetype,
            }
            cache.set(key, entry, timeout=current_app.config["PAGE_CACHE_SECONDS"])
        body = entry["body"]
        if TOKEN_PLACEHOLDER in body:
            body = body.replace(TOKEN_PLACEHOLDER, generate_csrf())
        return current_app.response_class(body, mimetype=entry["mimetype"])

    return wrapped
