"""The KUR pre-screen: each rule with pass/fail and a plain Indonesian reason.

A pre-screen, not a credit decision: the bank decides, and checks SIKP and SLIK itself.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.businesses.models import Business
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import jakarta_today
from marketplace.extensions import db
from marketplace.ledger.services import months_with_books
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.mentoring.models import Attendance, ExternalTraining, MentoringSession
from referrals.models import KurScheme, Referral, ReferralStatus

DISCLAIMER = _l(
    "Ini pra-penilaian, bukan keputusan kredit. Bank yang memutuskan setelah "
    "memeriksa SIKP dan SLIK."
)


@dataclass(frozen=True)
class Rule:
    key: str
    passed: bool
    reason: object


@dataclass
class PreScreen:
    rules: list[Rule]

    @property
    def passed(self) -> bool:
        return all(rule.passed for rule in self.rules)

    def failed(self) -> list[Rule]:
        return [rule for rule in self.rules if not rule.passed]


def current_scheme(code: str, on: date | None = None) -> KurScheme | None:
    """The rules in force for a scheme: the current entry, else the latest effective one."""
    on = on or jakarta_today()
    current = db.session.scalar(
        select(KurScheme).where(KurScheme.code == code, KurScheme.is_current.is_(True))
    )
    if current is not None and current.effective_from <= on:
        return current
    return db.session.scalar(
        select(KurScheme)
        .where(KurScheme.code == code, KurScheme.effective_from <= on)
        .order_by(KurScheme.effective_from.desc())
        .limit(1)
    )


def months_before(day: date, n: int) -> date:
    """The same day ``n`` calendar months earlier (clamped to the month's last day)."""
    import calendar

    index = day.year * 12 + day.month - 1 - n
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def months_back(today: date, n: int) -> list[tuple[int, int]]:
    """The ``n`` whole months before ``today``'s month, newest first, as (year, month)."""
    out, year, month = [], today.year, today.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((year, month))
    return out


def pre_screen(
    business: Business,
    *,
    scheme_code: str,
    amount_idr: int,
    no_other_credit: bool,
    exclude_referral_id: int | None = None,
    today: date | None = None,
) -> PreScreen:
    today = today or jakarta_today()
    chapter = business.chapter
    scheme = current_scheme(scheme_code, today)
    rules: list[Rule] = []

    nib = db.session.scalar(
        select(func.count(LegalityDocument.id)).where(
            LegalityDocument.business_id == business.id,
            LegalityDocument.kind == "nib",
            LegalityDocument.status == DocumentStatus.VERIFIED,
        )
    )
    rules.append(
        Rule(
            "nib",
            bool(nib),
            _l("NIB sudah diverifikasi pengurus.")
            if nib
            else _l("NIB belum diverifikasi. Unggah NIB agar diperiksa pengurus."),
        )
    )

    active = business.started_on <= months_before(today, 6)
    has_guidance = bool(
        db.session.scalar(
            select(func.count(Attendance.id)).where(Attendance.business_id == business.id)
        )
        or db.session.scalar(
            select(func.count(ExternalTraining.id)).where(
                ExternalTraining.business_id == business.id
            )
        )
    )
    if active:
        reason = _l("Usaha sudah berjalan lebih dari 6 bulan.")
    elif scheme_code == "super_mikro" and has_guidance:
        active = True
        reason = _l(
            "Usaha kurang dari 6 bulan, tetapi boleh untuk KUR Super Mikro karena "
            "ikut pendampingan atau pelatihan."
        )
    else:
        reason = _l(
            "Usaha belum 6 bulan berjalan. KUR Super Mikro bisa jika ikut "
            "pendampingan atau pelatihan."
        )
    rules.append(Rule("active_6_months", active, reason))

    need = chapter.books_months_required
    kept = months_with_books([business.id], date(*months_back(today, need)[-1], 1)).get(
        business.id, set()
    )
    books = all(m in kept for m in months_back(today, need))
    rules.append(
        Rule(
            "books",
            books,
            _l("Buku kas tercatat %(n)d bulan terakhir.", n=need)
            if books
            else _l("Buku kas belum tercatat lengkap %(n)d bulan terakhir.", n=need),
        )
    )

    required = chapter.mentoring_sessions_required
    attended = db.session.scalar(
        select(func.count(Attendance.id))
        .join(MentoringSession)
        .where(
            Attendance.business_id == business.id,
            MentoringSession.cancelled.is_(False),
            MentoringSession.starts_at >= _aware(today - timedelta(days=90)),
            MentoringSession.starts_at < _aware(today + timedelta(days=1)),
        )
    )
    rules.append(
        Rule(
            "mentoring",
            attended >= required,
            _l(
                "Hadir %(done)d sesi pendampingan dalam 90 hari (minimal %(n)d).",
                done=attended,
                n=required,
            ),
        )
    )

    if scheme is None:
        rules.append(Rule("amount", False, _l("Skema KUR tidak dikenal.")))
    else:
        inside = scheme.min_idr <= amount_idr <= scheme.max_idr
        rules.append(
            Rule(
                "amount",
                inside,
                _l(
                    "Plafon %(scheme)s: %(min)s sampai %(max)s.",
                    scheme=scheme.name,
                    min=format_rupiah(scheme.min_idr),
                    max=format_rupiah(scheme.max_idr),
                ),
            )
        )
        needs_npwp = amount_idr > scheme.npwp_above_idr
        rules.append(
            Rule(
                "npwp",
                not needs_npwp or business.has_npwp,  # NPWP = NIK counts (issue 13)
                _l(
                    "NPWP wajib untuk pinjaman di atas %(limit)s.",
                    limit=format_rupiah(scheme.npwp_above_idr),
                )
                if needs_npwp
                else _l("NPWP tidak wajib untuk jumlah ini."),
            )
        )

    open_query = select(func.count(Referral.id)).where(
        # Drafts are only the lead's preparation; anything the member consented to counts.
        Referral.business_id == business.id,
        Referral.status.in_([s for s in Referral.OPEN if s != ReferralStatus.DRAFT]),
    )
    if exclude_referral_id is not None:
        open_query = open_query.where(Referral.id != exclude_referral_id)
    other_open = db.session.scalar(open_query)
    rules.append(
        Rule(
            "no_open_referral",
            not other_open,
            _l("Tidak ada rujukan lain yang masih berjalan.")
            if not other_open
            else _l("Masih ada rujukan KUR lain yang berjalan."),
        )
    )

    rules.append(
        Rule(
            "no_other_credit",
            bool(no_other_credit),
            _l("Anggota menyatakan tidak sedang punya kredit produktif lain.")
            if no_other_credit
            else _l("Anggota belum menyatakan tidak punya kredit produktif lain."),
        )
    )
    return PreScreen(rules)


def _aware(day: date):
    from datetime import datetime

    from marketplace.core.timeutil import JAKARTA

    return datetime(day.year, day.month, day.day, tzinfo=JAKARTA)
