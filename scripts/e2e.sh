#!/usr/bin/env bash
# Browser end-to-end tests: starts `make run`'s server on a free port with a fresh data dir,
# drives Debian's Chromium with playwright-core against it, then stops the server.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

if [ ! -x /usr/bin/chromium ]; then
  echo "Installing Debian's chromium for the browser tests" >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || {
    echo "ERROR: /usr/bin/chromium is missing and could not be installed; browser tests cannot run." >&2
    exit 1
  }
fi

PORT=${E2E_PORT:-$(backend/.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
DATA_DIR=$(mktemp -d)
LOG=$DATA_DIR/server.log
# exec: $! is then the server itself, so the trap stops it (a plain subshell would leave it running).
# Every suite signs the same demo users in from this one address within a minute or two, more often than the
# production login rate limits allow a person; the limits themselves are tested by the backend suite.
(cd backend && PORT=$PORT HOST=127.0.0.1 MULTIDESK_DATA_DIR=$DATA_DIR \
  MULTIDESK_RATE_LIMIT_LOGIN_EMAIL=100/minute MULTIDESK_RATE_LIMIT_LOGIN_IP=300/minute \
  exec .venv/bin/python -m app.cli serve >"$LOG" 2>&1) &
SERVER=$!
stop_server() {
  local status=$?
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  rm -rf "$DATA_DIR"
  exit "$status"
}
trap stop_server EXIT

for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 $SERVER 2>/dev/null; then cat "$LOG" >&2; echo "ERROR: the server exited before it was ready" >&2; exit 1; fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/health/ready" >/dev/null || { cat "$LOG" >&2; echo "ERROR: server not ready" >&2; exit 1; }

cd "$ROOT/frontend"
E2E_BASE_URL="http://127.0.0.1:$PORT" npm run e2e || { echo "--- server log ---" >&2; tail -n 80 "$LOG" >&2; exit 1; }
