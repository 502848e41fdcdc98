#!/usr/bin/env bash
# Makes sure the PostgreSQL and Redis the tests use are up on 127.0.0.1, starting them if they are down.
# Fails loudly (exit 1) when a server cannot be started: the tests that need it must never be skipped.
set -euo pipefail

wait_for() {
  local what=$1 check=$2
  for _ in $(seq 1 30); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "ERROR: $what did not come up on 127.0.0.1; the PostgreSQL/Redis tests cannot run." >&2
  exit 1
}

if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  echo "PostgreSQL is down; starting it" >&2
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi
wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432"

if ! redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; then
  echo "Redis is down; starting it" >&2
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
wait_for Redis "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG"
echo "PostgreSQL and Redis are up" >&2
