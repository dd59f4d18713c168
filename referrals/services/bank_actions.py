"""The bank decides: acknowledge, request information (and the member's answer), approve
within the decision bounds, reject with a reason, disburse. Portal and API call this."""

from typing import Any

from flask_babel import lazy_gettext as _l

from marketplace.core import audit
from marketplace.core.errors import NotFound, ValidationFailed
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import utcnow
from marketplace.notifications.services import notify
from referrals.models import REJECT_REASONS, Referral
from referrals.services.bounds import AMOUNT_IDR, RATE_BP, TENOR_MONTHS, Bound
from referrals.services.eligibility import current_scheme
from referrals.services.links import external_url
from referrals.services.scope import require_member

BANK_ACTIONS = ("acknowledge", "request_info", "approve", "reject", "disburse")
NOTE_MAX = 2000


def allowed_bank_actions(referral: Referral) -> list[str]:
    """The bank's actions the referral's status allows, in the usual order."""
    return [a for a in BANK_ACTIONS if (referral.status, a) in Referral.TRANSITIONS]


def bank_action(
    referral: Referral,
    action: str,
    *,
    actor,
    role: str = "bank_officer",
    note: str | None = None,
    amount_idr=None,
    tenor_months=None,
    rate_bp=None,
    reason=None,
) -> None:
    """acknowledge | request_info | approve | reject | disburse, for the bank in scope."""
    if action not in BANK_ACTIONS:
        raise ValidationFailed(_l("Tindakan tidak dikenal."), field="action")
    if referral.active_consent is None:
        raise NotFound()  # consent withdrawn: the bank has no access any more
    if note is not None and not isinstance(note, str):
        raise ValidationFailed(_l("Catatan harus berupa teks."), field="note")
    note = (note or "").strip()[:NOTE_MAX] or None
    changes: dict[str, Any] = {}
    now = utcnow()
    if action == "acknowledge":
        changes["acknowledged_at"] = now
    elif action == "request_info":
        if not note:
            raise ValidationFailed(_l("Tulis informasi apa yang dibutuhkan."), field="note")
        changes["info_request"] = note
    elif action == "approve":
        scheme = current_scheme(referral.scheme)
        amount_idr = _within(amount_idr, "amount_idr", AMOUNT_IDR)
        tenor_limit = scheme.max_tenor_ki_months if scheme else 60
        tenor_months = _within(
            tenor_months,
            "tenor_months",
            Bound(TENOR_MONTHS.minimum, min(TENOR_MONTHS.maximum, tenor_limit)),
        )
        rate_bp = _within(rate_bp, "rate_bp", RATE_BP)
        if amount_idr > referral.amount_idr:
            raise ValidationFailed(
                _l("Jumlah disetujui melebihi yang diajukan."), field="amount_idr"
            )
        changes.update(
            approved_amount_idr=amount_idr,
            approved_tenor_months=tenor_months,
            approved_rate_bp=rate_bp,
            decided_at=now,
        )
    elif action == "reject":
        if reason not in REJECT_REASONS:
            raise ValidationFailed(_l("Pilih alasan penolakan."), field="reason")
        changes.update(reject_reason=reason, decided_at=now)
    apply_transition(referral, action, actor=actor, role=role, note=note, **changes)
    audit.record(
        f"referral.{action}",
        actor=actor,
        role=role,
        chapter=referral.chapter,
        bank_id=referral.bank_id,
        target=referral,
    )
    member_link = external_url("referrals_member.show", referral_id=referral.id)
    lead_link = external_url(
        "lead_referrals.show", chapter_slug=referral.chapter.slug, referral_id=referral.id
    )
    for user_id in (referral.business.owner_id, referral.lead_id):
        notify(
            user_id,
            "referral_update",
            id=referral.id,
            status=referral.status,
            note=note or "",
            link=member_link if user_id == referral.business.owner_id else lead_link,
        )


def _within(value, field: str, bound: Bound) -> int:
    if value not in bound:
        raise ValidationFailed(
            _l("Isi angka yang benar (paling banyak %(max)s).", max=bound.maximum), field=field
        )
    return value


def answer_info(user, referral: Referral, answer: str) -> None:
    """The member answers the bank's request for information."""
    require_member(user, referral)
    answer = (answer or "").strip()
    if not 3 <= len(answer) <= 3000:
        raise ValidationFailed(_l("Tulis jawaban untuk bank."), field="answer")
    apply_transition(
        referral, "answer_info", actor=user, role="sme_owner", note=answer, info_answer=answer
    )
    link = external_url(
        "bank_portal.referral", bank_slug=referral.bank.slug, referral_id=referral.id
    )
    for officer in referral.bank.officers:
        notify(
            officer.user_id,
            "referral_update",
            id=referral.id,
            status=str(_l("Anggota menjawab")),
            note="",
            link=link,
        )
