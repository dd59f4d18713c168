"""Fixtures: a migrated database per run, a fresh app and clean rows per test.

The database is SQLite by default; set DATABASE_URL_TEST to a PostgreSQL URL to run the
same suite there (.ci/run does both).
"""

import os
import secrets

import pytest
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.core.extension import install_plugins, plugin_names
from marketplace.extensions import db as _db

from . import factories

# Reference tables filled by migrations; never emptied between tests.
KEEP_TABLES = {"chapter", "kelurahan", "kur_scheme", "holiday", "alembic_version"}

# The plug-ins the test app gets, as wsgi.py reads them: PASARKITA_PLUGINS= (empty) runs the
# suite on the host alone (the host-only pass of .ci/run).
PLUGINS = plugin_names(os.environ.get("PASARKITA_PLUGINS", "referrals"))

# Test modules of a plug-in, not collected without it: importing them would put the plug-in's
# tables in the process-wide metadata (and the host-only database has none of them).
PLUGIN_TESTS = {
    "referrals": (
        "integration/test_referral_portal.py",
        "integration/test_kur_prescreen.py",
        "integration/test_bank_api.py",
        "integration/test_tenancy_matrix.py",
        "browser/test_referral_journey.py",
    )
}


def pytest_collection_modifyitems(config, items):
    # A host test that also checks a plug-in's part (@pytest.mark.plugin("referrals")) is
    # deselected when that plug-in is not installed.
    keep, drop = [], []
    for item in items:
        marks = [m.args[0] for m in item.iter_markers("plugin")]
        (keep if all(name in PLUGINS for name in marks) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_ignore_collect(collection_path, config):
    from pathlib import Path

    here = Path(__file__).resolve().parent
    for plugin, modules in PLUGIN_TESTS.items():
        if plugin not in PLUGINS and any(
            Path(collection_path).resolve() == here / module for module in modules
        ):
            return True
    return None


@event.listens_for(Engine, "connect")
def _sqlite_without_fsync(dbapi_connection, connection_record):
    # A throwaway test database, like .ci/run's PostgreSQL with fsync=off: a commit need not
    # wait for the disk (about 20 ms each on these machines).
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id):
    """SQLite in the run's temp folder, or DATABASE_URL_TEST. Under pytest-xdist each worker
    takes its own server from DATABASE_URL_TEST_WORKERS (space-separated URLs, one per
    worker): the search feed waits for every open writing transaction of the *server*
    (transaction ids are server-wide), so workers sharing one would hold up each other's
    feed. The worker's URL replaces DATABASE_URL_TEST in its environment, for the tests and
    the commands they start."""
    url = os.environ.get("DATABASE_URL_TEST")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if worker_id == "master":
        return url
    urls = os.environ.get("DATABASE_URL_TEST_WORKERS", "").split()
    if not urls:
        pytest.exit(
            "pytest-xdist on PostgreSQL needs one server per worker: set "
            "DATABASE_URL_TEST_WORKERS (as .ci/run does) or run with PYTEST_WORKERS=0",
            returncode=4,
        )
    own = urls[int(worker_id.removeprefix("gw")) % len(urls)]
    os.environ["DATABASE_URL_TEST"] = own
    return own


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production: a fresh ``g`` and
    database session, even though the test itself holds an app context open."""

    def open(self, *args, **kwargs):
        from flask import has_app_context

        outer = _db.session() if has_app_context() else None
        with self.application.app_context():
            response = super().open(*args, **kwargs)
            # Buffer the body and release files (send_file) before the context ends.
            response.get_data()
            response.close()
            # Werkzeug spools big multipart bodies to a temp file that it never closes.
            stream = response.request.environ.get("wsgi.input")
            if stream is not None:
                stream.close()
        if outer is not None:
            outer.expire_all()
        return response


def build_app(database_url, **overrides):
    config = {"SQLALCHEMY_DATABASE_URI": database_url, **overrides}
    app = create_app(type("Cfg", (TestConfig,), config))
    install_plugins(app, PLUGINS)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture(scope="session")
def migrated(database_url):
    """Run every migration once on an empty database, as `flask db upgrade` does."""
    from flask_migrate import upgrade

    app = build_app(database_url)
    with app.app_context():
        if _db.engine.dialect.name == "postgresql":
            with _db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        _db.engine.dispose()
    return database_url


def clean_tables() -> None:
    from marketplace.chapters.models import Chapter

    with _db.engine.begin() as conn:
        # Chapters are reference rows kept between tests: put back what tests and the demo
        # change (a lead's settings, the centre's address), so no test sees another's.
        conn.execute(
            Chapter.__table__.update()
            .where(
                (Chapter.mentoring_sessions_required != 4)
                | (Chapter.books_months_required != 3)
                | (Chapter.books_weeks_required != 4)
                | Chapter.centre_address.is_not(None)
                | Chapter.centre_hours.is_not(None)
            )
            .values(
                mentoring_sessions_required=4,
                books_months_required=3,
                books_weeks_required=4,
                centre_address=None,
                centre_hours=None,
            )
        )
        tables = [t for t in reversed(_db.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        if conn.dialect.name == "postgresql":
            # TRUNCATE costs per table (about 1 ms each): only the tables this test filled.
            from sqlalchemy import exists, literal, select, union_all

            probe = union_all(
                *(select(literal(t.name)).where(exists().select_from(t)) for t in tables)
            )
            filled = conn.execute(probe).scalars().all()
            if filled:
                names = ", ".join(f'"{name}"' for name in filled)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def app_config(request):
    """Config overrides: parametrize indirectly, or override in a test module."""
    return getattr(request, "param", {})


@pytest.fixture(scope="session")
def upload_folder(tmp_path_factory):
    return str(tmp_path_factory.mktemp("uploads"))


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe():
    """One localstripe process for the run (its store in memory), emptied per test."""
    import subprocess
    import sys
    import time
    import urllib.request
    from pathlib import Path

    port = _free_port()
    root = Path(__file__).resolve().parents[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.localstripe_server", "--port", str(port)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{base}/js.stripe.com/v3/", timeout=1).close()  # noqa: S310
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise RuntimeError("localstripe did not start")
    yield base
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def stripe_base(localstripe):
    import urllib.request

    request = urllib.request.Request(f"{localstripe}/_config/data", method="DELETE")  # noqa: S310
    urllib.request.urlopen(request, timeout=5).close()  # noqa: S310
    return localstripe


# Apps reused between tests, one per distinct configuration (most tests share one): building
# an app, and compiling its routes and Jinja templates again, cost more than many tests, and
# each discarded app is a reference cycle the garbage collector has to walk. Between tests the
# fixture puts back the app's config and extensions and empties its caches and rate limits.
_APPS: dict[str, object] = {}
_APPS_KEPT = 6


def _shared_app(database_url, overrides):
    key = repr(sorted(overrides.items()))
    app = _APPS.pop(key, None) or build_app(database_url, **overrides)
    _APPS[key] = app  # most recently used last
    while len(_APPS) > _APPS_KEPT:
        _APPS.pop(next(iter(_APPS)))
    return app


@pytest.fixture
def app(migrated, app_config, upload_folder, tmp_path, request):
    """The app under test. Tests marked ``fresh_app`` (they add routes or change what the
    app was built with) get one of their own."""
    stripe_config = {}
    if "stripe_base" in request.fixturenames:
        base = request.getfixturevalue("stripe_base")
        stripe_config = {"STRIPE_API_BASE": base, "STRIPE_JS_URL": f"{base}/js.stripe.com/v3/"}
    overrides = {"UPLOAD_FOLDER": upload_folder, **stripe_config, **app_config}
    # Flask-Limiter keeps its state on the one Limiter object (from the last init_app): an app
    # with limits on is never shared, and each test sets whether its own app's are on.
    if request.node.get_closest_marker("fresh_app") or overrides.get("RATELIMIT_ENABLED"):
        app = build_app(migrated, **overrides)
    else:
        app = _shared_app(migrated, overrides)
    from marketplace.extensions import cache, limiter

    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    config, extensions = dict(app.config), dict(app.extensions)
    app.config["SEARCH_INDEX_DIR"] = str(tmp_path / "search_index")
    try:
        with app.app_context():
            yield app
            index = app.extensions.get("search_index")
            if index is not None:
                index.close()
            _db.session.remove()
            clean_tables()
            _db.engine.dispose()
            cache.clear()
            if limiter.enabled:
                limiter.reset()
    finally:
        app.config.clear()
        app.config.update(config)
        app.extensions.clear()
        app.extensions.update(extensions)


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_for(client, app) -> str:
    """A valid CSRF token for this client's session, as Flask-WTF would render it."""
    with client.session_transaction() as sess:
        raw = sess.get("csrf_token")
        if raw is None:
            raw = sess["csrf_token"] = secrets.token_hex(20)
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


