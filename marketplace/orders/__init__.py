"""Cart, checkout and the order lifecycle."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_labels, register_messages, register_nav
    from marketplace.orders.cli import orders
    from marketplace.orders.models import OrderStatus
    from marketplace.orders.views import bp

    app.register_blueprint(bp)
    app.jinja_env.globals["OrderStatus"] = OrderStatus
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
    _register_cart_count(app)
    register_labels(
        app,
        "status",
        {
            OrderStatus.PENDING_PAYMENT: _l("Menunggu pembayaran"),
            OrderStatus.PAID: _l("Dibayar, perlu dikirim"),
            OrderStatus.SHIPPED: _l("Dikirim"),
            OrderStatus.COMPLETED: _l("Selesai"),
            OrderStatus.CANCELLED: _l("Dibatalkan"),
            OrderStatus.REFUNDED: _l("Dana dikembalikan"),
            OrderStatus.AWAITING_DELIVERY: _l("Bayar di tempat, perlu dikirim"),
        },
    )
    register_messages(
        app,
        {
            "order_paid": _l("Pesanan baru #%(order)s sudah dibayar (%(total)s). Silakan kirim."),
            "order_shipped": _l(
                "Pesanan #%(order)s dari %(business)s dikirim lewat %(courier)s, resi %(tracking)s."
            ),
            "order_refunded": _l("Dana pesanan #%(order)s (%(total)s) dikembalikan ke pembeli."),
            "order_cod": _l(
                "Pesanan baru #%(order)s, bayar di tempat (%(total)s). Siapkan barangnya."
            ),
            "order_ready_for_pickup": _l(
                "Pesanan #%(order)s dari %(business)s siap diambil. Tunjukkan kode ambil Anda."
            ),
            "order_out_for_delivery": _l("Pesanan #%(order)s dari %(business)s sedang diantar."),
        },
    )


def _register_cart_count(app) -> None:
    """The header's cart count of a signed-in buyer, read with the login session (a guest's
    header shows the cart link alone, so the guest page cache stays shareable)."""
    from sqlalchemy import func, select

    from marketplace.core.extension import register_role_fact
    from marketplace.orders.models import Cart, CartItem

    register_role_fact(
        app,
        "cart_items",
        lambda user_id: (
            select(func.coalesce(func.sum(CartItem.quantity), 0))
            .join(Cart, Cart.id == CartItem.cart_id)
            .where(Cart.user_id == user_id)
            .scalar_subquery()
        ),
    )
