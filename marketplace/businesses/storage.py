"""A business's storage quota: one counter (``business.storage_used_bytes``) shared by its
permit documents and product photos, changed only here and only in SQL.

``reserve`` is one conditional UPDATE, so concurrent uploads can never push the counter past
the quota (a read-then-write in Python could: two requests both see room and both add). The
reservation belongs to the caller's transaction: a rollback gives the bytes back.
"""

from flask import current_app
from sqlalchemy import case, update

from marketplace.businesses.models import Business
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db


def quota_bytes() -> int:
    return current_app.config["BUSINESS_STORAGE_QUOTA_BYTES"]


def reserve(business: Business, size: int, *, message) -> None:
    """Take ``size`` bytes of the business's quota, or refuse with ``message`` (field "file")."""
    limit = quota_bytes()
    reserved = db.session.execute(
        update(Business)
        .where(Business.id == business.id, Business.storage_used_bytes + size <= limit)
        .values(storage_used_bytes=Business.storage_used_bytes + size)
        .execution_options(synchronize_session=False)
    ).rowcount
    _refresh(business)
    if reserved != 1:
        raise ValidationFailed(message, field="file")


def charge(business: Business, size: int) -> None:
    """Add ``size`` bytes without the quota check: files the platform itself writes for the
    business (photo renditions replacing files already counted, ``catalog.backfill_renditions``)."""
    db.session.execute(
        update(Business)
        .where(Business.id == business.id)
        .values(storage_used_bytes=Business.storage_used_bytes + size)
        .execution_options(synchronize_session=False)
    )
    _refresh(business)


def release(business: Business, size: int) -> None:
    """Give back ``size`` bytes (a file was deleted); never below zero."""
    db.session.execute(
        update(Business)
        .where(Business.id == business.id)
        .values(
            storage_used_bytes=case(
                (Business.storage_used_bytes >= size, Business.storage_used_bytes - size),
                else_=0,
            )
        )
        .execution_options(synchronize_session=False)
    )
    _refresh(business)


def _refresh(business: Business) -> None:
    # The UPDATE bypassed the loaded object: reload the counter from the row when next read.
    if business in db.session:
        db.session.expire(business, ["storage_used_bytes"])
