"""PDP self-service (issue 14 item 11): "My data" at /account/data/ (see services)."""


def init_app(app) -> None:
    from marketplace.privacy.views import bp

    app.register_blueprint(bp)
