"""Accounts, revocable login sessions and the login throttle."""


def init_app(app) -> None:
    from marketplace.accounts.views import bp

    app.register_blueprint(bp)
