"""Search as the rest of the app sees it: documents from products, feed, queries."""

import fcntl
import logging
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from flask import current_app, g
from sqlalchemy import (
    BigInteger,
    Text,
    and_,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.catalog.visibility import is_visible, visible_products
from marketplace.chapters.models import Chapter
from marketplace.core.models import rowcount
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.search.index import Filters, ProductIndex, SearchResult
from marketplace.search.models import SearchChange, SearchFeedState, SearchNode

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
                selectinload(Product.variants),
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
        "sizes": product_sizes(product),
        "rating": rating_key(product),
        "sold": product.units_sold or 0,
    }


def product_sizes(product: Product) -> list[str]:
    """The in-stock size labels of a product with variants (issue 16), for the size facet."""
    from marketplace.catalog.variants import size_labels

    return size_labels(product) if product.option1_name else []


def rating_key(product: Product) -> int:
    """The "best rated" sort key (issue 16): the average in thousandths, then the number of
    reviews, in one integer (0 without reviews: last)."""
    count = product.rating_count or 0
    if not count:
        return 0
    return (product.rating_sum * 1000 // count) * 10_000_000 + min(count, 9_999_999)


def _documents(products: list[Product]) -> dict[int, dict]:
    from marketplace.legality.services import has_verified_halal

    return {p.id: document_for(p, has_verified_halal(p)) for p in products}


# --- the change feed ---------------------------------------------------------------------
#
# A node's position (the index's feed_position file) says which feed rows it has applied:
#
# - PostgreSQL: a transaction id. Every row whose writing transaction id (``txid``, stamped
#   by feed.record) is below the position has been applied. A pass reads the rows with
#   position <= txid < xmin, where xmin = pg_snapshot_xmin(pg_current_snapshot()) is the
#   oldest transaction still running: every transaction below it has committed or rolled
#   back, so none of its rows can still appear, and a row that commits after a row with a
#   higher id is read when it is final, never skipped (``id > position`` skipped it for good).
#   The price: while a writing transaction stays open (in any database of the server: xids
#   are server-wide), rows committed after it started wait for it; a long COPY or migration
#   delays the feed, it never loses a row. Rows final above xmin are not read early, which
#   keeps a node's position one number. Read-only transactions have no xid and hold nothing.
# - SQLite: a row id. One writer at a time, so ids commit in order and ``id > position`` is
#   exact.
#
# One process per index folder applies at a time (a file lock beside the folder), so several
# gunicorn workers sharing a folder never apply rows side by side or write older documents
# over newer ones; the others only read, and ProductIndex replaces their searcher
# when the index changed. Nodes that run `flask search follow` record their position in
# search_node; `flask search prune` deletes the rows every recent node has passed and
# records that horizon in search_feed_state; a node whose position is below it rebuilds.


def _on_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def _horizon() -> int:
    """The position a node reaches by applying every row that is final now."""
    if _on_postgres():
        return int(db.session.scalar(select(_XMIN)) or 0)
    return db.session.scalar(select(func.max(SearchChange.id))) or 0


_XMIN = cast(cast(func.pg_snapshot_xmin(func.pg_current_snapshot()), Text), BigInteger)


def _final_rows(start: int, end, on_postgres: bool):
    """Feed rows a node at ``start`` may apply: final, not applied yet (``end``: SQL or int)."""
    if on_postgres:
        below = SearchChange.txid < end
        if start == 0:  # rows from before txids were stamped (NULL) count from 0
            return or_(below, SearchChange.txid.is_(None))
        return and_(SearchChange.txid >= start, below)
    return and_(SearchChange.id > start, SearchChange.id <= end)


def pruned_below() -> int:
    return db.session.scalar(select(SearchFeedState.pruned_below)) or 0


def _lock_path(index: ProductIndex) -> Path:
    return index.path.with_name(index.path.name + ".feed-lock")


@contextmanager
def feed_lock(index: ProductIndex, timeout: float) -> Iterator[bool]:
    """Hold the folder's feed lock (yields True), or yield False after ``timeout`` seconds."""
    path = _lock_path(index)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    held = False
                    break
                time.sleep(0.02)
        try:
            yield held
        finally:
            if held:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def apply_feed(timeout: float = 5.0, rebuild: bool = False, wait: float | None = None) -> int:
    """Bring this node's index up to the final feed rows; returns rows applied.

    Returns 0 when another process holds the feed lock past ``wait`` (default ``timeout``)
    or the index lock past ``timeout``: it is applying the same rows. A node behind the pruned
    horizon cannot catch up row by row: with ``rebuild`` it rebuilds (``flask search
    follow``), else it logs and waits for that.
    """
    index = get_index()
    with feed_lock(index, timeout if wait is None else wait) as held:
        if not held:
            return 0
        if index.position() < pruned_below():
            if not rebuild:
                log.warning("search index behind the pruned feed; `flask search follow` rebuilds")
                return 0
            log.warning("search index behind the pruned feed: rebuilding")
            _rebuild(index)
            return 0
        return _apply_final_rows(index, timeout)


def _apply_final_rows(index: ProductIndex, timeout: float) -> int:
    on_postgres = _on_postgres()
    start = index.position()
    end = _horizon()
    if end <= start:
        return 0
    key = (SearchChange.txid, SearchChange.id) if on_postgres else (SearchChange.id,)
    applied = 0
    after = None
    while True:
        query = select(SearchChange.product_id, *key).where(_final_rows(start, end, on_postgres))
        if after is not None:
            query = query.where(tuple_(*key) > tuple_(*after))
        rows = db.session.execute(query.order_by(*key).limit(FEED_BATCH)).all()
        last = len(rows) < FEED_BATCH
        if rows:
            ids = {row[0] for row in rows}
            visible = [p for p in _load(ids) if is_visible(p)]
            documents: dict[int, dict | None] = dict.fromkeys(ids)
            documents.update(_documents(visible))
            # The position moves only after the pass's last batch: a crash in between
            # re-applies from ``start`` (upserts and deletes are idempotent).
            if not index.apply(documents, end if last else start, timeout=timeout):
                return applied
            applied += len(rows)
            after = tuple(rows[-1][1:])
        elif last:
            index.advance(end)  # rows of other transactions only: nothing to write
        if last:
            return applied


def feed_behind() -> bool:
    """One statement: is there a final feed row this node has not applied?"""
    position = get_index().position()
    if _on_postgres():
        return bool(
            db.session.scalar(
                select(exists().where(_final_rows(position, _XMIN, on_postgres=True)))
            )
        )
    latest = db.session.scalar(select(func.max(SearchChange.id))) or 0
    return latest > position


def catch_up() -> None:
    """Apply the feed if this node is behind; never lets a busy index reach the user."""
    try:
        if feed_behind():
            # No waiting for the feed lock: its holder (another worker, or the follower in
            # a rebuild that may take minutes) is applying these rows already.
            apply_feed(timeout=current_app.config.get("SEARCH_WRITE_TIMEOUT", 2.0), wait=0)
    except Exception:  # the database stays the truth; the next request retries
        log.exception("search feed catch-up failed")


def _listed_documents(batch: int):
    from marketplace.legality.services import has_verified_halal

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
                    selectinload(Product.variants),
                )
            )
        )
        if not chunk:
            return
        for product in chunk:
            yield document_for(product, has_verified_halal(product))
        last = chunk[-1].id
        db.session.expunge_all()


