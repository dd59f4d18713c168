"""`flask db upgrade` on an empty database, then `flask db check`, as a new deploy does."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

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


def fresh_database_env(tmp_path, schema="migcheck"):
    """The environment of a `flask` command on an empty database of its own."""
    env = {**os.environ, "PASARKITA_ENV": "development", "PASARKITA_INSTANCE": str(tmp_path)}
    env.pop("PASARKITA_PLUGINS", None)
    url = os.environ.get("DATABASE_URL_TEST")
    if url:
        # The suite's own PostgreSQL database is already migrated; use a fresh schema.
        import sqlalchemy as sa

        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        sep = "&" if "?" in url else "?"
        env["DATABASE_URL"] = f"{url}{sep}options=-csearch_path%3D{schema}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.db'}"
    return env


def current(env) -> set[str]:
    """The revisions the database is at, as `flask db current` lists them (a head that another
    applied revision depends on is shown as an "effective head")."""
    result = flask("db", "current", env=env)
    assert result.returncode == 0, result.stderr
    return {line.split()[0] for line in result.stdout.splitlines() if line.strip()}


def heads(env) -> set[str]:
    result = flask("db", "heads", env=env)
    assert result.returncode == 0, result.stderr
    return {line.split()[0] for line in result.stdout.splitlines() if line.strip()}


def test_upgrade_on_an_empty_database_then_check_is_clean(tmp_path):
    env = fresh_database_env(tmp_path)

    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    check = flask("db", "check", env=env)
    assert check.returncode == 0, check.stderr + check.stdout
    assert "No new upgrade operations detected" in check.stdout + check.stderr


def test_upgrade_head_with_the_plugin_applies_every_head(tmp_path):
    env = fresh_database_env(tmp_path)
    all_heads = heads(env)
    # The host's chain and the referral network's branch.
    assert len(all_heads) == 2
    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    assert current(env) == all_heads


def test_downgrade_and_stamp_keep_working_with_two_heads(tmp_path):
    env = fresh_database_env(tmp_path)
    all_heads = heads(env)
    assert flask("db", "upgrade", env=env).returncode == 0
    downgrade = flask("db", "downgrade", env=env)
    assert downgrade.returncode == 0, downgrade.stderr
    assert current(env) != all_heads
    # Stamp with no target (Flask-Migrate's default "head") records every head again.
    stamp = flask("db", "stamp", env=env)
    assert stamp.returncode == 0, stamp.stderr
    assert current(env) == all_heads
    assert flask("db", "upgrade", "referrals@head", env=env).returncode == 0


OLD_CHAIN_HEAD = "16a801fb3929"  # the head when the referral tables sat in the host's chain


def test_database_of_the_old_single_chain_upgrades_to_every_head(tmp_path):
    import sqlalchemy as sa

    env = fresh_database_env(tmp_path)
    # Recreate a development database of before the split: the schema of OLD_CHAIN_HEAD and
    # that one revision in alembic_version, as the old linear chain left it.
    upgrade = flask("db", "upgrade", OLD_CHAIN_HEAD, env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    engine = sa.create_engine(env["DATABASE_URL"])
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM alembic_version"))
        conn.execute(sa.text("INSERT INTO alembic_version VALUES (:v)"), {"v": OLD_CHAIN_HEAD})
    engine.dispose()

    upgrade = flask("db", "upgrade", env=env)
    assert upgrade.returncode == 0, upgrade.stderr
    assert current(env) == heads(env)
    check = flask("db", "check", env=env)
    assert check.returncode == 0, check.stderr + check.stdout


# --- referral states as data: the database refuses what the code does not know ------------

REFERRAL_COLUMNS = (
    "business_id, chapter_id, bank_id, lead_id, scheme, sharia, amount_idr, tenor_months, "
    "purpose, no_other_credit, status, status_changed_at, created_at, approved_amount_idr, "
    "approved_tenor_months, approved_rate_bp, reject_reason"
)
EVENT_COLUMNS = "referral_id, seq, action, from_status, to_status, role, created_at"


def copy_row(db, table: str, columns: str, row_id: int, **replace):
    """INSERT a copy of row ``row_id`` of ``table`` with some columns replaced, in raw SQL."""
    import sqlalchemy as sa

    names = [c.strip() for c in columns.split(",")]
    select = ", ".join(f":{n}" if n in replace else n for n in names)
    sql = f"INSERT INTO {table} ({columns}) SELECT {select} FROM {table} WHERE id = :row_id"  # noqa: S608
    with db.engine.begin() as conn:
        conn.execute(sa.text(sql), {"row_id": row_id, **replace})


@pytest.fixture
def referral(db, world):
    from tests.factories import make_bank, make_referral

    bank = make_bank(slug="bank-uji", chapters=[world.tebet])
    return make_referral(business=world.biz_tebet, bank=bank, lead=world.lead_tebet, status="sent")


@pytest.fixture
def referral_event(db, referral):
    from marketplace.core.statemachine import apply_transition
    from referrals.models import ReferralEvent

    apply_transition(referral, "acknowledge", actor=None, role="bank_officer")
    db.session.commit()
    return db.session.query(ReferralEvent).filter_by(referral_id=referral.id).one()


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("referral", "status"),
        ("referral", "reject_reason"),
        ("referral_event", "from_status"),
        ("referral_event", "to_status"),
    ],
)
def test_referral_status_columns_refuse_an_unknown_value(db, referral_event, table, column):
    from sqlalchemy.exc import IntegrityError

    columns = REFERRAL_COLUMNS if table == "referral" else EVENT_COLUMNS
    row_id = referral_event.referral_id if table == "referral" else referral_event.id
    extra = {"seq": 99} if table == "referral_event" else {}
    with pytest.raises(IntegrityError):
        copy_row(db, table, columns, row_id, **{column: "tidak_dikenal", **extra})
    # The same copy with a value the code knows goes in: only the unknown value was refused.
    known = {"reject_reason": "lainnya", "status": "sent"}.get(column, "acknowledged")
    copy_row(db, table, columns, row_id, **{column: known, **extra})


@pytest.mark.parametrize("status", ["approved", "disbursed", "rejected"])
def test_referral_decision_without_its_terms_is_refused(db, referral, status):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        copy_row(db, "referral", REFERRAL_COLUMNS, referral.id, status=status)
    terms = (
        {"reject_reason": "lainnya"}
        if status == "rejected"
        else {
            "approved_amount_idr": 20_000_000,
            "approved_tenor_months": 24,
            "approved_rate_bp": 600,
        }
    )
    copy_row(db, "referral", REFERRAL_COLUMNS, referral.id, status=status, **terms)
