"""The member's consent (UU 27/2022): exactly what is shared, with whom, for how long; a
receipt when given, and immediate loss of access for the bank when withdrawn."""

import hashlib

from flask_babel import lazy_gettext as _l

from marketplace.assist.services import refuse_helper
from marketplace.core import audit
from marketplace.core.errors import ValidationFailed
from marketplace.core.money import format_rupiah
from marketplace.core.statemachine import apply_transition
from marketplace.core.timeutil import format_wib, utcnow
from marketplace.extensions import db
from marketplace.notifications.services import notify
from referrals.models import ConsentReceipt, Referral
from referrals.services.eligibility import CREDIT_QUESTIONS
from referrals.services.links import external_url
from referrals.services.scope import require_member

CONSENT_VERSION = "2026-12-v4"  # v3: the SIKP fields; v4: statements and scans (issue 13)
# Consents given under these versions cover the SAK EMKM statements and the verified
# documents' scans; an older receipt keeps its text and the dossier it agreed to.
VERSIONS_WITH_STATEMENTS = frozenset({"2026-12-v4"})
RETENTION_DAYS = 365
CONSENT_PURPOSE = "Pra-penilaian dan pengajuan KUR"
SHARED_FIELDS = (
    _l("Nama pemilik dan NIK lengkap"),
    _l("Profil usaha: nama, alamat, NIB, NPWP, skala, bidang, mulai usaha"),
    _l(
        "Data SIKP: nomor KK, tanggal lahir dan usia (dari NIK), status perkawinan, sektor "
        "usaha dan kode KBLI"
    ),
    _l("Nomor WhatsApp usaha, agar bank bisa menghubungi Anda"),
    _l("Dokumen legalitas terverifikasi: nomor, tanggal, dan salinan pindaiannya"),
    _l(
        "Laporan keuangan SAK EMKM dari buku kas 12 bulan terakhir: laba rugi, posisi "
        "keuangan (kas, stok, piutang, peralatan, utang, pinjaman, modal, prive) dan catatan"
    ),
    _l("Ringkasan pemasukan dan pengeluaran bulanan 12 bulan terakhir"),
    _l("Ringkasan pesanan: jumlah, pembeli berulang, pesanan terkirim"),
    _l("Kehadiran pendampingan, evaluasi bulanan, dan perjalanan 7 PAS"),
    _l("Rekomendasi pengurus chapter dan rekam jejak rekomendasinya"),
)


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
    user,
    referral: Referral,
    *,
    agreed: bool,
    ip: str | None,
    no_other_credit: bool,
    credit_held=(),
) -> ConsentReceipt:
    """The member's explicit consent: an unticked box they ticked, and a receipt that keeps
    the exact text shown (with the bank's name as it was), its version and hash. The member's
    other-credit answers (``credit_held``, kinds of ``CREDIT_QUESTIONS``) go on the referral.
    Consent is the member's own: a helper in assisted mode is refused."""
    refuse_helper(user)
    require_member(user, referral)
    if not agreed:
        raise ValidationFailed(_l("Centang kotak persetujuan jika Anda setuju."), field="agree")
    held = sorted(set(credit_held or ()))
    if any(kind not in CREDIT_QUESTIONS for kind in held):
        raise ValidationFailed(_l("Jenis kredit tidak dikenal."), field="credit_held")
    text, digest = consent_text(referral)
    referral.credit_held = held
    receipt = ConsentReceipt(
        referral_id=referral.id,
        user_id=user.id,
        bank_id=referral.bank_id,
        text_version=CONSENT_VERSION,
        text_hash=digest,
        text=text,
        bank_name=referral.bank.name,
        fields=[str(f) for f in SHARED_FIELDS],
        purpose=CONSENT_PURPOSE,
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


def receipt_document(receipt: ConsentReceipt) -> str:
    """The receipt as the member downloads it: the text they agreed to, word for word, and
    the facts that prove it (version, SHA-256, when, and when the bank lost access)."""
    lines = [
        "Bukti persetujuan berbagi data (UU 27/2022 Pelindungan Data Pribadi)",
        f"Nomor bukti: {receipt.id}",
        f"Rujukan KUR: #{receipt.referral_id}",
        f"Penerima data: {receipt.bank_name or '-'}",
        f"Diberikan: {format_wib(receipt.created_at)}",
        f"Versi teks: {receipt.text_version}",
        f"Sidik teks (SHA-256): {receipt.text_hash}",
        f"Tujuan: {receipt.purpose}",
        f"Disimpan: {receipt.retention_days} hari",
    ]
    if receipt.withdrawn_at is not None:
        lines.append(
            f"Ditarik: {format_wib(receipt.withdrawn_at)}; sejak itu "
            f"{receipt.bank_name or 'bank'} tidak bisa membuka data ini."
        )
    lines += ["", "Teks yang disetujui:", "", receipt.text or "(teks tidak tersimpan)"]
    return "\n".join(lines) + "\n"


def withdraw_consent(user, referral: Referral) -> None:
    """UU PDP: the member withdraws consent; the bank loses access at once (the member's
    own decision: refused to a helper)."""
    refuse_helper(user)
    require_member(user, referral)
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
    tell_bank_if_it_knew(referral)


def tell_bank_if_it_knew(referral: Referral) -> None:
    """A referral the bank has seen is withdrawn: its officers must stop using the data."""
    if referral.sent_at is None:
        return
    for officer in referral.bank.officers:
        notify(
            officer.user_id,
            "consent_withdrawn",
            id=referral.id,
            email=True,
            link=external_url("bank_portal.inbox", bank_slug=referral.bank.slug),
        )


def covers_statements(referral: Referral) -> bool:
    """The consent in force was given for a text that names the statements and scans."""
    consent = referral.active_consent
    return consent is not None and consent.text_version in VERSIONS_WITH_STATEMENTS
