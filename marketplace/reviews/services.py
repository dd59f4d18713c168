"""Ratings and reviews (issue 16 item 3): the rules, the same for the web pages and the API.

- Only the buyer of a COMPLETED order line reviews it, once (unique order_line_id), rating
  1-5, with up to MAX_PHOTOS photos; the author may edit it for EDIT_DAYS after writing it.
- The seller (the owner scope, businesses/scope.py) replies once (a compare-and-set on an
  empty reply).
- Anyone signed in reports a review once (unique per user and review); an admin hides one
  with a reason (the review's columns and an audit row), and may show it again.
- The averages: ``rating_count`` / ``rating_sum`` on the product and on its business count
  the visible reviews. Each create, edit, hide and unhide changes them by a delta in one
  atomic ``UPDATE ... SET rating_sum = rating_sum + :d`` in the same transaction, so a page
  reads them in O(1) and concurrent reviews never lose a count (``recount`` rebuilds them
  from the rows, for checks and bulk loads).
- Units sold: ``product.units_sold`` grows when an order completes (the goods reached the
  buyer and the money is the seller's: a cancelled or refunded order never sold anything; a
  refund made at Stripe after completion takes its units back), kept by the order's own
  transition (the ``transitioned`` signal below).

Every change that alters what a guest page shows writes a search feed row for the product
(the rating and units sold are search columns too), which also invalidates the page cache.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.util import identity_key

from marketplace.assist import services as assist
from marketplace.assist.models import AssistTask
from marketplace.businesses.models import Business
from marketplace.catalog.models import Product
from marketplace.catalog.visibility import visible_condition
from marketplace.core import audit, uploads
from marketplace.core.errors import (
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from marketplace.core.ids import parse_id
from marketplace.core.models import rowcount
from marketplace.core.pagination import Page, keyset_page
from marketplace.core.statemachine import transitioned
from marketplace.core.timeutil import utcnow
from marketplace.extensions import db
from marketplace.orders.models import Order, OrderLine, OrderStatus
from marketplace.reviews.models import (
    EDIT_DAYS,
    MAX_PHOTOS,
    Review,
    ReviewPhoto,
    ReviewReport,
    ReviewStatus,
)
from marketplace.search import feed

MAX_TEXT = 2000
MAX_REASON = 500
MAX_PHOTO_BYTES = 8_000_000
PER_PAGE = 10


# --- reading --------------------------------------------------------------------------------


def average(count: int, total: int) -> float | None:
    """The mean rating to one decimal, or None without a review."""
    return round(total / count, 1) if count else None


def rating_of(obj) -> dict | None:
    """``{"average": 4.6, "count": 12}`` for a product or a business, or None (the API's
    ``rating``): read from the kept columns, no statement."""
    count = obj.rating_count or 0
    return {"average": average(count, obj.rating_sum or 0), "count": count} if count else None


# Keyset orders (the last column unique): newest first; the last reported first.
NEWEST: tuple[Any, ...] = (Review.created_at, Review.id)
LAST_REPORTED: tuple[Any, ...] = (Review.reported_at, Review.id)


def _visible_list():
    return (
        select(Review)
        .where(Review.status == ReviewStatus.VISIBLE)
        .options(joinedload(Review.author), selectinload(Review.photos))
    )


def product_reviews(product_id: int, cursor: str | None, *, per_page: int = PER_PAGE) -> Page:
    """A product's visible reviews, newest first (keyset: the same cost on any page)."""
    return keyset_page(
        _visible_list().where(Review.product_id == product_id),
        NEWEST,
        cursor,
        per_page=per_page,
        arg="ulasan",
    )


def business_reviews(business_id: int, *, limit: int = 5) -> list[Review]:
    """A storefront's most recent visible reviews, with the product each is about."""
    return list(
        db.session.scalars(
            _visible_list()
            .join(Product, Product.id == Review.product_id)
            .where(Review.business_id == business_id, visible_condition())
            .options(joinedload(Review.product))
            .order_by(Review.created_at.desc(), Review.id.desc())
            .limit(limit)
        ).unique()
    )


