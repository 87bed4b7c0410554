#!/usr/bin/env bash
# Gives a fresh Debian 12 machine (as root) a running Docker engine, with no Docker Hub access.
# Idempotent: installs only what is missing, starts dockerd only if its socket does not answer.
# Env: DOCKER_SOCKET (default /var/run/docker.sock), DOCKER_WAIT_SECONDS (default 60).
set -euo pipefail

sock="${DOCKER_SOCKET:-/var/run/docker.sock}"
wait_s="${DOCKER_WAIT_SECONDS:-60}"
log=/var/log/hangar-dockerd.log

need=()
{ command -v dockerd && command -v docker; } >/dev/null 2>&1 || need+=(docker.io)
dpkg -s busybox-static >/dev/null 2>&1 || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-docker: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

answers() { docker -H "unix://$sock" info >/dev/null 2>&1; }

if answers; then
  echo "setup-docker: engine already running at $sock"
  exit 0
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  echo "setup-docker: starting dockerd (log: $log)"
  # containerd is started by dockerd itself when no system containerd socket is configured.
  # setsid: its own session, so it outlives the caller's process group; 9>&- so it does not hold the
  # lock of a calling script (test-images.sh, setup-registry.sh).
  setsid dockerd -H "unix://$sock" >>"$log" 2>&1 </dev/null 9>&- &
fi

for _ in $(seq 1 "$wait_s"); do
  if answers; then
    echo "setup-docker: engine ready ($(docker -H "unix://$sock" version --format '{{.Server.Version}} API {{.Server.APIVersion}}' 2>/dev/null))"
    exit 0
  fi
  sleep 1
done
echo "setup-docker: dockerd did not answer within ${wait_s}s; last log lines:" >&2
tail -n 30 "$log" >&2 || true
exit 1
