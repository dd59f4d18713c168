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
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
