"""The admin's user tools: find a user, see their roles, disable or enable the account (with
a check-your-answers step first), start an account recovery that reaches the user."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from marketplace.accounts import administration, recovery
from marketplace.accounts.forms import ConfirmForm
from marketplace.accounts.models import User
from marketplace.core.security import admin_required
from marketplace.core.tenancy import get_or_404
from marketplace.core.views import domain_errors, unit_of_work

bp = Blueprint("admin_users", __name__, url_prefix="/admin/users")


@bp.before_request
@admin_required
def require_admin():
    return None


@bp.get("/")
def index():
    query = request.args.get("q", "")
    page = request.args.get("page", 1, type=int) or 1
    return render_template(
        "admin/users.html", query=query, result=administration.find_users(query, page)
    )


@bp.get("/<int:user_id>")
def detail(user_id: int):
    user = get_or_404(User, user_id)
    return render_template(
        "admin/user.html",
        user=user,
        roles=administration.user_roles(user),
        confirm=ConfirmForm(),
    )


@bp.route("/<int:user_id>/disable", methods=["GET", "POST"])
@unit_of_work
def disable(user_id: int):
    user = get_or_404(User, user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with domain_errors():
            ended = administration.disable_account(current_user, user)
            flash(
                _("Akun %(name)s dinonaktifkan; %(n)d sesi diakhiri.", name=user.name, n=ended),
                "success",
            )
        return redirect(url_for("admin_users.detail", user_id=user.id))
    # Check your answers: who, what they hold, what happens, before anything changes.
    return render_template(
        "admin/user_disable.html",
        user=user,
        roles=administration.user_roles(user),
        form=form,
    )


@bp.post("/<int:user_id>/enable")
@unit_of_work
def enable(user_id: int):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        administration.enable_account(current_user, user)
        flash(_("Akun %(name)s aktif kembali.", name=user.name), "success")
    return redirect(url_for("admin_users.detail", user_id=user.id))


@bp.post("/<int:user_id>/recovery")
@unit_of_work
def start_recovery(user_id: int):
    user = get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        with domain_errors():
            how = recovery.start_recovery_for(current_user, user)
            flash(
                _("Tautan pemulihan dikirim ke e-mail pengguna.")
                if how == "email"
                else _("Kode pemulihan dikirim ke WhatsApp pengguna."),
                "success",
            )
    return redirect(url_for("admin_users.detail", user_id=user.id))
