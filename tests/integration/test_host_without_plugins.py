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
    env = host_database["env"]
    result = run("-m", "tests.host_only", "sweep", host_database["url"], str(work), env=env)
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


@pytest.fixture(scope="module")
def two_apps():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = run("-m", "tests.host_only", "registries", env=env)
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_registries_are_per_app_host_alone_has_no_referral_entries(two_apps):
    host, plugin, referrals = two_apps["host"], two_apps["plugin"], two_apps["referrals"]
    plugin_endpoints = set(plugin["endpoints"]) - set(host["endpoints"])
    assert plugin_endpoints  # the plug-in app really has more
    assert set(plugin["nav"]) & plugin_endpoints
    assert not set(host["nav"]) & plugin_endpoints

    for key, text in referrals["status_labels"].items():
        assert host["status_labels"].get(key) != text, key
        assert plugin["status_labels"][key] == text
    assert not set(referrals["messages"]) & set(host["messages"])
    assert set(referrals["messages"]) <= set(plugin["messages"])
    assert "referrals.seed.seed" in plugin["demo_steps"]
    assert not [step for step in host["demo_steps"] if step.startswith("referrals.")]
    assert not [p for p in host["pathway_providers"] if p.startswith("referrals.")]
    assert "referrals" in plugin["features"]
    assert "referrals" not in host["features"]
    assert host["migration_folders"] == []
    assert [Path(f).parts[-2:] for f in plugin["migration_folders"]] == [
        ("referrals", "migrations")
    ]


def test_registries_are_per_app_alembic_sees_the_branch_only_with_the_plugin(two_apps):
    assert two_apps["host_version_locations_before"] is None
    assert "referrals" in two_apps["plugin"]["version_locations"]
    # Asked again after the plug-in app was built: the callback reads each app's own registry.
    assert two_apps["host"]["version_locations"] is None
