from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.core.pagination import keyset_page
from marketplace.core.views import unit_of_work
from marketplace.notifications import services
from marketplace.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    # Reading the list changes nothing (no state change on GET): "tandai sudah dibaca" posts.
    page = keyset_page(
        services.for_user_select(current_user.id),
        (Notification.created_at, Notification.id),
        request.args.get("page"),
    )
    items = [(n, services.render(n)) for n in page]
    return render_template(
        "notifications/index.html", items=items, page=page, confirm=ConfirmForm()
    )


@bp.post("/read")
@login_required
@unit_of_work
def mark_read():
    if ConfirmForm().validate_on_submit():
        services.mark_all_read(current_user.id)
        current_user.unread_notifications = 0
        flash(_("Semua pemberitahuan ditandai sudah dibaca."), "success")
    return redirect(url_for("notifications.index"))
