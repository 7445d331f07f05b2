#!/usr/bin/env bash
# Harden re-run benchmark (bench/harden/README.md): playbooks/harden.yml re-run on a hardened host against
# one ansible.builtin.ping task, in one run; module calls per concern.
#   bash bench/harden/run.sh [--runs N] [--warmup N] [--label TEXT] [--out FILE] [--tags ROLES] [--keep-workdir]
# Environment: BENCH_RUNS (default 5), BENCH_IMAGE (default local/gocompat-debian:bookworm), BENCH_VENV
# (default .venv), GOCOMPAT_CACHE_DIR (the Go test mirror, built by tests/tools/go-mirror.py).
# The host is a network-less container with a writable /proc/sys: the kernel role raises some of this
# machine's global sysctls there, so they are saved before and restored after the run.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${BENCH_VENV:-$root/.venv}
image=${BENCH_IMAGE:-local/gocompat-debian:bookworm}
cache=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}
mirror=$cache/go-mirror

keep=0
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep-workdir) keep=1 ;;
    --runs|--warmup|--label|--out|--tags) args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "harden bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
missing=()
bench_need_venv "$venv"
bench_need_engine_and_image "$image"
bench_need_collection "$root/.build/collections/ansible_collections"
for version in 1.26.5 1.27.3; do
  [ -f "$mirror/dl/go$version.linux-amd64.tar.gz.sha256" ] ||
    missing+=("go$version in the test mirror $mirror (python tests/tools/go-mirror.py build $mirror)")
done
bench_exit_if_missing "harden bench"

export BENCH_RUN_ID=${BENCH_RUN_ID:-$(date +%s)-$$}
workdir=$(mktemp -d /var/tmp/gocompat-harden-bench.XXXXXX)
snapshot=$workdir/host-sysctl.json
python3 "$root/tests/tools/sysctl-snapshot.py" save "$snapshot"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  bench_stop_driver
  bench_remove_containers
  python3 "$root/tests/tools/sysctl-snapshot.py" restore "$snapshot" || rc=1
  if [ "$keep" = 1 ]; then echo "harden bench: work dir kept: $workdir" >&2; else rm -rf "$workdir"; fi
  exit "$rc"
}
bench_traps cleanup

cd "$root"
bench_run_driver "$venv/bin/python" "$root/bench/harden/bench.py" --workdir "$workdir" --mirror-dir "$mirror" \
  ${args[@]+"${args[@]}"}
