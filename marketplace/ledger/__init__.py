"""The SME's books."""


def init_app(app) -> None:
    from marketplace.ledger.views import bp

    app.register_blueprint(bp)
