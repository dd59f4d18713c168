"""Identifiers, permits, documents, the listing gate and expiry."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_labels, register_messages
    from marketplace.legality.cli import legality

    app.cli.add_command(legality)
    register_labels(
        app,
        "status",
        {
            "submitted": _l("Menunggu pemeriksaan"),
            "verified": _l("Terverifikasi"),
            "rejected": _l("Ditolak"),
            "expired": _l("Kedaluwarsa"),
            "revoked": _l("Dicabut"),
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
