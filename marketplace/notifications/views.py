from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.core.views import unit_of_work
from marketplace.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    # Reading the list changes nothing (no state change on GET): "tandai sudah dibaca" posts.
    items = [(n, services.render(n)) for n in services.for_user(current_user.id)]
    return render_template("notifications/index.html", items=items, confirm=ConfirmForm())


@bp.post("/read")
@login_required
@unit_of_work
def mark_read():
    if ConfirmForm().validate_on_submit():
        services.mark_all_read(current_user.id)
        current_user.unread_notifications = 0
        flash(_("Semua pemberitahuan ditandai sudah dibaca."), "success")
    return redirect(url_for("notifications.index"))
