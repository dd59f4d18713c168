"""After-sales pages (issue 15): the buyer cancels, complains, sends a return; the seller
records cash or a failed delivery and settles complaints; the owner sees held and payable
money; the admin decides escalated complaints."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses.scope import owner_business_or_404
from marketplace.complaints import services
from marketplace.complaints.forms import (
    AnswerForm,
    CashForm,
    ComplaintForm,
    DecisionForm,
    FailDeliveryForm,
    PartialRefundForm,
    ReturnShipForm,
)
from marketplace.core import uploads
from marketplace.core.pagination import keyset_page
from marketplace.core.views import confirmed, domain_errors, unit_of_work
from marketplace.ledger import services as ledger
from marketplace.orders import aftersales
from marketplace.orders.scope import buyer_order_or_404, owner_order_or_404

bp = Blueprint("aftersales", __name__)


def _to_buyer(order_id):
    return redirect(url_for("orders.my_order", order_id=order_id))


def _to_seller(order_id):
    return redirect(url_for("orders.sale", order_id=order_id))


# --- the buyer --------------------------------------------------------------------------------


@bp.post("/orders/<int:order_id>/cancel")
@login_required
@unit_of_work
def cancel(order_id: int):
    """Two steps (check your answers): the button's POST shows what is cancelled and the
    refund; only the POST of that page (``confirm=1``) cancels."""
    order = buyer_order_or_404(current_user, order_id)
    if ConfirmForm().validate_on_submit():
        with domain_errors():
            terms = aftersales.cancel_terms(order)
            if not confirmed():
                return render_template("complaints/cancel_confirm.html", order=order, terms=terms)
            aftersales.cancel_order(order, actor=current_user)
            flash(_("Pesanan dibatalkan. Stok dikembalikan ke penjual."), "success")
    return _to_buyer(order_id)


@bp.route("/orders/<int:order_id>/complaint", methods=["GET", "POST"])
@login_required
@unit_of_work
def complaint(order_id: int):
    order = buyer_order_or_404(current_user, order_id)
    existing = services.complaint_of(order)
    if existing is not None:
        return render_template(
            "complaints/buyer.html",
            order=order,
            complaint=existing,
            timeline=services.timeline(order, existing),
            confirm=ConfirmForm(),
            ship=ReturnShipForm(),
        )
    if not services.can_complain(order):
        flash(
            _("Keluhan hanya bisa diajukan setelah dikirim dan sebelum pesanan selesai."), "error"
        )
        return _to_buyer(order_id)
    form = ComplaintForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form):
            services.open_complaint(
                order,
                reason=form.reason.data,
                text=form.text.data,
                photos=request.files.getlist(form.photos.name),
                actor=current_user,
            )
            flash(_("Keluhan terkirim. Penjual sudah diberi tahu."), "success")
            return redirect(url_for("aftersales.complaint", order_id=order_id))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("complaints/open.html", order=order, form=form), status


@bp.post("/orders/<int:order_id>/complaint/accept-answer")
@login_required
@unit_of_work
def accept_answer(order_id: int):
    found = services.buyer_complaint_or_404(current_user, order_id)
    if ConfirmForm().validate_on_submit():
        with domain_errors():
            services.accept_answer(found, actor=current_user)
            flash(_("Keluhan selesai."), "success")
    return redirect(url_for("aftersales.complaint", order_id=order_id))


@bp.post("/orders/<int:order_id>/complaint/return")
@login_required
@unit_of_work
def ship_return(order_id: int):
    found = services.buyer_complaint_or_404(current_user, order_id)
    form = ReturnShipForm()
    if form.validate_on_submit():
        with domain_errors(form):
            services.ship_return(
                found,
                courier=form.courier.data,
                tracking_number=form.tracking_number.data,
                actor=current_user,
            )
            flash(_("Resi pengembalian terkirim ke penjual."), "success")
    else:
        flash(_("Isi kurir dan nomor resi pengembalian."), "error")
    return redirect(url_for("aftersales.complaint", order_id=order_id))


@bp.get("/complaint-photos/<int:photo_id>")
@login_required
def photo(photo_id: int):
    """A complaint photo: for its buyer, the seller it is about, and admins only."""
    row = services.photo_or_404(current_user, photo_id)
    return uploads.send_stored(row.file_key, mime=row.mime, download_name=f"keluhan-{row.id}")


# --- the seller ---------------------------------------------------------------------------------


@bp.post("/business/orders/<int:order_id>/cash")
@login_required
@unit_of_work
def record_cash(order_id: int):
    order = owner_order_or_404(owner_business_or_404(current_user), order_id)
    form = CashForm()
    if form.validate_on_submit():
        with domain_errors(form):
            aftersales.record_cash(order, amount_idr=form.amount_idr.data, actor=current_user)
            flash(_("Pembayaran tunai tercatat di pembukuan."), "success")
    else:
        flash(_("Isi jumlah uang tunai yang diterima."), "error")
    return _to_seller(order_id)


@bp.post("/business/orders/<int:order_id>/failed")
@login_required
@unit_of_work
def fail_delivery(order_id: int):
    order = owner_order_or_404(owner_business_or_404(current_user), order_id)
    form = FailDeliveryForm()
    if form.validate_on_submit():
        with domain_errors():
            aftersales.fail_delivery(order, actor=current_user, note=form.note.data)
            flash(_("Pengiriman gagal dicatat; stok dikembalikan."), "success")
    return _to_seller(order_id)


@bp.get("/business/orders/<int:order_id>/complaint")
@login_required
def seller_complaint(order_id: int):
    business = owner_business_or_404(current_user)
    order = owner_order_or_404(business, order_id)
    found = services.owner_complaint_or_404(business, order_id)
    return render_template(
        "complaints/seller.html",
        order=order,
        complaint=found,
        timeline=services.timeline(order, found),
        confirm=ConfirmForm(),
        answer=AnswerForm(),
        partial=PartialRefundForm(),
    )


@bp.post("/business/orders/<int:order_id>/complaint/<action>")
@login_required
@unit_of_work
def seller_step(order_id: int, action: str):
    found = services.owner_complaint_or_404(owner_business_or_404(current_user), order_id)
    back = redirect(url_for("aftersales.seller_complaint", order_id=order_id))
    if action == "answer":
        form = AnswerForm()
        if form.validate_on_submit():
            with domain_errors(form):
                services.answer(found, text=form.answer.data, actor=current_user)
                flash(_("Jawaban terkirim ke pembeli."), "success")
        else:
            flash(_("Tulis jawaban untuk pembeli (minimal 10 huruf)."), "error")
        return back
    if action == "partial":
        partial = PartialRefundForm()
        if partial.validate_on_submit():
            with domain_errors(partial):
                services.accept_partial(
                    found, amount_idr=partial.amount_idr.data, actor=current_user
                )
                flash(_("Sebagian dana dikembalikan ke pembeli."), "success")
        else:
            flash(_("Isi jumlah yang dikembalikan."), "error")
        return back
    steps = {
        "full": (services.accept_full, _("Seluruh dana dikembalikan ke pembeli.")),
        "return": (services.request_return, _("Pembeli diminta mengirim barang kembali.")),
        "received": (services.receive_return, _("Barang kembali; dana dikembalikan ke pembeli.")),
    }
    if action not in steps:
        abort(404)
    if ConfirmForm().validate_on_submit():
        step, done = steps[action]
        with domain_errors():
            step(found, actor=current_user)
            flash(done, "success")
    return back


@bp.get("/business/money")
@login_required
def money():
    """What is held until receipt, what is payable now, and when held money is released."""
    business = owner_business_or_404(current_user)
    held = [
        (order, net, aftersales.window_ends(order))
        for order, net in ledger.held_orders(business.id)
    ]
    return render_template(
        "complaints/money.html",
        business=business,
        payable=ledger.payable_balance(business.id),
        held_total=ledger.held_balance(business.id),
        held=held,
    )


# --- the admin ------------------------------------------------------------------------------------


def _admin_only():
    if not current_user.is_admin:
        abort(403)


@bp.get("/admin/complaints")
@login_required
def admin_complaints():
    _admin_only()
    page = keyset_page(
        services.escalated_select(),
        (services.Complaint.created_at, services.Complaint.id),
        request.args.get("page"),
    )
    return render_template("complaints/admin_list.html", complaints=page)


@bp.route("/admin/complaints/<int:complaint_id>", methods=["GET", "POST"])
@login_required
@unit_of_work
def admin_decide(complaint_id: int):
    _admin_only()
    found = services.escalated_or_404(complaint_id)
    form = DecisionForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form):
            services.decide(
                found, refund_idr=form.refund_idr.data, note=form.note.data, actor=current_user
            )
            flash(_("Keputusan tersimpan; kedua pihak diberi tahu."), "success")
            return redirect(url_for("aftersales.admin_complaints"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "complaints/admin_decide.html",
        complaint=found,
        order=found.order,
        timeline=services.timeline(found.order, found),
        form=form,
    ), status
