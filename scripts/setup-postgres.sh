#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 cluster for the store tests and prints its URL on stdout
# (everything else goes to stderr), so callers can do:
#   export HANGAR_TEST_PG_URL="$(scripts/setup-postgres.sh)"
# or, with --env, prints `export HANGAR_TEST_PG_URL=…` for `eval "$(scripts/setup-postgres.sh --env)"`.
# Idempotent: installs postgresql-15 only when missing, initialises the cluster only once, starts it
# only when it is not answering, creates the database only when absent.
# Settings (env): HANGAR_PG_DIR (default /tmp/hangar-pg), HANGAR_PG_PORT (55432),
# HANGAR_PG_DB (hangar_test).
set -euo pipefail

PGDIR="${HANGAR_PG_DIR:-/tmp/hangar-pg}"
PORT="${HANGAR_PG_PORT:-55432}"
DB="${HANGAR_PG_DB:-hangar_test}"
HOST=127.0.0.1
MODE=url
case "${1:-}" in
  --env) MODE=env ;;
  "") ;;
  *)
    echo "usage: $0 [--env]" >&2
    exit 2
    ;;
esac

log() { echo "setup-postgres: $*" >&2; }

# The server binaries are not on PATH on a stock Debian install; this workplace adds symlinks in
# /usr/local/bin. Prefer the versioned directory, fall back to PATH.
find_bin_dir() {
  local d
  for d in /usr/lib/postgresql/15/bin /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ]; then
      echo "$d"
      return 0
    fi
  done
  if command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(readlink -f "$(command -v pg_ctl)")"
    return 0
  fi
  return 1
}

if ! BIN="$(find_bin_dir)"; then
  if [ "$(id -u)" -ne 0 ]; then
    log "postgresql-15 is not installed and installing it needs root (apt-get install postgresql-15)"
    exit 1
  fi
  log "installing postgresql-15"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends postgresql-15 >&2
  BIN="$(find_bin_dir)"
fi

# As root the cluster must belong to an unprivileged user (postgres refuses to run as root).
if [ "$(id -u)" -eq 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  mkdir -p "$PGDIR"
  chown postgres: "$PGDIR"
else
  as_pg() { "$@"; }
  mkdir -p "$PGDIR"
fi
chmod 700 "$PGDIR"

if [ ! -f "$PGDIR/PG_VERSION" ]; then
  log "initdb in $PGDIR"
  as_pg "$BIN/initdb" -D "$PGDIR" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >&2
fi

ready() { "$BIN/pg_isready" -q -h "$HOST" -p "$PORT" -U postgres; }

if ! ready; then
  log "starting on $HOST:$PORT"
  # -w waits for start-up; fsync off is safe for a throwaway test cluster and much faster.
  as_pg "$BIN/pg_ctl" -D "$PGDIR" -l "$PGDIR/server.log" -w -t 60 \
    -o "-k $PGDIR -p $PORT -c listen_addresses=$HOST -c fsync=off -c max_connections=200" start >&2
fi

for _ in $(seq 1 60); do
  ready && break
  sleep 1
done
if ! ready; then
  log "PostgreSQL did not become ready; see $PGDIR/server.log"
  exit 1
fi

PSQL=("$BIN/psql" -h "$HOST" -p "$PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
if [ "$("${PSQL[@]}" -c "select 1 from pg_database where datname = '$DB'")" != "1" ]; then
  log "creating database $DB"
  "${PSQL[@]}" -c "create database \"$DB\"" >&2
fi

URL="postgres://postgres@$HOST:$PORT/$DB"
if [ "$MODE" = env ]; then
  echo "export HANGAR_TEST_PG_URL=$URL"
else
  echo "$URL"
fi
