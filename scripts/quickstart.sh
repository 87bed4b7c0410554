#!/usr/bin/env bash
# Quick start on a fresh machine: installs what Hangar needs (npm packages, a Docker engine, offline
# images), builds the CLI and the web UI, starts `hangar server` (embedded SQLite, and an embedded
# runner on the local Docker engine), and registers a demo repository whose first push runs
# examples/hello/.drone.yml. Ctrl-C stops the server. Safe to run again (the data stays in
# $HANGAR_DATA, default ./hangar-data).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-docker.sh
bash scripts/test-images.sh
npm run --silent build

export HANGAR_DATA="${HANGAR_DATA:-$root/hangar-data}"
export HANGAR_ADDR="${HANGAR_ADDR:-127.0.0.1:8080}"
# Request logs are for operators; the quick start shows only what needs attention.
export HANGAR_LOG_LEVEL="${HANGAR_LOG_LEVEL:-warn}"
mkdir -p "$HANGAR_DATA"
token_file="$HANGAR_DATA/quickstart-admin-token"
if [ -z "${HANGAR_ADMIN_TOKEN:-}" ]; then
  [ -s "$token_file" ] || (umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$token_file")
  HANGAR_ADMIN_TOKEN="$(cat "$token_file")"
  export HANGAR_ADMIN_TOKEN
fi
server="http://$HANGAR_ADDR"

node bin/hangar.js server &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 60); do
  node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$server/healthz" && break
  kill -0 "$pid" 2>/dev/null || { echo "quickstart: hangar server did not start" >&2; exit 1; }
  sleep 0.5
done

demo="$HANGAR_DATA/demo/hello.git"
if [ ! -d "$demo" ]; then
  git init -q --bare -b main "$demo"
  HANGAR_SERVER="$server" HANGAR_TOKEN="$HANGAR_ADMIN_TOKEN" node bin/hangar.js repo add "$demo" --name demo/hello
  work="$(mktemp -d)"
  git clone -q "$demo" "$work/hello"
  cp examples/hello/.drone.yml "$work/hello/"
  git -C "$work/hello" add .drone.yml
  git -C "$work/hello" -c user.name=Hangar -c user.email=hangar@localhost commit -qm "Add the hello pipeline"
  git -C "$work/hello" push -q origin HEAD:main
  rm -rf "$work"
fi

cat <<MSG

Hangar is running at $server
  sign in with the admin token: $HANGAR_ADMIN_TOKEN
  the demo repository demo/hello ($demo) is building its pipeline: open $server/demo/hello
  push to it (git clone $demo) to build again.
Ctrl-C stops the server.
MSG
wait "$pid"
