"""SME registration and the owner's pages."""


def init_app(app) -> None:
    from flask_babel import lazy_gettext as _l

    from marketplace.businesses.views import bp
    from marketplace.core.extension import register_nav

    app.register_blueprint(bp)
    _template_conflict_rule(app)
    register_nav(
        app,
        "owner",
        "business.dashboard",
        _l("Usaha saya"),
        order=20,
        visible=lambda user: bool(getattr(user, "is_authenticated", False)),
    )


def _template_conflict_rule(app) -> None:
    """``own_business(business)`` in templates: the signed-in user owns it, so the page shows
    the conflict-of-interest note instead of the attesting buttons (the services refuse)."""
    from flask_login import current_user

    from marketplace.businesses.conflict import OWN_BUSINESS_NOTE, owns

    app.jinja_env.globals.update(
        own_business=lambda business: owns(business, getattr(current_user, "id", None)),
        own_business_note=OWN_BUSINESS_NOTE,
    )
