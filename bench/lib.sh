# shellcheck shell=bash
# Sourced by bench/run.sh and bench/go_sdk/run.sh. The Python driver runs in the background and is
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
