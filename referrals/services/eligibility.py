"""The KUR pre-screen (DOMAIN 3.3): each rule with pass/fail, a plain Indonesian reason,
whose rule it is (KUR's with its legal basis, a bank's common criterion, or the platform's
with the chapter setting) and what the member can do about a failing one.

A pre-screen, not a credit decision: the bank decides, and checks SIKP and SLIK itself.
The member, the lead and the bank officer see the same screen (``screen_for(referral)``);
the member also sees it before any referral ("Am I ready for KUR?", ``web/member.py``).

Where the code deliberately differs from DOMAIN 3.3:
- "Age >= 21 or married" is banks' practice (RAC), not a Permenko article: kind ``bank``.
- The NPWP threshold is banks' practice too (MED): kind ``bank``.
- The group route (Permenko 12/2025 art. 4) is shown as an option for a start-up member, with
  the lead's endorsement as the recommendation letter; it is a referral, not a guarantee, and
  does not change any rule's outcome.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from marketplace.businesses import identity
from marketplace.businesses.identity import KUR_MIN_AGE
from marketplace.businesses.models import Business
from marketplace.core.money import format_rupiah
from marketplace.core.timeutil import JAKARTA, as_utc, jakarta_today
from marketplace.extensions import db
from marketplace.ledger.services import books_months
from marketplace.legality.models import DocumentStatus, LegalityDocument
from marketplace.mentoring.models import Attendance, ExternalTraining, MentoringSession
from referrals.models import Bank, KurScheme, Referral, ReferralStatus

DISCLAIMER = _l(
    "Ini pra-penilaian, bukan keputusan kredit. Bank yang memutuskan setelah "
    "memeriksa SIKP dan SLIK."
)


class RuleKind(StrEnum):
    KUR = "kur"  # the KUR guideline (Permenko Perekonomian)
    BANK = "bank"  # distributing banks' common criteria, not a KUR article
    PLATFORM = "platform"  # Pasarkita's own rule, with the chapter setting


KIND_LABELS = {
    RuleKind.KUR: _l("Aturan KUR"),
    RuleKind.BANK: _l("Syarat umum bank"),
    RuleKind.PLATFORM: _l("Aturan Pasarkita"),
}

# The other-credit declaration, as yes/no questions. Credit a KUR debtor may hold at the
# same time (Permenko 1/2023 and 12/2025, e.g. art. 27(3a), 36(3a)-(4)):
ALLOWED_CREDIT = {
    "kur_same_bank": _l("KUR di bank yang sama dengan rujukan ini"),
    "kpr": _l("Kredit pemilikan rumah (KPR)"),
    "motor_leasing": _l("Kredit atau leasing motor untuk usaha"),
    "credit_card": _l("Kartu kredit"),
    "consumer_household": _l("Kredit konsumsi untuk kebutuhan rumah tangga"),
    "ultra_micro": _l("Pembiayaan ultra mikro (UMi) sampai Rp20 juta"),
    "p2p": _l("Pinjaman online resmi (P2P) atau pembiayaan digital"),
}
# ... and what rules a new KUR out while it runs.
BLOCKING_CREDIT = {
    "kur_other_bank": _l("KUR di bank lain"),
    "commercial_productive": _l(
        "Kredit usaha komersial (modal kerja atau investasi) dari bank atau lembaga lain"
    ),
}
# Asked for Super Mikro, which is for first-time KUR borrowers only.
KUR_BEFORE = "kur_before"
CREDIT_QUESTIONS = {
    **BLOCKING_CREDIT,
    **ALLOWED_CREDIT,
    KUR_BEFORE: _l("Pernah menerima KUR sebelumnya (sudah lunas atau masih berjalan)"),
}

BASIS = {
    "nib": _l(
        "Pasarkita: legalitas dulu. KUR sendiri menerima NIB atau Surat Keterangan Usaha "
        "(Permenko 1/2022)."
    ),
    "active_6_months": _l(
        "Permenko Perekonomian 1/2022 jo. 1/2023: usaha aktif minimal 6 bulan; Super Mikro "
        "boleh kurang jika ikut pendampingan, pelatihan, atau kelompok usaha."
    ),
    "age_or_married": _l("Syarat umum bank penyalur: umur minimal 21 tahun atau sudah menikah."),
    "amount": _l("Permenko Perekonomian 1/2023: plafon per skema (tabel aturan KUR)."),
    "tenor": _l(
        "Permenko Perekonomian 1/2022 jo. 1/2023: modal kerja paling lama 3 tahun (Super "
        "Mikro, Mikro) atau 4 tahun (Kecil); investasi paling lama 5 tahun."
    ),
    "npwp": _l("Praktik bank: NPWP untuk plafon di atas Rp50 juta."),
    "no_other_credit": _l(
        "Permenko Perekonomian 1/2023 dan 12/2025 (mis. pasal 27 ayat 3a, pasal 36 ayat "
        "3a-4): tidak sedang menerima kredit usaha komersial; beberapa jenis kredit boleh."
    ),
    "platform_kur": _l("Permenko Perekonomian 1/2022: KUR diterima dari satu bank penyalur."),
    "super_mikro_first": _l(
        "Permenko Perekonomian 1/2023: Super Mikro untuk penerima KUR pertama."
    ),
    "collateral": _l(
        "Permenko Perekonomian 1/2023 pasal 14 ayat 3: sampai Rp100 juta tanpa agunan tambahan."
    ),
    "bpjs": _l("Permenko Perekonomian 2/2021: BPJS Ketenagakerjaan untuk KUR di atas Rp100 juta."),
    "group_route": _l(
        "Permenko Perekonomian 12/2025 pasal 4: anggota pemula kelompok usaha perlu surat "
        "rekomendasi ketua kelompok."
    ),
}


@dataclass(frozen=True)
class Rule:
    key: str
    passed: bool
    reason: object
    kind: str = RuleKind.KUR
    basis: object = ""
    action: object = ""  # what the member can do; shown when the rule fails
    note: bool = False  # information only (collateral, BPJS, group route): never fails
    flags: tuple = field(default=())  # e.g. KUR already received through the platform


@dataclass
class PreScreen:
    rules: list[Rule]
    # Extra figures a caller asked to read in the same SELECT as the rules' counts
    # (``pre_screen(extra_facts=...)``): the dossier's order figures.
    facts: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(rule.passed for rule in self.rules)

    def failed(self) -> list[Rule]:
        return [rule for rule in self.rules if not rule.passed]

    @property
    def checks(self) -> list[Rule]:
        return [rule for rule in self.rules if not rule.note]

    @property
    def notes(self) -> list[Rule]:
        return [rule for rule in self.rules if rule.note]


def screen_json(screen: PreScreen) -> dict:
    """The pre-screen as the bank API returns it: the same rules the pages show."""
    return {
        "passed": screen.passed,
        "disclaimer": str(DISCLAIMER),
        "rules": [
            {
                "key": r.key,
                "passed": r.passed,
                "kind": str(r.kind),
                "note": r.note,
                "reason": str(r.reason),
                "basis": str(r.basis),
                "action": str(r.action),
            }
            for r in screen.rules
        ],
    }


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


def months_after(day: date, n: int) -> date:
    return months_before(day, -n)


def months_back(today: date, n: int) -> list[tuple[int, int]]:
    """The ``n`` whole months before ``today``'s month, newest first, as (year, month)."""
    out, year, month = [], today.year, today.month
    for _ in range(n):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        out.append((year, month))
    return out


