"""Products and their lifecycle (draft -> listed -> unlisted)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.catalog.attributes import ProductAttributes
from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import EventMixin, known_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class ProductStatus(StrEnum):
    DRAFT = "draft"
    LISTED = "listed"
    UNLISTED = "unlisted"


class Product(db.Model):
    __tablename__ = "product"
    __chapter_parent__ = "business"  # core/tenancy scopes products through their business
    __table_args__ = (
        CheckConstraint("price_idr > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_non_negative"),
        known_states(ProductStatus),
        # The lead queue's halal re-checks: the few flagged products, by id.
        Index("ix_product_halal_review", "halal_review_required", "id"),
        # The catalog pages' walks (storefront.py): newest listed first, a business's by name.
        Index("ix_product_status_created_at_id", "status", "created_at", "id", "business_id"),
        Index("ix_product_business_id_status_name", "business_id", "status", "name", "id"),
        # The storefront by category (issue 16): a business's listed products by category.
        Index(
            "ix_product_business_id_status_category_name",
            "business_id",
            "status",
            "category",
            "name",
            "id",
        ),
    )

    TRANSITIONS = {
        (ProductStatus.DRAFT, "list"): ProductStatus.LISTED,
        (ProductStatus.UNLISTED, "list"): ProductStatus.LISTED,
        (ProductStatus.LISTED, "unlist"): ProductStatus.UNLISTED,
    }
    EVENT_FK = "product_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    ingredients: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    price_idr: Mapped[int] = mapped_column(BigInteger)
    stock: Mapped[int] = mapped_column(default=0)
    # Shipping (issue 15): the weight in grams and, where it matters, the parcel's size.
    weight_grams: Mapped[int | None]
    length_cm: Mapped[int | None]
    width_cm: Mapped[int | None]
    height_cm: Mapped[int | None]
    status: Mapped[ProductStatus] = mapped_column(
        String(16), default=ProductStatus.DRAFT, index=True
    )
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Attributes that decide the permits (DOMAIN.md 2.2): columns of ProductAttributes, one
    # per field, same names (attributes() / set_attributes() map them).
    shelf_life_days: Mapped[int | None]
    storage: Mapped[str] = mapped_column(String(10), default="ambient")
    process: Mapped[str] = mapped_column(String(12), default="none")
    contains_animal_material: Mapped[bool] = mapped_column(default=False)
    contains_milk: Mapped[bool] = mapped_column(default=False)
    for_infants: Mapped[bool] = mapped_column(default=False)
    alcohol: Mapped[bool] = mapped_column(default=False)
    health_claim: Mapped[bool] = mapped_column(default=False)
    imported: Mapped[bool] = mapped_column(default=False)
    production_site: Mapped[str] = mapped_column(String(10), default="home")
    fresh_unprocessed: Mapped[bool] = mapped_column(default=False)
    non_halal_statement: Mapped[bool] = mapped_column(default=False)
    bottled_water: Mapped[bool] = mapped_column(default=False)
    mandatory_sni: Mapped[bool] = mapped_column(default=False)
    household_cleaning: Mapped[bool] = mapped_column(default=False)
    # Set when ingredients or process change: the halal certificate must be re-checked.
    halal_review_required: Mapped[bool] = mapped_column(default=False)
    # Variants (issue 16): the names of the product's one or two options ("Ukuran",
    # "Warna" or the seller's own, e.g. "Motif"); NULL for a product without variants.
    option1_name: Mapped[str | None] = mapped_column(String(30))
    option2_name: Mapped[str | None] = mapped_column(String(30))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # Ratings (issue 16): the count and sum of the visible reviews, and the units of completed
    # orders, kept by marketplace.reviews.services in the writing transaction (atomic UPDATEs).
    rating_count: Mapped[int] = mapped_column(default=0, server_default="0")
    rating_sum: Mapped[int] = mapped_column(default=0, server_default="0")
    units_sold: Mapped[int] = mapped_column(default=0, server_default="0")

    business: Mapped["Business"] = relationship()  # noqa: F821
    documents: Mapped[list["LegalityDocument"]] = relationship(  # noqa: F821
        secondary="document_product", back_populates="products"
    )

    variants: Mapped[list["ProductVariant"]] = relationship(
        order_by="(ProductVariant.position, ProductVariant.id)",
        back_populates="product",
        cascade="all, delete-orphan",
    )

    @property
    def active_variants(self) -> list["ProductVariant"]:
        return [v for v in self.variants if v.active]

    @property
    def has_variants(self) -> bool:
        """Options named and at least one active variant: the buyer must pick one."""
        return bool(self.option1_name) and bool(self.active_variants)

    def attributes(self) -> ProductAttributes:
        return ProductAttributes.of(self)

    def set_attributes(self, attributes: ProductAttributes) -> None:
        for name, value in attributes.as_dict().items():
            setattr(self, name, value)


class ProductEvent(EventMixin, db.Model):
    __tablename__ = "product_event"
    __table_args__ = (
        UniqueConstraint("product_id", "seq"),
        known_states(ProductStatus, "from_status"),
        known_states(ProductStatus, "to_status"),
    )

    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"), index=True)


Product.EVENT_MODEL = ProductEvent


class ProductImage(db.Model):
    """Up to five photos per product, re-encoded, with a thumbnail for lists."""

    __tablename__ = "product_image"
    __table_args__ = (UniqueConstraint("product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    key_large: Mapped[str] = mapped_column(String(32))
    key_thumb: Mapped[str] = mapped_column(String(32))
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Issue 16: the responsive thumbnails made once at upload (uploads.photo_renditions):
    # [{"f": "webp"|"jpg", "w": width, "h": height, "k": storage key, "d": content digest,
    #   "b": bytes}], smallest first. Empty for photos stored before them (served as before).
    renditions: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # The largest rendition's size: the aspect every <img> declares (width/height).
    width: Mapped[int | None]
    height: Mapped[int | None]

    def sources(self, fmt: str) -> list[dict]:
        return [r for r in self.renditions or () if r["f"] == fmt]

    def stored_keys(self) -> set[str]:
        return {self.key_large, self.key_thumb} | {r["k"] for r in self.renditions or ()}


Product.images = relationship(
    ProductImage, order_by=ProductImage.position, cascade="all, delete-orphan"
)


class ProductVariant(db.Model):
    """One option combination of a product (issue 16): its own stock and a price
    difference. While a product has active variants its ``stock`` is their sum, kept in
    the same transaction by every writer (catalog/variants.py, orders/services.py), so
    listings, search and the "out of stock" rules read one column. A removed variant is
    only made inactive: order lines keep pointing at it."""

    __tablename__ = "product_variant"
    __table_args__ = (
        UniqueConstraint("product_id", "option1", "option2"),
        CheckConstraint("stock >= 0", name="stock_non_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    option1: Mapped[str] = mapped_column(String(40))
    option2: Mapped[str] = mapped_column(String(40), default="", server_default="")
    position: Mapped[int] = mapped_column(default=0)
    stock: Mapped[int] = mapped_column(default=0)
    price_delta_idr: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def label(self) -> str:
        """ "M" or "M / Merah": what a cart line and an order line say."""
        return f"{self.option1} / {self.option2}" if self.option2 else self.option1

    @property
    def options(self) -> dict[str, str]:
        """{"Ukuran": "M", "Warna": "Merah"}, by the product's option names."""
        product = self.product
        out = {product.option1_name or "": self.option1}
        if self.option2 and product.option2_name:
            out[product.option2_name] = self.option2
        return out

    @property
    def described(self) -> str:
        """ "Ukuran: M, Warna: Merah" (the snapshot an order line keeps)."""
        return ", ".join(f"{name}: {value}" for name, value in self.options.items())

    @property
    def price_idr(self) -> int:
        return self.product.price_idr + self.price_delta_idr
