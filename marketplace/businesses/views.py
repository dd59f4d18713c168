"""The SME owner's area: register the business, upload permits, manage products, and the
"what is missing" checklist."""

import contextlib

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses import checklist, services
from marketplace.businesses.forms import (
    BusinessForm,
    DocumentForm,
    ImageForm,
    ListForm,
    ProductForm,
    SikpForm,
    StorefrontForm,
    VariantsForm,
    variant_rows,
)
from marketplace.businesses.scope import (
    owner_business,
    owner_business_or_404,
    owner_document_or_404,
    owner_documents,
    owner_product_or_404,
)
from marketplace.catalog import services as catalog
from marketplace.catalog.models import ProductStatus
from marketplace.core import uploads
from marketplace.core.errors import NotFound
from marketplace.core.forms import choices
from marketplace.core.ids import parse_id
from marketplace.core.timeutil import jakarta_today
from marketplace.core.views import confirmed, domain_errors, unit_of_work
from marketplace.legality import services as legality

bp = Blueprint("business", __name__, url_prefix="/business")


@bp.before_request
@login_required
def require_login():
    return None


def _business():
    return owner_business_or_404(current_user)


REGISTRATION_FIELDS = (
    "name",
    "nik",
    "nib",
    "npwp",
    "scale",
    "sector",
    "started_on",
    "kelurahan_code",
    "address_line",
    "postal_code",
    "whatsapp",
    "npwp_is_nik",
    "kk",
    "marital_status",
    "sikp_sector",
    "kbli_code",
    "kecamatan",
)


def _registration_page(form: BusinessForm, status: int = 200):
    return (
        render_template(
            "businesses/register.html",
            form=form,
            kelurahan_options=services.kelurahan_of(form.kecamatan.data or None),
        ),
        status,
    )


def _chosen(field) -> str:
    return next((str(option.label.text) for option in field if option.checked), "")


def _answers(form: BusinessForm, checked: services.CheckedRegistration) -> list:
    """The "check your answers" rows: what will be stored, as it will be shown (the NIK and
    the KK masked)."""
    kelurahan = checked.kelurahan
    npwp = _("NPWP adalah NIK pemilik") if checked.npwp_is_nik else checked.npwp or _("tidak diisi")
    rows = [
        (form.name.label.text, checked.name),
        (form.nik.label.text, checked.nik.display),
        (form.nib.label.text, checked.nib.value),
        (_("NPWP"), npwp),
        (form.scale.label.text, _chosen(form.scale)),
        (form.sector.label.text, _chosen(form.sector)),
        (form.started_on.label.text, form.started_on.data.strftime("%d-%m-%Y")),
        (
            form.kelurahan_code.label.text,
            f"{kelurahan.name} — {_('Kec. %(name)s', name=kelurahan.chapter.name)}, "
            f"{kelurahan.chapter.kota}",
        ),
        (_("Chapter Anda"), kelurahan.chapter.name),
        (form.address_line.label.text, checked.address),
        (form.postal_code.label.text, checked.postal.value),
        (form.whatsapp.label.text, checked.whatsapp.display),
    ]
    if checked.sikp.get("kk_masked"):
        rows.append((form.kk.label.text, checked.sikp["kk_masked"]))
    for name in ("marital_status", "sikp_sector"):
        if getattr(form, name).data:
            rows.append((getattr(form, name).label.text, _chosen(getattr(form, name))))
    if checked.sikp.get("kbli_code"):
        rows.append((form.kbli_code.label.text, checked.sikp["kbli_code"]))
    return rows


