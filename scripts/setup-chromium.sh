#!/usr/bin/env bash
# Installs Debian's Chromium for the browser tests (test/browser), which drive it headless with
# playwright-core. Idempotent: does nothing when /usr/bin/chromium already runs. Needs root (apt).
# The tests find it at /usr/bin/chromium, or at HANGAR_CHROMIUM.
set -euo pipefail

BIN="${HANGAR_CHROMIUM:-/usr/bin/chromium}"
log() { echo "setup-chromium: $*" >&2; }

if [ -x "$BIN" ] && "$BIN" --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1; then
  log "$("$BIN" --version 2>/dev/null | head -n1) already installed"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "Chromium is missing and installing it needs root: sudo apt-get install -y --no-install-recommends chromium"
  exit 1
fi

log "installing chromium from Debian"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends chromium >&2
log "$("$BIN" --version 2>/dev/null | head -n1) installed"
