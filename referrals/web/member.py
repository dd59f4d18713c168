"""The member's KUR referrals: /business/referrals/...

Consent is given here, on a screen of its own (UU 27/2022 art. 22): the named bank, the
purpose, the exact fields, the retention period, and an unticked box. Every referral is
loaded through ``referral_of_member_or_404``: another member's referral is 404.
"""

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.accounts.forms import ConfirmForm
from marketplace.businesses.models import Business
from marketplace.businesses.scope import owner_business_or_404
from marketplace.core.errors import NotFound
from marketplace.core.ids import parse_id
from marketplace.core.numbers import parse_amount_idr
from marketplace.core.pagination import keyset_page
from marketplace.core.security import mark_no_store
from marketplace.core.statemachine import can
from marketplace.core.views import domain_errors, unit_of_work
from referrals import services
from referrals.models import PURPOSE_KINDS, SCHEMES, ConsentReceipt, Referral
from referrals.web import TEMPLATES
from referrals.web.forms import AnswerForm, ConsentForm, WithdrawForm

bp = Blueprint(
    "referrals_member", __name__, url_prefix="/business/referrals", template_folder=TEMPLATES
)


@bp.before_request
@login_required
def require_login():
    return None


def _referral(referral_id: int) -> Referral:
    return services.referral_of_member_or_404(current_user, referral_id)


@bp.get("/")
@unit_of_work
def index():
    referrals = keyset_page(
        select(Referral)
        .join(Business, Business.id == Referral.business_id)
        .where(services.member_businesses(current_user))
        .options(joinedload(Referral.bank)),
        (Referral.created_at, Referral.id),
        request.args.get("page"),
    )
    return render_template("referrals/member_index.html", referrals=referrals)


def _show(referral: Referral, *, consent_form=None, answer_form=None, error=None, status=200):
    text, digest = services.consent_text(referral)
    return render_template(
        "referrals/member_show.html",
        referral=referral,
        consent=referral.active_consent,
        consent_form=consent_form or ConsentForm(),
        answer_form=answer_form or AnswerForm(),
        decline_form=WithdrawForm(prefix="wd"),
        consent_text=text,
        consent_hash=digest,
        screen=services.screen_for(referral),
        disclaimer=services.DISCLAIMER,
        receipts=referral.consents,
        shared_fields=services.SHARED_FIELDS,
        retention_days=services.RETENTION_DAYS,
        error=error,
    ), status


@bp.get("/ready")
@unit_of_work
def ready():
    """ "Am I ready for KUR?": the same pre-screen the lead and the bank see, for a loan the
    member describes (defaults: KUR Mikro, Rp25 juta, 24 months of working capital), with
    what to do for each failing rule. Nothing is saved or shared."""
    business = owner_business_or_404(current_user)
    args = request.args
    scheme = args.get("scheme") if args.get("scheme") in SCHEMES else "mikro"
    kind = args.get("purpose_kind") if args.get("purpose_kind") in PURPOSE_KINDS else "kmk"
    try:
        amount = parse_amount_idr(args.get("amount_idr") or "25000000")
    except (TypeError, ValueError):
        amount = 25_000_000
    tenor_text = (args.get("tenor_months") or "24").strip()
    tenor = int(tenor_text) if tenor_text.isdigit() and 0 < int(tenor_text) <= 240 else 24
    held = [k for k in args.getlist("credit_held") if k in services.CREDIT_QUESTIONS]
    declared = bool(args.get("no_other_credit"))
    screen = services.pre_screen(
        business,
        scheme_code=scheme,
        amount_idr=amount,
        tenor_months=tenor,
        purpose_kind=kind,
        no_other_credit=declared,
        credit_held=held,
    )
    return render_template(
        "referrals/member_ready.html",
        business=business,
        screen=screen,
        disclaimer=services.DISCLAIMER,
        asked={
            "scheme": scheme,
            "amount_idr": amount,
            "tenor_months": tenor,
            "purpose_kind": kind,
            "credit_held": held,
            "no_other_credit": declared,
        },
    )


