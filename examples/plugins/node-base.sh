#!/usr/bin/env bash
# Builds hangar-example/node:1, a base image for plugins written in TypeScript/JavaScript, with no
# registry at all: this machine's own `node` binary and the shared libraries it links (from ldd), laid
# on top of the offline busybox image (hangar-test/busybox:1, built by scripts/test-images.sh).
# Idempotent: the image carries a content label (node binary, its libraries, the busybox image id and
# this script); when the label matches, nothing is rebuilt.
# Usage: examples/plugins/node-base.sh [--quiet]    Env: NODE_BIN (default: the node on PATH).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
quiet=false
[ "${1:-}" = --quiet ] && quiet=true
say() { $quiet || echo "node-base: $*"; }

[ -n "${DOCKER_SOCKET:-}" ] && [ -z "${DOCKER_HOST:-}" ] && export DOCKER_HOST="unix://$DOCKER_SOCKET"

image=hangar-example/node:1
busybox=hangar-test/busybox:1
label=io.hangar.example-image

exec 8>/tmp/hangar-node-base.lock
flock 8

if ! docker image inspect "$busybox" >/dev/null 2>&1; then
  say "building $busybox first (scripts/test-images.sh)"
  # 8>&-: the test-images script must not inherit (and hold) this script's lock.
  bash "$root/scripts/test-images.sh" 8>&- >/dev/null
fi

node_bin="$(readlink -f "${NODE_BIN:-$(command -v node)}")"
[ -x "$node_bin" ] || { echo "node-base: no node binary found (set NODE_BIN)" >&2; exit 1; }

# Every shared object the binary needs, the dynamic loader included, as absolute host paths.
libs="$(ldd "$node_bin" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}' | sort -u)"

base_id="$(docker image inspect -f '{{.Id}}' "$busybox")"
# shellcheck disable=SC2086
key="$( { echo "$base_id"; cat "$here/node-base.sh" "$node_bin" $libs; } | sha256sum | cut -c1-16)"
have="$(docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$image" 2>/dev/null || true)"
if [ "$have" = "$key" ]; then
  say "$image up to date"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/rootfs/usr/local/bin"
cp "$node_bin" "$work/rootfs/usr/local/bin/node"
for lib in $libs; do
  # Libraries keep their host path: the loader path is baked into the binary, the rest are found
  # through the default search path of that same loader.
  mkdir -p "$work/rootfs$(dirname "$lib")"
  cp -L "$lib" "$work/rootfs$lib"
done

cat >"$work/Dockerfile" <<EOF
FROM $busybox
COPY rootfs/ /
LABEL $label=$key
ENV NODE_ENV=production
CMD ["node"]
EOF

# A local FROM image is used as is: the classic builder pulls only when the image is missing.
# Its deprecation notice goes to stderr, which is shown only when the build fails.
if ! DOCKER_BUILDKIT=0 docker build -q -t "$image" "$work" >/dev/null 2>"$work/build.err"; then
  cat "$work/build.err" >&2
  exit 1
fi
version="$(docker run --rm "$image" node --version)"
say "built $image (node $version from $node_bin)"
