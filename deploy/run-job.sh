#!/usr/bin/env bash
# Runs one Pasarkita CLI job for the scheduler (deploy/crontab): loads the server's settings,
# never lets two runs of the same job overlap (flock), logs to syslog with the job's name.
#   deploy/run-job.sh orders expire
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_FILE="${PASARKITA_ENV_FILE:-/etc/pasarkita/pasarkita.env}"
if [ -f "$ENV_FILE" ]; then set -a; . "$ENV_FILE"; set +a; fi
name="pasarkita-$(echo "$*" | tr ' ' '-')"
flock -n "${TMPDIR:-/tmp}/$name.lock" \
    .venv/bin/flask --app wsgi "$@" 2>&1 | logger -t "$name"
