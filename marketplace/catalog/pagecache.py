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
CSRF token is per session: a guest's page (cached or not) leaves out base.html's meta token
(no script reads it on these pages) and renders its forms without a token, fetched lazily
when the form is submitted (below), so every guest page is the same bytes for every guest,
sets no session cookie and is compressed once (br, gzip) when cached. A template that still
calls ``csrf_token()`` while a page is cached gets a placeholder that each response replaces
with the guest's own token.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from functools import wraps

from flask import current_app, g, jsonify, make_response, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import Integer, Select, any_, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY

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
    """While a cacheable page renders, ``csrf_token()`` gives the placeholder; on a guest's
    catalog page ``lazy_csrf`` says to render forms without a token (see ``csrf_token_view``)."""
    out: dict = {"lazy_csrf": True} if g.get("lazy_csrf") else {}
    if g.get("page_cache_render"):
        out.update(csrf_token=placeholder_token, page_cache_render=True)
    return out


# --- lazy CSRF tokens for guests -------------------------------------------------------------
# A guest's catalog page renders its forms (the cart on /p/) without a token: rendering one
# would create a session (a cookie write per guest) and make the page differ per guest. The
# form carries ``data-lazy-csrf``: static/js/lazy-csrf.js fetches a token from
# ``/csrf-token`` (which starts the session) when the form is submitted. Without JavaScript
# the POST arrives without a token and is refused as any other (400); for the endpoints in
# LAZY_CSRF_ENDPOINTS the refusal page repeats the form with a token (one more tap).

LAZY_FIELD = "lazy_csrf"


def csrf_token_view():
    """``GET /csrf-token``: this visitor's token (starts their session), never cached."""
    response = jsonify(csrf_token=generate_csrf())
    response.headers["Cache-Control"] = "no-store"
    return response


