"""The "My data" pages: /account/data/ (see, correct), its JSON and CSV export (streamed
within the request), and the erasure request with a check-your-answers step."""

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from marketplace.assist.services import refuse_helper
from marketplace.businesses.scope import owner_business
from marketplace.core.security import mark_no_store
from marketplace.core.views import domain_errors, unit_of_work
from marketplace.privacy import services
from marketplace.privacy.forms import BusinessCorrectionForm, ErasureForm

bp = Blueprint("privacy", __name__, url_prefix="/account/data")


@bp.before_request
@login_required
def require_login():
    # Personal data is the account holder's own: never opened in assisted mode.
    refuse_helper(current_user)
    return None


def _page(correction=None, status=200):
    business = owner_business(current_user)
    if correction is None and business is not None:
        correction = BusinessCorrectionForm(
            name=business.name, address=business.address_line, postal_code=business.postal_code
        )
    mark_no_store()
    page = render_template(
        "privacy/index.html",
        sections=list(services.sections(current_user)),
        retention=services.RETENTION,
        business=business,
        correction=correction,
    )
    return page, status


@bp.get("/")
def index():
    """What is held about the signed-in user, the retention periods, and the actions."""
    return _page()


@bp.post("/business")
@unit_of_work
def correct_business():
    form = BusinessCorrectionForm()
    if form.validate_on_submit():
        with domain_errors(form):
            services.correct_business(
                current_user,
                name=form.name.data,
                address_line=form.address.data,
                postal_code=form.postal_code.data,
            )
            flash(_("Data usaha diperbarui."), "success")
            return redirect(url_for(".index"))
    return _page(correction=form, status=400)


def _download(chunks, mime: str, name: str) -> Response:
    response = Response(stream_with_context(chunks), mimetype=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    mark_no_store()
    return response


@bp.get("/export.json")
def export_json():
    return _download(
        services.export_json(current_user), "application/json", "pasarkita-data-saya.json"
    )


@bp.get("/export.csv")
def export_csv():
    return _download(
        services.export_csv(current_user), "text/csv; charset=utf-8", "pasarkita-data-saya.csv"
    )


@bp.route("/delete", methods=["GET", "POST"])
@unit_of_work
def delete():
    """Check your answers: what will be erased, what is kept and for how long, then the
    password; on success every session ends (this one too)."""
    form = ErasureForm()
    if form.validate_on_submit():
        with domain_errors(form):
            services.erase_account(current_user, password=form.password.data)
            logout_user()
            flash(_("Akun Anda sudah dihapus. Terima kasih telah memakai Pasarkita."), "success")
            return redirect(url_for("main.index"))
    mark_no_store()
    page = render_template(
        "privacy/delete.html",
        form=form,
        effects=services.erasure_effects(current_user),
        retention=services.RETENTION,
        open_orders=services.open_orders(current_user),
    )
    return page, 400 if form.errors else 200
