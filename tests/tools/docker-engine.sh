#!/usr/bin/env bash
# Start or stop the Docker engine the test containers run on.
#   docker-engine.sh start   install docker.io if missing, start dockerd unless one already answers
#   docker-engine.sh stop    stop the dockerd this script started (and only that one)
# The engine runs without the default bridge and without iptables rules: test containers use
# network_mode none, so nothing but loopback traffic can ever leave them.
set -euo pipefail

state_dir=${GOCOMPAT_STATE_DIR:-/var/tmp/gocompat-test}
pid_file=$state_dir/dockerd.pid
log_file=$state_dir/dockerd.log
mkdir -p "$state_dir"

engine_answers() { docker info >/dev/null 2>&1; }

install_engine() {
  command -v dockerd >/dev/null 2>&1 && return 0
  echo "docker-engine: installing docker.io from Debian"
  # Keep the package scripts from starting a daemon with the default bridge network.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 755 /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' RETURN
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
}

start() {
  install_engine
  if engine_answers; then
    echo "docker-engine: an engine is already running; using it"
    return 0
  fi
  echo "docker-engine: starting dockerd (log: $log_file)"
  setsid dockerd --bridge=none --iptables=false --ip6tables=false \
    --pidfile "$state_dir/dockerd.own.pid" >"$log_file" 2>&1 </dev/null &
  echo $! >"$pid_file"
  for _ in $(seq 1 60); do
    engine_answers && { echo "docker-engine: ready"; return 0; }
    sleep 0.5
  done
  echo "docker-engine: dockerd did not answer within 30 s; last log lines:" >&2
  tail -n 20 "$log_file" >&2
  exit 1
}

stop() {
  [ -f "$pid_file" ] || { echo "docker-engine: not started by this script; leaving it"; return 0; }
  pid=$(cat "$pid_file")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$pid_file"
  echo "docker-engine: stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
