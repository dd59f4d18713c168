"""The lead console of one chapter (/lead/<slug>/...)."""


def init_app(app) -> None:
    from marketplace.core.extension import register_nav
    from marketplace.lead.views import bp

    app.register_blueprint(bp)

    def chapters_led(user, context):
        from flask_babel import lazy_gettext as _l

        for role in getattr(user, "lead_roles", ()):
            yield (
                _l("Pengurus %(name)s", name=role.chapter.name),
                {"chapter_slug": role.chapter.slug},
            )

    register_nav(app, "lead", "lead.dashboard", None, items=chapters_led)
    from flask_babel import lazy_gettext as _l

    from marketplace.core.extension import register_area

    register_area(
        app,
        "lead",
        _l("Pengurus chapter"),
        holds=lambda user: bool(getattr(user, "lead_roles", ())),
        priority=20,
    )
