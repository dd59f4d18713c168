"""The lead's side: open a referral for a member of the chapter, endorse and send it once
the member has consented (within the monthly quota and after the pre-screen), or withdraw it."""

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from marketplace.businesses.conflict import refuse_own
from marketplace.chapters.models import Chapter
from marketplace.core import audit
from marketplace.core.errors import (
    DomainError,
    IllegalTransition,
    NotFound,
    ValidationFailed,
)
from marketplace.core.ids import parse_id
from marketplace.core.models import rowcount
from marketplace.core.money import MAX_LOAN_IDR, require_amount
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.extensions import db
from marketplace.notifications.services import notify
from referrals.models import PURPOSE_KINDS, Bank, EndorsementQuota, Referral, bank_chapter
from referrals.services.consent import tell_bank_if_it_knew
from referrals.services.eligibility import CREDIT_QUESTIONS, current_scheme, screen_for
from referrals.services.links import external_url
from referrals.services.records import track_records
from referrals.services.scope import leads_chapter, member_in_chapter_or_404

# A lead's monthly endorsements before any approval; the app's REFERRAL_BASE_QUOTA overrides.
BASE_QUOTA = 3


class QuotaExceeded(DomainError):
    code = "quota_exceeded"


class PreScreenFailed(DomainError):
    code = "pre_screen_failed"


@dataclass
class ReferralInput:
    bank_id: int
    scheme: str
    amount_idr: int
    tenor_months: int
    purpose: str
    sharia: bool = False
    no_other_credit: bool = False
    purpose_kind: str = "kmk"  # working capital (KMK) or investment (KI)
    # The other-credit declaration by kind (eligibility.CREDIT_QUESTIONS), as on the
    # member's consent form: the kinds the member says they hold.
    credit_held: tuple = ()


def banks_serving(chapter: Chapter) -> list[Bank]:
    """Partner banks serving ``chapter``, by name."""
    return list(
        db.session.scalars(
            select(Bank)
            .join(bank_chapter, bank_chapter.c.bank_id == Bank.id)
            .where(bank_chapter.c.chapter_id == chapter.id)
            .order_by(Bank.name)
        )
    )


def open_referral(chapter: Chapter, business_id, data: ReferralInput, *, lead) -> Referral:
    """A lead of the member's chapter opens a draft referral (never for themselves)."""
    business = member_in_chapter_or_404(chapter, business_id)
    refuse_own(
        business,
        lead,
        _l("Pengurus tidak boleh merekomendasikan usahanya sendiri. Minta pengurus lain."),
    )
    bank = db.session.get(Bank, parse_id(data.bank_id))
    if bank is None or chapter not in bank.chapters:
        raise ValidationFailed(_l("Pilih bank yang melayani chapter ini."), field="bank_id")
    if data.scheme not in (bank.schemes or []):
        raise ValidationFailed(_l("Bank ini tidak menyalurkan skema tersebut."), field="scheme")
    if data.sharia and not bank.sharia or not data.sharia and not bank.conventional:
        raise ValidationFailed(_l("Bank ini tidak menyediakan varian tersebut."), field="sharia")
    scheme = current_scheme(data.scheme)
    if scheme is None:
        raise ValidationFailed(_l("Skema KUR tidak dikenal."), field="scheme")
    require_amount(
        data.amount_idr, maximum=MAX_LOAN_IDR, message=_l("Jumlah pinjaman harus angka rupiah.")
    )
    if (
        not isinstance(data.tenor_months, int)
        or not 1 <= data.tenor_months <= scheme.max_tenor_ki_months
    ):
        raise ValidationFailed(
            _l("Tenor 1 sampai %(n)d bulan.", n=scheme.max_tenor_ki_months), field="tenor_months"
        )
    if data.purpose_kind not in PURPOSE_KINDS:
        raise ValidationFailed(_l("Pilih modal kerja atau investasi."), field="purpose_kind")
    held = sorted(set(data.credit_held or ()))
    if any(kind not in CREDIT_QUESTIONS for kind in held):
        raise ValidationFailed(_l("Jenis kredit tidak dikenal."), field="credit_held")
    purpose = (data.purpose or "").strip()
    if not 10 <= len(purpose) <= 1000:
        raise ValidationFailed(_l("Tulis tujuan pinjaman (minimal 10 karakter)."), field="purpose")
    referral = Referral(
        business_id=business.id,
        chapter_id=chapter.id,
        bank_id=bank.id,
        lead_id=lead.id,
        scheme=data.scheme,
        sharia=bool(data.sharia),
        amount_idr=data.amount_idr,
        tenor_months=data.tenor_months,
        purpose=purpose,
        purpose_kind=data.purpose_kind,
        no_other_credit=bool(data.no_other_credit),
        credit_held=held,
    )
    db.session.add(referral)
    db.session.flush()
    audit.record(
        "referral.opened",
        actor=lead,
        role="lead",
        chapter=chapter,
        bank_id=bank.id,
        target=referral,
    )
    notify(
        business.owner_id,
        "referral_consent_needed",
        bank=bank.name,
        link=external_url("referrals_member.show", referral_id=referral.id),
    )
    return referral


