"""The lead console of one chapter: /lead/<chapter_slug>/...

The chapter comes from the URL, and the signed-in user must be a lead of *that* chapter:
being a lead elsewhere, an admin, or an SME owner gives no access here (404).
"""

from flask import Blueprint, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses.models import Business
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product
from marketplace.chapters import services as chapters
from marketplace.core import uploads
from marketplace.core.errors import DomainError, NotFound
from marketplace.core.security import deny
from marketplace.core.tenancy import get_in_chapter_or_404, scoped_select
from marketplace.extensions import db
from marketplace.legality.models import LegalityDocument
from marketplace.legality.views import review_page

bp = Blueprint("lead", __name__, url_prefix="/lead/<chapter_slug>")


@bp.url_value_preprocessor
def pull_chapter(endpoint, values):
    g.chapter_slug = (values or {}).pop("chapter_slug", None)


@bp.url_defaults
def add_chapter(endpoint, values):
    if "chapter_slug" not in values and g.get("chapter") is not None:
        values["chapter_slug"] = g.chapter.slug


@bp.before_request
def require_lead_of_chapter():
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    try:
        chapter = chapters.get_chapter_by_slug(g.chapter_slug)
    except NotFound:
        deny("unknown_chapter", chapter=g.chapter_slug)
    if not chapters.is_lead(current_user, chapter):
        deny("not_lead_of_chapter", chapter=chapter.slug)
    g.chapter = chapter
    return None


@bp.get("/")
def dashboard():
    members = db.session.scalars(scoped_select(Business).order_by(Business.name)).all()
    return render_template("lead/dashboard.html", chapter=g.chapter, members=members)


@bp.get("/members/<int:business_id>")
def member(business_id: int):
    business = get_in_chapter_or_404(Business, business_id)
    return render_template("lead/member.html", chapter=g.chapter, business=business)


@bp.get("/queue")
def queue():
    """Documents waiting for review, oldest first, and products awaiting a halal re-check."""
    documents = db.session.scalars(
        scoped_select(LegalityDocument)
        .where(LegalityDocument.status == "submitted")
        .order_by(LegalityDocument.created_at)
    ).all()
    products = db.session.scalars(
        select(Product)
        .join(Business)
        .where(Business.chapter_id == g.chapter.id, Product.halal_review_required.is_(True))
    ).all()
    return render_template(
        "lead/queue.html", chapter=g.chapter, documents=documents, products=products
    )


@bp.route("/documents/<int:document_id>", methods=["GET", "POST"])
def document(document_id: int):
    doc = get_in_chapter_or_404(LegalityDocument, document_id)
    return review_page(
        doc,
        role="lead",
        done_url=url_for("lead.queue"),
        file_url=url_for("lead.document_file", document_id=doc.id),
        chapter=g.chapter,
    )


@bp.get("/documents/<int:document_id>/file")
def document_file(document_id: int):
    doc = get_in_chapter_or_404(LegalityDocument, document_id)
    return uploads.send_stored(doc.file_key, mime=doc.file_mime, download_name=doc.original_name)


def _product_in_chapter(product_id: int) -> Product:
    product = db.session.scalar(
        select(Product)
        .join(Business)
        .where(Product.id == product_id, Business.chapter_id == g.chapter.id)
    )
    if product is None:
        deny("out_of_chapter", model="Product", id=product_id, chapter=g.chapter.slug)
    return product


@bp.get("/products/<int:product_id>")
def product(product_id: int):
    return render_template(
        "lead/product.html",
        chapter=g.chapter,
        product=_product_in_chapter(product_id),
        confirm=ConfirmForm(),
    )


@bp.post("/products/<int:product_id>/halal-confirm")
def confirm_halal(product_id: int):
    product = _product_in_chapter(product_id)
    try:
        catalog.confirm_halal_review(product, actor=current_user)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Sertifikat halal dikonfirmasi masih berlaku untuk produk ini."), "success")
    return redirect(url_for("lead.queue"))


@bp.post("/products/<int:product_id>/unlist")
def unlist(product_id: int):
    product = _product_in_chapter(product_id)
    try:
        catalog.unlist_product(
            product, actor=current_user, role="lead", note="unlisted by chapter lead"
        )
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
    else:
        db.session.commit()
        flash(_("Produk diturunkan dari etalase."), "success")
    return redirect(url_for("lead.product", product_id=product_id))
