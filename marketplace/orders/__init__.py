"""Cart, checkout and the order lifecycle."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_labels, register_messages, register_nav
    from marketplace.orders.cli import orders
    from marketplace.orders.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(orders)
    register_nav(app, "shopper", "orders.cart", _l("Keranjang"), order=30)
    register_nav(
        app,
        "shopper",
        "orders.my_orders",
        _l("Pesanan saya"),
        order=40,
        visible=lambda user: bool(getattr(user, "is_authenticated", False)),
    )
    register_labels(
        app,
        "status",
        {
            "pending_payment": _l("Menunggu pembayaran"),
            "paid": _l("Dibayar, perlu dikirim"),
            "shipped": _l("Dikirim"),
            "completed": _l("Selesai"),
            "cancelled": _l("Dibatalkan"),
            "refunded": _l("Dana dikembalikan"),
        },
    )
    register_messages(
        app,
        {
            "order_paid": _l("Pesanan baru #%(order)s sudah dibayar (%(total)s). Silakan kirim."),
            "order_shipped": _l(
                "Pesanan #%(order)s dari %(business)s dikirim lewat %(courier)s, resi "
                "%(tracking)s."
            ),
            "order_refunded": _l("Dana pesanan #%(order)s (%(total)s) dikembalikan ke pembeli."),
        },
    )
