"""Taking a product down (issue 14 item 10): the admin removes a listed product from the
catalog and search with a recorded reason; the seller is told why, fixes the product and
asks for a review; the admin lifts the take-down, after which the seller may list it again.

While a take-down is open the product cannot be listed by anyone (``refuse_if_taken_down``,
called by ``catalog.services.list_product``, so web, API and CLI are refused alike).
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import CheckConstraint, ForeignKey, Index, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.core import audit
from marketplace.core.errors import ValidationFailed
from marketplace.core.models import UTCDateTime
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.core.urls import external_url
from marketplace.extensions import db
from marketplace.notifications.services import notify

REASON_MAX = 1000


class ProductTakedown(db.Model):
    __tablename__ = "product_takedown"
    __table_args__ = (
        CheckConstraint("reason <> ''", name="reason_given"),
        # The open take-down of a product (listing checks it), and the admin's open list.
        Index("ix_product_takedown_product_lifted", "product_id", "lifted_at"),
        Index("ix_product_takedown_lifted_created", "lifted_at", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    business_id: Mapped[int] = mapped_column(ForeignKey("business.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The seller's "fixed, please review" and the admin's lifting.
    appeal_note: Mapped[str | None] = mapped_column(Text)
    appealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    product: Mapped["Product"] = relationship()  # noqa: F821


def open_takedown(product) -> ProductTakedown | None:
    return db.session.scalar(
        select(ProductTakedown).where(
            ProductTakedown.product_id == product.id, ProductTakedown.lifted_at.is_(None)
        )
    )


def refuse_if_taken_down(product) -> None:
    if open_takedown(product) is not None:
        raise ValidationFailed(
            _l(
                "Produk ini diturunkan admin. Perbaiki sesuai alasannya lalu minta "
                "peninjauan ulang; setelah disetujui, produk bisa ditampilkan lagi."
            )
        )


def _clean(text, message, field: str) -> str:
    text = (text or "").strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationFailed(message, field=field)
    return text[:REASON_MAX]


def take_down(product, reason: str, *, admin) -> ProductTakedown:
    """Remove ``product`` from the catalog (and search: unlisting feeds the index) with a
    reason the seller reads; one open take-down per product."""
    from marketplace.catalog.models import ProductStatus

    reason = _clean(reason, _l("Tulis alasannya untuk penjual."), "reason")
    if open_takedown(product) is not None:
        raise ValidationFailed(_l("Produk ini sudah diturunkan."), field="reason")
    if product.status == ProductStatus.LISTED:
        apply_transition(product, "unlist", actor=admin, role="admin", note=reason)
    row = ProductTakedown(
        product_id=product.id, business_id=product.business_id, reason=reason, taken_by_id=admin.id
    )
    db.session.add(row)
    audit.record(
        "product.taken_down",
        actor=admin,
        role="admin",
        chapter=product.business.chapter,
        target=product,
    )
    notify(
        product.business.owner_id,
        "product_taken_down",
        email=True,
        product=product.name,
        reason=reason,
        link=external_url("business.edit_product", product_id=product.id),
    )
    db.session.flush()
    return row


def appeal(product, note: str, *, owner) -> ProductTakedown:
    """The seller says what they fixed and asks for a review (the product stays down)."""
    row = open_takedown(product)
    if row is None:
        raise ValidationFailed(_l("Produk ini tidak sedang diturunkan."))
    row.appeal_note = _clean(note, _l("Tulis apa yang sudah diperbaiki."), "note")
    row.appealed_at = utcnow()
    audit.record(
        "product.takedown_appealed",
        actor=owner,
        role="sme_owner",
        chapter=product.business.chapter,
        target=product,
    )
    db.session.flush()
    return row


def lift(row: ProductTakedown, *, admin) -> None:
    """End the take-down: the seller may list the product again (it is not listed for them:
    the listing gate still decides)."""
    if row.lifted_at is not None:
        raise ValidationFailed(_l("Penurunan ini sudah dicabut."))
    row.lifted_at = utcnow()
    row.lifted_by_id = admin.id
    product = row.product
    audit.record(
        "product.takedown_lifted",
        actor=admin,
        role="admin",
        chapter=product.business.chapter,
        target=product,
    )
    notify(
        product.business.owner_id,
        "product_takedown_lifted",
        product=product.name,
        link=external_url("business.edit_product", product_id=product.id),
    )
    db.session.flush()


def open_takedowns_select():
    """Open take-downs, for the admin's list (keyset pages by created_at, id)."""
    from sqlalchemy.orm import joinedload

    return (
        select(ProductTakedown)
        .where(ProductTakedown.lifted_at.is_(None))
        .options(joinedload(ProductTakedown.product))
    )
