"""Plain-language labels for statuses, shown as badges."""

from flask_babel import lazy_gettext as _l

STATUS_LABELS = {
    "submitted": _l("Menunggu pemeriksaan"),
    "verified": _l("Terverifikasi"),
    "rejected": _l("Ditolak"),
    "expired": _l("Kedaluwarsa"),
    "revoked": _l("Dicabut"),
    "draft": _l("Draf"),
    "listed": _l("Tampil di etalase"),
    "unlisted": _l("Tidak tampil"),
    "pending_payment": _l("Menunggu pembayaran"),
    "paid": _l("Dibayar, perlu dikirim"),
    "shipped": _l("Dikirim"),
    "completed": _l("Selesai"),
    "cancelled": _l("Dibatalkan"),
    "refunded": _l("Dana dikembalikan"),
    # KUR referrals ("draft" and "rejected" above read right for them too)
    "consented": _l("Disetujui anggota, menunggu rekomendasi"),
    "sent": _l("Terkirim ke bank"),
    "acknowledged": _l("Diterima bank"),
    "under_review": _l("Sedang dinilai bank"),
    "info_requested": _l("Bank meminta informasi"),
    "approved": _l("Kredit disetujui"),
    "disbursed": _l("Dana dicairkan"),
    "withdrawn": _l("Ditarik"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
