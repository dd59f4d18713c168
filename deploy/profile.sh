#!/usr/bin/env bash
# The second deployment profile, started for real on one machine: PostgreSQL (DATABASE_URL,
# given), Redis for the rate limits every server shares, two gunicorn app servers (2 sync
# workers each, production config behind a TLS proxy that sets X-Forwarded-Proto), and for
# each server its own search index folder kept current by `flask search follow`.
#
#   DATABASE_URL=postgresql+psycopg://... deploy/profile.sh [COMMAND ...]
#
# Migrates and seeds the demo data (an empty database becomes the demo), starts everything on
# free ports, exports PROFILE_SERVER_A / PROFILE_SERVER_B / PROFILE_REDIS_URL and
# PROFILE_LOGIN_LIMIT, runs COMMAND (default: wait for Ctrl-C), then stops everything it
# started, whatever happened (trap). .ci/run uses it for its two-server pass:
#   deploy/profile.sh .venv/bin/pytest -m deploy tests/deploy
set -euo pipefail

cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the PostgreSQL database of the profile}"
BIN="${BIN:-.venv/bin}"
WORKERS="${WORKERS:-2}"
REDIS_SERVER="${REDIS_SERVER:-$(command -v redis-server || echo /usr/bin/redis-server)}"
if [ ! -x "$REDIS_SERVER" ]; then
    echo "redis-server not found: apt-get install -y --no-install-recommends redis-server" >&2
    exit 1
fi

WORK="$(mktemp -d)"
pids=()
stop_profile() {
    local rc=$?
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [ "$rc" -ne 0 ]; then
        for log in "$WORK"/*.log; do
            [ -f "$log" ] || continue
            echo "---- $(basename "$log") (last lines)" >&2
            tail -n 30 "$log" >&2
        done
    fi
    rm -rf "$WORK"
    exit "$rc"
}
trap stop_profile EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
    local port=$1
    while ! port_free "$port"; do port=$((port + 1)); done
    echo "$port"
}
wait_for() {  # wait_for URL PID LOG
    for _ in $(seq 150); do
        if "$BIN/python" - "$1" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(sys.argv[1], timeout=1).close()
PY
        kill -0 "$2" 2>/dev/null || { echo "$3 exited" >&2; return 1; }
        sleep 0.2
    done
    echo "$1 did not answer" >&2
    return 1
}

REDIS_PORT="$(free_port "${REDIS_PORT:-6390}")"
"$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$WORK" --logfile "$WORK/redis.log" &
pids+=($!)
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null && break
    sleep 0.1
done

# Production settings, as deploy/pasarkita.env.example documents them.
export PASARKITA_ENV=production
export SECRET_KEY="${SECRET_KEY:-$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')}"
export STRIPE_SECRET_KEY="${STRIPE_SECRET_KEY:-sk_test_two_server_profile}"
export STRIPE_WEBHOOK_SECRET="${STRIPE_WEBHOOK_SECRET:-whsec_two_server_profile}"
export TRUSTED_HOSTS="${TRUSTED_HOSTS:-127.0.0.1,localhost}"
export PUBLIC_BASE_URL="${PUBLIC_BASE_URL:-https://127.0.0.1}"
export MAIL_BACKEND="${MAIL_BACKEND:-console}"
export NIK_INDEX_KEY="${NIK_INDEX_KEY:-$("$BIN/python" -c 'import secrets; print(secrets.token_hex(32))')}"
# Phone messages go to an SMS gateway; here a closed loopback port (a send fails and is
# retried later, nothing leaves the machine).
export PHONE_BACKEND="${PHONE_BACKEND:-sms}"
export SMS_GATEWAY_URL="${SMS_GATEWAY_URL:-http://127.0.0.1:9/sms}"
export SMS_GATEWAY_TOKEN="${SMS_GATEWAY_TOKEN:-two-server-profile}"
export PROXY_HOPS="${PROXY_HOPS:-1}"
export UPLOAD_FOLDER="${UPLOAD_FOLDER:-$WORK/uploads}"
export RATELIMIT_STORAGE_URI="redis://127.0.0.1:$REDIS_PORT/0"
export LOGIN_IP_LIMIT="${LOGIN_IP_LIMIT:-6 per minute}"

"$BIN/flask" --app wsgi db upgrade >"$WORK/migrate.log" 2>&1
# The demo data is development data (its .test addresses are refused in production); the
# profile signs in with the same accounts under a production-valid domain.
PASARKITA_ENV=development "$BIN/flask" --app wsgi seed-demo >"$WORK/seed.log" 2>&1
"$BIN/python" - <<'PY'
from sqlalchemy import text

from wsgi import app
from marketplace.extensions import db

with app.app_context():
    db.session.execute(
        text("UPDATE \"user\" SET email = replace(email, '.test', '.pasarkita.id') "
             "WHERE email LIKE '%.test'")
    )
    db.session.commit()
PY

start_server() {  # start_server NAME PORT
    local name=$1 port=$2
    mkdir -p "$WORK/$name"
    # Each server: its own instance folder and search index, its own follower.
    PASARKITA_INSTANCE="$WORK/$name" SEARCH_INDEX_DIR="$WORK/$name/search_index" \
        SEARCH_NODE_NAME="server-$name" \
        "$BIN/gunicorn" --workers "$WORKERS" --bind "127.0.0.1:$port" \
        --access-logfile - --error-logfile - wsgi:app >"$WORK/server-$name.log" 2>&1 &
    pids+=($!)
    wait_for "http://127.0.0.1:$port/healthz" "$!" "server $name"
    PASARKITA_INSTANCE="$WORK/$name" SEARCH_INDEX_DIR="$WORK/$name/search_index" \
        SEARCH_NODE_NAME="server-$name" \
        "$BIN/flask" --app wsgi search follow --interval 0.5 >"$WORK/follow-$name.log" 2>&1 &
    pids+=($!)
}

PORT_A="$(free_port "${PORT_A:-8601}")"
start_server a "$PORT_A"
PORT_B="$(free_port $((PORT_A + 1)))"
start_server b "$PORT_B"

export PROFILE_SERVER_A="http://127.0.0.1:$PORT_A"
export PROFILE_SERVER_B="http://127.0.0.1:$PORT_B"
export PROFILE_REDIS_URL="$RATELIMIT_STORAGE_URI"
export PROFILE_LOGIN_LIMIT="$LOGIN_IP_LIMIT"
echo "two-server profile: A $PROFILE_SERVER_A, B $PROFILE_SERVER_B, redis :$REDIS_PORT"

if [ "$#" -eq 0 ]; then
    echo "Ctrl-C stops it"
    wait
else
    # The command must not inherit the servers' production settings (pytest's own app).
    env -u PASARKITA_ENV -u SECRET_KEY -u RATELIMIT_STORAGE_URI "$@"
fi
