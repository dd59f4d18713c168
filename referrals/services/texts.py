"""The referral network's notification texts and status labels (registered by init_app)."""

from flask_babel import lazy_gettext as _l

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
    "referral_assigned": _l("Rujukan KUR #%(id)s ditugaskan kepada Anda."),
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
