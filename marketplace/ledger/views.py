"""The owner's books: this month's figures, a quick add form, a 12-month chart, CSV export."""

import csv
import io
from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from marketplace.businesses.scope import owner_business
from marketplace.core import charts
from marketplace.core.money import format_rupiah
from marketplace.core.pagination import keyset_page
from marketplace.core.security import mark_no_store
from marketplace.core.timeutil import jakarta_today
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.ledger import services, statements
from marketplace.ledger.forms import EntryForm, OtherEntryForm, PeriodForm
from marketplace.ledger.models import LedgerEntry

bp = Blueprint("ledger", __name__, url_prefix="/business/books")

LATEST = 20
KIND_LABELS = {
    "sale": _l("Penjualan (otomatis dari Pasarkita)"),
    "refund": _l("Pengembalian dana (otomatis dari Pasarkita)"),
    "manual_income": _l("Pemasukan"),
    "expense": _l("Pengeluaran"),
    **services.CATEGORY_LABELS,  # the other kinds: one category each, named alike
}
UNDO_KEY = "ledger_undo"  # the session remembers the last deleted entry for its undo button
# A cell starting with one of these is a formula to Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@bp.before_request
@login_required
def load_business():
    g.business = owner_business(current_user)
    if g.business is None:
        return redirect(url_for("business.dashboard"))
    return None


@bp.app_template_filter("thousands")
def thousands(amount: int) -> str:
    """25000 -> 25.000: the figure without "Rp", for tables whose caption names the unit."""
    return format_rupiah(amount).replace("Rp", "")


def bar_chart(months):
    """Income next to expenses for each month."""
    return charts.bar_chart(
        [
            (
                format_date(date(m.year, m.month, 1), "MMM"),
                {"income": m.income, "expense": m.expenses},
            )
            for m in months
        ]
    )


def _render_index(form: EntryForm, status: int = 200, other: OtherEntryForm | None = None):
    business = g.business
    today = jakarta_today()
    other = other or OtherEntryForm(prefix="other")
    # The phone's date picker greys out the future days the service would refuse.
    for date_field in (form.occurred_on, other.occurred_on):
        date_field.render_kw = {**(date_field.render_kw or {}), "max": today.isoformat()}
    months = services.monthly_summary(business.id, today=today)
    page = keyset_page(
        services.entries_select(business.id),
        (LedgerEntry.occurred_on, LedgerEntry.id),
        request.args.get("page"),
        per_page=LATEST,
    )
    undo = None
    if session.get(UNDO_KEY):  # only right after a delete: one statement then
        undo = services.undoable(business, session[UNDO_KEY])
        if undo is None:
            session.pop(UNDO_KEY, None)
    return render_template(
        "ledger/index.html",
        business=business,
        form=form,
        other_form=other,
        this_month=months[-1],
        this_month_name=format_date(today, "MMMM yyyy"),
        months=[
            (
                format_date(date(m.year, m.month, 1), "MMM yyyy"),
                format_date(date(m.year, m.month, 1), "MMMM yyyy"),
                m,
            )
            for m in months
        ],
        chart=bar_chart(months),
        entries=page,
        undo=undo,
        category_labels=services.CATEGORY_LABELS,
        kind_labels=KIND_LABELS,
    ), status


@bp.get("/")
def index():
    return _render_index(EntryForm())


@bp.post("/entries")
@unit_of_work
def add_entry():
    form = EntryForm()
    if form.validate_on_submit():
        with domain_errors(form):
            entry = services.add_entry(
                g.business,
                kind=form.kind.data,
                category=form.category.data,
                amount_idr=form.amount_idr.data,
                occurred_on=form.occurred_on.data,
                note=form.note.data,
                actor=current_user,
            )
            amount = format_rupiah(entry.amount_idr)
            if entry.kind == "expense":
                flash(_("Pengeluaran %(amount)s dicatat.", amount=amount), "success")
            else:
                flash(_("Pemasukan %(amount)s dicatat.", amount=amount), "success")
            return redirect(url_for("ledger.index"))
    return _render_index(form, 400)


