"""The Stripe gateway, the webhook and idempotent fulfilment."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_messages
    from marketplace.payments.webhooks import bp

    app.register_blueprint(bp)
    register_messages(
        app,
        {
            "payment_flagged": _l("Pembayaran checkout #%(checkout)s perlu diperiksa: %(reason)s"),
            "order_partially_refunded": _l(
                "Sebagian dana pesanan #%(order)s (%(amount)s dari %(total)s) dikembalikan "
                "ke pembeli."
            ),
            "order_refunded_unpaid": _l(
                "Pembayaran pesanan #%(order)s (%(total)s) dikembalikan ke pembeli sebelum "
                "dikonfirmasi; pesanan dibatalkan."
            ),
        },
    )
