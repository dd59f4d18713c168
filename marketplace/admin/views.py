"""Platform administration: chapters and their leads."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.forms import ConfirmForm
from marketplace.admin.forms import AssignLeadForm, HolidayForm, PayoutForm, RefundForm
from marketplace.businesses.models import Business
from marketplace.chapters import services as chapters
from marketplace.core import uploads
from marketplace.core.pagination import keyset_page
from marketplace.core.security import admin_required
from marketplace.core.tenancy import get_or_404
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.extensions import db
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.legality.review_page import review_page

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@admin_required
def require_admin():
    return None


@bp.get("/")
def index():
    return render_template(
        "admin/index.html", chapters=chapters.list_chapters(), counts=chapters.member_counts()
    )


@bp.route("/chapters/<slug>", methods=["GET", "POST"])
@unit_of_work
def chapter(slug: str):
    chapter = chapters.get_chapter_by_slug(slug)
    form = AssignLeadForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form, field="email"):
            chapters.assign_lead(chapter, form.email.data, admin=current_user)
            flash(_("Pengurus ditambahkan."), "success")
            return redirect(url_for("admin.chapter", slug=slug))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "admin/chapter.html", chapter=chapter, form=form, confirm=ConfirmForm()
    ), status


@bp.post("/chapters/<slug>/leads/<int:lead_id>/remove")
@unit_of_work
def remove_lead(slug: str, lead_id: int):
    chapter = chapters.get_chapter_by_slug(slug)
    chapters.remove_lead(chapter, lead_id, admin=current_user)
    flash(_("Pengurus dihapus dari chapter ini."), "success")
    return redirect(url_for("admin.chapter", slug=slug))


@bp.get("/documents")
def documents():
    """Every chapter's review queue, for admins backing up busy leads."""
    pending = keyset_page(
        select(LegalityDocument)
        .where(LegalityDocument.status == DocumentStatus.SUBMITTED)
        .options(joinedload(LegalityDocument.business).joinedload(Business.chapter)),
        (LegalityDocument.created_at, LegalityDocument.id),
        request.args.get("page"),
        descending=False,
    )
    return render_template("admin/documents.html", documents=pending)


@bp.route("/documents/<int:document_id>", methods=["GET", "POST"])
@unit_of_work
def document(document_id: int):
    doc = get_or_404(LegalityDocument, document_id)
    return review_page(
        doc,
        role="admin",
        done_url=url_for("admin.documents"),
        file_url=url_for("admin.document_file", document_id=doc.id),
        preview_url=url_for("admin.document_preview", document_id=doc.id),
        chapter=doc.business.chapter,
    )


@bp.get("/documents/<int:document_id>/file")
def document_file(document_id: int):
    doc = get_or_404(LegalityDocument, document_id)
    return uploads.send_stored(doc.file_key, mime=doc.file_mime, download_name=doc.original_name)


@bp.get("/documents/<int:document_id>/preview")
def document_preview(document_id: int):
    from marketplace.legality import preview

    return preview.send_preview(get_or_404(LegalityDocument, document_id))


@bp.route("/payouts", methods=["GET", "POST"])
@unit_of_work
def payouts():
    """What the platform owes each SME (paid orders minus refunds minus payouts)."""
    from marketplace.businesses.models import Business
    from marketplace.ledger import services as ledger

    form = PayoutForm()
    status = 200
    if form.validate_on_submit():
        business = get_or_404(Business, form.business_id.data)
        with domain_errors():
            ledger.record_payout(
                business,
                amount_idr=form.amount_idr.data,
                reference=form.reference.data,
                paid_on=form.paid_on.data,
                actor=current_user,
            )
            flash(_("Pembayaran ke penjual dicatat."), "success")
            return redirect(url_for("admin.payouts"))
        status = 400
    elif form.is_submitted():
        status = 400
    from marketplace.admin.payouts import balances_page

    balances = balances_page(request.args.get("page"))
    return render_template("admin/payouts.html", balances=balances, form=form), status


