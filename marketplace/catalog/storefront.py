"""Read side of the catalog: what buyers see on the home page, storefronts and product
pages. Every query starts from ``visibility.visible_products()`` and loads what a page needs in
a fixed number of statements, however many products there are."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductImage
from marketplace.catalog.visibility import is_visible, visible_products
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.legality.models import DocumentStatus, LegalityDocument

CARD_OPTIONS = (
    joinedload(Product.business).joinedload(Business.chapter),
    selectinload(Product.images),
)


def _cards(stmt) -> list[Product]:
    return list(db.session.scalars(stmt.options(*CARD_OPTIONS)).unique())


def home_products(limit: int = 8, today: date | None = None) -> tuple[list, list]:
    """(newest, today's picks): two id queries and one load, whatever the catalog size."""
    today = today or jakarta_today()
    newest_ids = list(
        db.session.scalars(
            visible_products()
            .with_only_columns(Product.id)
            .order_by(Product.created_at.desc(), Product.id.desc())
            .limit(limit)
        )
    )
    # "Pilihan hari ini": a different, stable sample every day, without ORDER BY random().
    seed = today.toordinal() % 9973 + 7
    pick_ids = list(
        db.session.scalars(
            visible_products()
            .with_only_columns(Product.id)
            .where(Product.id.not_in(newest_ids) if newest_ids else True)
            .order_by((Product.id * seed) % 10007)
            .limit(limit)
        )
    )
    loaded = {p.id: p for p in _cards(select(Product).where(Product.id.in_(newest_ids + pick_ids)))}
    return (
        [loaded[i] for i in newest_ids if i in loaded],
        [loaded[i] for i in pick_ids if i in loaded],
    )


def chapter_storefront(slug: str, page: int = 1, per_page: int = 24):
    chapter = db.session.scalar(
        select(Chapter)
        .where(Chapter.slug == slug)
        .options(selectinload(Chapter.leads).joinedload(ChapterLead.user))
    )
    if chapter is None:
        raise NotFound()
    members, listed, kelurahan = db.session.execute(
        select(
            select(func.count(Business.id))
            .where(Business.chapter_id == chapter.id)
            .scalar_subquery(),
            visible_products()
            .join(Business)
            .where(Business.chapter_id == chapter.id)
            .with_only_columns(func.count(Product.id))
            .scalar_subquery(),
            select(func.count(Kelurahan.code))
            .where(Kelurahan.chapter_id == chapter.id)
            .scalar_subquery(),
        )
    ).one()
    products = _cards(
        visible_products()
        .join(Business)
        .where(Business.chapter_id == chapter.id)
        .order_by(Product.created_at.desc(), Product.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    figures = {"members": members, "listed": listed, "kelurahan": kelurahan}
    return chapter, figures, products


def business_page(business_id: int, limit: int = 60):
    business = db.session.scalar(
        select(Business).where(Business.id == business_id).options(joinedload(Business.chapter))
    )
    if business is None:
        raise NotFound()
    products = _cards(
        visible_products()
        .where(Product.business_id == business.id)
        .order_by(Product.name)
        .limit(limit)
    )
    if not products:
        # A business with nothing listed has no public page (it may not pass the gate).
        raise NotFound()
    return business, products


@dataclass(frozen=True)
class Permit:
    kind: str
    number: str


def visible_product(product_id) -> Product:
    """A listed product with what its page needs, or NotFound for anything else."""
    pid = parse_id(product_id)
    product = db.session.scalar(
        visible_products()
        .where(Product.id == pid)
        .options(*CARD_OPTIONS, selectinload(Product.documents))
    )
    if product is None:
        raise NotFound()
    return product


def viewable_image(image_id: int, viewer) -> ProductImage | None:
    """A photo of a listed product, or of the viewer's own unlisted one; None for the rest."""
    image = db.session.get(ProductImage, image_id)
    if image is None:
        return None
    product = db.session.get(Product, image.product_id)
    if is_visible(product):
        return image
    # Owners preview their own unlisted photos; nobody else sees them.
    owner = getattr(viewer, "is_authenticated", False) and product.business.owner_id == viewer.id
    return image if owner else None


def permits_of(product: Product, today: date | None = None) -> list[Permit]:
    """The verified, unexpired permits the product relies on (its own documents)."""
    today = today or jakarta_today()
    permits = [
        Permit(d.kind, d.number_display)
        for d in product.documents
        if d.is_valid_on(today) and not (d.kind == "halal" and product.halal_review_required)
    ]
    return sorted(permits, key=lambda p: p.kind)


def is_halal(product: Product, today: date | None = None) -> bool:
    return any(p.kind == "halal" for p in permits_of(product, today=today))


def verified_nib(business_id: int) -> str | None:
    return db.session.scalar(
        select(LegalityDocument.number_display)
        .where(
            LegalityDocument.business_id == business_id,
            LegalityDocument.kind == "nib",
            LegalityDocument.status == DocumentStatus.VERIFIED,
        )
        .limit(1)
    )