@bp.route("/register", methods=["GET", "POST"])
@unit_of_work
def register():
    """Fill in (every error at once, what was typed kept, the NIK too: it is the owner's own
    and goes back only to them over the same HTTPS session), check the answers, confirm.
    Posting with ``narrow=1`` ("Tampilkan kelurahan") narrows the kelurahan to the chosen
    kecamatan without judging anything yet; ``edit=1`` goes back from the check page."""
    if owner_business(current_user) is not None:
        return redirect(url_for("business.dashboard"))
    form = BusinessForm()
    form.kecamatan.choices = [("", _("— pilih kecamatan —")), *services.kecamatan_choices()]
    if request.method == "GET":
        form.kecamatan.data = request.args.get("kecamatan", "")
        return _registration_page(form)
    if request.form.get("narrow") == "1" or request.form.get("edit") == "1":
        return _registration_page(form)
    form_ok = form.validate()
    data = services.BusinessInput(
        **{name: getattr(form, name).data for name in REGISTRATION_FIELDS}
    )
    with domain_errors(form):
        checked = services.check_registration(current_user, data)
        if form_ok and not confirmed():
            return render_template(
                "businesses/register_check.html", form=form, rows=_answers(form, checked)
            )
        if form_ok:
            result = services.register_business(current_user, data)
            flash(
                _(
                    "Usaha terdaftar di chapter %(chapter)s. Langkah berikutnya: unggah NIB.",
                    chapter=result.business.chapter.name,
                ),
                "success",
            )
            for warning in result.warnings:
                flash(str(warning), "info")
            return redirect(url_for("business.dashboard"))
    return _registration_page(form, 400)


@bp.route("/profile", methods=["GET", "POST"])
@unit_of_work
def profile():
    """The SIKP fields a bank needs for KUR (issue 13), for owners registered before them."""
    business = _business()
    form = SikpForm()
    if request.method == "GET":
        form.marital_status.data = business.marital_status or ""
        form.sikp_sector.data = business.sikp_sector or ""
        form.kbli_code.data = business.kbli_code or ""
    if form.validate_on_submit():
        data = services.SikpInput(
            kk=form.kk.data,
            marital_status=form.marital_status.data,
            sikp_sector=form.sikp_sector.data,
            kbli_code=form.kbli_code.data,
        )
        with domain_errors(form):
            services.update_sikp(business, data, actor=current_user)
            flash(_("Data usaha untuk KUR tersimpan."), "success")
            return redirect(url_for("business.dashboard"))
    form.kk.data = ""
    status = 400 if form.errors else 200
    return render_template("businesses/profile.html", form=form, business=business), status


@bp.route("/storefront", methods=["GET", "POST"])
@unit_of_work
def storefront():
    """The storefront's description, with links to the public page and its QR poster."""
    business = _business()
    form = StorefrontForm(obj=business)
    if form.validate_on_submit():
        with domain_errors(form):
            services.set_storefront_description(business, form.description.data, actor=current_user)
            flash(_("Deskripsi etalase disimpan."), "success")
            return redirect(url_for("business.storefront"))
    status = 400 if request.method == "POST" else 200
    return render_template("businesses/storefront.html", form=form, business=business), status


@bp.get("/")
def dashboard():
    business = owner_business(current_user)
    if business is None:
        return render_template("businesses/start.html")
    today = jakarta_today()
    documents = owner_documents(business)
    products = catalog.products_of(business)
    requirements = checklist.for_business(business, documents, products, today)
    return render_template(
        "businesses/dashboard.html",
        business=business,
        documents=documents,
        products=products,
        requirements=requirements,
        review_time=checklist.describe_duration(requirements.median_review),
        RequirementState=checklist.RequirementState,
        confirm=ConfirmForm(),
    )


