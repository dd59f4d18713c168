"""The partner bank's portal: /bank/<bank_slug>/...

The signed-in user must be an officer of *that* bank. A bank sees only referrals sent to
it with the member's consent still in force; anything
else, including another bank's referral, answers 404 and is logged. Scope comes from
``services.get_for_bank_or_404``, the same loader the bank API uses.
"""

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from marketplace.businesses.models import Business
from marketplace.core import audit, uploads
from marketplace.core.labels import status_label
from marketplace.core.numbers import format_percent_bp
from marketplace.core.pagination import keyset_page
from marketplace.core.security import deny, mark_no_store
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.core.views import confirmed, domain_errors, unit_of_work
from marketplace.ledger.services import CATEGORY_LABELS
from marketplace.ledger.statements import ACCOUNT_LABELS
from referrals import services
from referrals.models import Referral
from referrals.web import TEMPLATES, answer_out_of_scope
from referrals.web.forms import (
    REJECT_REASON_LABELS,
    SCHEME_LABELS,
    ApproveForm,
    AssignForm,
    InboxFilterForm,
    NoteForm,
    RejectForm,
    RequestInfoForm,
    rate_bp,
)

bp = Blueprint("bank_portal", __name__, url_prefix="/bank/<bank_slug>", template_folder=TEMPLATES)
answer_out_of_scope(bp, "out_of_bank", lambda: {"bank": g.bank.slug})


@bp.url_value_preprocessor
def pull_bank(endpoint, values):
    g.bank_slug = (values or {}).pop("bank_slug", None)


@bp.url_defaults
def add_bank(endpoint, values):
    if "bank_slug" not in values and g.get("bank") is not None:
        values["bank_slug"] = g.bank.slug


@bp.before_request
def require_officer_of_bank():
    """Anonymous -> login; signed in but not an officer of this bank -> 404 (logged)."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    bank = services.bank_of_officer(current_user, g.bank_slug)
    if bank is None:
        deny("not_officer_of_bank", bank=g.bank_slug)
    g.bank = bank
    return None


def _referral(referral_id: int) -> Referral:
    return services.get_for_bank_or_404(referral_id, g.bank)


def _inbox_form(f, errors) -> InboxFilterForm:
    """The filter form with this bank's choices (its chapters, its officers)."""
    form = InboxFilterForm(request.args)
    form.status.choices = [
        ("", _("Semua yang masih berjalan")),
        *((s, status_label(s)) for s in Referral.VISIBLE_TO_BANK),
    ]
    form.chapter.choices = [("", _("Semua chapter")), *((c.slug, c.name) for c in g.bank.chapters)]
    form.scheme.choices = [("", _("Semua skema")), *SCHEME_LABELS.items()]
    form.assigned.choices = [
        ("", _("Semua petugas")),
        (services.inbox.ASSIGNED_ME, _("Ditugaskan kepada saya")),
        (services.inbox.ASSIGNED_NONE, _("Belum ditugaskan")),
        *((str(u.id), u.name) for u in g.officers),
    ]
    form.sort.choices = list(services.inbox.SORT_LABELS.items())
    for name, message in errors.items():
        getattr(form, name).errors = [message]
    return form


@bp.get("/")
@unit_of_work
def inbox():
    """The officer's working inbox: filters (status, chapter, scheme, amount, date, officer),
    search (business name, referral number, the NIK's last digits), sorting, the age and the
    SLA countdown; closed referrals hidden unless asked for. Keyset pages."""
    f, errors = services.inbox.parse_filter(request.args)
    g.officers = services.inbox.officers_of(g.bank)
    form = _inbox_form(f, errors)
    order, descending = services.inbox.order_of(f)
    referrals = keyset_page(
        services.inbox.inbox_select(g.bank, f, officer=current_user),
        order,
        request.args.get("page"),
        descending=descending,
        not_null=True,  # a bank only sees sent referrals
    )
    now = utcnow()
    return render_template(
        "referrals/bank_inbox.html",
        bank=g.bank,
        form=form,
        filters=f,
        referrals=referrals,
        ages=(ages := services.inbox.ages(referrals, now)),
        late={rid for rid, age in ages.items() if age.late},
        export_args=f.as_args(),
    ), (400 if errors else 200)


