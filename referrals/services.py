"""Referrals: opened by a chapter lead, consented by the member, endorsed and sent to a
partner bank, decided by the bank. Every rule (scope, consent, quota, transitions) is here,
so the portal, the bank API and the CLI behave the same."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from marketplace.businesses.models import Business
from marketplace.chapters.models import Chapter
from marketplace.core import audit
from marketplace.core.errors import (
    DomainError,
    IllegalTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from marketplace.core.ids import parse_id
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import JAKARTA, utcnow
from marketplace.extensions import db
from marketplace.mentoring.pathway import as_day
from marketplace.notifications.services import notify
from referrals.eligibility import current_scheme, pre_screen
from referrals.models import (
    REJECT_REASONS,
    Bank,
    BankOfficer,
    ConsentReceipt,
    Referral,
)

log = logging.getLogger("pasarkita.referrals")

# Registered on the app by init_app; the host's notify() knows only registered kinds.
MESSAGES = {
    "referral_consent_needed": _l(
        "Pengurus chapter membuka rujukan KUR ke %(bank)s untuk Anda. Baca dan beri "
        "persetujuan jika setuju."
    ),
    "referral_sent": _l("Rujukan KUR baru #%(id)s dari chapter %(chapter)s."),
    "referral_update": _l("Rujukan KUR #%(id)s: %(status)s. %(note)s"),
    "consent_withdrawn": _l(
        "Anggota menarik persetujuan untuk rujukan #%(id)s. Data tidak boleh dipakai lagi."
    ),
    "referral_sla": _l("Rujukan KUR #%(id)s belum diterima bank setelah 3 hari kerja."),
}

# "draft" and "rejected" are labelled by the host and read right for referrals too.
STATUS_LABELS = {
    "consented": _l("Disetujui anggota, menunggu rekomendasi"),
    "sent": _l("Terkirim ke bank"),
    "acknowledged": _l("Diterima bank"),
    "under_review": _l("Sedang dinilai bank"),
    "info_requested": _l("Bank meminta informasi"),
    "approved": _l("Kredit disetujui"),
    "disbursed": _l("Dana dicairkan"),
    "withdrawn": _l("Ditarik"),
}

CONSENT_VERSION = "2026-11-v2"
RETENTION_DAYS = 365
SHARED_FIELDS = (
    _l("Nama pemilik dan NIK lengkap"),
    _l("Profil usaha: nama, alamat, NIB, NPWP, skala, bidang, mulai usaha"),
    _l("Nomor WhatsApp usaha, agar bank bisa menghubungi Anda"),
    _l("Dokumen legalitas terverifikasi (nomor dan tanggal)"),
    _l("Ringkasan pemasukan dan pengeluaran bulanan 12 bulan terakhir"),
    _l("Ringkasan pesanan: jumlah, pembeli berulang, pesanan terkirim"),
    _l("Kehadiran pendampingan, evaluasi bulanan, dan perjalanan 7 PAS"),
    _l("Rekomendasi pengurus chapter dan rekam jejak rekomendasinya"),
)


class QuotaExceeded(DomainError):
    code = "quota_exceeded"


class PreScreenFailed(DomainError):
    code = "pre_screen_failed"


# --- scope ---------------------------------------------------------------------------------


def referral_in_chapter_or_404(chapter: Chapter, referral_id) -> Referral:
    referral = db.session.scalar(
        select(Referral).where(
            Referral.id == parse_id(referral_id), Referral.chapter_id == chapter.id
        )
    )
    if referral is None:
        raise NotFound()
    return referral


def referral_of_member_or_404(user, referral_id) -> Referral:
    referral = db.session.scalar(
        select(Referral)
        .join(Business, Business.id == Referral.business_id)
        .where(Referral.id == parse_id(referral_id), Business.owner_id == user.id)
    )
    if referral is None:
        raise NotFound()
    return referral


def bank_visible():
    """What a bank may see: its own referrals, sent, with consent for *that* bank still
    in force."""
    active = (
        select(ConsentReceipt.id)
        .where(
            ConsentReceipt.referral_id == Referral.id,
            ConsentReceipt.bank_id == Referral.bank_id,
            ConsentReceipt.withdrawn_at.is_(None),
        )
        .exists()
    )
    return select(Referral).where(Referral.status.in_(Referral.VISIBLE_TO_BANK), active)


def referral_for_bank_or_404(bank: Bank, referral_id) -> Referral:
    referral = db.session.scalar(
        bank_visible().where(Referral.id == parse_id(referral_id), Referral.bank_id == bank.id)
    )
    if referral is None:
        raise NotFound()
    return referral


def bank_referrals(
    bank: Bank, *, status: str | None = None, since: datetime | None = None, limit: int = 200
) -> list[Referral]:
    stmt = bank_visible().where(Referral.bank_id == bank.id)
    if status:
        stmt = stmt.where(Referral.status == status)
    if since is not None:
        # Oldest change first, so a bank polling with `since` pages forward without gaps.
        stmt = stmt.where(Referral.status_changed_at >= since).order_by(
            Referral.status_changed_at, Referral.id
        )
    else:
        stmt = stmt.order_by(Referral.sent_at.desc(), Referral.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))


def bank_of_officer(user, slug: str) -> Bank | None:
    return db.session.scalar(
        select(Bank)
        .join(BankOfficer, BankOfficer.bank_id == Bank.id)
        .where(Bank.slug == slug, BankOfficer.user_id == user.id)
    )


# --- the lead opens, the member consents, the lead endorses -----------------------------------


@dataclass
class ReferralInput:
    bank_id: int
    scheme: str
    amount_idr: int
    tenor_months: int
    purpose: str
    sharia: bool = False
    no_other_credit: bool = False


def banks_serving(chapter: Chapter) -> list[Bank]:
    from referrals.models import bank_chapter

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
    business = db.session.scalar(
        select(Business).where(
            Business.id == parse_id(business_id), Business.chapter_id == chapter.id
        )
    )
    if business is None:
        raise NotFound()
    if business.owner_id == lead.id:
        raise PermissionDenied(
            _l("Pengurus tidak boleh merekomendasikan usahanya sendiri. Minta pengurus lain.")
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
    if (
        not isinstance(data.amount_idr, int)
        or isinstance(data.amount_idr, bool)
        or data.amount_idr <= 0
    ):
        raise ValidationFailed(_l("Jumlah pinjaman harus angka rupiah."), field="amount_idr")
    if (
        not isinstance(data.tenor_months, int)
        or not 1 <= data.tenor_months <= scheme.max_tenor_ki_months
    ):
        raise ValidationFailed(
            _l("Tenor 1 sampai %(n)d bulan.", n=scheme.max_tenor_ki_months), field="tenor_months"
        )
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
        no_other_credit=bool(data.no_other_credit),
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
        link=f"/business/referrals/{referral.id}",
    )
    return referral


def consent_text(referral: Referral) -> tuple[str, str]:
    """(text, sha256) of exactly what the member agrees to, in Indonesian."""
    lines = [
        f"Versi {CONSENT_VERSION}",
        f"Penerima data: {referral.bank.name}",
        "Tujuan: pra-penilaian dan pengajuan Kredit Usaha Rakyat (KUR)",
        f"Jumlah diajukan: {format_rupiah(referral.amount_idr)}, tenor "
        f"{referral.tenor_months} bulan",
        "Data yang dibagikan:",
        *(f"- {field}" for field in SHARED_FIELDS),
        f"Pasarkita menyimpan catatan persetujuan ini selama {RETENTION_DAYS} hari.",
        f"{referral.bank.name} menjadi pengendali data sendiri atas data yang diterimanya.",
        "Persetujuan bisa ditarik kapan saja; bank langsung kehilangan akses.",
    ]
    text = "\n".join(str(line) for line in lines)
    return text, hashlib.sha256(text.encode()).hexdigest()


def give_consent(
    user, referral: Referral, *, agreed: bool, ip: str | None, no_other_credit: bool
) -> ConsentReceipt:
    """The member's explicit consent: an unticked box they ticked, and a receipt."""
    if referral.business.owner_id != user.id:
        raise NotFound()
    if not agreed:
        raise ValidationFailed(_l("Centang kotak persetujuan jika Anda setuju."), field="agree")
    text, digest = consent_text(referral)
    receipt = ConsentReceipt(
        referral_id=referral.id,
        user_id=user.id,
        bank_id=referral.bank_id,
        text_version=CONSENT_VERSION,
        text_hash=digest,
        fields=[str(f) for f in SHARED_FIELDS],
        purpose="Pra-penilaian dan pengajuan KUR",
        retention_days=RETENTION_DAYS,
        ip=(ip or "")[:45] or None,
    )
    apply_transition(
        referral, "consent", actor=user, role="sme_owner", no_other_credit=bool(no_other_credit)
    )
    db.session.add(receipt)
    db.session.flush()
    audit.record(
        "referral.consented",
        actor=user,
        role="sme_owner",
        chapter=referral.chapter,
        bank_id=referral.bank_id,
        target=referral,
    )
    return receipt