@bp.route("/documents/new", methods=["GET", "POST"])
@unit_of_work
def new_document():
    business = _business()
    form = DocumentForm()
    form.products.choices = choices((p.id, p.name) for p in catalog.products_of(business))
    if request.method == "GET":
        form.kind.data = request.args.get("kind", "nib")
        if request.args.get("product"):
            with contextlib.suppress(NotFound):  # an id out of range preselects nothing
                form.products.data = [parse_id(request.args["product"])]
    refused = None
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            legality.submit_document(
                business,
                kind=form.kind.data,
                number=form.number.data,
                issued_on=form.issued_on.data,
                expires_on=form.expires_on.data,
                file=form.file.data,
                product_ids=form.products.data or (),
                actor=current_user,
            )
            flash(_("Dokumen terkirim. Pengurus chapter akan memeriksanya."), "success")
            return redirect(url_for("business.dashboard"))
    status = 400 if form.errors or request.method == "POST" else 200
    if refused:
        status = refused.status_code  # 503 when every decode slot stayed busy: try again
    return render_template("businesses/document_form.html", form=form), status


@bp.get("/documents/<int:document_id>")
def document(document_id: int):
    document = owner_document_or_404(_business(), document_id)
    return render_template("businesses/document.html", document=document)


@bp.get("/documents/<int:document_id>/file")
def document_file(document_id: int):
    doc = owner_document_or_404(_business(), document_id)
    return uploads.send_stored(doc.file_key, mime=doc.file_mime, download_name=doc.original_name)


def _product_input(form: ProductForm) -> catalog.ProductInput:
    return form.product_input()


