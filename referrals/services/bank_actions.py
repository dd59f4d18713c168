"""The bank decides: acknowledge, request information (and the member's answer), approve
within the decision bounds, reject with a reason, disburse. Portal and API call this."""

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.assist import services as assist
from marketplace.assist.models import AssistTask
from marketplace.core import audit
from marketplace.core.errors import IllegalTransition, NotFound, ValidationFailed
from marketplace.core.money import format_rupiah
from marketplace.core.numbers import format_percent_bp
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import jakarta_today, utcnow
from marketplace.extensions import db
from marketplace.notifications.services import notify
from referrals.models import REJECT_REASONS, KurScheme, Referral, ReferralStatus
from referrals.services.bounds import AMOUNT_IDR, RATE_BP, TENOR_MONTHS, Bound
from referrals.services.eligibility import current_scheme
from referrals.services.links import external_url

PURPOSE_KIND_LABELS = {"kmk": _l("modal kerja (KMK)"), "ki": _l("investasi (KI)")}
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
    confirm_above_requested=False,
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
        _require_transition(referral, action)
        changes.update(
            check_approval(
                referral,
                amount_idr=amount_idr,
                tenor_months=tenor_months,
                rate_bp=rate_bp,
                confirm_above_requested=confirm_above_requested,
            ),
            decided_at=now,
        )
    elif action == "reject":
        check_rejection(referral, reason=reason, note=note)
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


def check_rejection(referral: Referral, *, reason, note: str | None) -> None:
    """A rejection's reason and note checked, nothing written: the portal's "check your
    answers" page calls it before showing the decision, bank_action again to record it."""
    if referral.active_consent is None:
        raise NotFound()
    if reason not in REJECT_REASONS:
        raise ValidationFailed(_l("Pilih alasan penolakan."), field="reason")
    if reason == "lainnya" and not (note or "").strip():
        _require_transition(referral, "reject")
        raise ValidationFailed(
            _l("Alasan lain: tulis penjelasannya di catatan, anggota membacanya."),
            field="note",
            rule="reason_other_needs_note",
        )
    _require_transition(referral, "reject")


def _require_transition(referral: Referral, action: str) -> None:
    """An action the status does not allow is refused as such before its values are read."""
    if (referral.status, action) not in Referral.TRANSITIONS:
        raise IllegalTransition(
            _l("Tindakan ini tidak bisa dilakukan pada status saat ini."),
            state=referral.status,
            action=action,
        )


def access_number(referral: Referral) -> int:
    """Which KUR this would be for the borrower: 1 + the credits already disbursed to the
    business through the network (the bank checks SIKP for KUR from elsewhere)."""
    earlier = db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.business_id == referral.business_id,
            Referral.id != referral.id,
            Referral.status == ReferralStatus.DISBURSED,
        )
    )
    return (earlier or 0) + 1


def scheme_rate_bp(scheme: KurScheme, access: int, *, sharia: bool) -> int | None:
    """The borrower's rate (or sharia margin) for the ``access``-th KUR, from the rules table:
    the entry for that access number, else the last numbered one below it (graduated
    tables stop at the cap), else the flat "*" entry."""
    rates = (scheme.sharia_rates_bp if sharia else None) or scheme.rates_bp or {}
    numbered = sorted(int(k) for k in rates if str(k).isdigit() and int(k) <= access)
    if str(access) in rates:
        return int(rates[str(access)])
    if numbered:
        return int(rates[str(numbered[-1])])
    return int(rates["*"]) if "*" in rates else None