class Browserish:
    """A test client that fills in the CSRF token like a real form does."""

    def __init__(self, client, app):
        self.client = client
        self.app = app

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", csrf_token_for(self.client, self.app))
        return self.client.post(url, data=data, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


@pytest.fixture
def csrf_client(client, app):
    return Browserish(client, app)


@pytest.fixture
def login_as(app):
    """login_as(client, user): sign ``user`` in on ``client`` through a real login session."""
    from marketplace.accounts.services import start_session

    def _login(client, user):
        token = start_session(user)
        _db.session.commit()
        with client.session_transaction() as sess:
            sess["_user_id"] = token
            sess["_fresh"] = True
        return token

    return _login


@pytest.fixture
def world(db):
    """Two chapters with a lead and a member business each, two consumers and an admin."""
    return factories.make_world()


class StatementCounter:
    """Counts SQL statements sent to the database while active."""

    def __init__(self, engine):
        self.engine = engine
        self.statements: list[str] = []

    def _count(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    def __enter__(self):
        from sqlalchemy import event

        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc):
        from sqlalchemy import event

        event.remove(self.engine, "before_cursor_execute", self._count)

    def __len__(self):
        return len(self.statements)


@pytest.fixture
def count_statements(db):
    return lambda: StatementCounter(db.engine)
