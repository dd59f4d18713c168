"""The 44 kecamatan as chapters, their kelurahan and their leads."""


def init_app(app) -> None:
    from marketplace.chapters.views import bp

    app.register_blueprint(bp)
