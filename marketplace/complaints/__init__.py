"""After-sales (issue 15): cash on delivery, cancellation, receipt and held money,
complaints, and the notices of each step."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.complaints.models import ComplaintStatus
    from marketplace.complaints.views import bp
    from marketplace.core.extension import label, register_labels, register_messages, register_nav

    app.register_blueprint(bp)
    register_nav(
        app,
        "admin",
        "aftersales.admin_complaints",
        _l("Keluhan"),
        order=35,
        visible=lambda user: bool(getattr(user, "is_admin", False)),
    )
    register_labels(app, "status", {"awaiting_delivery": _l("Bayar di tempat, belum diterima")})
    register_labels(
        app,
        "complaint_status",
        {
            ComplaintStatus.OPEN: _l("Menunggu tanggapan penjual"),
            ComplaintStatus.ANSWERED: _l("Dijawab penjual"),
            ComplaintStatus.RETURN_REQUESTED: _l("Barang perlu dikirim kembali"),
            ComplaintStatus.RETURN_SHIPPED: _l("Barang dikirim kembali"),
            ComplaintStatus.ESCALATED: _l("Diputuskan admin"),
            ComplaintStatus.RESOLVED: _l("Selesai"),
            ComplaintStatus.DECIDED: _l("Diputuskan admin, selesai"),
        },
    )
    register_labels(
        app,
        "complaint_reason",
        {
            "not_received": _l("Barang tidak sampai"),
            "damaged": _l("Barang rusak"),
            "wrong_item": _l("Barang salah kirim"),
            "not_as_described": _l("Tidak sesuai deskripsi"),
        },
    )
    register_labels(
        app,
        "step",
        {
            "order_placed": _l("Pesanan dibuat"),
            "pay": _l("Dibayar"),
            "record_cash": _l("Uang tunai diterima penjual"),
            "fail_delivery": _l("Pengiriman gagal"),
            "release_cod": _l("Tidak terkirim tepat waktu, stok dikembalikan"),
            "cancel": _l("Dibatalkan"),
            "cancel_paid": _l("Dibatalkan pembeli, dana dikembalikan"),
            "expire": _l("Kedaluwarsa"),
            "ship": _l("Dikirim"),
            "complete": _l("Diterima pembeli"),
            "auto_complete": _l("Selesai otomatis"),
            "complaint_closed": _l("Selesai setelah keluhan"),
            "complaint_refund": _l("Dana dikembalikan karena keluhan"),
            "refund": _l("Dana dikembalikan"),
            "refund_at_stripe": _l("Dana dikembalikan"),
            "complaint_opened": _l("Keluhan dibuka"),
            "complaint_accept_full": _l("Penjual mengembalikan seluruh dana"),
            "complaint_accept_partial": _l("Penjual mengembalikan sebagian dana"),
            "complaint_request_return": _l("Penjual meminta barang dikirim kembali"),
            "complaint_ship_return": _l("Pembeli mengirim barang kembali"),
            "complaint_receive_return": _l("Penjual menerima barang kembali"),
            "complaint_answer": _l("Penjual menjawab"),
            "complaint_accept_answer": _l("Pembeli menerima jawaban"),
            "complaint_escalate": _l("Diteruskan ke admin"),
            "complaint_decide": _l("Admin memutuskan"),
        },
    )
    register_labels(
        app,
        "role",
        {
            "consumer": _l("Pembeli"),
            "sme_owner": _l("Penjual"),
            "admin": _l("Admin"),
            "system": _l("Sistem"),
        },
    )
    app.jinja_env.globals["label"] = label
    _template_helpers(app)
    register_messages(
        app,
        {
            "order_paid_buyer": _l(
                "Pembayaran pesanan #%(order)s di %(business)s (%(total)s) sudah diterima."
            ),
            "order_cash_recorded": _l(
                "Pembayaran tunai pesanan #%(order)s (%(total)s) tercatat di pembukuan."
            ),
            "order_delivery_failed": _l(
                "Pengiriman pesanan #%(order)s dari %(business)s gagal; pesanan dibatalkan."
            ),
            "order_cod_released": _l(
                "Pesanan bayar di tempat #%(order)s tidak terkirim tepat waktu; pesanan dibatalkan."
            ),
            "order_cancelled": _l("Pesanan #%(order)s dari %(business)s dibatalkan pembeli."),
            "order_completed": _l(
                "Pesanan #%(order)s selesai; %(total)s kini bisa dibayarkan ke penjual."
            ),
            "complaint_opened": _l("Keluhan dibuka untuk pesanan #%(order)s (%(business)s)."),
            "complaint_answered": _l("Penjual menjawab keluhan pesanan #%(order)s."),
            "complaint_return_requested": _l(
                "Penjual meminta barang pesanan #%(order)s dikirim kembali. Isi resinya."
            ),
            "complaint_return_shipped": _l(
                "Barang pesanan #%(order)s dikirim kembali lewat %(courier)s, resi %(tracking)s."
            ),
            "complaint_resolved": _l(
                "Keluhan pesanan #%(order)s selesai; dana dikembalikan %(amount)s."
            ),
            "complaint_escalated": _l(
                "Keluhan pesanan #%(order)s belum selesai dan diteruskan ke admin."
            ),
            "complaint_decided": _l(
                "Admin memutuskan keluhan pesanan #%(order)s: dana dikembalikan %(amount)s."
            ),
        },
    )


def _template_helpers(app) -> None:
    """What the order pages (both sides) ask: the order's complaint, whether one can be
    opened, when the money is released, and the whole timeline."""
    from marketplace.complaints import services
    from marketplace.orders import aftersales

    app.jinja_env.globals.update(
        complaint_for=services.complaint_of,
        can_complain=services.can_complain,
        window_ends=aftersales.window_ends,
        order_timeline=lambda order: services.timeline(order, services.complaint_of(order)),
    )