def quota_for(lead_id: int) -> int:
    """Monthly endorsements allowed: the base, plus more as the lead's approval rate grows."""
    base = current_app.config.get("REFERRAL_BASE_QUOTA", 3)
    record = track_records([lead_id]).get(lead_id)
    rate = record.approval_rate if record else 0.0
    return base + round(base * rate)


def endorsements_this_month(lead_id: int, now=None) -> int:
    now = (now or utcnow()).astimezone(JAKARTA)
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return db.session.scalar(
        select(func.count(Referral.id)).where(
            Referral.lead_id == lead_id, Referral.sent_at >= start
        )
    )


def endorse_and_send(referral: Referral, *, lead, recommendation: str) -> None:
    """The lead endorses a consented referral and it goes to the bank."""
    if referral.lead_id != lead.id and not _leads(referral.chapter_id, lead.id):
        raise NotFound()
    if referral.business.owner_id == lead.id:
        raise PermissionDenied(_l("Pengurus tidak boleh merekomendasikan usahanya sendiri."))
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
    if endorsements_this_month(lead.id) >= quota_for(lead.id):
        raise QuotaExceeded(
            _l(
                "Kuota rekomendasi Anda bulan ini sudah habis (%(n)d). Kuota "
                "bertambah jika rekomendasi Anda disetujui bank.",
                n=quota_for(lead.id),
            )
        )
    screen = pre_screen(
        referral.business,
        scheme_code=referral.scheme,
        amount_idr=referral.amount_idr,
        no_other_credit=referral.no_other_credit,
        exclude_referral_id=referral.id,
    )
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
    for officer in referral.bank.officers:
        notify(
            officer.user_id,
            "referral_sent",
            id=referral.id,
            chapter=referral.chapter.name,
            link=f"/bank/{referral.bank.slug}/referrals/{referral.id}",
        )


