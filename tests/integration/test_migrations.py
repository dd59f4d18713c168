"""`flask db upgrade` on an empty database, then `flask db check`, as a new deploy does."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def flask(*args, env):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_upgrade_on_an_empty_database_then_check_is_clean(tmp_path):
    env = {**os.environ, "PASARKITA_ENV": "development", "PASARKITA_INSTANCE": str(tmp_path)}
    url = os.environ.get("DATABASE_URL_TEST")
    if url:
        # The suite's own PostgreSQL database is already migrated; use a fresh schema.
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA IF EXISTS migcheck CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA migcheck"))
        engine.dispose()
        sep = "&" if "?" in url else "?"
        env["DATABASE_URL"] = f"{url}{sep}options=-csearch_path%3Dmigcheck"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"

    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask("db", "check", env=env)
    assert check.returncode == 0, check.stderr + check.stdout
    assert "No new upgrade operations detected" in check.stdout + check.stderr