def seller_reviews(business: Business, cursor: str | None) -> Page:
    """Every review of the owner's products (hidden ones too, marked), newest first."""
    stmt = (
        select(Review)
        .where(Review.business_id == business.id)
        .options(joinedload(Review.author), joinedload(Review.product), selectinload(Review.photos))
    )
    return keyset_page(stmt, NEWEST, cursor)


def reported_reviews(cursor: str | None) -> Page:
    """The admin's list: reviews someone reported, the last reported first."""
    stmt = (
        select(Review)
        .where(Review.reported_at.is_not(None))
        .options(joinedload(Review.author), joinedload(Review.product))
    )
    return keyset_page(stmt, LAST_REPORTED, cursor, not_null=True)


def reports_of(review: Review) -> list[ReviewReport]:
    return list(
        db.session.scalars(
            select(ReviewReport)
            .where(ReviewReport.review_id == review.id)
            .order_by(ReviewReport.id)
            .limit(50)
        )
    )


def reviews_by_line(order: Order) -> dict[int, Review]:
    """The buyer's reviews of ``order``'s lines, by line id (the order page's actions)."""
    rows = db.session.scalars(select(Review).where(Review.order_id == order.id))
    return {r.order_line_id: r for r in rows}


def can_edit(review: Review, now=None) -> bool:
    return (now or utcnow()) < review.created_at + timedelta(days=EDIT_DAYS)


# --- scoped loaders -------------------------------------------------------------------------


def reviewable_line_or_404(user, order_id, line_id) -> OrderLine:
    """A line of ``user``'s own COMPLETED order; NotFound for anyone else (the seller, other
    buyers) and for an order that is not completed."""
    line = db.session.scalar(
        select(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            OrderLine.id == parse_id(line_id),
            OrderLine.order_id == parse_id(order_id),
            Order.consumer_id == user.id,
            Order.status == OrderStatus.COMPLETED,
        )
        .options(joinedload(OrderLine.order))
    )
    if line is None:
        raise NotFound()
    return line


def review_of_line(line: OrderLine) -> Review | None:
    return db.session.scalar(
        select(Review).where(Review.order_line_id == line.id).options(selectinload(Review.photos))
    )


def own_review_or_404(user, review_id) -> Review:
    review = db.session.scalar(
        select(Review).where(Review.id == parse_id(review_id), Review.author_id == user.id)
    )
    if review is None:
        raise NotFound()
    return review


def seller_review_or_404(business: Business, review_id) -> Review:
    from marketplace.businesses.scope import of_business

    return of_business(business, Review, review_id)


def visible_review_or_404(review_id) -> Review:
    review = db.session.scalar(
        select(Review).where(
            Review.id == parse_id(review_id), Review.status == ReviewStatus.VISIBLE
        )
    )
    if review is None:
        raise NotFound()
    return review


def review_or_404(review_id) -> Review:
    """Any review (the admin's pages)."""
    review = db.session.get(Review, parse_id(review_id))
    if review is None:
        raise NotFound()
    return review


# --- the kept averages ----------------------------------------------------------------------


def bump(product_id: int, business_id: int, count: int, total: int) -> None:
    """Add (count, total) to the product's and the business's sums: atomic UPDATEs."""
    for model, row_id in ((Product, product_id), (Business, business_id)):
        db.session.execute(
            update(model)
            .where(model.id == row_id)
            .values(rating_count=model.rating_count + count, rating_sum=model.rating_sum + total)
            .execution_options(synchronize_session=False)
        )
        # The UPDATE bypassed a loaded object: reload the sums when next read.
        loaded = db.session.identity_map.get(identity_key(model, row_id))
        if loaded is not None:
            db.session.expire(loaded, ["rating_count", "rating_sum"])
    feed.record(db.session(), [product_id])


