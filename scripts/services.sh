#!/usr/bin/env bash
# Make sure PostgreSQL (127.0.0.1:5432) answers: start it, or install it from
# Debian's packages when this machine has none; the same for Redis (127.0.0.1:6379).
# Prints the PostgreSQL URL tests should use.
set -euo pipefail
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

if ! command -v pg_isready >/dev/null 2>&1 || ! pg_up; then
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    echo "Installing PostgreSQL from Debian's packages" >&2
    $sudo apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
  fi
  version="$(ls /etc/postgresql | sort -V | tail -1)"
  $sudo pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
  # A fresh Debian cluster asks for a password over TCP: give postgres one.
  $sudo su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >&2 || true
fi
pg_up || { echo "PostgreSQL did not start" >&2; exit 1; }

# Redis (127.0.0.1:6379): the rate-limit test runs one limiter on shared storage.
redis_up() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }
if ! redis_up; then
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "Installing Redis from Debian's packages" >&2
    $sudo apt-get update -qq >&2 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq redis-server >&2
  fi
  redis_up || redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no >&2
  for _ in $(seq 1 30); do redis_up && break; sleep 0.2; done
fi
redis_up || { echo "Redis did not start" >&2; exit 1; }
echo "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