@bp.route("/holidays", methods=["GET", "POST"])
@unit_of_work
def holidays():
    """Days off for the SLA and due dates: the national calendar plus the decrees it lacks."""
    from marketplace.core import workdays
    from marketplace.core.timeutil import jakarta_today

    form = HolidayForm()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            workdays.add_holiday(
                form.day.data,
                form.name.data,
                form.kind.data,
                source=form.source.data,
                admin=current_user,
            )
            flash(_("Hari libur ditambahkan."), "success")
            return redirect(url_for("admin.holidays"))
        status = refused.status
    elif form.is_submitted():
        status = 400
    today = jakarta_today()
    return render_template(
        "admin/holidays.html",
        form=form,
        rows=workdays.table_rows(),
        upcoming=workdays.upcoming(today),
        confirm=ConfirmForm(),
    ), status


@bp.post("/holidays/<int:holiday_id>/delete")
@unit_of_work
def delete_holiday(holiday_id: int):
    from marketplace.core import workdays

    form = ConfirmForm()
    if form.validate_on_submit():
        workdays.remove_holiday(holiday_id, admin=current_user)
        flash(_("Hari libur dihapus."), "success")
    return redirect(url_for("admin.holidays"))


@bp.get("/orders")
def orders():
    """Orders needing a human (flagged payments), then a search over every order: by number,
    buyer (name, e-mail, WhatsApp), seller or status; without one, the latest paid orders."""
    from marketplace.admin import order_search
    from marketplace.orders.models import PAID_STATES, Order, OrderStatus

    # Flagged orders are few and all need a human: one bounded list. The others page.
    flagged = db.session.scalars(
        select(Order)
        .where(Order.flagged_reason.is_not(None))
        .options(joinedload(Order.business))
        .order_by(Order.created_at.desc())
        .limit(100)
    ).all()
    query, status = order_search.parse(request.args)
    stmt = order_search.orders_select(query, status)
    if not query and not status:
        stmt = stmt.where(Order.status.in_(PAID_STATES))
    recent = keyset_page(stmt, (Order.created_at, Order.id), request.args.get("page"))
    return render_template(
        "admin/orders.html",
        flagged=flagged,
        recent=recent,
        query=query,
        status=status,
        statuses=list(OrderStatus),
        form=RefundForm(),
    )


@bp.post("/orders/<int:order_id>/refund")
@unit_of_work
def refund(order_id: int):
    """Two steps: the first POST shows the order, the amount and the reason ("check your
    answers"); only the POST that carries ``confirmed=1`` refunds."""
    from marketplace.orders.models import Order
    from marketplace.payments.services import refund_order

    order = get_or_404(Order, order_id)
    form = RefundForm()
    if not form.validate_on_submit():
        flash(_("Tulis alasan pengembalian dana."), "error")
        return redirect(url_for("admin.orders"))
    if request.form.get("confirmed") != "1":
        return render_template("admin/refund_confirm.html", order=order, form=form)
    with domain_errors():
        refund_order(order, actor=current_user, role="admin", note=form.note.data)
        flash(_("Dana pesanan #%(id)s dikembalikan.", id=order.id), "success")
    return redirect(url_for("admin.orders"))


@bp.get("/dashboard")
def dashboard():
    """The 7 PAS funnel of every chapter side by side (sortable, CSV)."""
    from marketplace.mentoring.dashboard import SORTABLE, platform_dashboard
    from marketplace.mentoring.pathway import FUNNEL

    sort = request.args.get("sort", "members")
    if sort not in SORTABLE:
        sort = "members"
    return render_template(
        "admin/dashboard.html", rows=platform_dashboard(sort), sort=sort, steps=FUNNEL
    )


@bp.get("/dashboard.csv")
def dashboard_csv():
    import csv
    import io

    from flask import Response

    from marketplace.mentoring.dashboard import platform_dashboard
    from marketplace.mentoring.pathway import FUNNEL

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["chapter", "kota", *(key for key, _label in FUNNEL)])
    for row in platform_dashboard("chapter"):
        writer.writerow(
            [row["chapter"].name, row["chapter"].kota, *(row[key] for key, _label in FUNNEL)]
        )
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=pasarkita-7pas-per-chapter.csv"},
    )