@bp.get("/<int:referral_id>/receipts/<int:receipt_id>")
@unit_of_work
def receipt(referral_id: int, receipt_id: int):
    """One consent receipt as a text file: the exact text agreed to, version, hash, times."""
    referral = _referral(referral_id)
    found = next((c for c in referral.consents if c.id == parse_id(receipt_id)), None)
    if not isinstance(found, ConsentReceipt):
        raise NotFound()
    mark_no_store()
    response = Response(services.receipt_document(found), mimetype="text/plain")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="bukti-persetujuan-{found.id}.txt"'
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/<int:referral_id>")
@unit_of_work
def show(referral_id: int):
    """Draft: the consent screen. Later: status, notes, the bank's questions."""
    return _show(_referral(referral_id))


@bp.post("/<int:referral_id>/consent")
@unit_of_work
def consent(referral_id: int):
    """Explicit consent: only a ticked box counts; anything else changes nothing (400)."""
    referral = _referral(referral_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        return _show(referral, consent_form=form, status=400)
    with domain_errors(show=False) as refused:
        services.give_consent(
            current_user,
            referral,
            agreed=form.agree.data,
            ip=request.remote_addr,
            no_other_credit=form.no_other_credit.data,
            credit_held=form.credit_held.data or (),
        )
        flash(
            _(
                "Terima kasih. Persetujuan Anda tercatat; pengurus chapter akan mengirim "
                "rujukan ke %(bank)s.",
                bank=referral.bank.name,
            ),
            "success",
        )
        return redirect(url_for("referrals_member.show", referral_id=referral.id))
    # The unticked box is marked on the box itself; any other refusal above the form.
    if refused.field == "agree":
        form.agree.errors = [refused.message]
        return _show(_referral(referral_id), consent_form=form, status=refused.status)
    return _show(
        _referral(referral_id), consent_form=form, error=refused.message, status=refused.status
    )


@bp.post("/<int:referral_id>/decline")
@unit_of_work
def decline(referral_id: int):
    """The member says no to a draft: the referral is withdrawn, nothing is shared."""
    referral = _referral(referral_id)
    form = WithdrawForm(prefix="wd")
    if form.validate_on_submit() and can(referral, "consent"):
        with domain_errors():
            services.withdraw(
                referral,
                actor=current_user,
                role="sme_owner",
                note=(form.note.data or "").strip() or None,
            )
            flash(_("Rujukan dibatalkan. Data Anda tidak dikirim ke bank."), "success")
    else:
        flash(_("Rujukan ini tidak bisa dibatalkan di sini."), "error")
    return redirect(url_for("referrals_member.show", referral_id=referral_id))


@bp.post("/<int:referral_id>/answer")
@unit_of_work
def answer(referral_id: int):
    referral = _referral(referral_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        return _show(referral, answer_form=form, status=400)
    with domain_errors(show=False) as refused:
        services.answer_info(current_user, referral, form.answer.data)
        flash(_("Jawaban Anda terkirim ke %(bank)s.", bank=referral.bank.name), "success")
        return redirect(url_for("referrals_member.show", referral_id=referral.id))
    return _show(
        _referral(referral_id), answer_form=form, error=refused.message, status=refused.status
    )


@bp.route("/<int:referral_id>/withdraw-consent", methods=["GET", "POST"])
@unit_of_work
def withdraw_consent(referral_id: int):
    """Asks once more, then withdraws: the bank loses access at once and is told."""
    referral = _referral(referral_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with domain_errors():
            services.withdraw_consent(current_user, referral)
            flash(
                _(
                    "Persetujuan ditarik. %(bank)s tidak bisa lagi membuka data Anda.",
                    bank=referral.bank.name,
                ),
                "success",
            )
        return redirect(url_for("referrals_member.show", referral_id=referral_id))
    return render_template(
        "referrals/member_withdraw_consent.html",
        referral=referral,
        consent=referral.active_consent,
        form=form,
    )
