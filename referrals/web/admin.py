"""Admin of the referral network: /admin/banks/...

Partner banks (variants, schemes, chapters served, officers), the KUR rules as data, and
the network's figures. Admins only: anonymous -> login, anyone else -> 403.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.accounts.forms import ConfirmForm
from marketplace.accounts.models import User
from marketplace.chapters import services as chapters
from marketplace.chapters.models import Chapter
from marketplace.core.security import admin_required
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.extensions import db
from referrals import services
from referrals.models import Bank, KurScheme
from referrals.web import TEMPLATES, answer_out_of_scope
from referrals.web.forms import (
    BankChaptersForm,
    BankForm,
    KurSchemeForm,
    OfficerForm,
    format_rates,
)

bp = Blueprint("admin_banks", __name__, url_prefix="/admin/banks", template_folder=TEMPLATES)
# A missing bank, officer or rules row is a plain 404 (the admin sees every bank: no
# tenant refusal to log).
answer_out_of_scope(bp, None, dict)


@bp.before_request
@admin_required
def require_admin():
    return None


# --- pages ----------------------------------------------------------------------------------


def _bank(slug: str) -> Bank:
    return services.bank_by_slug_or_404(
        slug,
        selectinload(Bank.chapters),  # 44 chapters at most; officers come a page at a time
    )


def _chapter_choices():
    return [(c.id, f"{c.name} ({c.kota})") for c in chapters.list_chapters()]


@bp.get("/")
@unit_of_work
def index():
    return render_template(
        "referrals/admin_index.html", banks=services.banks_page(request.args.get("page"))
    )


@bp.route("/new", methods=["GET", "POST"])
@unit_of_work
def new():
    form = BankForm()
    form.chapters.choices = _chapter_choices()
    status = 200
    if form.validate_on_submit():
        with domain_errors(form) as refused:
            bank = services.create_bank(
                name=form.name.data,
                slug=form.slug.data,
                conventional=form.conventional.data,
                sharia=form.sharia.data,
                schemes=form.schemes.data,
                chapter_ids=form.chapters.data,
                admin=current_user,
            )
            flash(_("Bank %(name)s ditambahkan.", name=bank.name), "success")
            return redirect(url_for("admin_banks.bank", slug=bank.slug))
        status = refused.status
    elif form.is_submitted():
        status = 400
    return render_template("referrals/admin_bank_new.html", form=form), status


@bp.route("/<slug>", methods=["GET", "POST"])
@unit_of_work
def bank(slug: str):
    """One bank: the chapters it serves (editable) and its officers."""
    bank = _bank(slug)
    form = BankChaptersForm(prefix="ch")
    form.chapters.choices = _chapter_choices()
    status = 200
    if request.method == "GET":
        form.chapters.data = [c.id for c in bank.chapters]
    elif form.validate_on_submit():
        services.set_chapters(bank, form.chapters.data, admin=current_user)
        flash(_("Chapter yang dilayani disimpan."), "success")
        return redirect(url_for("admin_banks.bank", slug=slug))
    else:
        status = 400
    return _bank_page(bank, chapters_form=form, status=status)


def _bank_page(bank, *, chapters_form=None, officer_form=None, status=200):
    if chapters_form is None:
        chapters_form = BankChaptersForm(prefix="ch")
        chapters_form.chapters.choices = _chapter_choices()
        chapters_form.chapters.data = [c.id for c in bank.chapters]
    return render_template(
        "referrals/admin_bank.html",
        bank=bank,
        officers=services.officers_page(bank, request.args.get("officers")),
        chapters_form=chapters_form,
        officer_form=officer_form or OfficerForm(prefix="of"),
        confirm=ConfirmForm(),
    ), status


@bp.post("/<slug>/officers")
@unit_of_work
def officers(slug: str):
    bank = _bank(slug)
    form = OfficerForm(prefix="of")
    if form.validate_on_submit():
        with domain_errors(form):
            services.add_officer(bank, form.email.data, admin=current_user)
            flash(_("Petugas ditambahkan."), "success")
            return redirect(url_for("admin_banks.bank", slug=slug))
    return _bank_page(_bank(slug), officer_form=form, status=400)


@bp.post("/<slug>/officers/<int:officer_id>/remove")
@unit_of_work
def remove(slug: str, officer_id: int):
    bank = _bank(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    services.remove_officer(bank, officer_id, admin=current_user)
    flash(_("Petugas dihapus dari bank ini."), "success")
    return redirect(url_for("admin_banks.bank", slug=slug))


def _scheme_form(scheme: KurScheme, formdata=None) -> KurSchemeForm:
    form = KurSchemeForm(
        formdata=formdata, prefix=f"k{scheme.id}", obj=scheme if formdata is None else None
    )
    if formdata is None:
        form.rates.data = format_rates(scheme.rates_bp or {})
    return form


def _kur_page(forms=None, status=200):
    schemes = db.session.scalars(
        select(KurScheme).order_by(KurScheme.code, KurScheme.effective_from.desc())
    ).all()
    forms = forms or {}
    return render_template(
        "referrals/admin_kur.html",
        rows=[(s, forms.get(s.id) or _scheme_form(s)) for s in schemes],
    ), status


@bp.get("/kur")
@unit_of_work
def kur():
    """The KUR rules as data: each row editable as regulations change."""
    return _kur_page()


@bp.post("/kur/<int:scheme_id>")
@unit_of_work
def edit_kur(scheme_id: int):
    scheme = services.scheme_or_404(scheme_id)
    form = _scheme_form(scheme, formdata=request.form)
    if not form.validate_on_submit():
        return _kur_page({scheme.id: form}, status=400)
    with domain_errors(form) as refused:
        services.update_scheme(
            scheme,
            admin=current_user,
            name=form.name.data.strip(),
            effective_from=form.effective_from.data,
            is_current=form.is_current.data,
            min_idr=form.min_idr.data,
            max_idr=form.max_idr.data,
            rates_bp=form.rates.parsed,
            max_tenor_kmk_months=form.max_tenor_kmk_months.data,
            max_tenor_ki_months=form.max_tenor_ki_months.data,
            no_collateral_up_to_idr=form.no_collateral_up_to_idr.data,
            npwp_above_idr=form.npwp_above_idr.data,
            source=(form.source.data or "").strip(),
        )
        flash(_("Aturan %(name)s disimpan.", name=scheme.name), "success")
        return redirect(url_for("admin_banks.kur"))
    return _kur_page({scheme_id: form}, status=refused.status)


@bp.get("/figures")
@unit_of_work
def figures():
    """Approval rate and days to decision per chapter, per lead and per bank."""
    groups = services.figures()
    names = {
        "chapter": dict(
            db.session.execute(
                select(Chapter.id, Chapter.name).where(Chapter.id.in_(list(groups["chapter"])))
            ).all()
        ),
        "lead": dict(
            db.session.execute(
                select(User.id, User.name).where(User.id.in_(list(groups["lead"])))
            ).all()
        ),
        "bank": dict(
            db.session.execute(
                select(Bank.id, Bank.name).where(Bank.id.in_(list(groups["bank"])))
            ).all()
        ),
    }
    tables = {
        kind: sorted(
            ((names[kind].get(key, str(key)), g) for key, g in rows.items()),
            key=lambda item: str(item[0]),
        )
        for kind, rows in groups.items()
    }
    return render_template("referrals/admin_figures.html", tables=tables)
