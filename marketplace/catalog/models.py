"""Products and their lifecycle (draft -> listed -> unlisted)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import EventMixin
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.legality.permits import ProductAttributes


class Product(db.Model):
    __tablename__ = "product"
    __chapter_parent__ = "business"  # core/tenancy scopes products through their business
    __table_args__ = (
        CheckConstraint("price_idr > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_non_negative"),
        CheckConstraint("status IN ('draft', 'listed', 'unlisted')", name="status_known"),
    )

    TRANSITIONS = {
        ("draft", "list"): "listed",
        ("unlisted", "list"): "listed",
        ("listed", "unlist"): "unlisted",
    }
    EVENT_FK = "product_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    ingredients: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    price_idr: Mapped[int]
    stock: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Attributes that decide the permits (DOMAIN.md 2.2); never a free permit choice.
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
    # Set when ingredients or process change: the halal certificate must be re-checked.
    halal_review_required: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    business: Mapped["Business"] = relationship()  # noqa: F821
    documents: Mapped[list["LegalityDocument"]] = relationship(  # noqa: F821
        secondary="document_product", back_populates="products"
    )

    def attributes(self) -> ProductAttributes:
        return ProductAttributes(
            shelf_life_days=self.shelf_life_days,
            storage=self.storage,
            process=self.process,
            contains_animal_material=self.contains_animal_material,
            contains_milk=self.contains_milk,
            for_infants=self.for_infants,
            alcohol=self.alcohol,
            health_claim=self.health_claim,
            imported=self.imported,
            production_site=self.production_site,
            fresh_unprocessed=self.fresh_unprocessed,
            non_halal_statement=self.non_halal_statement,
        )


class ProductEvent(EventMixin, db.Model):
    __tablename__ = "product_event"
    __table_args__ = (UniqueConstraint("product_id", "seq"),)

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


Product.images = relationship(
    ProductImage, order_by=ProductImage.position, cascade="all, delete-orphan"
)
