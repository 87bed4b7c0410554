#!/usr/bin/env bash
# Builds hangar-example/build-info:1 offline: the node base image (../node-base.sh), the TypeScript
# compiled with the project's tsc into dist/, then `docker build`. Idempotent and fast when nothing
# changed: the image carries a content label (sources, Dockerfile, this script, the base image id),
# and a matching label skips the compile and the build.
# Usage: examples/plugins/build-info/build.sh [--quiet]
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
quiet=false
[ "${1:-}" = --quiet ] && quiet=true
say() { $quiet || echo "build-info: $*"; }

[ -n "${DOCKER_SOCKET:-}" ] && [ -z "${DOCKER_HOST:-}" ] && export DOCKER_HOST="unix://$DOCKER_SOCKET"

image=hangar-example/build-info:1
base=hangar-example/node:1
label=io.hangar.example-image

exec 7>/tmp/hangar-build-info.lock
flock 7

if $quiet; then bash "$here/../node-base.sh" --quiet 7>&-; else bash "$here/../node-base.sh" 7>&-; fi

tsc="$root/node_modules/.bin/tsc"
[ -x "$tsc" ] || { echo "build-info: $tsc not found (run npm ci in $root)" >&2; exit 1; }

base_id="$(docker image inspect -f '{{.Id}}' "$base")"
key="$(cd "$here" && { echo "$base_id"; "$tsc" --version; cat build.sh Dockerfile .dockerignore package.json tsconfig.json $(find src -name '*.ts' ! -name '*.test.ts' | LC_ALL=C sort); } | sha256sum | cut -c1-16)"
have="$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)"
if [ "$have" = "$key" ]; then
  say "$image up to date"
  exit 0
fi

rm -rf "$here/dist"
"$tsc" -p "$here"
err="$(mktemp)"
trap 'rm -f "$err"' EXIT
# The classic builder uses the local base as is (BuildKit might try to resolve it in a registry).
if ! DOCKER_BUILDKIT=0 docker build -q --label "$label=$key" -t "$image" "$here" >/dev/null 2>"$err"; then
  cat "$err" >&2
  exit 1
fi
say "built $image"
