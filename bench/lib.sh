# shellcheck shell=bash
# Sourced by every bench/**/run.sh. The Python driver runs in the background and is
# waited for, so that a signal reaches the caller's EXIT trap at once; the trap stops the driver.
driver_pid=

bench_stop_driver() {
  if [ -n "$driver_pid" ] && kill -0 "$driver_pid" 2>/dev/null; then
    kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
}

# Install CLEANUP (a function name) as the EXIT trap, and make signals exit through it.
bench_traps() {
  # shellcheck disable=SC2064 # the name is expanded now on purpose
  trap "$1" EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
}

# Run the driver (the arguments) in the background and return its exit status.
bench_run_driver() {
  local rc
  "$@" &
  driver_pid=$!
  set +e
  wait "$driver_pid"
  rc=$?
  set -e
  driver_pid=
  return "$rc"
}

# Prerequisite checks: each appends what is missing, with the command that provides it, to the caller's
# `missing` array; bench_exit_if_missing NAME lists them and exits 2.
bench_need_venv() {
  [ -x "$1/bin/ansible-playbook" ] || missing+=("ansible-playbook in $1 (make venv)")
}

bench_need_engine_and_image() {
  if ! command -v docker >/dev/null 2>&1; then
    missing+=("the docker command (bash tests/tools/docker-engine.sh start installs and starts an engine)")
  elif ! docker info >/dev/null 2>&1; then
    missing+=("a running Docker engine: 'docker info' fails (bash tests/tools/docker-engine.sh start)")
  elif ! docker image inspect "$1" >/dev/null 2>&1; then
    missing+=("the image $1 (bash molecule/images/build.sh bookworm)")
  fi
}

# $1: the ansible_collections directory
bench_need_collection() {
  [ -f "$1/gocompat/baseline/galaxy.yml" ] || missing+=("gocompat.baseline in .build/collections (make collection)")
}

bench_exit_if_missing() {
  if [ ${#missing[@]} -gt 0 ]; then
    echo "$1: cannot run, missing:" >&2
    printf '  - %s\n' "${missing[@]}" >&2
    exit 2
  fi
}

# Remove every container this run labelled (gocompat.bench.run=$BENCH_RUN_ID), whatever happened.
bench_remove_containers() {
  local left
  left=$(docker ps -aq --filter "label=gocompat.bench.run=$BENCH_RUN_ID" 2>/dev/null || true)
  if [ -n "$left" ]; then
    echo "bench: removing leftover containers" >&2
    # shellcheck disable=SC2086 # one id per word
    docker rm -f $left >/dev/null 2>&1 || true
  fi
}
