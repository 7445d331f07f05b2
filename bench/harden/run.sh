#!/usr/bin/env bash
# Harden re-run benchmark (bench/harden/README.md): playbooks/harden.yml re-run on a hardened host against
# one ansible.builtin.ping task, in one run; module calls per concern.
#   bash bench/harden/run.sh [--runs N] [--warmup N] [--label TEXT] [--out FILE] [--keep-workdir]
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
    --runs|--warmup|--label|--out) args+=("$1" "$2"); shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "harden bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

missing=()
[ -x "$venv/bin/ansible-playbook" ] || missing+=("ansible-playbook in $venv (make venv)")
if ! docker info >/dev/null 2>&1; then
  missing+=("a running Docker engine (bash tests/tools/docker-engine.sh start)")
elif ! docker image inspect "$image" >/dev/null 2>&1; then
  missing+=("the image $image (bash molecule/images/build.sh bookworm)")
fi
[ -f "$root/.build/collections/ansible_collections/gocompat/baseline/galaxy.yml" ] ||
  missing+=("gocompat.baseline in .build/collections (make collection)")
for version in 1.26.5 1.27.3; do
  [ -f "$mirror/dl/go$version.linux-amd64.tar.gz.sha256" ] ||
    missing+=("go$version in the test mirror $mirror (python tests/tools/go-mirror.py build $mirror)")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "harden bench: cannot run, missing:" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 2
fi

export BENCH_RUN_ID=${BENCH_RUN_ID:-$(date +%s)-$$}
workdir=$(mktemp -d /var/tmp/gocompat-harden-bench.XXXXXX)
snapshot=$workdir/host-sysctl.json
python3 "$root/tests/tools/sysctl-snapshot.py" save "$snapshot"
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  bench_stop_driver
  local left
  left=$(docker ps -aq --filter "label=gocompat.bench.run=$BENCH_RUN_ID" 2>/dev/null || true)
  # shellcheck disable=SC2086 # one id per word
  [ -z "$left" ] || docker rm -f $left >/dev/null 2>&1 || true
  python3 "$root/tests/tools/sysctl-snapshot.py" restore "$snapshot" || rc=1
  if [ "$keep" = 1 ]; then echo "harden bench: work dir kept: $workdir" >&2; else rm -rf "$workdir"; fi
  exit "$rc"
}
bench_traps cleanup

cd "$root"
bench_run_driver "$venv/bin/python" "$root/bench/harden/bench.py" --workdir "$workdir" --mirror-dir "$mirror" \
  ${args[@]+"${args[@]}"}