def quota_for(lead_id: int) -> int:
    """Monthly endorsements allowed: the base, plus more as the lead's approval rate grows."""
    base = current_app.config.get("REFERRAL_BASE_QUOTA", BASE_QUOTA)
    record = track_records([lead_id]).get(lead_id)
    rate = record.approval_rate if record else 0.0
    return base + round(base * rate)


def endorsements_this_month(lead_id: int, now=None) -> int:
    """Referrals the lead has sent since the 1st of this month (Jakarta time)."""
    now = (now or utcnow()).astimezone(JAKARTA)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    sent = db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.lead_id == lead_id, Referral.sent_at >= start
        )
    )
    return sent or 0


def take_endorsement(lead_id: int, quota: int, now=None) -> bool:
    """Take one of the lead's endorsements this month, atomically; False when none is left.

    The counter row (lead, month) is created once, from the referrals already sent that
    month, by an INSERT that does nothing when a concurrent send created it first; then one
    conditional UPDATE takes a unit only while ``used < quota``. Concurrent sends wait on the
    row (PostgreSQL's row lock, SQLite's single writer) and then see the new count, so
    exactly ``quota`` of them pass. The unit belongs to the caller's transaction: a send that
    fails later (the pre-screen) rolls it back with everything else."""
    now = (now or utcnow()).astimezone(JAKARTA)
    month = now.date().replace(day=1)
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(EndorsementQuota)
        .values(lead_id=lead_id, month=month, used=endorsements_this_month(lead_id, now))
        .on_conflict_do_nothing(index_elements=["lead_id", "month"])
    )
    taken = rowcount(
        db.session.execute(
            update(EndorsementQuota)
            .where(
                EndorsementQuota.lead_id == lead_id,
                EndorsementQuota.month == month,
                EndorsementQuota.used < quota,
            )
            .values(used=EndorsementQuota.used + 1)
            .execution_options(synchronize_session=False)
        )
    )
    return taken == 1


def endorse_and_send(referral: Referral, *, lead, recommendation: str) -> None:
    """The lead endorses a consented referral and it goes to the bank."""
    if referral.lead_id != lead.id and not leads_chapter(referral.chapter_id, lead.id):
        raise NotFound()
    refuse_own(
        referral.business, lead, _l("Pengurus tidak boleh merekomendasikan usahanya sendiri.")
    )
    recommendation = (recommendation or "").strip()
    if not 20 <= len(recommendation) <= 3000:
        raise ValidationFailed(
            _l("Tulis rekomendasi Anda (minimal 20 karakter): mengapa anggota ini siap?"),
            field="recommendation",
        )
    if referral.status != "consented":
        raise IllegalTransition(
            _l("Rujukan hanya bisa dikirim setelah anggota memberi persetujuan."),
            state=referral.status,
            action="send",
        )
    quota = quota_for(lead.id)
    if not take_endorsement(lead.id, quota):
        raise QuotaExceeded(
            _l(
                "Kuota rekomendasi Anda bulan ini sudah habis (%(n)d). Kuota "
                "bertambah jika rekomendasi Anda disetujui bank.",
                n=quota,
            )
        )
    screen = screen_for(referral)
    if not screen.passed:
        raise PreScreenFailed(
            _l(
                "Pra-penilaian belum lolos: %(why)s",
                why="; ".join(str(r.reason) for r in screen.failed()),
            )
        )
    apply_transition(
        referral,
        "send",
        actor=lead,
        role="lead",
        note=recommendation,
        recommendation=recommendation,
        sent_at=utcnow(),
    )
    audit.record(
        "referral.sent",
        actor=lead,
        role="lead",
        chapter=referral.chapter,
        bank_id=referral.bank_id,
        target=referral,
    )
    link = external_url(
        "bank_portal.referral", bank_slug=referral.bank.slug, referral_id=referral.id
    )
    for officer in referral.bank.officers:
        notify(
            officer.user_id,
            "referral_sent",
            id=referral.id,
            chapter=referral.chapter.name,
            link=link,
        )


def check_withdrawal(referral: Referral) -> None:
    """Whether the referral can still be withdrawn, nothing written (the lead's "check your
    answers" page asks before showing the withdrawal)."""
    if (referral.status, "withdraw") not in Referral.TRANSITIONS:
        raise IllegalTransition(
            _l("Tindakan ini tidak bisa dilakukan pada status saat ini."),
            state=referral.status,
            action="withdraw",
        )


def withdraw(referral: Referral, *, actor, role: str, note: str | None = None) -> None:
    """The member or the lead withdraws before a decision."""
    apply_transition(referral, "withdraw", actor=actor, role=role, note=note)
    audit.record(
        "referral.withdrawn",
        actor=actor,
        role=role,
        chapter=referral.chapter,
        bank_id=referral.bank_id,
        target=referral,
    )
    tell_bank_if_it_knew(referral)