def _rebuild(index: ProductIndex, procs: int = 1, batch: int = 2000) -> int:
    # The horizon is read before the products: a change that commits meanwhile is in the
    # feed at or above it and is applied (again) afterwards.
    position = _horizon()
    return index.rebuild(_listed_documents(batch), position, procs=procs)


def reindex(procs: int = 1, batch: int = 2000) -> int:
    """Rebuild this node's index from the database (listed products only)."""
    index = get_index()
    with feed_lock(index, timeout=3600) as held:
        if not held:
            raise RuntimeError(f"the feed lock {_lock_path(index)} stays taken")
        return _rebuild(index, procs=procs, batch=batch)


# --- nodes and pruning -------------------------------------------------------------------


def node_name() -> str:
    """This node's name in search_node: one per index folder (all its workers share it)."""
    configured = current_app.config.get("SEARCH_NODE_NAME")
    return configured or f"{socket.gethostname()}:{get_index().path.resolve()}"


def record_node() -> None:
    """Store this node's position (commits: called between polls, never inside a request)."""
    name = node_name()
    position = get_index().position()
    node = db.session.get(SearchNode, name)
    if node is None:
        db.session.add(SearchNode(name=name, position=position, seen_at=utcnow()))
    else:
        node.position = position
        node.seen_at = utcnow()
    try:
        db.session.commit()
    except IntegrityError:  # another follower of this folder registered it first
        db.session.rollback()


def _unregistered_after_upgrade() -> bool:
    # A PostgreSQL position written before txids existed was a row id, not a txid: a node
    # with a position but no row in search_node rebuilds once rather than trust it.
    return (
        _on_postgres()
        and get_index().position() > 0
        and db.session.get(SearchNode, node_name()) is None
    )


def prune(ttl_hours: float | None = None) -> int:
    """Delete the feed rows every node seen within ``ttl_hours`` has passed; returns rows.

    Nodes not seen for longer are forgotten (a dead server must not keep the feed forever);
    should one come back, its position is below the recorded horizon and it rebuilds.
    """
    if ttl_hours is None:
        ttl_hours = current_app.config.get("SEARCH_NODE_TTL_HOURS", 24)
    cutoff = utcnow() - timedelta(hours=ttl_hours)
    db.session.execute(delete(SearchNode).where(SearchNode.seen_at < cutoff))
    low = db.session.scalar(select(func.min(SearchNode.position)))
    if low is None:  # no node reports where it is: keep everything
        db.session.commit()
        return 0
    if _on_postgres():
        passed = or_(SearchChange.txid < low, SearchChange.txid.is_(None))
    else:
        passed = SearchChange.id <= low
    removed = rowcount(db.session.execute(delete(SearchChange).where(passed)))
    state = db.session.get(SearchFeedState, 1)
    if state is None:
        db.session.add(SearchFeedState(id=1, pruned_below=low))
    else:
        state.pruned_below = max(state.pruned_below, low)
    db.session.commit()
    return removed


def follow(interval: float = 0.5, rounds: int | None = None) -> None:
    """Keep applying the feed (for servers that should converge without traffic).

    Rebuilds when the node is behind the pruned horizon, and records its position in
    search_node after every poll that moved it.
    """
    done = 0
    reported = None
    if _unregistered_after_upgrade():
        reindex()
    while rounds is None or done < rounds:
        applied = apply_feed(rebuild=True)
        if applied:
            log.info("search follow applied %s change(s)", applied)
        db.session.rollback()  # end the read transaction so the next poll sees new rows
        position = get_index().position()
        if position != reported:
            record_node()
            reported = position
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
            options.append(selectinload(Product.variants))  # the API's "variants"
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
