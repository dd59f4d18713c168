"""In-app notices and the e-mail outbox."""


def init_app(app) -> None:
    from marketplace.notifications import outbox, phone
    from marketplace.notifications.views import bp

    app.register_blueprint(bp)
    outbox.register(app)
    phone.register(app)
