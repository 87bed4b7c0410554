#!/usr/bin/env bash
# Quick start on a fresh machine: installs what Hangar needs (npm packages, a Docker engine, offline
# images) and runs the sample pipeline with `hangar exec`. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/setup-docker.sh
bash scripts/test-images.sh

cd examples/hello
exec node ../../bin/hangar.js exec .drone.yml "$@"
