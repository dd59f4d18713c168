"""KUR referrals in the lead console: /lead/<chapter_slug>/referrals/...

The chapter comes from the URL (``lead_blueprint``); every referral and member is loaded
inside that chapter, and anything outside it answers 404 and is logged.
"""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace.businesses.models import Business
from marketplace.core.pagination import keyset_page
from marketplace.core.tenancy import get_in_chapter_or_404, lead_blueprint, scoped_select
from marketplace.core.timeutil import utcnow
from marketplace.core.views import confirmed, domain_errors, unit_of_work
from referrals import services
from referrals.models import Referral
from referrals.web import TEMPLATES, answer_out_of_scope
from referrals.web.forms import EndorseForm, OpenReferralForm, WithdrawForm

bp = lead_blueprint("lead_referrals", __name__, url_prefix="/referrals")
bp.template_folder = TEMPLATES
answer_out_of_scope(bp, "out_of_chapter", lambda: {"chapter": g.chapter.slug})


def _referral(referral_id: int) -> Referral:
    return services.referral_in_chapter_or_404(g.chapter, referral_id)


@bp.get("/")
@unit_of_work
def index():
    """The chapter's referrals, with the SLA flag, and the lead's quota this month."""
    referrals = keyset_page(
        select(Referral)
        .where(Referral.chapter_id == g.chapter.id)
        .options(joinedload(Referral.business), joinedload(Referral.bank)),
        (Referral.created_at, Referral.id),
        request.args.get("page"),
    )
    now = utcnow()
    return render_template(
        "referrals/lead_index.html",
        chapter=g.chapter,
        referrals=referrals,
        late=services.overdue_among(referrals, now),
        used=services.endorsements_this_month(current_user.id),
        quota=services.quota_for(current_user.id),
    )


def _open_page(business: Business | None):
    """The "open a referral" form for one member of this chapter."""
    if business is None:
        members = keyset_page(
            scoped_select(Business),
            (Business.name, Business.id),
            request.args.get("page"),
            per_page=50,
            descending=False,
        )
        return render_template(
            "referrals/lead_pick_member.html", chapter=g.chapter, members=members
        )
    banks = services.banks_serving(g.chapter)
    form = OpenReferralForm()
    form.bank_id.choices = [(b.id, b.name) for b in banks]
    status = 200
    if form.validate_on_submit():
        bank = next(b for b in banks if b.id == form.bank_id.data)
        # Only a bank offering both variants lets the lead choose; otherwise the bank's own.
        sharia = bank.sharia and (not bank.conventional or form.variant.data == "syariah")
        data = services.ReferralInput(
            bank_id=bank.id,
            scheme=form.scheme.data,
            amount_idr=form.amount_idr.data,
            tenor_months=form.tenor_months.data,
            purpose=form.purpose.data,
            purpose_kind=form.purpose_kind.data,
            sharia=sharia,
            no_other_credit=form.no_other_credit.data,
            credit_held=tuple(form.credit_held.data or ()),
        )
        with domain_errors(form) as refused:
            referral = services.open_referral(g.chapter, business.id, data, lead=current_user)
            flash(_("Rujukan dibuat. Anggota diminta memberi persetujuan lebih dulu."), "success")
            return redirect(url_for("lead_referrals.show", referral_id=referral.id))
        status = refused.status
    elif form.is_submitted():
        status = 400
    return render_template(
        "referrals/lead_new.html",
        chapter=g.chapter,
        business=business,
        banks=banks,
        form=form,
    ), status


@bp.route("/new", methods=["GET", "POST"])
@unit_of_work
def new():
    """/new?member=<business_id>; without a member, a list to choose from."""
    member = request.args.get("member")
    business = get_in_chapter_or_404(Business, member) if member else None
    return _open_page(business)


@bp.route("/members/<int:business_id>/new", methods=["GET", "POST"])
@unit_of_work
def new_for_member(business_id: int):
    return _open_page(get_in_chapter_or_404(Business, business_id))


def _show(
    referral: Referral, *, endorse_form=None, withdraw_form=None, send_error=None, status=200
):
    screen = services.screen_for(referral)
    late, ack_due = services.sla_state(referral, utcnow())
    return render_template(
        "referrals/lead_show.html",
        chapter=g.chapter,
        referral=referral,
        screen=screen,
        disclaimer=services.DISCLAIMER,
        consent=referral.active_consent,
        withdrawn_consents=[c for c in referral.consents if c.withdrawn_at is not None],
        endorse_form=endorse_form or EndorseForm(),
        withdraw_form=withdraw_form or WithdrawForm(prefix="wd"),
        send_error=send_error,
        can_withdraw=(referral.status, "withdraw") in Referral.TRANSITIONS,
        late=late,
        ack_due=ack_due,
        used=services.endorsements_this_month(current_user.id),
        quota=services.quota_for(current_user.id),
    ), status


@bp.get("/<int:referral_id>")
@unit_of_work
def show(referral_id: int):
    """Pre-screen, consent, endorsement and the history of one referral."""
    return _show(_referral(referral_id))


@bp.post("/<int:referral_id>/send")
@unit_of_work
def send(referral_id: int):
    """Endorse and send: refused plainly when quota, pre-screen or status say no."""
    referral = _referral(referral_id)
    form = EndorseForm()
    if not form.validate_on_submit():
        return _show(referral, endorse_form=form, status=400)
    # The refusal is shown above the form, whichever rule said no.
    with domain_errors(show=False) as refused:
        services.endorse_and_send(
            referral, lead=current_user, recommendation=form.recommendation.data
        )
        flash(_("Rekomendasi terkirim ke %(bank)s.", bank=referral.bank.name), "success")
        return redirect(url_for("lead_referrals.show", referral_id=referral.id))
    return _show(
        _referral(referral_id),
        endorse_form=form,
        send_error=refused.message,
        status=refused.status,
    )


@bp.post("/<int:referral_id>/withdraw")
@unit_of_work
def withdraw(referral_id: int):
    """Two steps ("check your answers"): the first POST shows the member, bank, amount and
    the reason typed (nothing changes); only the confirming POST (``confirm=1``) withdraws.
    "Change" (``wd-change``) goes back to the referral with the reason kept."""
    referral = _referral(referral_id)
    form = WithdrawForm(prefix="wd")
    if request.form.get("wd-change") == "1":
        form.validate_on_submit()
        return _show(referral, withdraw_form=form)
    if not form.validate_on_submit():
        flash(_("Alasan terlalu panjang."), "error")
        return redirect(url_for("lead_referrals.show", referral_id=referral.id))
    if not confirmed():
        with domain_errors():
            services.check_withdrawal(referral)
            return render_template(
                "referrals/lead_withdraw_confirm.html",
                chapter=g.chapter,
                referral=referral,
                form=form,
            )
        return redirect(url_for("lead_referrals.show", referral_id=referral_id))
    with domain_errors():
        services.withdraw(
            referral, actor=current_user, role="lead", note=(form.note.data or "").strip() or None
        )
        flash(_("Rujukan ditarik."), "success")
    return redirect(url_for("lead_referrals.show", referral_id=referral_id))
