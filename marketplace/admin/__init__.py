"""Platform administration."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.admin.products import bp as products_bp
    from marketplace.admin.users import bp as users_bp
    from marketplace.admin.views import bp
    from marketplace.core.extension import register_area, register_nav

    app.register_blueprint(bp)
    app.register_blueprint(users_bp)
    app.register_blueprint(products_bp)

    def is_admin(user):
        return bool(getattr(user, "is_admin", False))

    for order, (endpoint, label) in enumerate(
        (
            ("admin.dashboard", _l("Admin")),
            ("admin.documents", _l("Verifikasi")),
            ("admin.orders", _l("Pesanan")),
            ("admin.payouts", _l("Pembayaran penjual")),
            ("admin_users.index", _l("Pengguna")),
            ("admin_products.index", _l("Produk")),
            ("admin.holidays", _l("Hari libur")),
        )
    ):
        register_nav(app, "admin", endpoint, label, order=10 * (order + 1), visible=is_admin)
    register_area(app, "admin", _l("Admin platform"), holds=is_admin, priority=30)