def _leads(chapter_id: int, user_id: int) -> bool:
    from marketplace.chapters.models import ChapterLead

    return bool(
        db.session.scalar(
            select(ChapterLead.id).where(
                ChapterLead.chapter_id == chapter_id, ChapterLead.user_id == user_id
            )
        )
    )


# --- the bank decides ---------------------------------------------------------------------

BANK_ACTIONS = ("acknowledge", "request_info", "approve", "reject", "disburse")


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
    note = (note or "").strip()[:2000] or None
    changes = {}
    now = utcnow()
    if action == "acknowledge":
        changes["acknowledged_at"] = now
    elif action == "request_info":
        if not note:
            raise ValidationFailed(_l("Tulis informasi apa yang dibutuhkan."), field="note")
        changes["info_request"] = note
    elif action == "approve":
        scheme = current_scheme(referral.scheme)
        amount_idr = _positive(amount_idr, "amount_idr", maximum=10**12)
        tenor_months = _positive(
            tenor_months, "tenor_months", maximum=scheme.max_tenor_ki_months if scheme else 60
        )
        rate_bp = _positive(rate_bp, "rate_bp", allow_zero=True, maximum=10_000)
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

    for user_id in (referral.business.owner_id, referral.lead_id):
        notify(
            user_id,
            "referral_update",
            id=referral.id,
            status=referral.status,
            note=note or "",
            link=f"/business/referrals/{referral.id}"
            if user_id == referral.business.owner_id
            else f"/lead/{referral.chapter.slug}/referrals/{referral.id}",
        )