def check_approval(
    referral: Referral,
    *,
    amount_idr,
    tenor_months,
    rate_bp,
    confirm_above_requested=False,
    on: date | None = None,
) -> dict:
    """An approval's terms checked against the KUR rules in force on the decision date;
    returns the columns to write, or raises ValidationFailed naming the rule, the allowed
    range and the field. The portal calls it for its summary, bank_action to record."""
    amount_idr = _within(amount_idr, "amount_idr", AMOUNT_IDR)
    tenor_months = _within(tenor_months, "tenor_months", TENOR_MONTHS)
    rate_bp = _within(rate_bp, "rate_bp", RATE_BP)
    on = on or jakarta_today()
    scheme = current_scheme(referral.scheme, on)
    if scheme is None:
        raise ValidationFailed(
            _l("Tidak ada aturan KUR yang berlaku untuk skema ini pada tanggal keputusan."),
            field="amount_idr",
            rule="scheme",
        )
    if not scheme.min_idr <= amount_idr <= scheme.max_idr:
        raise ValidationFailed(
            _l(
                "Di luar plafon %(scheme)s: jumlah harus %(min)s sampai %(max)s.",
                scheme=scheme.name,
                min=format_rupiah(scheme.min_idr),
                max=format_rupiah(scheme.max_idr),
            ),
            field="amount_idr",
            rule="plafon",
            minimum=scheme.min_idr,
            maximum=scheme.max_idr,
        )
    if amount_idr > referral.amount_idr and confirm_above_requested is not True:
        raise ValidationFailed(
            _l(
                "Jumlah disetujui melebihi yang diajukan (%(requested)s). Jika memang "
                "disengaja, centang konfirmasi jumlah lebih tinggi.",
                requested=format_rupiah(referral.amount_idr),
            ),
            field="amount_idr",
            rule="above_requested",
            minimum=AMOUNT_IDR.minimum,
            maximum=referral.amount_idr,
        )
    kind = referral.purpose_kind or "kmk"
    tenor_max = min(
        TENOR_MONTHS.maximum,
        scheme.max_tenor_ki_months if kind == "ki" else scheme.max_tenor_kmk_months,
    )
    if tenor_months > tenor_max:
        raise ValidationFailed(
            _l(
                "Tenor %(kind)s %(scheme)s paling lama %(max)d bulan (boleh 1 sampai "
                "%(max)d bulan).",
                kind=PURPOSE_KIND_LABELS[kind],
                scheme=scheme.name,
                max=tenor_max,
            ),
            field="tenor_months",
            rule="tenor_" + kind,
            minimum=TENOR_MONTHS.minimum,
            maximum=tenor_max,
        )
    access = access_number(referral)
    expected = scheme_rate_bp(scheme, access, sharia=referral.sharia)
    if expected is None:
        raise ValidationFailed(
            _l("Aturan KUR ini tidak punya bunga untuk akses ke-%(n)d.", n=access),
            field="rate_bp",
            rule="rate",
        )
    tolerance = max(0, scheme.rate_tolerance_bp or 0)
    low, high = max(RATE_BP.minimum, expected - tolerance), expected + tolerance
    if not low <= rate_bp <= high:
        allowed = (
            format_percent_bp(low) + "%"
            if low == high
            else f"{format_percent_bp(low)}% - {format_percent_bp(high)}%"
        )
        raise ValidationFailed(
            _l(
                "%(what)s %(scheme)s untuk KUR ke-%(n)d adalah %(allowed)s per tahun "
                "(diisi %(given)s%%).",
                what=_l("Marjin syariah") if referral.sharia else _l("Bunga"),
                scheme=scheme.name,
                n=access,
                allowed=allowed,
                given=format_percent_bp(rate_bp),
            ),
            field="rate_bp",
            rule="rate",
            minimum=low,
            maximum=high,
        )
    return {
        "approved_amount_idr": amount_idr,
        "approved_tenor_months": tenor_months,
        "approved_rate_bp": rate_bp,
    }


def _within(value, field: str, bound: Bound) -> int:
    if value not in bound:
        raise ValidationFailed(
            _l("Isi angka yang benar (paling banyak %(max)s).", max=bound.maximum), field=field
        )
    return value


def answer_info(user, referral: Referral, answer: str) -> None:
    """The member answers the bank's request for information (or a helper the member
    granted "bank_reply" to, recorded as done for the member)."""
    grant = assist.check_helper(user, referral.business, AssistTask.BANK_REPLY)
    answer = (answer or "").strip()
    if not 3 <= len(answer) <= 3000:
        raise ValidationFailed(_l("Tulis jawaban untuk bank."), field="answer")
    apply_transition(
        referral,
        "answer_info",
        actor=user,
        role="helper" if grant else "sme_owner",
        note=answer,
        info_answer=answer,
    )
    assist.record_assisted(
        grant, user, referral.business, AssistTask.BANK_REPLY, "referral.info_answered", referral
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
