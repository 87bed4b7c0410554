#!/usr/bin/env bash
# Runs a private loopback registry for pull/auth tests: Debian's `docker-registry` on 127.0.0.1:5000
# with htpasswd auth, storage in a temp dir, and one private image pushed into it.
# Idempotent: a registry that already answers with our credentials is reused.
# Prints on stdout (and writes to $HANGAR_REGISTRY_DIR/env) the variables the tests read, for
# `eval "$(scripts/setup-registry.sh --env)"`; progress goes to stderr:
#   HANGAR_TEST_REGISTRY, HANGAR_TEST_REGISTRY_USER, HANGAR_TEST_REGISTRY_PASSWORD, HANGAR_TEST_PRIVATE_IMAGE
set -euo pipefail

case "${1:-}" in
  '' | --env) ;;
  *) echo "usage: $0 [--env]" >&2; exit 2 ;;
esac
log() { echo "setup-registry: $*" >&2; }

here="$(cd "$(dirname "$0")" && pwd)"
dir="${HANGAR_REGISTRY_DIR:-/tmp/hangar-registry}"
port="${HANGAR_REGISTRY_PORT:-5000}"
addr="127.0.0.1:$port"
user="${HANGAR_TEST_REGISTRY_USER:-hangar}"
password="${HANGAR_TEST_REGISTRY_PASSWORD:-hangar-registry-pw}"
image="$addr/hangar-test/private:1"

exec 9>/tmp/hangar-registry.lock
flock 9

need=()
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || need+=(apache2-utils)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1
fi
"$here/test-images.sh" >&2

status() { curl -s -o /dev/null -w '%{http_code}' -u "$1" "http://$addr/v2/" || true; }

if [ "$(status "$user:$password")" != 200 ]; then
  if [ "$(status x:y)" != 000 ]; then
    log "something else answers on $addr and refuses our credentials"
    exit 1
  fi
  mkdir -p "$dir/data"
  htpasswd -Bbn "$user" "$password" >"$dir/htpasswd"
  cat >"$dir/config.yml" <<YML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $addr
auth:
  htpasswd:
    realm: hangar-test
    path: $dir/htpasswd
YML
  # The Debian service unit is not used (no systemd here); the registry runs detached.
  # setsid: its own session, so it outlives this script's process group; 9>&- so it does not hold our lock.
  setsid docker-registry serve "$dir/config.yml" >>"$dir/registry.log" 2>&1 </dev/null 9>&- &
  echo $! >"$dir/pid"
  for _ in $(seq 1 50); do
    [ "$(status "$user:$password")" = 200 ] && break
    sleep 0.2
  done
  if [ "$(status "$user:$password")" != 200 ]; then
    log "registry did not come up; log:"
    tail -n 20 "$dir/registry.log" >&2 || true
    exit 1
  fi
  log "registry running on $addr (pid $(cat "$dir/pid"), storage $dir/data)"
fi
[ "$(status "$user:wrong-$password")" = 401 ] || { log "registry does not enforce auth"; exit 1; }

# A throwaway client config keeps root's ~/.docker/config.json free of the test credentials.
cfg="$(mktemp -d)"
trap 'rm -rf "$cfg"' EXIT
if ! out="$(printf '%s' "$password" | docker --config "$cfg" login -u "$user" --password-stdin "$addr" 2>&1)"; then
  log "docker login $addr failed: $out"
  exit 1
fi
log "docker login $addr works"

if ! curl -sf -u "$user:$password" "http://$addr/v2/hangar-test/private/manifests/1" \
  -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' >/dev/null; then
  docker tag hangar-test/busybox:1 "$image"
  docker --config "$cfg" push "$image" >&2
  log "pushed $image"
fi
# Keep it remote only, so a test that uses it must really pull.
docker rmi "$image" >/dev/null 2>&1 || true
docker --config "$cfg" logout "$addr" >/dev/null 2>&1 || true

cat >"$dir/env" <<ENV
export HANGAR_TEST_REGISTRY=$addr
export HANGAR_TEST_REGISTRY_USER=$user
export HANGAR_TEST_REGISTRY_PASSWORD=$password
export HANGAR_TEST_PRIVATE_IMAGE=$image
ENV
cat "$dir/env"
