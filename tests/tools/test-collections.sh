#!/usr/bin/env bash
# Put the collections that only tests need (molecule's docker driver: community.docker, ansible.posix for
# the benchmark's anchor) into DEST, taken from the `ansible` wheel on PyPI: Galaxy is not needed.
#   test-collections.sh DEST
set -euo pipefail
dest=${1:?usage: test-collections.sh DEST}
cache=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}/wheels
wanted=(community/docker ansible/posix community/library_inventory_filtering_v1)
pip=${PIP:-pip}

have_all=true
for c in "${wanted[@]}"; do [ -f "$dest/ansible_collections/$c/MANIFEST.json" ] || have_all=false; done
$have_all && { echo "test-collections: present in $dest"; exit 0; }

mkdir -p "$cache" "$dest"
newest_wheel() { find "$cache" -maxdepth 1 -name 'ansible-1[12].*-py3-none-any.whl' | sort -V | tail -n 1; }
wheel=$(newest_wheel)
if [ -z "$wheel" ]; then
  echo "test-collections: downloading the ansible wheel (collections only are unpacked)"
  "$pip" download -q --no-deps 'ansible>=11,<13' -d "$cache"
  wheel=$(newest_wheel)
fi
patterns=()
for c in "${wanted[@]}"; do patterns+=("ansible_collections/$c/*"); done
python3 - "$wheel" "$dest" "${patterns[@]}" <<'PY'
import fnmatch, sys, zipfile
wheel, dest, patterns = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as zf:
    names = [n for n in zf.namelist() if any(fnmatch.fnmatch(n, p) for p in patterns)]
    zf.extractall(dest, names)
print('test-collections: unpacked %d files from %s' % (len(names), wheel.rsplit('/', 1)[-1]))
PY
