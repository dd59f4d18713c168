"""Read side of the catalog: what buyers see on the home page, storefronts and product
pages. Every query starts from ``visibility.visible_products()`` and loads what a page needs in
a fixed number of statements, however many products there are."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, literal, select, tuple_, union_all
from sqlalchemy.orm import joinedload, selectinload

from marketplace.businesses.models import Business
from marketplace.catalog.models import Product, ProductImage
from marketplace.catalog.visibility import is_visible, visible_condition, visible_products
from marketplace.chapters.models import Chapter, ChapterLead, Kelurahan
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import cache, db
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
    pick_ids = [i for i in _pick_ids(today, 2 * limit) if i not in newest_ids][:limit]
    loaded = {
        p.id: p for p in _cards(visible_products().where(Product.id.in_(newest_ids + pick_ids)))
    }
    return (
        [loaded[i] for i in newest_ids if i in loaded],
        [loaded[i] for i in pick_ids if i in loaded],
    )


def _pick_ids(today: date, n: int) -> list[int]:
    """ "Pilihan hari ini": n listed products spread over the catalogue, the same all day.

    One statement of n index seeks, never a scan or a sort of the catalogue: the day picks n
    points between the lowest and highest product id; each point takes the first listed id at
    or after it; a last part (the lowest listed ids) fills in when the catalogue is small or
    the points fall past the end. Sample order, duplicates removed.
    """
    # min() and max() each alone in their subquery: an index edge, not a scan (SQLite).
    low = select(func.min(Product.id)).scalar_subquery()
    span = select(func.max(Product.id)).scalar_subquery() - low + 1
    seed = (today.toordinal() * 2654435761) % 1_000_003
    parts = []
    for k in range(n):
        point = low + (seed + k * (1_000_003 // n)) % 1_000_003 % span
        seek = (
            visible_products()
            .with_only_columns(Product.id)
            .where(Product.id >= point)
            .order_by(Product.id)
            .limit(1)
            .subquery()
        )
        parts.append(select(literal(k).label("k"), seek.c.id))
    fill = visible_products().with_only_columns(Product.id).order_by(Product.id).limit(n).subquery()
    parts.append(select(literal(n).label("k"), fill.c.id))
    rows = db.session.execute(union_all(*parts)).all()
    return list(dict.fromkeys(pid for _, pid in sorted(rows, key=lambda r: r[0])))


PER_PAGE = 24


def _after(product_id: int | None, *columns):
    """The keyset of the product a page continues after (None: from the start)."""
    if product_id is None:
        return None
    return db.session.execute(select(*columns).where(Product.id == product_id)).one_or_none()


def _page(stmt, per_page: int) -> tuple[list[Product], bool]:
    """One page of cards and whether another follows (one row more is asked for)."""
    products = _cards(stmt.limit(per_page + 1))
    return products[:per_page], len(products) > per_page


def chapter_figures(chapter_id: int, kelurahan: int | None = None) -> dict[str, int]:
    """Members, listed products and kelurahan of a chapter: from the summary rows
    (mentoring/summaries.py: one statement whatever the chapter's size; ``kelurahan``: the
    number already loaded with the chapter), else SQL counts (a database waiting for its
    first summaries rebuild), cached for a while (FIGURES_CACHE_SECONDS)."""
    key = f"chapter-figures:{chapter_id}"
    seconds = current_app.config.get("FIGURES_CACHE_SECONDS", 0)
    figures = cache.get(key) if seconds else None
    if (
        figures is None
        and kelurahan is not None
        and current_app.config.get("SUMMARIES_ENABLED", True)
    ):
        from marketplace.mentoring import summaries

        # The summary rows (members, visible products), whatever the chapter's size.
        members, listed, waiting = summaries.storefront_figures(chapter_id)
        if not waiting:
            figures = {"members": members, "listed": listed, "kelurahan": kelurahan}
    if figures is None:
        members, listed, kelurahan = db.session.execute(
            select(
                select(func.count(Business.id))
                .where(Business.chapter_id == chapter_id)
                .scalar_subquery(),
                visible_products()
                .join(Business)
                .where(Business.chapter_id == chapter_id)
                .with_only_columns(func.count(Product.id))
                .scalar_subquery(),
                select(func.count(Kelurahan.code))
                .where(Kelurahan.chapter_id == chapter_id)
                .scalar_subquery(),
            )
        ).one()
        figures = {"members": members, "listed": listed, "kelurahan": kelurahan}
        if seconds:
            cache.set(key, figures, timeout=seconds)
    return figures


def chapter_storefront(slug: str, after: int | None = None, per_page: int = PER_PAGE):
    """The chapter, its figures, a page of its listed products (newest first, continuing
    after product ``after``) and whether more follow: a fixed number of statements."""
    chapter = db.session.scalar(
        select(Chapter)
        .where(Chapter.slug == slug)
        .options(
            selectinload(Chapter.leads).joinedload(ChapterLead.user),
            selectinload(Chapter.kelurahan),
        )
    )
    if chapter is None:
        raise NotFound()
    stmt = (
        visible_products()
        .join(Business)
        .where(Business.chapter_id == chapter.id)
        .order_by(Product.created_at.desc(), Product.id.desc())
    )
    anchor = _after(after, Product.created_at, Product.id)
    if anchor is not None:
        stmt = stmt.where(tuple_(Product.created_at, Product.id) < tuple_(*anchor))
    products, more = _page(stmt, per_page)
    return chapter, chapter_figures(chapter.id, len(chapter.kelurahan)), products, more


def chapter_by_slug(slug: str) -> Chapter:
    chapter = db.session.scalar(select(Chapter).where(Chapter.slug == slug))
    if chapter is None:
        raise NotFound()
    return chapter


def business_page(
    business_id: int,
    after: int | None = None,
    per_page: int = PER_PAGE,
    category: str | None = None,
):
    """The business and a page of its listed products by category, then name (continuing
    after product ``after``; only ``category`` when given), whether more follow; NotFound
    when it shows nothing at all."""
    business = db.session.scalar(
        select(Business).where(Business.id == business_id).options(joinedload(Business.chapter))
    )
    if business is None:
        raise NotFound()
    stmt = (
        visible_products()
        .where(Product.business_id == business.id)
        .order_by(Product.category, Product.name, Product.id)
    )
    if category:
        stmt = stmt.where(Product.category == category)
    anchor = _after(after, Product.category, Product.name, Product.id)
    if anchor is not None:
        stmt = stmt.where(tuple_(Product.category, Product.name, Product.id) > tuple_(*anchor))
    products, more = _page(stmt, per_page)
    if not products and anchor is None and not category:
        # A business with nothing listed has no public page (it may not pass the gate).
        raise NotFound()
    return business, products, more


def business_categories(business_id: int) -> list[tuple[str, int]]:
    """(category, listed products) of a storefront, in category order: one grouped count
    over the (business_id, status, category) index."""
    rows = db.session.execute(
        visible_products()
        .where(Product.business_id == business_id)
        .with_only_columns(Product.category, func.count(Product.id))
        .group_by(Product.category)
        .order_by(Product.category)
    ).all()
    return [(c, n) for c, n in rows]


def business_permits(business_id: int, today: date | None = None) -> list["Permit"]:
    """The business's verified permits valid today, one per kind and number (the storefront's
    badges): one statement."""
    today = today or jakarta_today()
    rows = db.session.execute(
        select(LegalityDocument.kind, LegalityDocument.number_display)
        .where(
            LegalityDocument.business_id == business_id,
            LegalityDocument.status == DocumentStatus.VERIFIED,
            (LegalityDocument.expires_on.is_(None)) | (LegalityDocument.expires_on >= today),
        )
        .distinct()
        .order_by(LegalityDocument.kind, LegalityDocument.number_display)
    ).all()
    return [Permit(kind, number) for kind, number in rows]


def storefront_cover(business_id: int) -> ProductImage | None:
    """The cover of the business's first listed product with a photo (the storefront's share
    preview): one statement."""
    return db.session.scalar(
        select(ProductImage)
        .join(Product, Product.id == ProductImage.product_id)
        .where(Product.business_id == business_id, visible_condition())
        .order_by(Product.category, Product.name, Product.id, ProductImage.position)
        .limit(1)
    )


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
        .options(*CARD_OPTIONS, selectinload(Product.documents), selectinload(Product.variants))
    )
    if product is None:
        raise NotFound()
    return product


def unavailable_product(product_id: int, limit: int = 6) -> list[Product]:
    """For a product page that shows nothing (unlisted, taken down, never existed): the
    seller's other listed products, if the id names a product at all (two statements)."""
    business_id = db.session.scalar(select(Product.business_id).where(Product.id == product_id))
    if business_id is None:
        return []
    return _cards(
        visible_products()
        .where(Product.business_id == business_id, Product.id != product_id)
        .order_by(Product.name, Product.id)
        .limit(limit)
    )