def lazy_csrf_fallback():
    """For the CSRF error handler: a guest's form posted without its lazily fetched token
    (no JavaScript) gets the same form back with a token, or None (the plain refusal)."""
    if (
        request.method != "POST"
        or request.form.get(LAZY_FIELD) != "1"
        or request.endpoint not in current_app.config.get("LAZY_CSRF_ENDPOINTS", ())
        or current_user.is_authenticated
    ):
        return None
    fields = [
        (name, value)
        for name, value in request.form.items(multi=True)
        if name not in ("csrf_token", LAZY_FIELD)
    ]
    response = make_response(
        render_template("catalog/lazy_csrf.html", action=request.path, fields=fields), 400
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _cacheable() -> bool:
    if not current_app.config.get("PAGE_CACHE_SECONDS") or request.method != "GET":
        return False
    if request.headers.get("Authorization") or "_flashes" in session:
        return False
    return not current_user.is_authenticated


_VERSION = select(func.coalesce(func.max(SearchChange.id), 0)).scalar_subquery()


def _shown_listed(shown) -> Select:
    return _VERSION_ONLY.add_columns(
        select(func.count(Product.id)).where(shown, visible_condition()).scalar_subquery()
    )


_VERSION_ONLY = select(_VERSION)
# Built once: the hit path runs it on the connection (no ORM, a cached compiled form). The
# shown ids travel as ONE parameter (a JSON array on SQLite, an array on PostgreSQL), so the
# statement's text is the same whatever the page shows: an expanding IN list is rendered
# again on every execution, which cost a storefront's cached hit ~50 us more than /p/'s.
_CHECKS = {
    "sqlite": (
        _shown_listed(
            Product.id.in_(select(func.json_each(bindparam("ids")).table_valued("value")))
        ),
        json.dumps,
    ),
    "postgresql": (
        _shown_listed(Product.id == any_(bindparam("ids", type_=ARRAY(Integer)))),
        list,
    ),
}
_CHECK_ANY = (_shown_listed(Product.id.in_(bindparam("ids", expanding=True))), list)


# (dialect, statement) -> (SQL text, compiled): the hit runs the text on a Core connection.
_DRIVER_SQL: dict = {}


def _run_check(statement, values: dict):
    """One row of a check statement, on a pooled Core connection of its own unless this
    request's session already holds one: the hit then never begins (and at teardown closes)
    an ORM session transaction, ~60 us of a ~700 us cached hit. The statement still goes
    through the engine's cursor events (the statement counters see it)."""
    session = db.session()
    if session.in_transaction():
        return session.connection().execute(statement, values).one()
    engine = db.engine
    key = (engine.dialect.name, id(statement))
    found = _DRIVER_SQL.get(key)
    if found is None:
        compiled = statement.compile(dialect=engine.dialect)
        found = _DRIVER_SQL[key] = (str(compiled), compiled)
    sql, compiled = found
    params = compiled.construct_params(values)
    args = tuple(params[name] for name in compiled.positiontup) if compiled.positional else params
    with engine.connect() as connection:
        return connection.exec_driver_sql(sql, args).one()


def _still_true(entry: dict | None) -> tuple[bool, int]:
    """(entry is current, data version) in one statement."""
    ids = sorted(entry["ids"]) if entry else []
    if not ids:
        (latest,) = _run_check(_VERSION_ONLY, {})
        return entry is not None and entry["version"] == latest, latest
    dialect = db.engine.dialect.name
    if dialect not in _CHECKS:  # another database: the expanding IN, through the session
        latest, count = db.session.connection().execute(_CHECK_ANY[0], {"ids": ids}).one()
    else:
        check, as_param = _CHECKS[dialect]
        latest, count = _run_check(check, {"ids": as_param(ids)})
    return entry["version"] == latest and count == len(ids), latest


def _encoding(accept: str) -> str | None:
    """br or gzip if the client takes it (q > 0), br first."""
    offered = {}
    for part in accept.lower().split(","):
        name, _, params = part.strip().partition(";")
        q = params.strip().removeprefix("q=") if params.strip().startswith("q=") else "1"
        try:
            offered[name.strip()] = float(q)
        except ValueError:
            continue
    for name in ("br", "gzip"):
        if offered.get(name, offered.get("*", 0)) > 0:
            return name
    return None


def _compressed(body: str) -> dict[str, bytes]:
    """A page with no per-guest part is compressed once, when it is cached."""
    if not current_app.config.get("COMPRESS_RESPONSES") or TOKEN_PLACEHOLDER in body:
        return {}
    import brotli

    data = body.encode()
    return {
        "br": brotli.compress(data, quality=current_app.config.get("COMPRESS_BR_LEVEL", 4)),
        "gzip": gzip.compress(data, compresslevel=current_app.config.get("COMPRESS_LEVEL", 6)),
    }


def cached_page(view):
    """Serve a guest catalog page from the cache while it is still true (see module doc)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if request.method == "GET" and not current_user.is_authenticated:
            g.lazy_csrf = True  # a guest's page: forms without a token (no session)
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
            body = response.get_data(as_text=True)
            entry = {
                "version": version,
                "ids": frozenset(g.page_product_ids),
                "body": body,
                "mimetype": response.mimetype,
                "compressed": _compressed(body),
            }
            cache.set(key, entry, timeout=current_app.config["PAGE_CACHE_SECONDS"])
        body = entry["body"]
        if TOKEN_PLACEHOLDER in body:
            body = body.replace(TOKEN_PLACEHOLDER, generate_csrf())
        elif entry["compressed"]:
            encoding = _encoding(request.headers.get("Accept-Encoding", ""))
            if encoding:
                response = current_app.response_class(
                    entry["compressed"][encoding], mimetype=entry["mimetype"]
                )
                response.headers["Content-Encoding"] = encoding
                response.headers["Vary"] = "Accept-Encoding"
                return response
        return current_app.response_class(body, mimetype=entry["mimetype"])

    return wrapped
