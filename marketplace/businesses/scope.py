"""The owner scope: an SME owner reaches their business, and everything of it only through it.

Missing and someone else's rows both raise NotFound (404), so ids tell an owner nothing
about other businesses (IDOR guard). Views and services load owner objects only here.
"""

from sqlalchemy import select

from marketplace.businesses.models import Business
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.extensions import db


def owner_business(user) -> Business | None:
    """The signed-in ``user``'s business, or None (anonymous users own none). A helper in
    assisted mode (``user.acting_grant``, checked on each request) gets the member's business
    instead of their own: that one business, never wider."""
    if not getattr(user, "is_authenticated", False):
        return None
    acting = getattr(user, "acting_grant", None)
    if acting is not None:
        return db.session.scalar(select(Business).where(Business.id == acting.business_id))
    return db.session.scalar(select(Business).where(Business.owner_id == user.id))


def owner_business_or_404(user) -> Business:
    """The ``user``'s business; NotFound when they have none."""
    business = owner_business(user)
    if business is None:
        raise NotFound()
    return business


def of_business(business: Business, model, object_id, *options):
    """A row of ``model`` (any table with ``business_id``) that belongs to ``business``;
    NotFound for anyone else's. Features apply the owner scope to their own tables with it."""
    found = db.session.scalar(
        select(model)
        .where(model.id == parse_id(object_id), model.business_id == business.id)
        .options(*options)
    )
    if found is None:
        raise NotFound()
    return found


def owner_product_or_404(business: Business, product_id):
    """A product of ``business``; NotFound for anyone else's."""
    from marketplace.catalog.models import Product

    return of_business(business, Product, product_id)


def owner_document_or_404(business: Business, document_id):
    """A legality document of ``business``; NotFound for anyone else's."""
    from marketplace.legality.models import LegalityDocument

    return of_business(business, LegalityDocument, document_id)


def owner_documents(business: Business) -> list:
    """Every legality document of ``business``, newest first, with the products each one
    covers (one more statement, not one per document: the checklist asks each)."""
    from sqlalchemy.orm import selectinload

    from marketplace.legality.models import LegalityDocument

    return list(
        db.session.scalars(
            select(LegalityDocument)
            .where(LegalityDocument.business_id == business.id)
            .options(selectinload(LegalityDocument.products))
            .order_by(LegalityDocument.created_at.desc(), LegalityDocument.id.desc())
        )
    )
