#!/usr/bin/env bash
# Build the local Debian test images (no registry needed): debootstrap a minbase root, import it into the
# Docker engine as local/gocompat-debian:<suite>. The image carries a label with the hash of this recipe;
# an image whose label matches is reused, a cached root tarball with the same hash is re-imported, and
# anything else is rebuilt.
#   build.sh [suite ...]      default: bookworm trixie
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache_dir=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}/images
mirror=${GOCOMPAT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# systemd + dbus so the image can boot systemd as PID 1; procps for sysctl; python3 for Ansible;
# libpam-modules for pam_limits; iproute2 for network namespace checks.
packages=python3,procps,systemd,systemd-sysv,dbus,libpam-modules,iproute2,openssh-server,sudo
mkdir -p "$cache_dir"

command -v debootstrap >/dev/null 2>&1 || {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

recipe_hash() {
  { cat "$here/build.sh"; echo "$1 $packages"; } | sha256sum | cut -c1-16
}

build_suite() {
  local suite=$1 hash tag tarball root
  hash=$(recipe_hash "$suite")
  tag=local/gocompat-debian:$suite
  tarball=$cache_dir/$suite-$hash.tar
  if [ "$(docker image inspect -f '{{ index .Config.Labels "gocompat.recipe" }}' "$tag" 2>/dev/null)" = "$hash" ]; then
    echo "images: $tag is current ($hash)"
    return 0
  fi
  if [ ! -s "$tarball" ]; then
    root=$(mktemp -d "$cache_dir/root-$suite.XXXXXX")
    echo "images: debootstrap $suite into $root"
    if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" >"$root.log" 2>&1; then
      tail -n 30 "$root.log" >&2
      echo "images: debootstrap of $suite failed (mirror $mirror); full log: $root.log" >&2
      exit 1
    fi
    # Containers have no network; an empty apt list cache keeps the image small.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
    tar -C "$root" -cf "$tarball.part" .
    mv "$tarball.part" "$tarball"
    rm -rf "$root" "$root.log"
    find "$cache_dir" -maxdepth 1 -name "$suite-*.tar" ! -name "$suite-$hash.tar" -delete
  fi
  echo "images: importing $tarball as $tag"
  docker import --change "LABEL gocompat.recipe=$hash" --change 'CMD ["/sbin/init"]' "$tarball" "$tag" >/dev/null
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(bookworm trixie)
for suite in "${suites[@]}"; do build_suite "$suite"; done