def _day(value: datetime | None) -> date | None:
    return as_utc(value).astimezone(JAKARTA).date() if value is not None else None


def _fmt(day: date) -> str:
    return day.strftime("%d-%m-%Y")


@dataclass(frozen=True)
class PlatformKur:
    """A KUR approved or disbursed through Pasarkita: its bank, date and whether it runs."""

    bank_id: int
    bank_name: str
    status: str
    on: date
    running: bool


def platform_kur(business: Business, today: date, exclude_referral_id=None) -> list[PlatformKur]:
    """KUR this business received (disbursed) or has approved (in progress) through the
    platform, in one query; ``running`` until its approved tenor ends."""
    query = (
        select(Referral, Bank.name)
        .join(Bank, Bank.id == Referral.bank_id)
        .where(
            Referral.business_id == business.id,
            Referral.status.in_((ReferralStatus.APPROVED, ReferralStatus.DISBURSED)),
        )
        .order_by(Referral.status_changed_at.desc())
    )
    if exclude_referral_id is not None:
        query = query.where(Referral.id != exclude_referral_id)
    out = []
    for referral, bank_name in db.session.execute(query):
        on = _day(referral.status_changed_at) or today
        ends = months_after(on, referral.approved_tenor_months or referral.tenor_months)
        running = referral.status == ReferralStatus.APPROVED or ends > today
        out.append(PlatformKur(referral.bank_id, bank_name, referral.status, on, running))
    return out