def recount() -> None:
    """Rebuild every product's and business's rating sums and every product's units sold
    from the rows (set-based; after bulk loads such as the demo)."""
    visible = Review.status == ReviewStatus.VISIBLE
    for model, key in ((Product, Review.product_id), (Business, Review.business_id)):
        db.session.execute(
            update(model)
            .values(
                rating_count=select(func.count(Review.id))
                .where(key == model.id, visible)
                .scalar_subquery(),
                rating_sum=select(func.coalesce(func.sum(Review.rating), 0))
                .where(key == model.id, visible)
                .scalar_subquery(),
            )
            .execution_options(synchronize_session=False)
        )
    db.session.execute(
        update(Product)
        .values(
            units_sold=select(func.coalesce(func.sum(OrderLine.quantity), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.product_id == Product.id, Order.status == OrderStatus.COMPLETED)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


# --- units sold -----------------------------------------------------------------------------


def _count_sold(order_id: int, sign: int) -> None:
    lines = select(OrderLine.product_id).where(OrderLine.order_id == order_id)
    db.session.execute(
        update(Product)
        .where(Product.id.in_(lines))
        .values(
            units_sold=Product.units_sold
            + sign
            * select(func.coalesce(func.sum(OrderLine.quantity), 0))
            .where(OrderLine.order_id == order_id, OrderLine.product_id == Product.id)
            .scalar_subquery()
        )
        .execution_options(synchronize_session=False)
    )
    feed.record(db.session(), db.session.scalars(lines).all())


@transitioned.connect
def _on_order_transition(obj, session, action=None, state=None, **kwargs):
    if not isinstance(obj, Order):
        return
    if state == OrderStatus.COMPLETED:
        _count_sold(obj.id, 1)
    elif state == OrderStatus.REFUNDED and action == "refund_at_stripe":
        # Only a completed order had counted its units (paid/shipped ones never did).
        previous = session.scalar(select(Order.completed_at).where(Order.id == obj.id))
        if previous is not None:
            _count_sold(obj.id, -1)


# --- writing --------------------------------------------------------------------------------


def _rating(value) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if isinstance(value, bool) or not 1 <= rating <= 5:
        raise ValidationFailed(_l("Pilih 1 sampai 5 bintang."), field="rating")
    return rating


def _text(value) -> str:
    text = (value or "").strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(_l("Ulasan paling panjang %(n)d huruf.", n=MAX_TEXT), field="text")
    return text


def _chosen(files) -> list:
    return [f for f in files or () if f is not None and getattr(f, "filename", None)]


def _prepare_photos(files, have: int) -> list:
    """Up to MAX_PHOTOS in all, checked like product photos (magic bytes, decode budget,
    re-encoded) and made into the same WebP/JPEG renditions, before anything is written."""
    if have + len(files) > MAX_PHOTOS:
        raise ValidationFailed(_l("Paling banyak %(n)d foto.", n=MAX_PHOTOS), field="photos")
    prepared = []
    for storage in files:
        checked = uploads.check_upload(storage, max_bytes=MAX_PHOTO_BYTES)
        if not checked.mime.startswith("image/"):
            raise ValidationFailed(_l("Foto ulasan harus JPG atau PNG."), field="photos")
        prepared.append(uploads.photo_renditions(checked.data))
    return prepared


def _attach_photos(review: Review, prepared: list, have: int) -> None:
    """Store the renditions (removed again if the transaction does not commit)."""
    for position, renditions in enumerate(prepared, start=have + 1):
        stored = [
            {
                "f": r.fmt,
                "w": r.width,
                "h": r.height,
                "k": uploads.store(r.data),
                "d": r.digest,
                "b": len(r.data),
            }
            for r in renditions
        ]
        largest = [r for r in stored if r["f"] == "jpg"][-1]
        review.photos.append(
            ReviewPhoto(
                position=position,
                renditions=stored,
                width=largest["w"],
                height=largest["h"],
                size_bytes=sum(r["b"] for r in stored),
            )
        )


def create_review(line: OrderLine, *, rating, text, photos=(), actor) -> Review:
    """The buyer's review of ``line`` (from ``reviewable_line_or_404``: their own completed
    order). A second review of the same line is refused, also when two arrive at once."""
    order = line.order
    if order.status != OrderStatus.COMPLETED or order.consumer_id != actor.id:
        raise NotFound()
    rating = _rating(rating)
    text = _text(text)
    files = _chosen(photos)
    if review_of_line(line) is not None:
        raise IllegalTransition(
            _l("Anda sudah mengulas barang ini. Ubah ulasan Anda di halaman pesanan."),
            state="reviewed",
            action="review",
        )
    prepared = _prepare_photos(files, 0)
    # The sums first: a write that opens the transaction (and on PostgreSQL locks the
    # product row), so the savepoint below is nested in it on every database.
    bump(line.product_id, order.business_id, 1, rating)
    review = Review(
        order_line_id=line.id,
        order_id=order.id,
        product_id=line.product_id,
        business_id=order.business_id,
        author_id=actor.id,
        rating=rating,
        text=text,
        status=ReviewStatus.VISIBLE,
    )
    try:
        with db.session.begin_nested():
            db.session.add(review)
            db.session.flush()  # the unique order_line_id refuses a concurrent second one
    except IntegrityError:
        raise IllegalTransition(
            _l("Anda sudah mengulas barang ini. Ubah ulasan Anda di halaman pesanan."),
            state="reviewed",
            action="review",
        ) from None
    _attach_photos(review, prepared, 0)
    db.session.flush()
    audit.record("review.created", actor=actor, role="consumer", target=review)
    return review


def edit_review(review: Review, *, rating, text, photos=(), actor, now=None) -> Review:
    """The author's edit within EDIT_DAYS of writing (``review`` from ``own_review_or_404``);
    after that nothing changes. A visible review's new rating moves the sums by the delta."""
    if review.author_id != actor.id:
        raise NotFound()
    if not can_edit(review, now):
        raise IllegalTransition(
            _l(
                "Ulasan hanya bisa diubah dalam %(n)d hari setelah ditulis. Ulasan Anda tetap "
                "seperti sebelumnya.",
                n=EDIT_DAYS,
            ),
            state="edit_window_closed",
            action="edit",
        )
    rating = _rating(rating)
    text = _text(text)
    files = _chosen(photos)
    prepared = _prepare_photos(files, len(review.photos))
    old, status = review.rating, review.status
    # Compare-and-set on what was read: a concurrent hide or edit makes this one retry-able.
    changed = rowcount(
        db.session.execute(
            update(Review)
            .where(Review.id == review.id, Review.rating == old, Review.status == status)
            .values(rating=rating, text=text, edited_at=now or utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    if changed != 1:
        raise IllegalTransition(
            _l("Data ini baru saja diubah orang lain. Muat ulang halaman lalu coba lagi."),
            state=status,
            action="edit",
        )
    db.session.expire(review, ["rating", "text", "edited_at"])
    _attach_photos(review, prepared, len(review.photos))
    db.session.flush()
    if status == ReviewStatus.VISIBLE:
        bump(review.product_id, review.business_id, 0, rating - old)
    else:
        feed.record(db.session(), [review.product_id])
    audit.record("review.edited", actor=actor, role="consumer", target=review)
    return review


def reply(review: Review, *, text, actor) -> None:
    """The seller's one reply (``review`` from ``seller_review_or_404``)."""
    # The seller's voice: its owner, or a helper the owner let manage the catalog.
    grant = assist.check_helper(
        actor, db.session.get_one(Business, review.business_id), AssistTask.PRODUCTS
    )
    text = (text or "").strip()
    if not 2 <= len(text) <= MAX_TEXT:
        raise ValidationFailed(_l("Tulis balasan untuk pembeli."), field="text")
    done = rowcount(
        db.session.execute(
            update(Review)
            .where(Review.id == review.id, Review.reply_text.is_(None))
            .values(reply_text=text, reply_at=utcnow(), reply_by_id=actor.id)
            .execution_options(synchronize_session=False)
        )
    )
    if done != 1:
        raise IllegalTransition(
            _l("Ulasan ini sudah Anda balas; balasan hanya bisa dikirim sekali."),
            state="replied",
            action="reply",
        )
    db.session.expire(review, ["reply_text", "reply_at", "reply_by_id"])
    feed.record(db.session(), [review.product_id])
    audit.record(
        "review.replied", actor=actor, role="helper" if grant else "sme_owner", target=review
    )


def report(review: Review, *, reason, actor) -> None:
    """A signed-in user's report of a visible review, once per user."""
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= MAX_REASON:
        raise ValidationFailed(
            _l("Tulis alasan laporan (5 sampai %(n)d huruf).", n=MAX_REASON), field="reason"
        )
    # The counter first: a write that opens the transaction, so the savepoint is nested.
    counted = db.session.execute(
        update(Review)
        .where(Review.id == review.id, Review.status == ReviewStatus.VISIBLE)
        .values(report_count=Review.report_count + 1, reported_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if rowcount(counted) != 1:
        raise NotFound()  # hidden meanwhile: there is nothing left to report
    try:
        with db.session.begin_nested():
            db.session.add(ReviewReport(review_id=review.id, user_id=actor.id, reason=reason))
            db.session.flush()  # one report per user and review, also at once
    except IntegrityError:
        raise IllegalTransition(
            _l("Anda sudah melaporkan ulasan ini. Admin akan memeriksanya."),
            state="reported",
            action="report",
        ) from None
    db.session.expire(review, ["report_count", "reported_at"])
    audit.record("review.reported", actor=actor, role="consumer", target=review)


def hide(review: Review, *, reason, admin) -> None:
    """The admin hides a review with a reason (kept on the review and in the audit): it
    leaves the pages, the API and the averages."""
    if not getattr(admin, "is_admin", False):
        raise PermissionDenied()
    reason = (reason or "").strip()
    if not 5 <= len(reason) <= MAX_REASON:
        raise ValidationFailed(
            _l("Tulis alasan menyembunyikan (5 sampai %(n)d huruf).", n=MAX_REASON),
            field="reason",
        )
    done = rowcount(
        db.session.execute(
            update(Review)
            .where(Review.id == review.id, Review.status == ReviewStatus.VISIBLE)
            .values(
                status=ReviewStatus.HIDDEN,
                hidden_reason=reason,
                hidden_at=utcnow(),
                hidden_by_id=admin.id,
            )
            .execution_options(synchronize_session=False)
        )
    )
    if done != 1:
        raise IllegalTransition(
            _l("Ulasan ini sudah disembunyikan."), state=ReviewStatus.HIDDEN, action="hide"
        )
    db.session.expire(review)
    bump(review.product_id, review.business_id, -1, -review.rating)
    audit.record("review.hidden", actor=admin, role="admin", target=review)


def unhide(review: Review, *, admin) -> None:
    """Show a hidden review again (its rating counts again); the hiding stays in the audit."""
    if not getattr(admin, "is_admin", False):
        raise PermissionDenied()
    done = rowcount(
        db.session.execute(
            update(Review)
            .where(Review.id == review.id, Review.status == ReviewStatus.HIDDEN)
            .values(
                status=ReviewStatus.VISIBLE, hidden_reason=None, hidden_at=None, hidden_by_id=None
            )
            .execution_options(synchronize_session=False)
        )
    )
    if done != 1:
        raise IllegalTransition(
            _l("Ulasan ini tidak sedang disembunyikan."),
            state=ReviewStatus.VISIBLE,
            action="unhide",
        )
    db.session.expire(review)
    bump(review.product_id, review.business_id, 1, review.rating)
    audit.record("review.unhidden", actor=admin, role="admin", target=review)


def photo_or_404(photo_id, user) -> tuple[ReviewPhoto, bool]:
    """A review photo and whether it is public (cached for a year): its review is visible
    and its product listed. Otherwise only its author, the seller and admins see it
    (privately cached); anyone else gets NotFound."""
    from marketplace.businesses.scope import owner_business
    from marketplace.catalog.visibility import visible_condition

    row = db.session.execute(
        select(ReviewPhoto, Review)
        .join(Review, Review.id == ReviewPhoto.review_id)
        .where(ReviewPhoto.id == parse_id(photo_id))
    ).first()
    if row is None:
        raise NotFound()
    photo, review = row
    if review.status == ReviewStatus.VISIBLE and db.session.scalar(
        select(func.count(Product.id)).where(Product.id == review.product_id, visible_condition())
    ):
        return photo, True
    if getattr(user, "is_authenticated", False):
        seller = owner_business(user)
        if (
            user.id == review.author_id
            or getattr(user, "is_admin", False)
            or (seller is not None and seller.id == review.business_id)
        ):
            return photo, False
    raise NotFound()
