#!/usr/bin/env bash
# ansible-test sanity on the collection: ansible-test needs the tree at
# .../ansible_collections/gocompat/baseline, so copy the tracked files there in a temp dir.
# Sanity tests that need pinned tools get virtualenvs cached under ~/.ansible/test, so only the first
# run downloads them.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# Without shellcheck ansible-test only warns and skips that test: install it (Debian) or stop.
if ! command -v shellcheck >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck >/dev/null
  fi
  command -v shellcheck >/dev/null 2>&1 || { echo "sanity: shellcheck is needed (apt-get install shellcheck)" >&2; exit 1; }
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dest=$work/ansible_collections/gocompat/baseline
mkdir -p "$dest"
(cd "$root" && git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$dest")
# ansible-test fetches a pip bootstrap script from a host outside the package index; use one that
# bootstraps pip from ensurepip instead, for every pip version ansible-test may ask for.
# ansible-test passes only HOME and PATH to pip, so a private HOME carries the pip settings this machine
# needs (e.g. a CA bundle from PIP_CERT) and keeps ansible-test's venv cache between runs.
export HOME=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}/ansible-test-home
mkdir -p "$HOME/.ansible/test/cache" "$HOME/.config/pip"
cert=${PIP_CERT:-$(python3 -m pip config get global.cert 2>/dev/null || true)}
if [ -n "$cert" ]; then printf '[global]\ncert = %s\n' "$cert" >"$HOME/.config/pip/pip.conf"; fi
# Each ansible-test release asks for its own pip version (2.21: 25.2): cover every 23.x-26.x.
for version in {23..26}.{0..3}; do
  cached=$HOME/.ansible/test/cache/get_pip_${version//./_}.py
  [ -f "$cached" ] || cp "$root/tests/tools/pip_bootstrap.py" "$cached"
done
cd "$dest"
python=${SANITY_PYTHON:-3.11}
ansible-test sanity --local --requirements --python "$python" --color no "$@"
