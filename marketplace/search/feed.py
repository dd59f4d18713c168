"""Write change-feed rows in the same transaction as any change that affects search."""

from flask import g, has_app_context
from sqlalchemy import BigInteger, Text, cast, event, func, insert, select
from sqlalchemy.orm import Session

from marketplace.core.statemachine import transitioned
from marketplace.search.models import SearchChange


def record(session: Session, product_ids) -> None:
    ids = sorted({int(pid) for pid in product_ids if pid is not None})
    if not ids:
        return
    connection = session.connection()
    statement = insert(SearchChange.__table__)
    if connection.dialect.name == "postgresql":
        # The writing transaction's id, which services.apply_feed compares with the oldest
        # open transaction: ids commit out of order under concurrent writers, txids tell.
        statement = statement.values(txid=cast(cast(func.pg_current_xact_id(), Text), BigInteger))
    # Core insert on the session's connection: safe inside a flush, same transaction.
    connection.execute(statement, [{"product_id": pid} for pid in ids])
    session.info["search_dirty"] = True


def _product_ids_of(session: Session, obj) -> list[int]:
    from marketplace.businesses.models import Business
    from marketplace.catalog.models import Product, ProductVariant
    from marketplace.legality.models import LegalityDocument

    if isinstance(obj, Product):
        return [obj.id]
    if isinstance(obj, ProductVariant):  # issue 16: a variant's change is its product's
        return [obj.product_id]
    if isinstance(obj, LegalityDocument):
        return [p.id for p in obj.products]
    if isinstance(obj, Business):
        return list(
            session.execute(select(Product.id).where(Product.business_id == obj.id)).scalars()
        )
    return []


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context):
    ids: set[int] = set()
    with session.no_autoflush:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if obj in session.dirty and not session.is_modified(obj, include_collections=True):
                continue
            ids.update(_product_ids_of(session, obj))
    if ids:
        record(session, ids)


@transitioned.connect
def _on_transition(obj, session, **kwargs):
    # Compare-and-set transitions are Core UPDATEs that the ORM flush never sees.
    record(session, _product_ids_of(session, obj))


@event.listens_for(Session, "after_commit")
def _after_commit(session):
    if session.info.pop("search_dirty", False) and has_app_context():
        g.search_feed_pending = True


@event.listens_for(Session, "after_rollback")
def _after_rollback(session):
    session.info.pop("search_dirty", None)
