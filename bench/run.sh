#!/usr/bin/env bash
# Benchmark entry point (`make bench`): sysctl_guard, one call for all keys, against ansible.posix.sysctl,
# one task per key, on fresh Docker containers. See bench/README.md.
#   bash bench/run.sh [--runs N] [--sizes 6,30] [--warmup N] [--out FILE] [--keep-workdir]
# Environment: BENCH_RUNS (default 5), BENCH_SIZES, BENCH_IMAGE (default local/gocompat-debian:bookworm),
# BENCH_VENV (default .venv), BENCH_OUT (default bench/results.json).
# It does not set anything up: the Docker engine, the image, the virtualenv and the collections in
# .build/collections must be there; what is missing is listed, with the command that provides it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${BENCH_VENV:-$root/.venv}
image=${BENCH_IMAGE:-local/gocompat-debian:bookworm}
collections=$root/.build/collections/ansible_collections

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
missing=()
bench_need_venv "$venv"
"$venv/bin/python" -c 'import jinja2, yaml' 2>/dev/null || missing+=("jinja2 and PyYAML in $venv (make venv)")
bench_need_engine_and_image "$image"
bench_need_collection "$collections"
for c in ansible/posix community/docker; do
  [ -f "$collections/$c/MANIFEST.json" ] ||
    missing+=("${c/\//.} in .build/collections (bash tests/tools/test-collections.sh .build/collections)")
done
bench_exit_if_missing bench

# Every container of this run carries this label; whatever happens, none is left behind.
export BENCH_RUN_ID=${BENCH_RUN_ID:-$(date +%s)-$$}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  bench_stop_driver
  bench_remove_containers
  exit "$rc"
}
bench_traps cleanup

cd "$root"
bench_run_driver "$venv/bin/python" "$root/bench/bench.py" "$@"
