"""The public JSON API and the owner's JSON endpoints."""


def init_app(app) -> None:
    from marketplace.api.me import bp as me_bp
    from marketplace.api.views import bp

    app.register_blueprint(bp)
    app.register_blueprint(me_bp)