def screen_for(referral: Referral, today: date | None = None, extra_facts=None) -> "PreScreen":
    """The pre-screen of a referral, as the member, the lead and the bank see it.
    ``extra_facts``: ``{name: scalar subquery}`` read in the same SELECT as the rules'
    counts, returned in ``PreScreen.facts`` (the dossier folds its figures in this way)."""
    return pre_screen(
        referral.business,
        scheme_code=referral.scheme,
        amount_idr=referral.amount_idr,
        tenor_months=referral.tenor_months,
        purpose_kind=referral.purpose_kind,
        no_other_credit=referral.no_other_credit,
        credit_held=referral.credit_held or (),
        bank_id=referral.bank_id,
        exclude_referral_id=referral.id,
        today=today,
        extra_facts=extra_facts,
    )


def pre_screen(
    business: Business,
    *,
    scheme_code: str,
    amount_idr: int,
    no_other_credit: bool,
    tenor_months: int | None = None,
    purpose_kind: str = "kmk",
    credit_held=(),
    bank_id: int | None = None,
    exclude_referral_id: int | None = None,
    today: date | None = None,
    extra_facts=None,
) -> PreScreen:
    """Every rule of DOMAIN 3.3 the platform can check. ``no_other_credit`` is the member's
    declaration that they hold no credit besides the kinds ticked in ``credit_held``."""
    today = today or jakarta_today()
    chapter = business.chapter
    scheme = current_scheme(scheme_code, today)
    held = set(credit_held or ())
    rules: list[Rule] = []
    P, K, B = RuleKind.PLATFORM, RuleKind.KUR, RuleKind.BANK

    need = chapter.books_months_required
    facts = _facts(business, today, exclude_referral_id, need, extra_facts or {})
    nib = facts.nib
    rules.append(
        Rule(
            "nib",
            bool(nib),
            _l("NIB sudah diverifikasi pengurus.")
            if nib
            else _l("NIB belum diverifikasi. Unggah NIB agar diperiksa pengurus."),
            P,
            BASIS["nib"],
            _l("Unggah NIB di halaman Dokumen usaha; pengurus chapter memeriksanya."),
        )
    )

    started = business.started_on
    active = started <= months_before(today, 6)
    young = not active
    has_guidance = bool(facts.attendances or facts.trainings)
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
    rules.append(
        Rule(
            "active_6_months",
            active,
            reason,
            K,
            BASIS["active_6_months"],
            _l(
                "Tunggu sampai usaha berjalan 6 bulan (%(day)s), atau ajukan KUR Super Mikro "
                "setelah ikut sesi pendampingan chapter.",
                day=_fmt(months_after(started, 6)),
            ),
        )
    )

    rules.append(_age_rule(business, today))

    # Books in each of the last ``need`` whole months (ledger.books_months, in _facts).
    books = facts.books_months >= need
    rules.append(
        Rule(
            "books",
            books,
            _l("Buku kas tercatat %(n)d bulan terakhir.", n=need)
            if books
            else _l("Buku kas belum tercatat lengkap %(n)d bulan terakhir.", n=need),
            P,
            _l(
                "Pengaturan chapter %(chapter)s: buku kas %(n)d bulan.",
                chapter=chapter.name,
                n=need,
            ),
            _l("Catat pemasukan dan pengeluaran di Buku kas setiap bulan."),
        )
    )

    required = chapter.mentoring_sessions_required
    attended = facts.recent_sessions
    rules.append(
        Rule(
            "mentoring",
            attended >= required,
            _l(
                "Hadir %(done)d sesi pendampingan dalam 90 hari (minimal %(n)d).",
                done=attended,
                n=required,
            ),
            P,
            _l(
                "Pengaturan chapter %(chapter)s: %(n)d sesi dalam 90 hari.",
                chapter=chapter.name,
                n=required,
            ),
            _l("Ikut sesi pendampingan chapter di halaman Perjalanan 7 PAS."),
        )
    )

    if scheme is None:
        rules.append(Rule("amount", False, _l("Skema KUR tidak dikenal."), K, BASIS["amount"]))
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
                K,
                BASIS["amount"],
                _l("Ubah jumlah pinjaman atau pilih skema yang sesuai dengan jumlahnya."),
            )
        )
        if tenor_months is not None:
            rules.append(_tenor_rule(scheme, tenor_months, purpose_kind))
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
                B,
                BASIS["npwp"],
                _l("Isi NPWP (untuk perorangan: NIK Anda) di profil usaha."),
            )
        )

    other_open = facts.other_open
    rules.append(
        Rule(
            "no_open_referral",
            not other_open,
            _l("Tidak ada rujukan lain yang masih berjalan.")
            if not other_open
            else _l("Masih ada rujukan KUR lain yang berjalan."),
            P,
            _l("Pasarkita: satu rujukan KUR berjalan per usaha."),
            _l("Tunggu keputusan bank atas rujukan yang berjalan, atau tarik rujukan itu."),
        )
    )

    rules.append(_other_credit_rule(no_other_credit, held))
    received = platform_kur(business, today, exclude_referral_id)
    rules.append(_platform_kur_rule(received, bank_id))
    if scheme_code == "super_mikro":
        rules.append(_super_mikro_rule(received, held))
    rules.extend(_notes(scheme, scheme_code, amount_idr, young))
    return PreScreen(rules, {key: getattr(facts, key) for key in extra_facts or {}})