@bp.post("/entries/other")
@unit_of_work
def add_other_entry():
    """Prive, stock, equipment, piutang, utang, loans, capital: what the statements need."""
    other = OtherEntryForm(prefix="other")
    if other.validate_on_submit():
        with domain_errors(other):
            entry = services.add_entry(
                g.business,
                kind=other.kind.data,
                category=None,
                amount_idr=other.amount_idr.data,
                occurred_on=other.occurred_on.data,
                note=other.note.data,
                actor=current_user,
            )
            flash(
                _(
                    "%(kind)s %(amount)s dicatat.",
                    kind=services.CATEGORY_LABELS[entry.category],
                    amount=format_rupiah(entry.amount_idr),
                ),
                "success",
            )
            return redirect(url_for("ledger.index", _anchor="entries"))
    return _render_index(EntryForm(formdata=None), 400, other=other)


@bp.get("/entries/<int:entry_id>/delete")
def confirm_delete(entry_id: int):
    """ "Hapus" first asks: the entry, its amount and date, and a button that deletes."""
    entry = services.get_owner_entry(g.business, entry_id)
    return render_template(
        "ledger/delete_confirm.html",
        entry=entry,
        category_labels=services.CATEGORY_LABELS,
        undo_minutes=services.UNDO_MINUTES,
    )


@bp.post("/entries/<int:entry_id>/delete")
@unit_of_work
def delete_entry(entry_id: int):
    services.delete_manual_entry(g.business, entry_id, actor=current_user)
    session[UNDO_KEY] = entry_id
    flash(
        _(
            "Catatan dihapus. Anda bisa membatalkannya dalam %(n)d menit.",
            n=services.UNDO_MINUTES,
        ),
        "success",
    )
    return redirect(url_for("ledger.index", _anchor="entries"))


@bp.post("/entries/<int:entry_id>/undo")
@unit_of_work
def undo_delete(entry_id: int):
    services.undo_delete(g.business, entry_id, actor=current_user)
    session.pop(UNDO_KEY, None)
    flash(_("Catatan dikembalikan."), "success")
    return redirect(url_for("ledger.index", _anchor="entries"))


@bp.get("/statements")
def statements_page():
    """SAK EMKM statements for the period asked (default: this year up to today)."""
    today = jakarta_today()
    form = PeriodForm(request.args)
    start = form.start.data if form.validate() and form.start.data else date(today.year, 1, 1)
    end = form.end.data if form.end.data and not form.end.errors else today
    status = 200
    if start > end:
        form.end.errors = [_("Tanggal akhir harus sesudah tanggal awal.")]
        start, end, status = date(today.year, 1, 1), today, 400
    form.start.data, form.end.data = start, end
    mark_no_store()  # personal financial data
    return render_template(
        "ledger/statements.html",
        business=g.business,
        form=form,
        st=statements.for_period(g.business.id, start, end),
        periods=statements.quick_periods(today),
        labels=services.CATEGORY_LABELS,
        accounts=statements.ACCOUNT_LABELS,
    ), status


def spreadsheet_safe(text: str) -> str:
    """Typed text that a spreadsheet would run as a formula is quoted to stay text."""
    return "'" + text if text.startswith(FORMULA_START) else text


@bp.get("/export.csv")
def export_csv():
    business = g.business
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Tanggal"), _("Jenis"), _("Kategori"), _("Jumlah (Rp)"), _("No. pesanan"), _("Catatan")]
    )
    for entry in services.all_entries(business.id):
        writer.writerow(
            [
                entry.occurred_on.isoformat(),
                str(KIND_LABELS.get(entry.kind, entry.kind)),
                str(services.CATEGORY_LABELS.get(entry.category, entry.category)),
                entry.signed_amount,
                entry.order_id or "",
                spreadsheet_safe(entry.note or ""),
            ]
        )
    # The BOM makes Excel read the file as UTF-8 instead of the Windows code page.
    body = ("\ufeff" + out.getvalue()).encode("utf-8")
    return Response(
        body,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f"attachment; filename=buku-kas-{business.id}.csv",
            "Cache-Control": "private, no-store",
        },
    )
