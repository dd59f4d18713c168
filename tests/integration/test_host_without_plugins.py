"""The host alone, without the referral network: it migrates, passes `flask db check` and
serves every page with no error and no link to an endpoint it does not have.

The host-only app is built in a SUBPROCESS: SQLAlchemy's metadata is process-wide and this
test process has imported the plug-in's models, so only a fresh interpreter sees the host's
tables alone (as a deploy without the plug-in does).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from marketplace import create_app
from marketplace.config import TestConfig
from marketplace.core.extension import registry

ROOT = Path(__file__).resolve().parents[2]
HOST_ONLY = "marketplace:create_app()"


def run(*args, env, timeout=300):
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture(scope="module")
def host_database(tmp_path_factory):
    """An empty SQLite file migrated by `flask db upgrade` of the host alone."""
    tmp = tmp_path_factory.mktemp("host_only")
    url = f"sqlite:///{tmp / 'host.db'}"
    env = {
        **os.environ,
        "PASARKITA_ENV": "development",
        "PASARKITA_INSTANCE": str(tmp),
        "DATABASE_URL": url,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("PASARKITA_PLUGINS", None)
    upgrade = run("-m", "flask", "--app", HOST_ONLY, "db", "upgrade", env=env)
    check = run("-m", "flask", "--app", HOST_ONLY, "db", "check", env=env)
    return {"url": url, "tmp": tmp, "env": env, "upgrade": upgrade, "check": check}


def test_host_alone_upgrades_an_empty_database_and_check_is_clean(host_database):
    upgrade, check = host_database["upgrade"], host_database["check"]
    assert upgrade.returncode == 0, upgrade.stderr
    assert check.returncode == 0, check.stderr + check.stdout
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_host_alone_creates_no_plugin_table(host_database):
    assert host_database["upgrade"].returncode == 0, host_database["upgrade"].stderr
    engine = sa.create_engine(host_database["url"])
    try:
        tables = set(sa.inspect(engine).get_table_names())
        with engine.connect() as conn:
            query = sa.text("SELECT version_num FROM alembic_version")
            versions = set(conn.execute(query).scalars())
    finally:
        engine.dispose()
    assert {"user", "business", "product", "order", "chapter"} <= tables
    assert not tables & {"referral", "referral_event", "bank", "bank_officer", "kur_scheme"}
    # One head: the host's own; the referral branch was never applied.
    assert len(versions) == 1


@pytest.fixture(scope="module")
def host_sweep(host_database):
    assert host_database["upgrade"].returncode == 0, host_database["upgrade"].stderr
    work = host_database["tmp"] / "work"
    work.mkdir()
    result = run("-m", "tests.host_only", host_database["url"], str(work), env=host_database["env"])
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_host_alone_serves_every_page_to_every_role_without_a_server_error(host_sweep):
    assert host_sweep["errors"] == []
    # The sweep really signed in: each role reached its own start page.
    for page in ("anonymous /", "owner /business/", "lead /lead/tebet/", "admin /admin/"):
        assert page in host_sweep["pages"]
    assert host_sweep["requests"] > 100


def test_host_alone_links_only_to_endpoints_it_has(host_sweep):
    assert host_sweep["links"] > 500
    assert host_sweep["broken_links"] == []


def test_host_alone_never_imports_the_plugin(host_sweep):
    assert host_sweep["plugin_modules"] == []
    assert "referral" not in host_sweep["tables"]


def _app(database_url, plugins=()):
    from marketplace.core.extension import install_plugins

    app = create_app(type("Cfg", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url}))
    install_plugins(app, plugins)
    return app


def test_registries_are_per_app_host_alone_has_no_referral_entries():
    from referrals.seed import seed
    from referrals.services import MESSAGES, STATUS_LABELS, pathway_dates

    with_plugin = _app("sqlite://", ["referrals"])
    host = _app("sqlite://")
    plugin_reg, host_reg = registry(with_plugin), registry(host)

    plugin_endpoints = {r.endpoint for r in with_plugin.url_map.iter_rules()} - {
        r.endpoint for r in host.url_map.iter_rules()
    }
    assert plugin_endpoints  # the plug-in app really has more
    host_nav = {e.endpoint for entries in host_reg.nav.values() for e in entries}
    plugin_nav = {e.endpoint for entries in plugin_reg.nav.values() for e in entries}
    assert plugin_nav & plugin_endpoints
    assert not host_nav & plugin_endpoints

    host_status = host_reg.labels.get("status", {})
    assert all(host_status.get(key) is not text for key, text in STATUS_LABELS.items())
    assert all(plugin_reg.labels["status"][key] is text for key, text in STATUS_LABELS.items())
    assert not set(MESSAGES) & set(host_reg.messages)
    assert set(MESSAGES) <= set(plugin_reg.messages)
    assert seed not in host_reg.demo_steps
    assert seed in plugin_reg.demo_steps
    assert pathway_dates not in host_reg.pathway_providers
    assert "referrals" not in host_reg.features
    assert host_reg.migration_folders == []
    assert [Path(f).parts[-2:] for f in plugin_reg.migration_folders] == [
        ("referrals", "migrations")
    ]


def test_registries_are_per_app_alembic_sees_the_branch_only_with_the_plugin():
    from flask_migrate import Migrate

    def version_locations(app):
        with app.app_context():
            migrate: Migrate = app.extensions["migrate"].migrate
            return migrate.get_config().get_main_option("version_locations")

    with_plugin = _app("sqlite://", ["referrals"])
    host = _app("sqlite://")
    assert version_locations(host) is None
    assert "referrals" in version_locations(with_plugin)
    # Asked again after the plug-in app: the callback reads each app's own registry.
    assert version_locations(host) is None
