#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need (npm packages, Docker engine,
# Chromium for the UI tests, offline test images, a loopback registry, PostgreSQL), then runs
# `npm test`, whose last line is `N passed, N failed, N skipped`. Safe to run again: every step
# skips work already done.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

bash scripts/setup-docker.sh
bash scripts/setup-chromium.sh
bash scripts/test-images.sh
# shellcheck disable=SC1091
eval "$(bash scripts/setup-registry.sh --env)"
eval "$(bash scripts/setup-postgres.sh --env)"

exec npm test