@bp.route("/products/new", methods=["GET", "POST"])
@unit_of_work
def new_product():
    business = _business()
    form = ProductForm()
    if request.method == "GET":
        form.category.data = business.sector
    if form.validate_on_submit():
        with domain_errors(form, field="photos"):
            product = catalog.create_product_with_photos(
                business, _product_input(form), form.photos.data, actor=current_user
            )
            flash(
                _(
                    "Produk disimpan sebagai draf dengan %(n)d foto. Lihat apa yang masih "
                    "kurang di bawah.",
                    n=len(product.images),
                )
                if product.images
                else _(
                    "Produk disimpan sebagai draf, belum ada fotonya: tambahkan foto di "
                    "halaman ubah produk. Lihat apa yang masih kurang di bawah."
                ),
                "success",
            )
            return redirect(url_for("business.dashboard", _anchor=f"product-{product.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("businesses/product_form.html", form=form, product=None), status


@bp.route("/products/<int:product_id>/edit", methods=["GET", "POST"])
@unit_of_work
def edit_product(product_id: int):
    product = owner_product_or_404(_business(), product_id)
    form = ProductForm(obj=product)
    if request.method == "GET":
        form.show_attributes(product.attributes())
    if form.validate_on_submit():
        was_listed = product.status == ProductStatus.LISTED
        with domain_errors(form):
            catalog.update_product(product, _product_input(form), actor=current_user)
            if was_listed and product.status != ProductStatus.LISTED:
                flash(
                    _(
                        "Perubahan disimpan. Produk diturunkan dari etalase sampai syaratnya "
                        "terpenuhi lagi."
                    ),
                    "info",
                )
            else:
                flash(_("Perubahan disimpan."), "success")
            return redirect(url_for("business.dashboard", _anchor=f"product-{product.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "businesses/product_form.html",
        form=form,
        product=product,
        image_form=ImageForm(),
        confirm=ConfirmForm(),
        **_variants_section(product),
    ), status


def _variants_section(product) -> dict:
    """The variants section of the edit page as saved (issue 16)."""
    from marketplace.catalog import variants

    return {
        "variants_form": VariantsForm(
            formdata=None,
            data={
                "option1_name": product.option1_name or variants.SIZE,
                "option2_name": product.option2_name or "",
            },
        ),
        "variant_rows": variants.rows_of(product),
        "variant_errors": {},
    }


@bp.post("/products/<int:product_id>/variants")
@unit_of_work
def product_variants(product_id: int):
    """Save the product's variants (issue 16): all rows at once, nothing on a refused row."""
    from marketplace.catalog import variants

    product = owner_product_or_404(_business(), product_id)
    form = VariantsForm()
    rows = variant_rows(request.form)
    errors: dict = {}
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            variants.set_variants(
                product,
                form.option1_name.data,
                form.option2_name.data,
                rows,
                actor=current_user,
            )
            flash(_("Varian disimpan."), "success")
            return redirect(url_for("business.edit_product", product_id=product.id))
        errors = (refused.error.details.get("errors") or {}) if refused.error else {}
    product_form = ProductForm(formdata=None, obj=product)
    product_form.show_attributes(product.attributes())
    return render_template(
        "businesses/product_form.html",
        form=product_form,
        product=product,
        image_form=ImageForm(),
        confirm=ConfirmForm(),
        variants_form=form,
        variant_rows=rows,
        variant_errors=errors,
    ), 400


@bp.post("/products/<int:product_id>/<any(list, unlist):action>")
@unit_of_work
def product_status(product_id: int, action: str):
    product = owner_product_or_404(_business(), product_id)
    form = ListForm()
    form.validate_on_submit()  # CSRF is checked app-wide; the box is read either way
    with domain_errors():
        catalog.set_status(
            product,
            ProductStatus.LISTED if action == "list" else ProductStatus.UNLISTED,
            actor=current_user,
            without_photo=bool(form.without_photo.data),
        )
        flash(
            _("Produk tampil di etalase.")
            if action == "list"
            else _("Produk diturunkan dari etalase."),
            "success",
        )
    return redirect(url_for("business.dashboard", _anchor=f"product-{product_id}"))


@bp.post("/products/<int:product_id>/images")
@unit_of_work
def add_image(product_id: int):
    product = owner_product_or_404(_business(), product_id)
    form = ImageForm()
    if form.validate_on_submit():
        with domain_errors():
            catalog.add_image(product, form.file.data, actor=current_user)
            flash(_("Foto ditambahkan."), "success")
    return redirect(url_for("business.edit_product", product_id=product_id, _anchor="photos"))


@bp.post("/products/<int:product_id>/images/<int:image_id>/<any(cover, up, down):move>")
@unit_of_work
def move_image(product_id: int, image_id: int, move: str):
    product = owner_product_or_404(_business(), product_id)
    with domain_errors():
        catalog.reorder_image(product, image_id, move, actor=current_user)
        flash(
            _("Foto dijadikan sampul.") if move == "cover" else _("Urutan foto diubah."),
            "success",
        )
    return redirect(url_for("business.edit_product", product_id=product_id, _anchor="photos"))


@bp.post("/products/<int:product_id>/images/<int:image_id>/delete")
@unit_of_work
def delete_image(product_id: int, image_id: int):
    product = owner_product_or_404(_business(), product_id)
    catalog.remove_image(product, image_id, actor=current_user)
    flash(_("Foto dihapus."), "success")
    return redirect(url_for("business.edit_product", product_id=product_id, _anchor="photos"))


@bp.get("/pathway")
def pathway_page():
    """The member's 7 PAS pathway, the one next step, and sessions to sign up for."""
    from marketplace.mentoring import pathway
    from marketplace.mentoring.services import upcoming_for_member

    business = _business()
    return render_template(
        "businesses/pathway.html",
        business=business,
        pathway=pathway.for_business(business),
        sessions=upcoming_for_member(business),
        confirm=ConfirmForm(),
    )


@bp.post("/sessions/<int:session_id>/<any(signup, cancel):action>")
@unit_of_work
def session_signup(session_id: int, action: str):
    from marketplace.mentoring import services as mentoring

    business = _business()
    with domain_errors():
        if action == "signup":
            mentoring.sign_up(business, session_id, actor=current_user)
        else:
            mentoring.cancel_sign_up(business, session_id)
        flash(
            _("Anda terdaftar. Kami ingatkan sehari sebelumnya.")
            if action == "signup"
            else _("Pendaftaran dibatalkan."),
            "success",
        )
    return redirect(url_for("business.pathway_page"))
