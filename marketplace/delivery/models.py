"""Delivery options per seller, their rate tables (by zone and weight band), the chapter's
default tables and the seller's delivery settings (free-shipping threshold, COD)."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import known_states
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db


class DeliveryKind(StrEnum):
    PICKUP_SELLER = "pickup_seller"
    PICKUP_CHAPTER = "pickup_chapter"
    SELLER = "seller"
    COURIER = "courier"


PICKUP_KINDS = (DeliveryKind.PICKUP_SELLER, DeliveryKind.PICKUP_CHAPTER)
# "Ship" without a resi: ready for pickup, or out for the seller's own delivery.
NO_RESI_KINDS_SET = frozenset((*PICKUP_KINDS, DeliveryKind.SELLER))


class Zone(StrEnum):
    """Where the buyer is, seen from the seller: the four bands of the flat prices."""

    KELURAHAN = "kelurahan"
    KECAMATAN = "kecamatan"
    KOTA = "kota"
    JAKARTA = "jakarta"


class PaymentMethod(StrEnum):
    CARD = "card"
    COD = "cod"


class DeliveryOption(db.Model):
    """One way a seller hands goods over. Pickups cost nothing; the seller's own delivery
    and couriers are priced by the option's rate rows (zone x weight band)."""

    __tablename__ = "delivery_option"
    __table_args__ = (
        known_states(DeliveryKind, "kind"),
        CheckConstraint(
            "(kind = 'courier') = (courier_code IS NOT NULL)", name="courier_only_for_courier"
        ),
        Index("ix_delivery_option_business_active", "business_id", "active"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"))
    kind: Mapped[DeliveryKind] = mapped_column(String(16))
    courier_code: Mapped[str | None] = mapped_column(String(16))
    service: Mapped[str | None] = mapped_column(String(16))  # REG, YES, SAMEDAY...
    opening_hours: Mapped[str | None] = mapped_column(String(120))  # pickups
    cod_allowed: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    business: Mapped["Business"] = relationship()  # noqa: F821
    rates: Mapped[list["DeliveryRate"]] = relationship(
        back_populates="option",
        cascade="all, delete-orphan",
        order_by="(DeliveryRate.zone, DeliveryRate.max_kg)",
    )


class DeliveryRate(db.Model):
    """A price for one zone up to ``max_kg`` of billable weight (NULL: any weight). Belongs
    to a seller's option, or to a chapter's default table for a courier (the seller adopts
    it: the rows are copied, then the seller's own)."""

    __tablename__ = "delivery_rate"
    __table_args__ = (
        known_states(Zone, "zone"),
        CheckConstraint("price_idr >= 0", name="price_non_negative"),
        CheckConstraint("max_kg IS NULL OR max_kg > 0", name="max_kg_positive"),
        CheckConstraint("(option_id IS NULL) <> (chapter_id IS NULL)", name="option_or_chapter"),
        Index("ix_delivery_rate_option_zone", "option_id", "zone", "max_kg"),
        Index("ix_delivery_rate_chapter_courier", "chapter_id", "courier_code", "zone"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    option_id: Mapped[int | None] = mapped_column(
        ForeignKey("delivery_option.id", ondelete="CASCADE")
    )
    chapter_id: Mapped[int | None] = mapped_column(ForeignKey("chapter.id"))
    courier_code: Mapped[str | None] = mapped_column(String(16))  # chapter tables
    zone: Mapped[Zone] = mapped_column(String(12))
    max_kg: Mapped[int | None]
    price_idr: Mapped[int] = mapped_column(BigInteger)

    option: Mapped[DeliveryOption | None] = relationship(back_populates="rates")


class DeliverySettings(db.Model):
    """The seller's delivery settings: COD at all, and free shipping above a subtotal."""

    __tablename__ = "delivery_settings"
    __table_args__ = (
        CheckConstraint(
            "free_shipping_min_idr IS NULL OR free_shipping_min_idr > 0",
            name="free_shipping_positive",
        ),
    )

    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), primary_key=True)
    cod_enabled: Mapped[bool] = mapped_column(default=False)
    free_shipping_min_idr: Mapped[int | None] = mapped_column(BigInteger)