def _facts(business: Business, today: date, exclude_referral_id, books_need: int, extra: dict):
    """The counts the rules need, as scalar subqueries of one SELECT (with ``extra``)."""

    def count(query):
        return query.scalar_subquery()

    open_query = select(func.count(Referral.id)).where(
        # Drafts are only the lead's preparation; anything the member consented to counts.
        Referral.business_id == business.id,
        Referral.status.in_([s for s in Referral.OPEN if s != ReferralStatus.DRAFT]),
    )
    if exclude_referral_id is not None:
        open_query = open_query.where(Referral.id != exclude_referral_id)
    return db.session.execute(
        select(
            count(
                select(func.count(LegalityDocument.id)).where(
                    LegalityDocument.business_id == business.id,
                    LegalityDocument.kind == "nib",
                    LegalityDocument.status == DocumentStatus.VERIFIED,
                )
            ).label("nib"),
            count(
                select(func.count(Attendance.id)).where(Attendance.business_id == business.id)
            ).label("attendances"),
            count(
                select(func.count(ExternalTraining.id)).where(
                    ExternalTraining.business_id == business.id
                )
            ).label("trainings"),
            count(
                select(func.count(Attendance.id))
                .join(MentoringSession)
                .where(
                    Attendance.business_id == business.id,
                    MentoringSession.cancelled.is_(False),
                    MentoringSession.starts_at >= _aware(today - timedelta(days=90)),
                    MentoringSession.starts_at < _aware(today + timedelta(days=1)),
                )
            ).label("recent_sessions"),
            count(open_query).label("other_open"),
            count(
                select(func.count()).select_from(
                    books_months(
                        select(Business.id).where(Business.id == business.id),
                        since=date(*months_back(today, books_need)[-1], 1),
                        until=today.replace(day=1),
                    ).subquery()
                )
            ).label("books_months"),
            *(column.label(key) for key, column in extra.items()),
        )
    ).one()


