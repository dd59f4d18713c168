"""The reviews' part of "My data" (UU 27/2022): what a buyer wrote, in the export; on an
erasure their reviews and photos are removed (the ratings leave the averages) and their
reports are dropped, since a review is their own words."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from marketplace.core import uploads
from marketplace.extensions import db
from marketplace.reviews import services
from marketplace.reviews.models import Review, ReviewReport, ReviewStatus


def _reviews(user) -> list[Review]:
    return list(
        db.session.scalars(
            select(Review)
            .where(Review.author_id == user.id)
            .options(selectinload(Review.photos))
            .order_by(Review.id)
        )
    )


def personal_data(user):
    """``[(section, label, rows)]`` for the user's export."""
    rows = [
        {
            "id": r.id,
            "order": r.order_id,
            "product": r.product_id,
            "rating": r.rating,
            "text": r.text,
            "photos": len(r.photos),
            "status": r.status,
            "created_at": r.created_at,
            "edited_at": r.edited_at,
        }
        for r in _reviews(user)
    ]
    return [("reviews", _l("Ulasan yang Anda tulis"), rows)]


def on_delete(user) -> list:
    if db.session.scalar(select(Review.id).where(Review.author_id == user.id).limit(1)):
        return [_l("Ulasan dan foto ulasan Anda dihapus; nilainya tidak lagi dihitung.")]
    return []


def erase(user) -> None:
    """Remove the user's reviews (visible ones leave the kept sums) and their reports."""
    for review in _reviews(user):
        if review.status == ReviewStatus.VISIBLE:
            services.bump(review.product_id, review.business_id, -1, -review.rating)
        for photo in review.photos:
            for key in sorted(photo.stored_keys()):
                uploads.discard_after_commit(key)
        db.session.delete(review)
    db.session.execute(delete(ReviewReport).where(ReviewReport.user_id == user.id))
    db.session.flush()


personal_data.on_delete = on_delete  # type: ignore[attr-defined]
personal_data.erase = erase  # type: ignore[attr-defined]
