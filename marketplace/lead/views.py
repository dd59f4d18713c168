"""The lead console of one chapter: /lead/<chapter_slug>/...

The chapter comes from the URL, and the signed-in user must be a lead of *that* chapter:
being a lead elsewhere, an admin, or an SME owner gives no access here (404).
"""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses import identity
from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product
from marketplace.core import charts, uploads
from marketplace.core.pagination import keyset_page
from marketplace.core.tenancy import (
    all_in_chapter_or_404,
    get_in_chapter_or_404,
    lead_blueprint,
    scoped_select,
)
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.extensions import db
from marketplace.legality import preview
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.legality.review_page import review_page
from marketplace.mentoring import pathway
from marketplace.mentoring import services as mentoring
from marketplace.mentoring.dashboard import chapter_dashboard
from marketplace.mentoring.forms import CheckInForm, SessionForm, SettingsForm, TrainingForm
from marketplace.mentoring.models import MentoringSession, SessionSignup
from marketplace.mentoring.pathway import FUNNEL, STEP_FACTS, STEPS

bp = lead_blueprint("lead", __name__)


@bp.get("/")
def dashboard():
    """The chapter at a glance: the 7 PAS funnel, sales, attendance, who needs a call, and
    the members a page at a time (``after``: keyset; ``q``: name; ``needs``: follow-up;
    ``step``: a 7 PAS step not done yet)."""
    after = request.args.get("after", type=int)
    figures = chapter_dashboard(
        g.chapter,
        after=after if after and after > 0 else None,
        q=request.args.get("q", ""),
        needs=request.args.get("needs", ""),
        step=request.args.get("step", ""),
    )
    sales_chart = charts.bar_chart(
        [(m.label[:2], {"sales": m.sales_idr}) for m in figures["months"]]
    )
    attendance_chart = charts.bar_chart(
        [(m.label[:2], {"attendance": m.attendance}) for m in figures["months"]]
    )
    return render_template(
        "lead/dashboard.html",
        chapter=g.chapter,
        funnel_steps=FUNNEL,
        pathway_steps=[s for s in STEPS if s[0] in STEP_FACTS],
        sales_chart=sales_chart,
        attendance_chart=attendance_chart,
        **figures,
    )


@bp.route("/members/<int:business_id>", methods=["GET"])
def member(business_id: int):
    business = get_in_chapter_or_404(Business, business_id)
    return render_template(
        "lead/member.html",
        chapter=g.chapter,
        business=business,
        # The same NIK elsewhere (blind index): chapter names only, never the business.
        other_chapters=identity.other_chapters(business),
        pathway=pathway.for_business(business),
        check_ins=mentoring.check_ins_of(g.chapter, business.id),
        check_in_form=CheckInForm(prefix="ci"),
        training_form=TrainingForm(prefix="tr"),
    )


@bp.post("/members/<int:business_id>/check-in")
@unit_of_work
def check_in(business_id: int):
    form = CheckInForm(prefix="ci")
    business = get_in_chapter_or_404(Business, business_id)
    if form.validate_on_submit():
        with domain_errors():
            mentoring.record_check_in(
                g.chapter,
                business.id,
                applies_learning=form.applies_learning.data,
                books_kept=form.books_kept.data,
                next_step=form.next_step.data,
                actor=current_user,
            )
            flash(_("Evaluasi bulan ini disimpan."), "success")
    else:
        flash(_("Tulis langkah berikutnya untuk anggota ini."), "error")
    return redirect(url_for("lead.member", business_id=business.id))


@bp.post("/members/<int:business_id>/training")
@unit_of_work
def training(business_id: int):
    form = TrainingForm(prefix="tr")
    business = get_in_chapter_or_404(Business, business_id)
    if form.validate_on_submit():
        with domain_errors():
            mentoring.record_external_training(
                g.chapter,
                business.id,
                provider=form.provider.data,
                title=form.title.data,
                completed_on=form.completed_on.data,
                actor=current_user,
            )
            flash(_("Pelatihan dicatat."), "success")
    else:
        flash(_("Lengkapi nama dan tanggal pelatihan."), "error")
    return redirect(url_for("lead.member", business_id=business.id))


@bp.route("/sessions", methods=["GET", "POST"])
@unit_of_work
def sessions():
    form = SessionForm()
    status = 200
    if form.validate_on_submit():
        starts = form.starts_at.data.replace(tzinfo=JAKARTA)
        data = mentoring.SessionInput(
            topic=form.topic.data,
            track=form.track.data,
            digital_level=form.digital_level.data or None,
            starts_at=starts,
            duration_minutes=form.duration_minutes.data,
            place=form.place.data,
            online_link=form.online_link.data,
            capacity=form.capacity.data,
        )
        with domain_errors(form):
            made = mentoring.schedule_sessions(
                g.chapter, data, weeks=form.weeks.data, actor=current_user
            )
            flash(_("%(n)d sesi dijadwalkan.", n=len(made)), "success")
            return redirect(url_for("lead.sessions"))
        status = 400
    elif form.is_submitted():
        status = 400
    # The upcoming list is short and bounded (the next 50); the past grows: keyset pages.
    upcoming = mentoring.sessions_of(g.chapter, upcoming=True)
    past = keyset_page(
        mentoring.past_sessions_select(g.chapter),
        (MentoringSession.starts_at, MentoringSession.id),
        request.args.get("page"),
        per_page=20,
    )
    return render_template(
        "lead/sessions.html",
        chapter=g.chapter,
        form=form,
        upcoming=upcoming,
        past=past,
        counts=mentoring.signup_counts([s.id for s in upcoming]),
        present_counts=mentoring.attendance_counts([s.id for s in past]),
    ), status