def _age_rule(business: Business, today: date) -> Rule:
    married = identity.is_or_was_married(business)
    age = identity.owner_age_or_none(business, today)
    if married:
        passed, reason = True, _l("Sudah menikah: syarat umur terpenuhi.")
    elif age is None:
        passed, reason = False, _l("Tanggal lahir tidak terbaca dari NIK.")
    elif age >= KUR_MIN_AGE:
        passed, reason = True, _l("Umur %(age)d tahun (minimal 21 tahun).", age=age)
    else:
        passed = False
        reason = _l("Umur %(age)d tahun; KUR perlu umur 21 tahun atau sudah menikah.", age=age)
    return Rule(
        "age_or_married",
        passed,
        reason,
        RuleKind.BANK,
        BASIS["age_or_married"],
        _l(
            "Jika sudah menikah, isi status perkawinan di profil usaha. Jika belum, KUR bisa "
            "diajukan setelah umur 21 tahun."
        ),
    )


def _tenor_rule(scheme: KurScheme, tenor_months: int, purpose_kind: str) -> Rule:
    investment = purpose_kind == "ki"
    limit = scheme.max_tenor_ki_months if investment else scheme.max_tenor_kmk_months
    kind = _l("investasi") if investment else _l("modal kerja")
    return Rule(
        "tenor",
        1 <= tenor_months <= limit,
        _l(
            "Tenor %(n)d bulan; %(scheme)s untuk %(kind)s paling lama %(max)d bulan.",
            n=tenor_months,
            scheme=scheme.name,
            kind=kind,
            max=limit,
        ),
        RuleKind.KUR,
        BASIS["tenor"],
        _l(
            "Pilih tenor paling lama %(max)d bulan. Untuk membeli alat atau mesin, pilih "
            "jenis kredit investasi (paling lama %(ki)d bulan).",
            max=limit,
            ki=scheme.max_tenor_ki_months,
        ),
    )


def _names(kinds, table) -> str:
    return ", ".join(str(table[k]) for k in table if k in kinds)


def _other_credit_rule(declared: bool, held: set) -> Rule:
    blocking = held & set(BLOCKING_CREDIT)
    allowed = held & set(ALLOWED_CREDIT)
    if blocking:
        passed = False
        reason = _l(
            "Anggota menyatakan sedang punya: %(kinds)s. KUR tidak untuk yang sedang menerima "
            "kredit usaha komersial.",
            kinds=_names(blocking, BLOCKING_CREDIT),
        )
    elif not declared:
        passed = False
        reason = _l("Anggota belum menjawab pertanyaan tentang kredit lain.")
    elif allowed:
        passed = True
        reason = _l(
            "Tidak ada kredit usaha komersial. Kredit yang dimiliki dan diizinkan: %(kinds)s.",
            kinds=_names(allowed, ALLOWED_CREDIT),
        )
    else:
        passed = True
        reason = _l("Anggota menyatakan tidak sedang punya kredit usaha komersial.")
    return Rule(
        "no_other_credit",
        passed,
        reason,
        RuleKind.KUR,
        BASIS["no_other_credit"],
        _l(
            "Jawab pertanyaan kredit lain. Yang boleh tetap berjalan: %(kinds)s. Kredit usaha "
            "komersial lain perlu dilunasi dulu.",
            kinds=_names(ALLOWED_CREDIT, ALLOWED_CREDIT),
        ),
    )


