"""Identifiers, permits, documents, the listing gate and expiry."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_labels, register_messages
    from marketplace.legality.cli import legality
    from marketplace.legality.models import DocumentStatus

    app.cli.add_command(legality)
    app.jinja_env.globals["DocumentStatus"] = DocumentStatus
    register_labels(
        app,
        "status",
        {
            DocumentStatus.SUBMITTED: _l("Menunggu pemeriksaan"),
            DocumentStatus.VERIFIED: _l("Terverifikasi"),
            DocumentStatus.REJECTED: _l("Ditolak"),
            DocumentStatus.EXPIRED: _l("Kedaluwarsa"),
            DocumentStatus.REVOKED: _l("Dicabut"),
        },
    )
    register_messages(
        app,
        {
            "document_submitted": _l("%(business)s mengunggah %(kind)s untuk diperiksa."),
            "document_verified": _l("%(kind)s Anda sudah diverifikasi."),
            "document_rejected": _l("%(kind)s Anda ditolak: %(reason)s"),
            "document_revoked": _l("%(kind)s Anda dicabut: %(reason)s"),
            "permit_expired": _l(
                "%(kind)s %(number)s milik %(business)s sudah kedaluwarsa. %(count)d produk "
                "diturunkan dari etalase sampai izin baru diverifikasi."
            ),
            "permit_expiring": _l(
                "%(kind)s %(number)s milik %(business)s berakhir pada %(date)s. Segera "
                "perpanjang agar produk tetap tampil."
            ),
        },
    )