def _positive(value, field: str, *, maximum: int, allow_zero: bool = False) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not (0 if allow_zero else 1) <= value <= maximum
    ):
        raise ValidationFailed(
            _l("Isi angka yang benar (paling banyak %(max)s).", max=maximum), field=field
        )
    return value


def answer_info(user, referral: Referral, answer: str) -> None:
    if referral.business.owner_id != user.id:
        raise NotFound()
    answer = (answer or "").strip()
    if not 3 <= len(answer) <= 3000:
        raise ValidationFailed(_l("Tulis jawaban untuk bank."), field="answer")
    apply_transition(
        referral, "answer_info", actor=user, role="sme_owner", note=answer, info_answer=answer
    )
    for officer in referral.bank.officers:
        notify(
            officer.user_id,
            "referral_update",
            id=referral.id,
            status=str(_l("Anggota menjawab")),
            note="",
            link=f"/bank/{referral.bank.slug}/referrals/{referral.id}",
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
    _tell_bank_if_it_knew(referral)


def withdraw_consent(user, referral: Referral) -> None:
    """UU PDP: the member withdraws consent; the bank loses access at once."""
    if referral.business.owner_id != user.id:
        raise NotFound()
    consent = referral.active_consent
    if consent is None:
        raise ValidationFailed(_l("Tidak ada persetujuan yang aktif."))
    consent.withdrawn_at = utcnow()
    if referral.status in Referral.OPEN:
        apply_transition(
            referral,
            "withdraw",
            actor=user,
            role="sme_owner",
            note="Persetujuan ditarik oleh anggota",
        )
    db.session.flush()
    audit.record(
        "referral.consent_withdrawn",
        actor=user,
        role="sme_owner",
        chapter=referral.chapter,
        bank_id=referral.bank_id,
        target=referral,
    )
    _tell_bank_if_it_knew(referral)


def _tell_bank_if_it_knew(referral: Referral) -> None:
    if referral.sent_at is None:
        return
    for officer in referral.bank.officers:
        notify(
            officer.user_id,
            "consent_withdrawn",
            id=referral.id,
            email=True,
            link=f"/bank/{referral.bank.slug}/",
        )


# --- accountability and figures -----------------------------------------------------------


@dataclass
class TrackRecord:
    sent: int = 0
    acknowledged: int = 0
    approved: int = 0
    rejected: int = 0
    reasons: dict | None = None

    @property
    def approval_rate(self) -> float:
        decided = self.approved + self.rejected
        return self.approved / decided if decided else 0.0


def track_records(lead_ids) -> dict[int, TrackRecord]:
    """Per lead: referrals sent, acknowledged, approved, rejected (with reasons)."""
    out: dict[int, TrackRecord] = {}
    rows = db.session.execute(
        select(
            Referral.lead_id,
            Referral.status,
            Referral.reject_reason,
            Referral.acknowledged_at.is_not(None),
            func.count(Referral.id),
        )
        .where(Referral.lead_id.in_(list(lead_ids)), Referral.sent_at.is_not(None))
        .group_by(
            Referral.lead_id,
            Referral.status,
            Referral.reject_reason,
            Referral.acknowledged_at.is_not(None),
        )
    ).all()
    for lead_id, status, reason, acked, count in rows:
        record = out.setdefault(lead_id, TrackRecord(reasons={}))
        record.sent += count
        record.acknowledged += count if acked else 0
        if status in ("approved", "disbursed"):
            record.approved += count
        elif status == "rejected":
            record.rejected += count
            record.reasons[reason] = record.reasons.get(reason, 0) + count
    return out


def working_days_since(start: datetime, now: datetime) -> int:
    day, end, count = start.astimezone(JAKARTA).date(), now.astimezone(JAKARTA).date(), 0
    while day < end:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    return count


SLA_WORKING_DAYS = 3


def is_overdue(referral: Referral, now=None) -> bool:
    """Sent and not acknowledged within 3 working days."""
    return (
        referral.status == "sent"
        and referral.sent_at is not None
        and working_days_since(referral.sent_at, now or utcnow()) >= SLA_WORKING_DAYS
    )


def flag_overdue(now=None) -> int:
    """Referrals not acknowledged within 3 working days: flag to the bank and the lead."""
    now = now or utcnow()
    flagged = 0
    for referral in db.session.scalars(
        bank_visible().where(Referral.status == "sent", Referral.sla_flagged_at.is_(None))
    ):
        if not is_overdue(referral, now):
            continue
        referral.sla_flagged_at = now
        for user_id in [o.user_id for o in referral.bank.officers] + [referral.lead_id]:
            notify(
                user_id,
                "referral_sla",
                id=referral.id,
                email=True,
                link=f"/bank/{referral.bank.slug}/referrals/{referral.id}",
            )
        flagged += 1
    db.session.flush()
    return flagged


def figures() -> dict:
    """Approval rate and days to decision per chapter, per lead and per bank."""
    rows = db.session.execute(
        select(
            Referral.chapter_id,
            Referral.lead_id,
            Referral.bank_id,
            Referral.status,
            Referral.sent_at,
            Referral.decided_at,
        ).where(Referral.sent_at.is_not(None))
    ).all()
    groups: dict[str, dict] = {"chapter": {}, "lead": {}, "bank": {}}
    for chapter_id, lead_id, bank_id, status, sent_at, decided_at in rows:
        for kind, key in (("chapter", chapter_id), ("lead", lead_id), ("bank", bank_id)):
            g = groups[kind].setdefault(key, {"sent": 0, "approved": 0, "rejected": 0, "days": []})
            g["sent"] += 1
            if status in ("approved", "disbursed"):
                g["approved"] += 1
            elif status == "rejected":
                g["rejected"] += 1
            if decided_at and sent_at:
                g["days"].append((decided_at - sent_at).total_seconds() / 86400)
    for kind in groups.values():
        for g in kind.values():
            decided = g["approved"] + g["rejected"]
            g["approval_rate"] = round(100 * g["approved"] / decided) if decided else None
            g["days_to_decision"] = round(sum(g["days"]) / len(g["days"]), 1) if g["days"] else None
    return groups


# --- pathway providers (Permodalan, and "endorsed" for the funnel) ------------------------


def pathway_dates(business_ids) -> dict:
    """For the 7 PAS pathway, in one query: first endorsement and first approval dates."""
    approved = case((Referral.status.in_(("approved", "disbursed")), Referral.decided_at))
    rows = db.session.execute(
        select(Referral.business_id, func.min(Referral.sent_at), func.min(approved))
        .where(Referral.business_id.in_(list(business_ids)), Referral.sent_at.is_not(None))
        .group_by(Referral.business_id)
    ).all()
    return {
        "endorsed": {bid: as_day(sent) for bid, sent, _ in rows if sent is not None},
        "permodalan": {bid: as_day(ok) for bid, _, ok in rows if ok is not None},
    }
