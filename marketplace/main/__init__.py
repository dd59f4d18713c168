"""Home page, language switch, health check."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_area, register_nav
    from marketplace.main.views import bp

    app.register_blueprint(bp)
    register_nav(app, "shopper", "main.index", _l("Beranda"), order=10)
    # The shop is everyone's area and nobody's main role (a buyer returns where they were).
    register_area(app, "shopper", _l("Belanja"), holds=lambda user: True, priority=None)
