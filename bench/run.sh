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

missing=()
[ -x "$venv/bin/ansible-playbook" ] || missing+=("ansible-playbook in $venv (make venv)")
"$venv/bin/python" -c 'import jinja2, yaml' 2>/dev/null || missing+=("jinja2 and PyYAML in $venv (make venv)")
if ! command -v docker >/dev/null 2>&1; then
  missing+=("the docker command (bash tests/tools/docker-engine.sh start installs and starts an engine)")
elif ! docker info >/dev/null 2>&1; then
  missing+=("a running Docker engine: 'docker info' fails (bash tests/tools/docker-engine.sh start)")
elif ! docker image inspect "$image" >/dev/null 2>&1; then
  missing+=("the image $image (bash molecule/images/build.sh bookworm)")
fi
[ -f "$collections/gocompat/baseline/galaxy.yml" ] ||
  missing+=("gocompat.baseline in .build/collections (make collection)")
for c in ansible/posix community/docker; do
  [ -f "$collections/$c/MANIFEST.json" ] ||
    missing+=("${c/\//.} in .build/collections (bash tests/tools/test-collections.sh .build/collections)")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: cannot run, missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

# Every container of this run carries this label; whatever happens, none is left behind.
export BENCH_RUN_ID=${BENCH_RUN_ID:-$(date +%s)-$$}
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  bench_stop_driver
  local left
  left=$(docker ps -aq --filter "label=gocompat.bench.run=$BENCH_RUN_ID" 2>/dev/null || true)
  if [ -n "$left" ]; then
    echo "bench: removing leftover containers" >&2
    # shellcheck disable=SC2086 # one id per word
    docker rm -f $left >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
bench_traps cleanup

cd "$root"
bench_run_driver "$venv/bin/python" "$root/bench/bench.py" "$@"
