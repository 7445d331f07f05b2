#!/usr/bin/env bash
# Fleet benchmark (bench/fleet/README.md): harden first run, re-run and audit over real SSH with become for
# 1, 4 and 16 hosts (forks = hosts); pipelining and ControlPersist at 4 hosts; the kernel role's sysctl step
# against ansible.posix.sysctl per key and Go SDK controller delivery against direct downloads at 16 hosts.
#   bash bench/fleet/run.sh [--sizes 1,4,16] [--runs N] [--connection-size N] [--connection-runs N] [--keys N]
#                           [--no-kernel] [--no-sdk] [--with-probe] [--out FILE] [--keep-workdir]
# Environment: BENCH_RUNS (default 3), BENCH_VENV (default .venv), GOCOMPAT_CACHE_DIR (the Go test mirror).
# Hosts: tests/harness/fleet.py (network-less containers named gcbench-<run>-..., sshd through docker exec).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
venv=${BENCH_VENV:-$root/.venv}
collections=$root/.build/collections/ansible_collections

keep=0
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --keep-workdir) keep=1 ;;
    --sizes|--runs|--connection-size|--connection-runs|--keys|--out|--suite) args+=("$1" "$2"); shift ;;
    --no-kernel|--no-sdk|--no-fleet-runs|--with-probe|--sdk-direct-first) args+=("$1") ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "fleet bench: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
missing=()
bench_need_venv "$venv"
"$venv/bin/python" -c 'import jinja2, yaml' 2>/dev/null || missing+=("jinja2 and PyYAML in $venv (make venv)")
bench_need_engine_and_image local/gocompat-debian:bookworm
bench_need_collection "$collections"
[ -f "$collections/ansible/posix/MANIFEST.json" ] ||
  missing+=("ansible.posix in .build/collections (bash tests/tools/test-collections.sh .build/collections)")
command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 ||
  missing+=("the ssh client and ssh-keygen (apt-get install openssh-client)")
[ -w /sys/fs/cgroup/cpuacct ] && [ -d /sys/fs/cgroup/cpuacct/docker ] ||
  missing+=("cgroup v1 cpuacct with Docker's cgroupfs driver (/sys/fs/cgroup/cpuacct/docker): the CPU accounting")
if docker image inspect local/gocompat-debian:bookworm >/dev/null 2>&1 &&
   ! docker run --rm --network none local/gocompat-debian:bookworm test -x /usr/sbin/sshd; then
  missing+=("sshd in local/gocompat-debian:bookworm (bash molecule/images/build.sh bookworm)")
fi
bench_exit_if_missing "fleet bench"

export BENCH_RUN_ID=${BENCH_RUN_ID:-$(date +%s | tail -c 7)$$}
workdir=$(mktemp -d /var/tmp/gcbench-fleet.XXXXXX)
# The kernel comparison makes /proc/sys writable in the hosts and writes network-namespace keys only; the
# machine's own kernel parameters are saved anyway and put back, whatever happens.
snapshot=$workdir/host-sysctl.json
python3 "$root/tests/tools/sysctl-snapshot.py" save "$snapshot"
cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  bench_stop_driver
  local left
  left=$(docker ps -aq --filter "name=^gcbench-$BENCH_RUN_ID-" 2>/dev/null || true)
  if [ -n "$left" ]; then
    echo "fleet bench: removing leftover containers" >&2
    # shellcheck disable=SC2086 # one id per word
    docker rm -f $left >/dev/null 2>&1 || true
  fi
  if [ -f "$workdir/mirror/serve.pid" ]; then
    "$venv/bin/python" "$root/tests/tools/go-mirror.py" stop --pidfile "$workdir/mirror/serve.pid" >/dev/null 2>&1 || true
  fi
  local cg=/sys/fs/cgroup/cpuacct/gcbench-$BENCH_RUN_ID
  if [ -d "$cg" ]; then
    # the processes this run started and left there (ssh masters), by id
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$cg/cgroup.procs"
    sleep 1
    rmdir "$cg" 2>/dev/null || true
  fi
  python3 "$root/tests/tools/sysctl-snapshot.py" restore "$snapshot" || rc=1
  if [ "$keep" = 1 ] || [ "$rc" != 0 ]; then echo "fleet bench: work dir kept: $workdir" >&2; else rm -rf "$workdir"; fi
  exit "$rc"
}
bench_traps cleanup

cd "$root"
echo "fleet bench: load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
bench_run_driver "$venv/bin/python" "$root/bench/fleet/bench.py" --workdir "$workdir" ${args[@]+"${args[@]}"}
