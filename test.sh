#!/usr/bin/env bash
# Builds and runs every LockboxPortal test twice: on SQLite, then against PostgreSQL (with Redis), including the
# browser tests in headless Chromium. Installs what the tests need from Debian's packages when it is missing (needs
# root or sudo), and starts its own PostgreSQL and Redis on private ports and data folders, removed on exit.
set -euo pipefail
cd "$(dirname "$0")"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  as_root apt-get update -qq -o DPkg::Lock::Timeout=300
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${missing[@]}" >/dev/null
fi

results="$(mktemp -d)"
servers="$(mktemp -d)"
pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -n 1)")"
# A port nobody listens on, from the private range.
free_port() {
  local port
  while port=$(shuf -i 20000-60999 -n 1) && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do :; done
  echo "$port"
}
pg_port="$(free_port)"
redis_port="$(free_port)"
# initdb and pg_ctl refuse to run as root; as root they run as the postgres account.
as_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }

cleanup() {
  as_pg "'$pg_bin/pg_ctl' -D '$servers/pg' -m immediate stop" >/dev/null 2>&1 || true
  [ -f "$servers/redis.pid" ] && kill "$(cat "$servers/redis.pid")" 2>/dev/null || true
  rm -rf "$results" "$servers"
}
trap cleanup EXIT

# PostgreSQL: a private cluster, trusting local connections, on its own port, its log inside its data folder.
[ "$(id -u)" -eq 0 ] && chown postgres "$servers"
as_pg "'$pg_bin/initdb' -D '$servers/pg' -U postgres --auth=trust -E UTF8 >/dev/null"
as_pg "'$pg_bin/pg_ctl' -D '$servers/pg' -l '$servers/pg/log' -w -o \"-p $pg_port -k '$servers' -c listen_addresses=127.0.0.1 -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off\" start >/dev/null"
# Redis: no persistence, loopback only.
redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
  --pidfile "$servers/redis.pid" --logfile "$servers/redis.log" --dir "$servers" >/dev/null

export LOCKBOX_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres"
export LOCKBOX_TEST_REDIS="127.0.0.1:$redis_port"

status=0
dotnet build LockboxPortal.sln || status=$?
if [ "$status" -eq 0 ]; then
  echo "== The suite on SQLite =="
  LOCKBOX_TEST_DATABASE=Sqlite dotnet test LockboxPortal.sln --no-build \
    --logger "trx;LogFileName=sqlite.trx" --results-directory "$results" || status=$?
  # Everything ran on SQLite. Again on PostgreSQL with Redis: what depends on the database and the servers, i.e. all
  # but the one-node pages in Chromium and the authorization matrices (LockboxPortal.Tests/Infrastructure/TestPasses.cs).
  echo "== The suite on PostgreSQL =="
  LOCKBOX_TEST_DATABASE=Postgres dotnet test LockboxPortal.sln --no-build --filter "Category!=SqliteOnly" \
    --logger "trx;LogFileName=postgres.trx" --results-directory "$results" || status=$?
fi

# One closing line that any reader of the log understands: the totals of both runs.
passed=0
failed=0
while IFS= read -r trx; do
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  run_passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  run_failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${run_passed:-0}))
  failed=$((failed + ${run_failed:-0}))
done < <(find "$results" -name '*.trx')
echo "${passed} passed, ${failed} failed"
exit "$status"
