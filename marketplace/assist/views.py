"""Assisted mode's pages: the member's grants (/business/assist/), the helper's list and the
switch in and out of acting mode (/assist/...), and the lead console's list of members who
granted this lead (/lead/<slug>/assisted/)."""

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from marketplace.accounts.forms import ConfirmForm
from marketplace.accounts.models import User
from marketplace.accounts.services import find_by_identifier
from marketplace.assist import SESSION_KEY, services
from marketplace.assist.forms import GrantForm
from marketplace.businesses.scope import owner_business_or_404
from marketplace.core.tenancy import lead_blueprint
from marketplace.core.views import domain_errors, unit_of_work

bp = Blueprint("assist", __name__)
lead_bp = lead_blueprint("assist_lead", __name__, url_prefix="/assisted")


def _helper_from(form: GrantForm, leads: list[User]) -> User | None:
    if form.lead.data:
        return next((u for u in leads if str(u.id) == form.lead.data), None)
    return find_by_identifier(form.other.data)


@bp.route("/business/assist/", methods=["GET", "POST"])
@login_required
@unit_of_work
def member():
    """The member's grants: give one, see who helps, revoke, and read what was done."""
    services.refuse_helper(current_user)
    business = owner_business_or_404(current_user)
    leads = services.chapter_leads(business)
    form = GrantForm(leads=leads)
    if form.validate_on_submit():
        with domain_errors(form):
            grant = services.grant_access(
                current_user,
                business,
                helper=_helper_from(form, leads),
                tasks=form.tasks.data,
                days=form.days.data,
            )
            flash(_("%(name)s sekarang boleh membantu Anda.", name=grant.helper.name), "success")
            return redirect(url_for(".member"))
    return render_template(
        "assist/member.html",
        business=business,
        form=form,
        grants=services.grants_of(business),
        actions=services.actions_for(business),
        task_labels=services.TASK_LABELS,
        revoke_form=ConfirmForm(),
    )


@bp.post("/business/assist/<int:grant_id>/revoke")
@login_required
@unit_of_work
def revoke(grant_id: int):
    services.refuse_helper(current_user)
    business = owner_business_or_404(current_user)
    form = ConfirmForm()
    if form.validate_on_submit():
        with domain_errors():
            grant = services.revoke_access(current_user, business, grant_id)
            flash(_("Akses %(name)s dicabut.", name=grant.helper.name), "success")
    return redirect(url_for(".member"))


@bp.get("/assist/")
@login_required
def helper_index():
    """The members who granted the signed-in user, each with a "help now" button."""
    return render_template(
        "assist/helper.html",
        grants=services.grants_held(current_user),
        task_labels=services.TASK_LABELS,
        form=ConfirmForm(),
    )


@bp.post("/assist/<int:grant_id>/start")
@login_required
@unit_of_work
def start(grant_id: int):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for(".helper_index"))
    grant = services.start_acting(current_user, grant_id)
    session[SESSION_KEY] = grant.id
    flash(_("Anda sekarang membantu %(name)s.", name=grant.business.name), "success")
    return redirect(url_for("business.dashboard"))


@bp.post("/assist/stop")
@login_required
@unit_of_work
def stop():
    form = ConfirmForm()
    if form.validate_on_submit():
        session.pop(SESSION_KEY, None)
        flash(_("Mode pendampingan selesai."), "success")
    return redirect(url_for(".helper_index"))


@lead_bp.get("/")
def lead_index():
    """The chapter's members who granted this lead (active grants only)."""
    return render_template(
        "assist/lead.html",
        chapter=g.chapter,
        grants=services.grants_held(current_user, chapter=g.chapter),
        task_labels=services.TASK_LABELS,
        form=ConfirmForm(),
    )
