"""Review pages (issue 16): the buyer writes or edits a review from a completed order, anyone
signed in reports one, the seller replies from the owner console, the admin hides reported
ones; review photos are served like product photos."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses.scope import owner_business_or_404
from marketplace.core import uploads
from marketplace.core.security import admin_required
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.extensions import limiter
from marketplace.reviews import services
from marketplace.reviews.forms import HideForm, ReplyForm, ReportForm, ReviewForm
from marketplace.reviews.models import EDIT_DAYS, MAX_PHOTOS

bp = Blueprint("reviews", __name__)


def _report_limit():
    return current_app.config.get("REVIEW_REPORT_LIMIT", "10 per hour")


# --- the buyer ------------------------------------------------------------------------------


@bp.route("/orders/<int:order_id>/lines/<int:line_id>/review", methods=["GET", "POST"])
@login_required
@unit_of_work
def write(order_id: int, line_id: int):
    """The review form of one line of the buyer's completed order: a new review, or the
    existing one to edit within EDIT_DAYS."""
    line = services.reviewable_line_or_404(current_user, order_id, line_id)
    existing = services.review_of_line(line)
    form = ReviewForm()
    if request.method == "GET" and existing is not None:
        form.rating.data = str(existing.rating)
        form.text.data = existing.text
    status = 200
    if form.validate_on_submit():
        photos = request.files.getlist(form.photos.name)
        with domain_errors(form):
            if existing is None:
                services.create_review(
                    line,
                    rating=form.rating.data,
                    text=form.text.data,
                    photos=photos,
                    actor=current_user,
                )
                flash(_("Terima kasih! Ulasan Anda tampil di halaman produk."), "success")
            else:
                services.edit_review(
                    existing,
                    rating=form.rating.data,
                    text=form.text.data,
                    photos=photos,
                    actor=current_user,
                )
                flash(_("Ulasan Anda sudah diubah."), "success")
            return redirect(url_for("orders.my_order", order_id=order_id))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "reviews/write.html",
        line=line,
        order=line.order,
        review=existing,
        editable=existing is None or services.can_edit(existing),
        form=form,
        max_photos=MAX_PHOTOS - (len(existing.photos) if existing else 0),
        edit_days=EDIT_DAYS,
    ), status


# --- anyone signed in: report ---------------------------------------------------------------


@bp.route("/reviews/<int:review_id>/report", methods=["GET", "POST"])
@login_required
@limiter.limit(_report_limit, methods=["POST"])
@unit_of_work
def report(review_id: int):
    review = services.visible_review_or_404(review_id)
    form = ReportForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form):
            services.report(review, reason=form.reason.data, actor=current_user)
            flash(_("Terima kasih, laporan Anda akan diperiksa admin."), "success")
            return redirect(url_for("catalog.product", product_id=review.product_id))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("reviews/report.html", review=review, form=form), status


# --- the seller -----------------------------------------------------------------------------


@bp.get("/business/reviews")
@login_required
def seller_list():
    business = owner_business_or_404(current_user)
    return render_template(
        "reviews/seller.html",
        business=business,
        reviews=services.seller_reviews(business, request.args.get("page")),
        form=ReplyForm(),
    )


@bp.post("/business/reviews/<int:review_id>/reply")
@login_required
@unit_of_work
def reply(review_id: int):
    review = services.seller_review_or_404(owner_business_or_404(current_user), review_id)
    form = ReplyForm()
    if form.validate_on_submit():
        with domain_errors():
            services.reply(review, text=form.text.data, actor=current_user)
            flash(_("Balasan Anda tampil di bawah ulasan."), "success")
    else:
        flash(_("Tulis balasan untuk pembeli."), "error")
    return redirect(url_for("reviews.seller_list"))


# --- the admin ------------------------------------------------------------------------------


@bp.get("/admin/reviews")
@admin_required
def admin_list():
    return render_template(
        "reviews/admin_list.html",
        reviews=services.reported_reviews(request.args.get("page")),
    )


@bp.route("/admin/reviews/<int:review_id>/hide", methods=["GET", "POST"])
@admin_required
@unit_of_work
def admin_hide(review_id: int):
    review = services.review_or_404(review_id)
    form = HideForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form):
            services.hide(review, reason=form.reason.data, admin=current_user)
            flash(_("Ulasan disembunyikan; rata-rata nilai sudah dihitung ulang."), "success")
            return redirect(url_for("reviews.admin_list"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "reviews/admin_hide.html",
        review=review,
        reports=services.reports_of(review),
        form=form,
        confirm=ConfirmForm(),
    ), status


@bp.post("/admin/reviews/<int:review_id>/unhide")
@admin_required
@unit_of_work
def admin_unhide(review_id: int):
    review = services.review_or_404(review_id)
    if ConfirmForm().validate_on_submit():
        with domain_errors():
            services.unhide(review, admin=current_user)
            flash(_("Ulasan tampil lagi."), "success")
    return redirect(url_for("reviews.admin_list"))


# --- photos ---------------------------------------------------------------------------------


@bp.get("/media/r/<int:photo_id>/<int:width>-<digest>.<any(webp, jpg):fmt>")
def photo(photo_id: int, width: int, digest: str, fmt: str):
    """One rendition of a review photo at its content-hashed URL."""
    row, public = services.photo_or_404(photo_id, current_user)
    rendition = next((r for r in row.sources(fmt) if r["w"] == width and r["d"] == digest), None)
    if rendition is None:
        abort(404)
    return uploads.send_rendition(rendition["k"], fmt=fmt, public=public)
