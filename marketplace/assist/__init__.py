"""Assisted mode (issue 14 item 8): a member lets a lead of their chapter, or a named
helper, act for them on listed tasks for a limited time; revocable at once.

The helper switches into "acting for <member>" (session key ``assist_grant``). On every
request the hook below checks the grant again (revoked or expired: the mode ends), sets
``current_user.acting_grant`` (the owner scope then yields the member's business, nothing
wider) and closes every page that is not one of the granted tasks' endpoints.
"""

from marketplace.assist.models import AssistTask

SESSION_KEY = "assist_grant"

# Open whatever the tasks: the way out, the helper's list and the member's checklist.
ALWAYS_OPEN = frozenset(
    {
        "static",
        "assist.stop",
        "assist.helper_index",
        "business.dashboard",
        "main.set_language",
        "accounts.logout",
    }
)

TASK_ENDPOINTS = {
    AssistTask.BOOKS: ("ledger.index", "ledger.add_entry"),
    AssistTask.PRODUCTS: (
        "business.new_product",
        "business.edit_product",
        "business.product_variants",  # issue 16: a draft's sizes and colours
    ),
    AssistTask.DOCUMENTS: (
        "business.new_document",
        "business.document",
        "business.document_file",
    ),
}


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.assist.views import bp, lead_bp
    from marketplace.core.extension import (
        register_assist_endpoints,
        register_messages,
        register_nav,
    )

    app.register_blueprint(bp)
    app.register_blueprint(lead_bp)
    for task, endpoints in TASK_ENDPOINTS.items():
        register_assist_endpoints(app, task, endpoints)
    app.before_request(enter_acting_mode)
    register_nav(app, "lead.dashboard", "assist_lead.lead_index", _l("Pendampingan"))
    register_messages(
        app,
        {
            "assist_granted": _l(
                "%(member)s (%(business)s) memberi Anda akses pendampingan sampai %(until)s. "
                "Buka daftar pendampingan untuk mulai."
            ),
            "assist_revoked": _l(
                "%(member)s mencabut akses pendampingan Anda untuk %(business)s. Akses "
                "berakhir sekarang."
            ),
            "assist_ended": _l(
                "Akses pendampingan Anda untuk %(business)s berakhir lebih awal: anggota "
                "menutup akunnya."
            ),
        },
    )


def enter_acting_mode():
    """Load the session's acting mode for this request, or end it (see the module doc)."""
    from flask import flash, g, redirect, request, session, url_for
    from flask_babel import gettext as _
    from flask_login import current_user

    from marketplace.assist.services import acting_session_grant
    from marketplace.core.errors import error_response, wants_json
    from marketplace.core.extension import registry

    grant_id = session.get(SESSION_KEY)
    if grant_id is None or request.endpoint == "static":
        return None
    if not current_user.is_authenticated:
        session.pop(SESSION_KEY, None)
        return None
    grant = acting_session_grant(current_user, grant_id)
    if grant is None:
        session.pop(SESSION_KEY, None)
        flash(_("Akses pendampingan sudah berakhir atau dicabut oleh anggota."), "info")
        if wants_json():
            return error_response(403)
        return redirect(url_for("assist.helper_index"))
    current_user.acting_grant = grant
    g.acting_grant = grant
    if request.endpoint is None:
        return None  # an unknown URL answers its 404
    allowed = set(ALWAYS_OPEN)
    for task, endpoints in registry().assist_endpoints.items():
        if grant.allows(task):
            allowed |= endpoints
    if request.endpoint in allowed:
        return None
    message = _("Halaman ini tertutup selama Anda mendampingi %(name)s.", name=grant.business.name)
    if wants_json():
        return error_response(403, message)
    flash(message, "error")
    return redirect(url_for("business.dashboard"))