def find_visible_product(product_id: int) -> Product | None:
    """``visible_product`` without the NotFound: None when a shopper may not see it."""
    return db.session.scalar(
        visible_products()
        .where(Product.id == product_id)
        .options(*CARD_OPTIONS, selectinload(Product.documents), selectinload(Product.variants))
    )


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


def is_public_image(image: ProductImage) -> bool:
    """Whether anyone may see this photo (its product is listed and visible)."""
    return is_visible(db.session.get(Product, image.product_id))


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


# --- sharing (issue 16) -----------------------------------------------------------------------

OG_IMAGE_WIDTH = 640  # WhatsApp's preview wants a JPEG of a few hundred pixels, < 300 KB


@dataclass(frozen=True)
class OgImage:
    url: str
    width: int
    height: int


@dataclass(frozen=True)
class OpenGraph:
    type: str
    title: str
    description: str
    url: str
    image: OgImage | None


def og_image(image: ProductImage | None) -> OgImage | None:
    """The cover's JPEG rendition nearest OG_IMAGE_WIDTH, as an absolute URL."""
    from marketplace.core.urls import external_url

    if image is None:
        return None
    jpegs = image.sources("jpg")
    if not jpegs:
        return OgImage(
            external_url("catalog.product_image", image_id=image.id, size="large"), 1200, 1200
        )
    best = min(jpegs, key=lambda r: abs(r["w"] - OG_IMAGE_WIDTH))
    url = external_url(
        "catalog.photo", image_id=image.id, width=best["w"], digest=best["d"], fmt="jpg"
    )
    return OgImage(url, best["w"], best["h"])


def _summary(text: str, limit: int = 200) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def product_open_graph(product: Product) -> OpenGraph:
    from marketplace.core.urls import external_url

    return OpenGraph(
        type="product",
        title=product.name,
        description=_summary(product.description)
        or f"{product.business.name} · {product.business.chapter.name}",
        url=external_url("catalog.product", product_id=product.id),
        image=og_image(product.images[0] if product.images else None),
    )


def business_open_graph(business: Business, cover: ProductImage | None) -> OpenGraph:
    from marketplace.core.urls import external_url

    return OpenGraph(
        type="website",
        title=business.name,
        description=_summary(business.description)
        or f"{business.name} · {business.chapter.name}, {business.chapter.kota}",
        url=external_url("catalog.business", business_id=business.id),
        image=og_image(cover),
    )
