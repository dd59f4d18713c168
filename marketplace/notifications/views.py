from flask import Blueprint, render_template
from flask_login import current_user, login_required

from marketplace.core.views import unit_of_work
from marketplace.notifications import services

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
@unit_of_work  # opening the list marks the notices read (a GET that writes)
def index():
    items = [(n, services.render(n)) for n in services.for_user(current_user.id)]
    services.mark_all_read(current_user.id)
    current_user.unread_notifications = 0
    return render_template("notifications/index.html", items=items)
