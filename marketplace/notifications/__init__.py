"""In-app notices and the e-mail outbox."""


def init_app(app) -> None:
    from marketplace.notifications import outbox
    from marketplace.notifications.views import bp

    app.register_blueprint(bp)
    outbox.register(app)
