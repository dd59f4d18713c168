"""SME registration and the owner's pages."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.businesses.views import bp
    from marketplace.core.extension import register_nav

    app.register_blueprint(bp)
    register_nav(
        app,
        "owner",
        "business.dashboard",
        _l("Usaha saya"),
        order=20,
        visible=lambda user: bool(getattr(user, "is_authenticated", False)),
    )