def _platform_kur_rule(received: list[PlatformKur], bank_id: int | None) -> Rule:
    running = [k for k in received if k.running]
    elsewhere = [k for k in running if bank_id is not None and k.bank_id != bank_id]
    flags = tuple((k.bank_name, _fmt(k.on), k.status, k.running) for k in received)
    if elsewhere:
        k = elsewhere[0]
        return Rule(
            "platform_kur",
            False,
            _l(
                "KUR dari %(bank)s (%(day)s, lewat Pasarkita) masih berjalan. KUR hanya dari "
                "satu bank penyalur.",
                bank=k.bank_name,
                day=_fmt(k.on),
            ),
            RuleKind.KUR,
            BASIS["platform_kur"],
            _l(
                "Ajukan tambahan KUR ke %(bank)s, atau tunggu sampai KUR itu lunas.",
                bank=k.bank_name,
            ),
            flags=flags,
        )
    if running:
        k = running[0]
        reason = _l(
            "KUR dari %(bank)s (%(day)s, lewat Pasarkita) masih berjalan: pengajuan ini "
            "tambahan KUR di bank yang sama.",
            bank=k.bank_name,
            day=_fmt(k.on),
        )
    elif received:
        k = received[0]
        reason = _l(
            "Pernah menerima KUR dari %(bank)s (%(day)s, lewat Pasarkita); tenornya sudah selesai.",
            bank=k.bank_name,
            day=_fmt(k.on),
        )
    else:
        reason = _l("Belum ada KUR yang diterima lewat Pasarkita.")
    return Rule(
        "platform_kur",
        True,
        reason,
        RuleKind.KUR,
        BASIS["platform_kur"],
        _l("Sebutkan KUR yang masih berjalan kepada bank saat dihubungi."),
        flags=flags,
    )


def _super_mikro_rule(received: list[PlatformKur], held: set) -> Rule:
    if received:
        k = received[-1]
        passed = False
        reason = _l(
            "Super Mikro hanya untuk penerima KUR pertama; sudah ada KUR dari %(bank)s "
            "(%(day)s, lewat Pasarkita).",
            bank=k.bank_name,
            day=_fmt(k.on),
        )
    elif KUR_BEFORE in held or "kur_same_bank" in held or "kur_other_bank" in held:
        passed = False
        reason = _l("Super Mikro hanya untuk penerima KUR pertama; anggota pernah menerima KUR.")
    else:
        passed = True
        reason = _l("Belum pernah menerima KUR: boleh Super Mikro.")
    return Rule(
        "super_mikro_first",
        passed,
        reason,
        RuleKind.KUR,
        BASIS["super_mikro_first"],
        _l("Ajukan KUR Mikro (di atas Rp10 juta) sebagai gantinya."),
    )


def _notes(scheme: KurScheme | None, scheme_code: str, amount_idr: int, young: bool):
    limit = scheme.no_collateral_up_to_idr if scheme is not None else 100_000_000
    if amount_idr <= limit:
        collateral = _l(
            "Sampai %(limit)s bank tidak boleh meminta agunan tambahan; agunan pokoknya usaha "
            "yang dibiayai.",
            limit=format_rupiah(limit),
        )
    else:
        collateral = _l(
            "Di atas %(limit)s (KUR Kecil) bank boleh meminta agunan tambahan sesuai "
            "penilaiannya. Siapkan dokumen agunan, misalnya sertifikat tanah atau BPKB.",
            limit=format_rupiah(limit),
        )
    notes = [Rule("collateral", True, collateral, RuleKind.KUR, BASIS["collateral"], note=True)]
    if scheme_code == "kecil" or amount_idr > limit:
        notes.append(
            Rule(
                "bpjs",
                True,
                _l(
                    "Untuk KUR Kecil di atas Rp100 juta bank dapat meminta kepesertaan BPJS "
                    "Ketenagakerjaan. Daftar lewat aplikasi JMO atau kantor BPJS terdekat."
                ),
                RuleKind.KUR,
                BASIS["bpjs"],
                note=True,
            )
        )
    if young:
        notes.append(
            Rule(
                "group_route",
                True,
                _l(
                    "Jalur kelompok: sebagai pelaku usaha pemula di kelompok usaha, Anda perlu "
                    "surat rekomendasi ketua kelompok. Rekomendasi pengurus chapter dapat "
                    "menjadi surat itu; ini rujukan, bukan jaminan."
                ),
                RuleKind.KUR,
                BASIS["group_route"],
                note=True,
            )
        )
    return notes


def _aware(day: date):
    return datetime(day.year, day.month, day.day, tzinfo=JAKARTA)
