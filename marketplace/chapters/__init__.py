"""The 44 kecamatan as chapters, their kelurahan and their leads."""


def init_app(app) -> None:
    from marketplace.chapters.services import chapter_led_by
    from marketplace.chapters.views import bp
    from marketplace.core.extension import register_scope_resolver

    app.register_blueprint(bp)
    # core/tenancy's lead blueprints ask this; core itself never imports a feature.
    register_scope_resolver(app, "lead_chapter", chapter_led_by)
