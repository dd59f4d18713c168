"""The scheduler and service files under deploy/ name commands that exist."""

import re
import shlex
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def crontab_jobs() -> list[list[str]]:
    jobs = []
    for line in (DEPLOY / "crontab").read_text().splitlines():
        if not line.strip() or line.startswith("#") or re.match(r"^[A-Z_]+=", line):
            continue
        words = shlex.split(line)
        runner = next(i for i, w in enumerate(words) if w.endswith("deploy/run-job.sh"))
        jobs.append(words[runner + 1 :])
    return jobs


def service_commands() -> list[list[str]]:
    found = []
    for unit in (DEPLOY / "systemd").glob("*.service"):
        for line in unit.read_text().splitlines():
            if line.startswith("ExecStart=") and "flask" in line:
                words = shlex.split(line.removeprefix("ExecStart="))
                found.append(words[words.index("wsgi") + 1 :])
    return found


def test_the_crontab_schedules_the_housekeeping_jobs():
    names = {" ".join(job[:2]) for job in crontab_jobs()}
    assert {
        "orders expire",
        "permits expire",
        "mentoring remind",
        "referrals flag-overdue",
        "outbox send",
        "search prune",
    } <= names


@pytest.mark.plugin("referrals")
def test_every_scheduled_command_exists(app):
    runner = app.test_cli_runner()
    commands = crontab_jobs() + service_commands()
    assert ["search", "follow", "--interval", "0.5"] in commands
    for command in commands:
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
