"""The lead's page for the chapter's default rate tables (/lead/<slug>/delivery/): every
courier's table of this chapter, and a form to set or replace one. A seller of the chapter
adopts a table from their own delivery page (delivery.views.adopt)."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from marketplace.core.forms import choices
from marketplace.core.tenancy import lead_blueprint
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.delivery import services
from marketplace.delivery.forms import BANDS, ChapterTableForm, price_field_name
from marketplace.delivery.models import Zone
from marketplace.delivery.tracking import COURIERS

lead_bp = lead_blueprint("delivery_lead", __name__, url_prefix="/delivery")


def _form(**data) -> ChapterTableForm:
    form = ChapterTableForm(**data)
    form.courier_code.choices = choices(
        [("", _("— pilih kurir —")), *((c.code, c.name) for c in COURIERS.values())]
    )
    return form


def _rows(form: ChapterTableForm) -> list:
    """The filled cells as (zone, max_kg or None, price) rows for the service."""
    rows = []
    for zone in Zone:
        for band in BANDS:
            price = form[price_field_name(zone, band)].data
            if price is not None:
                rows.append((zone, None if band == "any" else int(band), price))
    return rows


def _page(form: ChapterTableForm, tables, status: int = 200):
    return render_template(
        "delivery/lead_tables.html",
        chapter=g.chapter,
        form=form,
        tables=tables,
        couriers=COURIERS,
        zones=list(Zone),
        zone_labels=services.ZONE_LABELS,
        bands=BANDS,
        price_field_name=price_field_name,
    ), status


@lead_bp.get("/")
def tables():
    """The chapter's tables; ``?courier=jne`` fills the form with that courier's table."""
    tables = services.chapter_tables(g.chapter.id)
    code = request.args.get("courier", "")
    data: dict = {}
    if code in COURIERS:
        data["courier_code"] = code
        for (zone, band), price in services.rate_grid(tables.get(code, ())).items():
            data[price_field_name(zone, band)] = price
    return _page(_form(**data), tables)


@lead_bp.post("/")
@unit_of_work
def set_table():
    form = _form()
    if form.validate_on_submit():
        with domain_errors(form):
            services.set_chapter_table(g.chapter, form.courier_code.data, _rows(form))
            name = COURIERS[form.courier_code.data].name
            flash(_("Tabel ongkir %(courier)s chapter disimpan.", courier=name), "success")
            return redirect(url_for(".tables", _anchor=f"table-{form.courier_code.data}"))
    return _page(form, services.chapter_tables(g.chapter.id), status=400)
