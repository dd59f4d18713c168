"""Pasarkita: the community marketplace for Jakarta's UMKM."""

import logging
from collections.abc import Mapping

from flask import Flask, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from marketplace.config import CONFIGS, INSTANCE_PATH, PROJECT_ROOT, check_secret_key
from marketplace.extensions import (
    babel,
    cache,
    compress,
    csrf,
    db,
    limiter,
    login_manager,
    migrate,
)


def create_app(config: type | Mapping | str | None = None) -> Flask:
    """Build the app. ``config`` is a config class, a mapping of overrides, or a name
    (development, testing, production); by default ``PASARKITA_ENV`` or development."""
    import os

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_PATH),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    if config is None:
        config = os.environ.get("PASARKITA_ENV", "development")
    if isinstance(config, str):
        app.config.from_object(CONFIGS[config])
    elif isinstance(config, Mapping):
        app.config.from_object(CONFIGS["testing"])
        app.config.update(config)
    else:
        app.config.from_object(config)
    check_secret_key(app.config)
    _allow_stripe_in_csp(app)
    INSTANCE_PATH.mkdir(parents=True, exist_ok=True)

    if app.config.get("PROXY_HOPS"):
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    configure_logging(app)
    configure_extensions(app)
    register_features(app)
    register_hooks(app)
    register_cli(app)
    return app


def _allow_stripe_in_csp(app: Flask) -> None:
    """Stripe.js and the API it calls (Stripe, or localstripe in development)."""
    from urllib.parse import urlsplit

    origins = []
    for key in ("STRIPE_JS_URL", "STRIPE_API_BASE"):
        url = app.config.get(key)
        if url:
            parts = urlsplit(url)
            origins.append(f"{parts.scheme}://{parts.netloc}")
    if app.config.get("ENV_NAME") == "production":
        origins += ["https://js.stripe.com", "https://api.stripe.com"]
    origins = tuple(dict.fromkeys(origins))
    app.config["CSP_SCRIPT_SOURCES"] = (*app.config["CSP_SCRIPT_SOURCES"], *origins)
    app.config["CSP_CONNECT_SOURCES"] = (*app.config["CSP_CONNECT_SOURCES"], *origins)
    app.config["CSP_FRAME_SOURCES"] = (*app.config["CSP_FRAME_SOURCES"], *origins)


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        from flask import g, has_request_context

        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [req=%(request_id)s] %(message)s")
    )
    logger = logging.getLogger("pasarkita")
    if not any(isinstance(h, logging.StreamHandler) for h in logger.handlers):
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection, connection_record):
    # SQLite ignores foreign keys unless asked, per connection (CTFd's listener).
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def select_locale():
    from flask import has_request_context

    lang = session.get("lang") if has_request_context() else None
    if lang in ("id", "en"):
        return lang
    return "id"


def configure_extensions(app: Flask) -> None:
    # Import every model module so metadata (and Alembic autogenerate) sees all tables.
    import marketplace.models  # noqa: F401
    from marketplace.accounts.services import load_session_user

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    if app.config.get("COMPRESS_RESPONSES"):
        compress.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(PROJECT_ROOT / "marketplace" / "translations"),
    )

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Silakan masuk untuk membuka halaman ini.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(load_session_user)

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import redirect, url_for

        from marketplace.core.errors import error_response, wants_json

        if wants_json():
            return error_response(401)
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


class IdConverter(IntegerConverter):
    """``<int:...>`` limited to what an id column holds: a longer number is simply not
    found (404) instead of overflowing the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(map, *args, **kwargs)


# Every feature plugs in through the same contract as a plug-in: ``init_app(app)`` registers
# its blueprints, CLI, navigation, labels, notification texts and demo data on the app.
FEATURES = (
    "main",
    "accounts",
    "chapters",
    "catalog",
    "businesses",
    "legality",
    "delivery",
    "orders",
    "complaints",
    "reviews",
    "ledger",
    "payments",
    "notifications",
    "mentoring",
    "search",
    "lead",
    "admin",
    "api",
    "assist",
    "privacy",
)


def register_features(app: Flask) -> None:
    from importlib import import_module

    from marketplace.core import extension

    app.url_map.converters["int"] = IdConverter
    extension.init_app(app)
    for name in FEATURES:
        import_module(f"marketplace.{name}").init_app(app)


def register_hooks(app: Flask) -> None:
    from marketplace.core import static
    from marketplace.core.errors import register_error_handlers
    from marketplace.core.money import format_rupiah
    from marketplace.core.security import assign_request_id, set_security_headers
    from marketplace.core.timeutil import format_wib

    app.before_request(assign_request_id)
    app.after_request(set_security_headers)
    static.init_app(app)
    register_error_handlers(app)
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["wib"] = format_wib
    from marketplace.core.labels import status_label
    from marketplace.core.pagination import page_url
    from marketplace.legality.permits import PERMIT_LABELS

    app.jinja_env.globals.update(
        status_label=status_label, permit_labels=PERMIT_LABELS, page_url=page_url
    )

    @app.context_processor
    def inject_globals():
        from flask_babel import get_locale
        from flask_login import current_user

        unread = getattr(current_user, "unread_notifications", 0)
        return {"current_locale": str(get_locale() or "id"), "unread_notifications": unread}


def register_cli(app: Flask) -> None:
    from marketplace.cli import assign_lead, create_admin, seed_demo

    app.cli.add_command(create_admin)
    app.cli.add_command(seed_demo)
    app.cli.add_command(assign_lead)