@bp.get("/referrals.csv")
@unit_of_work
def export():
    """The filtered list as CSV, streamed (keyset batches), in the bank's scope only. Holds
    no NIK and no finances: the dossier is where those are read."""
    f, errors = services.inbox.parse_filter(request.args)
    if errors:
        flash(_("Periksa filter dulu: %(error)s", error=next(iter(errors.values()))), "error")
        return redirect(url_for("bank_portal.inbox", **request.args))
    services.inbox.record_export(g.bank, f, actor=current_user)
    rows = services.inbox.csv_lines(g.bank, f, officer=current_user)
    stamp = utcnow().astimezone(JAKARTA).strftime("%Y%m%d-%H%M")
    response = Response(
        stream_with_context(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=rujukan-{g.bank.slug}-{stamp}.csv"},
    )
    mark_no_store()
    return response


@bp.route("/referrals/<int:referral_id>/assign", methods=["GET", "POST"])
@unit_of_work
def assign(referral_id: int):
    """Assign the referral to one of this bank's officers ("me" from the dossier, anyone
    from this page)."""
    referral = _referral(referral_id)
    form = AssignForm()
    officers = services.inbox.officers_of(g.bank)
    form.officer.choices = [("", _("Belum ditugaskan")), *((str(u.id), u.name) for u in officers)]
    status = 200
    if form.validate_on_submit():
        raw = request.form.get("officer", "")
        chosen = int(raw) if raw.isascii() and raw.isdigit() else None
        if raw == "me":
            chosen = current_user.id
        with domain_errors(form):
            services.inbox.assign(referral, chosen, actor=current_user)
            flash(_("Penugasan rujukan #%(id)s disimpan.", id=referral.id), "success")
            return redirect(url_for("bank_portal.referral", referral_id=referral.id))
        status = 400
    elif request.method == "GET":
        form.officer.data = str(referral.assigned_officer_id or "")
    return render_template(
        "referrals/bank_assign.html", bank=g.bank, referral=referral, form=form
    ), status


FORMS = {
    "acknowledge": lambda: NoteForm(prefix="ack"),
    "request_info": lambda: RequestInfoForm(prefix="info"),
    "approve": lambda: ApproveForm(prefix="appr"),
    "reject": lambda: RejectForm(prefix="rej"),
    "disburse": lambda: NoteForm(prefix="disb"),
}


def _dossier_options():
    """What the page reads off the referral, joined into the statement that checks the
    bank's scope: one statement, however many events and consents the referral has (a
    handful: one row per step, one receipt per consent)."""
    business = joinedload(Referral.business)
    return (
        business.joinedload(Business.owner),
        business.joinedload(Business.kelurahan),
        business.joinedload(Business.chapter),
        joinedload(Referral.lead),
        joinedload(Referral.bank),
        joinedload(Referral.assigned_officer),
        joinedload(Referral.consents),
        joinedload(Referral.events),
    )


def _page(referral: Referral, *, forms=None, error=None, status=200, loaded=False):
    """The dossier, readable and printable, with the actions the status allows."""
    if not loaded:  # after an action: load it again, fully, still inside the bank's scope
        referral = services.get_for_bank_or_404(referral.id, g.bank, *_dossier_options())
    late, ack_due = services.sla_state(referral, utcnow())
    mark_no_store()  # full NIK and finances
    forms = {**{a: make() for a, make in FORMS.items()}, **(forms or {})}
    allowed = services.allowed_bank_actions(referral)
    if "approve" in allowed and forms["approve"].amount_idr.data is None:
        forms["approve"].amount_idr.data = referral.amount_idr
        forms["approve"].tenor_months.data = referral.tenor_months
    data, screen, statements = services.dossier.for_page(referral)
    return render_template(
        "referrals/bank_referral.html",
        bank=g.bank,
        referral=referral,
        d=data,
        statements=statements,
        category_labels=CATEGORY_LABELS,
        account_labels=ACCOUNT_LABELS,
        consent=referral.active_consent,
        forms=forms,
        allowed=allowed,
        error=error,
        late=late,
        ack_due=ack_due,
        screen=screen,
        disclaimer=services.DISCLAIMER,
        assign_form=AssignForm(),
        printed_at=utcnow(),
    ), status


@bp.get("/referrals/<int:referral_id>")
@unit_of_work
def referral(referral_id: int):
    referral = services.get_for_bank_or_404(referral_id, g.bank, *_dossier_options())
    return _page(referral, loaded=True)


@bp.get("/referrals/<int:referral_id>/documents/<int:document_id>/file")
@unit_of_work
def document_file(referral_id: int, document_id: int):
    """A verified legality document's scan (SIKP item 5), for this bank while the member's
    consent stands; 404 for another bank, after withdrawal, or an unverified document."""
    referral = services.get_for_bank_or_404(referral_id, g.bank, joinedload(Referral.consents))
    doc = services.dossier.verified_scan(referral, document_id)
    audit.record(
        "bank_portal.document_downloaded",
        actor=current_user,
        role="bank_officer",
        chapter=referral.chapter,
        bank_id=g.bank.id,
        target=referral,
        document_id=doc.id,
    )
    return uploads.send_stored(doc.file_key, mime=doc.file_mime, download_name=doc.original_name)


def _act(referral_id: int, action: str, form, values=None):
    """Apply one bank action through the service; errors re-render the page plainly."""
    referral = _referral(referral_id)
    if not form.validate_on_submit():
        return _page(referral, forms={action: form}, status=400)
    with domain_errors(show=False) as refused:
        services.bank_action(
            referral,
            action,
            actor=current_user,
            role="bank_officer",
            note=form.note.data,
            **(values(form) if values else {}),
        )
        flash(_("Tersimpan: %(status)s.", status=status_label(referral.status)), "success")
        return redirect(url_for("bank_portal.referral", referral_id=referral_id))
    # A refused amount, tenor or rate is marked on its field; anything else (the note too)
    # is said above the forms.
    name = {"rate_bp": "rate_percent"}.get(refused.field, refused.field or "")
    field = getattr(form, name, None)
    if (
        field is not None
        and hasattr(field, "errors")
        and (refused.field, action)
        != (
            "note",
            "request_info",
        )
    ):
        field.errors = [*field.errors, refused.message]
        return _page(_referral(referral_id), forms={action: form}, status=refused.status)
    return _page(
        _referral(referral_id),
        forms={action: form},
        error=refused.message,
        status=refused.status,
    )


@bp.post("/referrals/<int:referral_id>/acknowledge")
@unit_of_work
def acknowledge(referral_id: int):
    return _act(referral_id, "acknowledge", FORMS["acknowledge"]())


@bp.post("/referrals/<int:referral_id>/request-info")
@unit_of_work
def request_info(referral_id: int):
    return _act(referral_id, "request_info", FORMS["request_info"]())


def _approval_terms(form) -> dict:
    return {
        "amount_idr": form.amount_idr.data,
        "tenor_months": form.tenor_months.data,
        "rate_bp": rate_bp(form.rate_percent.data),
        "confirm_above_requested": bool(form.confirm_above_requested.data),
    }


@bp.post("/referrals/<int:referral_id>/approve")
@unit_of_work
def approve(referral_id: int):
    """Two steps ("check your answers"): the first POST checks the terms against the KUR
    rules and shows them as the member will see them; only the POST that carries the
    confirmed values (``appr-confirmed``) records the decision. "Change" goes back to the
    form with the values kept."""
    form = FORMS["approve"]()
    if request.form.get("appr-confirmed") == "1":
        return _act(referral_id, "approve", form, values=_approval_terms)
    referral = _referral(referral_id)
    if request.form.get("appr-change") == "1" or not form.validate_on_submit():
        status = 200 if request.form.get("appr-change") == "1" else 400
        if status == 200:
            form.validate_on_submit()  # the values come back; nothing to mark yet
            for f in form:
                f.errors = []
        return _page(referral, forms={"approve": form}, status=status)
    with domain_errors(show=False) as refused:
        terms = services.check_approval(referral, **_approval_terms(form))
        return render_template(
            "referrals/bank_approve_confirm.html",
            bank=g.bank,
            referral=referral,
            form=form,
            terms=terms,
            rate_text=format_percent_bp(terms["approved_rate_bp"]),
        )
    field = getattr(form, {"rate_bp": "rate_percent"}.get(refused.field, refused.field or ""), None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, refused.message]
        return _page(referral, forms={"approve": form}, status=refused.status)
    return _page(referral, forms={"approve": form}, error=refused.message, status=refused.status)


@bp.post("/referrals/<int:referral_id>/reject")
@unit_of_work
def reject(referral_id: int):
    """Two steps, as approve: the first POST checks the reason and note and shows the
    decision as the member will read it (nothing changes); only the confirming POST
    (``confirm=1``) rejects. "Change" (``rej-change``) goes back with the reason kept."""
    form = FORMS["reject"]()
    if confirmed():
        return _act(referral_id, "reject", form, values=lambda f: {"reason": f.reason.data})
    referral = _referral(referral_id)
    change = request.form.get("rej-change") == "1"
    if change or not form.validate_on_submit():
        if change:
            form.validate_on_submit()  # the values come back; nothing to mark yet
            for f in form:
                f.errors = []
        return _page(referral, forms={"reject": form}, status=200 if change else 400)
    with domain_errors(show=False) as refused:
        services.check_rejection(referral, reason=form.reason.data, note=form.note.data)
        return render_template(
            "referrals/bank_reject_confirm.html",
            bank=g.bank,
            referral=referral,
            form=form,
            reason_label=REJECT_REASON_LABELS.get(form.reason.data, form.reason.data),
        )
    field = getattr(form, refused.field or "", None)
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, refused.message]
        return _page(referral, forms={"reject": form}, status=refused.status)
    return _page(referral, forms={"reject": form}, error=refused.message, status=refused.status)


@bp.post("/referrals/<int:referral_id>/disburse")
@unit_of_work
def disburse(referral_id: int):
    return _act(referral_id, "disburse", FORMS["disburse"]())
