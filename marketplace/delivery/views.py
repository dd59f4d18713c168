"""The owner's delivery pages: options, settings, adopting the chapter's tables."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.businesses.scope import owner_business_or_404
from marketplace.core.errors import ValidationFailed
from marketplace.core.forms import choices
from marketplace.core.numbers import parse_amount_idr
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.delivery import services
from marketplace.delivery.forms import BANDS, AdoptForm, OptionForm, RemoveForm, SettingsForm
from marketplace.delivery.models import DeliveryKind, Zone
from marketplace.delivery.tracking import COURIERS

bp = Blueprint("delivery", __name__, url_prefix="/business/delivery")


def _option_form() -> OptionForm:
    form = OptionForm()
    form.kind.choices = choices([(k.value, services.KIND_LABELS[k]) for k in DeliveryKind])
    form.courier_code.choices = choices(
        [("", _("— bukan kurir —")), *((c.code, c.name) for c in COURIERS.values())]
    )
    return form


def _rates_from(form_data) -> list:
    """The rate grid: price_<zone>_<band>; an empty cell is "not served"."""
    rows = []
    for zone in Zone:
        for band in BANDS:
            raw = (form_data.get(f"price_{zone}_{band}") or "").strip()
            if not raw:
                continue
            try:
                price = parse_amount_idr(raw) if raw not in ("0", "Rp0", "Rp 0") else 0
            except ValueError as exc:
                raise ValidationFailed(str(exc), field="rates") from None
            rows.append((zone, None if band == "any" else int(band), price))
    return rows


def _page(business, option_form=None, settings_form=None, status=200):
    settings = services.settings_for(business)
    if settings_form is None:
        settings_form = SettingsForm(
            formdata=None,
            cod_enabled=settings.cod_enabled,
            free_shipping_min=f"{settings.free_shipping_min_idr:,}".replace(",", ".")
            if settings.free_shipping_min_idr
            else "",
        )
    adopt = AdoptForm()
    chapter_tables = services.chapter_tables(business.chapter_id)
    adopt.courier_code.choices = choices([(code, COURIERS[code].name) for code in chapter_tables])
    return render_template(
        "delivery/options.html",
        business=business,
        options=services.options_of(business),
        option_form=option_form or _option_form(),
        settings_form=settings_form,
        adopt_form=adopt,
        chapter_tables=chapter_tables,
        couriers=COURIERS,
        remove_form=RemoveForm(),
        zones=list(Zone),
        zone_labels=services.ZONE_LABELS,
        bands=BANDS,
        values=request.form if request.method == "POST" else {},
    ), status


@bp.get("")
@login_required
def options():
    return _page(owner_business_or_404(current_user))


@bp.post("/options")
@login_required
@unit_of_work
def add_option():
    business = owner_business_or_404(current_user)
    form = _option_form()
    if form.validate_on_submit():
        with domain_errors(form):
            services.add_option(
                business,
                kind=form.kind.data,
                courier_code=form.courier_code.data or None,
                service=form.service.data,
                opening_hours=form.opening_hours.data,
                cod_allowed=form.cod_allowed.data,
                rates=_rates_from(request.form),
            )
            flash(_("Pilihan pengiriman ditambahkan."), "success")
            return redirect(url_for("delivery.options"))
    return _page(business, option_form=form, status=400)


@bp.post("/options/<int:option_id>/remove")
@login_required
@unit_of_work
def remove_option(option_id: int):
    business = owner_business_or_404(current_user)
    if RemoveForm().validate_on_submit():
        with domain_errors():
            services.remove_option(business, option_id)
            flash(_("Pilihan pengiriman dimatikan."), "success")
    return redirect(url_for("delivery.options"))


@bp.post("/settings")
@login_required
@unit_of_work
def settings():
    business = owner_business_or_404(current_user)
    form = SettingsForm()
    if form.validate_on_submit():
        with domain_errors(form):
            raw = (form.free_shipping_min.data or "").strip()
            try:
                threshold = parse_amount_idr(raw) if raw else None
            except ValueError as exc:
                raise ValidationFailed(str(exc), field="free_shipping_min") from None
            services.set_settings(
                business, cod_enabled=form.cod_enabled.data, free_shipping_min_idr=threshold
            )
            flash(_("Pengaturan pengiriman disimpan."), "success")
            return redirect(url_for("delivery.options"))
    return _page(business, settings_form=form, status=400)


@bp.post("/adopt")
@login_required
@unit_of_work
def adopt():
    business = owner_business_or_404(current_user)
    form = AdoptForm()
    form.courier_code.choices = choices([(c.code, c.name) for c in COURIERS.values()])
    if form.validate_on_submit():
        with domain_errors():
            services.adopt_chapter_table(business, form.courier_code.data)
            flash(_("Tabel ongkir chapter dipakai."), "success")
    return redirect(url_for("delivery.options"))
