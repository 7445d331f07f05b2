#!/usr/bin/env bash
# Go SDK install benchmark: gocompat.baseline.go_sdk_install against the plain shell way
# (curl + sha256sum + tar) and get_url + unarchive, on this machine, from a local mirror on 127.0.0.1.
# See bench/go_sdk/README.md.
#   bash bench/go_sdk/run.sh [--runs N] [--profile-runs N] [--out FILE] [--no-profile] [--no-floating]
#                            [--no-floor] [--keep-workdir]
# Environment: BENCH_RUNS (default 3), BENCH_VENV (default .venv), BENCH_TMPDIR, GOCOMPAT_CACHE_DIR (default
# /var/cache/gocompat-test: the mirror is built, or reused, in $GOCOMPAT_CACHE_DIR/go-mirror).
# It sets nothing up beyond the mirror: the virtualenv and .build/collections must be there.
# Every sample installs into its own directory under a temp work dir in $BENCH_TMPDIR (default
# /var/tmp), removed at the end: about 2 GB per run and 1.3 GB per profile repetition (nothing is
# deleted while the clock runs). Put it where little else deletes files: see README, caveats.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${BENCH_VENV:-$root/.venv}
py=$venv/bin/python
cache=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}
collections=$root/.build/collections
mirror_tool=$root/tests/tools/go-mirror.py
# The same build as the integration tests, so the cached mirror is reused as it is.
all_versions=(1.21.13 1.26.5 1.26.6 1.27.3)
index_versions=(1.21.13 1.26.5 1.27.3)
served_versions=(1.26.5 1.27.3)

keep=0
driver_args=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep-workdir) keep=1 ;;
    --runs|--out|--profile-runs) driver_args+=("$1" "$2"); shift ;;
    --no-profile|--no-floating|--no-floor) driver_args+=("$1") ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
missing=()
bench_need_venv "$venv"
[ -f "$collections/ansible_collections/gocompat/baseline/plugins/modules/go_sdk_install.py" ] ||
  missing+=("gocompat.baseline in $collections")
[ "$(uname -m)" = x86_64 ] || missing+=("an x86_64 machine (the mirror holds linux-amd64 archives)")
for tool in tar sha256sum bash; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("the $tool command")
done
bench_exit_if_missing "go_sdk bench"

runs=${BENCH_RUNS:-3} profile_runs=3
set -- ${driver_args[@]+"${driver_args[@]}"}
while [ $# -gt 0 ]; do
  case $1 in --runs) runs=$2; shift ;; --profile-runs) profile_runs=$2; shift ;; --no-profile) profile_runs=0 ;; esac
  shift
done
need_mb=$(( runs * 2000 + profile_runs * 1300 + 1000 ))
tmp_parent=${BENCH_TMPDIR:-/var/tmp}
free_mb=$(df -Pm "$tmp_parent" | awk 'NR == 2 {print $4}')
if [ "${free_mb:-0}" -lt "$need_mb" ]; then
  echo "go_sdk bench: $tmp_parent has ${free_mb} MB free, this run needs about ${need_mb} MB" >&2
  exit 2
fi

started=$(date +%s)
workdir=$(mktemp -d "$tmp_parent/gocompat-go-bench.XXXXXX")
pidfile=$workdir/mirror.pid
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  bench_stop_driver
  if [ -f "$pidfile" ]; then
    "$py" "$mirror_tool" stop --pidfile "$pidfile" >/dev/null || rc=1
  fi
  if [ "$keep" = 1 ]; then
    echo "go_sdk bench: work dir kept: $workdir" >&2
  else
    rm -rf "$workdir"
    sync  # written-back deletions slow later file creation here for 60 s instead of several minutes
  fi
  echo "go_sdk bench: total $(( $(date +%s) - started )) s" >&2
  exit "$rc"
}
bench_traps cleanup

echo "== mirror: build (or reuse) $cache/go-mirror"
"$py" "$mirror_tool" build "$cache/go-mirror" --versions "${all_versions[@]}" --index-versions "${index_versions[@]}"

# Serve a snapshot of our own: the archives hard-linked (copied across file systems) and an index
# that lists exactly the two served versions, so other users of the cached mirror (tests that edit its
# index) cannot change what this benchmark resolves.
echo "== mirror: snapshot in $workdir/mirror"
mkdir -p "$workdir/mirror/dl"
for version in "${served_versions[@]}"; do
  file=go$version.linux-amd64.tar.gz
  ln "$cache/go-mirror/dl/$file" "$workdir/mirror/dl/$file" 2>/dev/null ||
    cp "$cache/go-mirror/dl/$file" "$workdir/mirror/dl/$file"
done
"$py" - "$cache/go-mirror/dl" "$workdir/mirror/dl" "${served_versions[@]}" <<'EOF'
import json, os, sys
source, dest, versions = sys.argv[1], sys.argv[2], ['go' + v for v in sys.argv[3:]]
with open(os.path.join(source, 'index.json')) as handle:
    index = json.load(handle)
index = [release for release in index if release['version'] in versions]
missing = sorted(set(versions) - set(release['version'] for release in index))
if missing:
    sys.exit('the built index lacks %s' % ' '.join(missing))
for release in index:
    for item in release['files']:
        with open(os.path.join(source, item['filename'] + '.sha256')) as handle:
            if handle.read().split()[0] != item['sha256']:
                sys.exit('%s: the index and the .sha256 file disagree' % item['filename'])
data = (json.dumps(index, indent=1, sort_keys=True) + '\n').encode('utf-8')
for name in ('index.json', 'index.html'):
    with open(os.path.join(dest, name), 'wb') as handle:
        handle.write(data)
EOF

echo "== mirror: serve on 127.0.0.1"
out=$("$py" "$mirror_tool" serve "$workdir/mirror" --port 0 --pidfile "$pidfile")
echo "$out"
port=$(sed -n 's|.*http://127\.0\.0\.1:\([0-9][0-9]*\)/.*|\1|p' <<<"$out" | head -1)
[ -n "$port" ] || { echo "go_sdk bench: could not read the mirror port" >&2; exit 1; }

echo "== bench"
bench_run_driver "$py" "$here/bench.py" --mirror "http://127.0.0.1:$port/dl/" --mirror-log "$pidfile.log" \
  --workdir "$workdir" --collections "$collections" ${driver_args[@]+"${driver_args[@]}"}
