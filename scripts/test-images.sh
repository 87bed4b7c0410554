#!/usr/bin/env bash
# Builds the offline test images (no Docker Hub): a busybox rootfs made from Debian's busybox-static,
# imported with `docker import`, and tagged under the names the upstream sample pipelines use
# (alpine, busybox) so they run unchanged; plus a `redis` image made from Debian's redis packages.
# Idempotent: an image whose content label matches is left alone; a real image already present under
# a public name (a developer's own alpine) is never overwritten.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
exec 9>/tmp/hangar-test-images.lock
flock 9

"$here/setup-docker.sh" >/dev/null

label=io.hangar.test-image
base=hangar-test/busybox:1
redis=hangar-test/redis:1
public_base=(alpine:latest alpine:3 busybox:latest busybox:1)
public_redis=(redis:latest redis:7)

bb=/bin/busybox
# Content key: the busybox binary and this script decide what the image holds.
key="$(cat "$bb" "$0" | sha256sum | cut -c1-16)"

current_key() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null || true; }

# Tags $1's image as each later name unless that name is a foreign image.
tag_public() {
  local src="$1"; shift
  local id; id="$(docker image inspect -f '{{.Id}}' "$src")"
  for name in "$@"; do
    local have; have="$(docker image inspect -f '{{.Id}}' "$name" 2>/dev/null || true)"
    if [ -n "$have" ] && [ "$have" != "$id" ] && [ -z "$(current_key "$name")" ]; then
      echo "test-images: $name exists and is not ours; left alone"
      continue
    fi
    [ "$have" = "$id" ] || docker tag "$src" "$name"
  done
}

# Lays a busybox rootfs (applets in /bin, users root/nobody/hangar, /tmp 1777) into $1.
lay_busybox() {
  local root="$1"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,tmp,root,home/hangar,var/www,dev,proc,sys}
  chmod 1777 "$root/tmp"
  cp "$bb" "$root/bin/busybox"
  for applet in $("$bb" --list); do
    [ "$applet" = busybox ] || ln -sf busybox "$root/bin/$applet"
  done
  ln -sf ../../bin/busybox "$root/usr/bin/env"
  cat >"$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
hangar:x:1000:1000:hangar:/home/hangar:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
  cat >"$root/etc/group" <<'GR'
root:x:0:
hangar:x:1000:
nogroup:x:65534:
GR
  chown 1000:1000 "$root/home/hangar"
}

import_dir() { # dir image key cmd-json
  tar -C "$1" -c . | docker import \
    --change "LABEL $label=$3" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "CMD $4" - "$2" >/dev/null
}

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ "$(current_key "$base")" = "$key" ]; then
  echo "test-images: $base up to date"
else
  lay_busybox "$work/bb"
  import_dir "$work/bb" "$base" "$key" '["/bin/sh"]'
  echo "test-images: built $base"
fi
tag_public "$base" "${public_base[@]}"

# redis: Debian's redis-server with the shared libraries it needs, on the busybox rootfs.
# Returns non-zero on any failure (callers test it, so `set -e` does not apply inside).
build_redis() {
  local dl="$work/dl" root="$work/redis" stage="$work/stage" pkgs=(redis-tools libjemalloc2 liblzf1 libatomic1)
  mkdir -p "$dl" "$root" "$stage"
  lay_busybox "$root"
  (cd "$dl" && apt-get download -qq "${pkgs[@]}" >/dev/null 2>&1) ||
    { apt-get update -qq >/dev/null && (cd "$dl" && apt-get download -qq "${pkgs[@]}" >/dev/null 2>&1); } || return 1
  for deb in "$dl"/*.deb; do dpkg-deb -x "$deb" "$stage" || return 1; done
  cp "$stage/usr/bin/redis-check-rdb" "$root/usr/bin/redis-server" || return 1
  cp "$stage/usr/bin/redis-cli" "$root/usr/bin/redis-cli" || return 1
  local libs="$stage/usr/lib/x86_64-linux-gnu:$stage/lib/x86_64-linux-gnu" bin lib dest
  for bin in "$root/usr/bin/redis-server" "$root/usr/bin/redis-cli"; do
    for lib in $(LD_LIBRARY_PATH="$libs" ldd "$bin" | awk '/=> \// {print $3} /^\t\/.*ld-linux/ {print $1}'); do
      # Libraries found in the staging tree keep their system path inside the image.
      dest="${lib#"$stage"}"
      mkdir -p "$root$(dirname "$dest")" && cp -L "$lib" "$root$dest" || return 1
    done
  done
  mkdir -p "$root/data"
  import_dir "$root" "$redis" "$rkey" '["redis-server","--protected-mode","no"]'
}

rkey="$key-$(apt-cache policy redis-tools 2>/dev/null | awk '/Candidate:/ {print $2}')"
if [ "$(current_key "$redis")" = "$rkey" ]; then
  echo "test-images: $redis up to date"
elif build_redis; then
  echo "test-images: built $redis"
else
  echo "test-images: could not build $redis (no apt access?); the redis samples will not run" >&2
fi
if docker image inspect "$redis" >/dev/null 2>&1; then
  tag_public "$redis" "${public_redis[@]}"
fi
