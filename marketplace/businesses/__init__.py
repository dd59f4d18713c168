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
    _register_area(app)


def _register_area(app) -> None:
    """The owner's area: held by whoever owns a business (read with the login session);
    anyone else is offered to start selling from the shop's menu."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy import select

    from marketplace.businesses.models import Business
    from marketplace.core.extension import register_area, register_nav, register_role_fact

    register_role_fact(
        app,
        "owner",
        lambda user_id: (
            select(Business.id).where(Business.owner_id == user_id).limit(1).scalar_subquery()
        ),
    )

    def owns(user) -> bool:
        return bool(getattr(user, "is_authenticated", False)) and bool(
            (getattr(user, "role_facts", None) or {}).get("owner")
        )

    register_area(app, "owner", _l("Usaha saya"), holds=owns, priority=40)
    register_nav(
        app,
        "shopper",
        "business.dashboard",
        _l("Jual di Pasarkita"),
        order=90,
        visible=lambda user: not owns(user),
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