@bp.route("/sessions/<int:session_id>", methods=["GET", "POST"])
@unit_of_work
def session(session_id: int):
    """Who signed up, and after the session, who came."""
    found = get_in_chapter_or_404(MentoringSession, session_id)
    if request.method == "POST":
        # Another chapter's member among the ticks is a scope refusal (404, logged).
        present = all_in_chapter_or_404(Business, request.form.getlist("present", type=int))
        # The form shows one page of members: only those ("shown") change; the others
        # already recorded as present stay so.
        shown = set(request.form.getlist("shown", type=int))
        kept = {a.business_id for a in found.attendance} - shown
        with domain_errors():
            count = mentoring.record_attendance(
                g.chapter, found.id, kept | {b.id for b in present}, actor=current_user
            )
            flash(_("Kehadiran %(n)d anggota dicatat.", n=count), "success")
            return redirect(url_for("lead.sessions"))
    members = keyset_page(
        scoped_select(Business),
        (Business.name, Business.id),
        request.args.get("page"),
        per_page=50,
        descending=False,
    )
    # Sign-ups and attendance are bounded by the session's capacity: loaded whole, once.
    signups = db.session.scalars(
        select(SessionSignup)
        .where(SessionSignup.session_id == found.id)
        .options(joinedload(SessionSignup.business))
    ).all()
    signed = {s.business_id for s in signups}
    present = {a.business_id for a in found.attendance}
    return render_template(
        "lead/session.html",
        chapter=g.chapter,
        session=found,
        members=members,
        signed=signed,
        signed_members=sorted((s.business for s in signups), key=lambda b: (b.name, b.id)),
        present=present,
        started=found.starts_at <= utcnow(),
        confirm=ConfirmForm(),
    )


@bp.route("/settings", methods=["GET", "POST"])
@unit_of_work
def settings():
    form = SettingsForm()
    if request.method == "GET":
        form.sessions_required.data = g.chapter.mentoring_sessions_required
        form.books_months.data = g.chapter.books_months_required
        form.books_weeks.data = g.chapter.books_weeks_required
    status = 200
    if form.validate_on_submit():
        with domain_errors():
            mentoring.update_settings(
                g.chapter,
                sessions_required=form.sessions_required.data,
                books_months=form.books_months.data,
                books_weeks=form.books_weeks.data,
                actor=current_user,
            )
            flash(_("Pengaturan chapter disimpan."), "success")
            return redirect(url_for("lead.dashboard"))
        status = 400
    elif form.is_submitted():
        status = 400
    return render_template("lead/settings.html", chapter=g.chapter, form=form), status


@bp.get("/queue")
def queue():
    """Documents waiting for review, oldest first, and products awaiting a halal re-check."""
    documents = keyset_page(
        scoped_select(LegalityDocument)
        .where(LegalityDocument.status == DocumentStatus.SUBMITTED)
        .options(joinedload(LegalityDocument.business)),
        (LegalityDocument.created_at, LegalityDocument.id),
        request.args.get("page"),
        descending=False,
    )
    products = keyset_page(
        scoped_select(Product)
        .where(Product.halal_review_required.is_(True))
        .options(contains_eager(Product.business)),
        (Product.id,),
        request.args.get("products_page"),
        descending=False,
        arg="products_page",
    )
    return render_template(
        "lead/queue.html", chapter=g.chapter, documents=documents, products=products
    )


@bp.route("/documents/<int:document_id>", methods=["GET", "POST"])
@unit_of_work
def document(document_id: int):
    doc = get_in_chapter_or_404(LegalityDocument, document_id)
    return review_page(
        doc,
        role="lead",
        done_url=url_for("lead.queue"),
        file_url=url_for("lead.document_file", document_id=doc.id),
        preview_url=url_for("lead.document_preview", document_id=doc.id),
        chapter=g.chapter,
    )


@bp.get("/documents/<int:document_id>/file")
def document_file(document_id: int):
    doc = get_in_chapter_or_404(LegalityDocument, document_id)
    return uploads.send_stored(doc.file_key, mime=doc.file_mime, download_name=doc.original_name)


@bp.get("/documents/<int:document_id>/preview")
def document_preview(document_id: int):
    """The document shown inline (scaled image or a PDF's first page): the download's scope."""
    return preview.send_preview(get_in_chapter_or_404(LegalityDocument, document_id))


@bp.get("/products/<int:product_id>")
def product(product_id: int):
    return render_template(
        "lead/product.html",
        chapter=g.chapter,
        product=get_in_chapter_or_404(Product, product_id),
        confirm=ConfirmForm(),
    )


@bp.post("/products/<int:product_id>/halal-confirm")
@unit_of_work
def confirm_halal(product_id: int):
    product = get_in_chapter_or_404(Product, product_id)
    with domain_errors():
        catalog.confirm_halal_review(product, actor=current_user)
        flash(_("Sertifikat halal dikonfirmasi masih berlaku untuk produk ini."), "success")
    return redirect(url_for("lead.queue"))


@bp.post("/products/<int:product_id>/unlist")
@unit_of_work
def unlist(product_id: int):
    product = get_in_chapter_or_404(Product, product_id)
    with domain_errors():
        catalog.unlist_product(
            product, actor=current_user, role="lead", note="unlisted by chapter lead"
        )
        flash(_("Produk diturunkan dari etalase."), "success")
    return redirect(url_for("lead.product", product_id=product_id))
