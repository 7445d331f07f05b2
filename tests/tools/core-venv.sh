#!/usr/bin/env bash
# Virtualenvs for the ends of the supported ansible-core range, cached between runs.
#   core-venv.sh END      END = 2.16 | 2.19 | 2.21; prints the venv's path (progress goes to stderr)
# Each venv holds requirements.txt with ansible-core narrowed to END, and pytest and hypothesis from
# requirements-dev.txt.
# It lives under $GOCOMPAT_CACHE_DIR/venvs/, named by a key of those requirements and the Python it runs on,
# so a second run reuses it and a change of requirements builds a new one (the old one is removed).
# 2.16 and 2.19 (sanity's 'today') run on the system Python 3.11; 2.20+ needs Python 3.12+: the newest 3.12 or 3.13 from pyenv (part
# of this machine image), else python3.12/python3.13 on PATH.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
end=${1:?usage: core-venv.sh 2.16|2.19|2.21}
cache=${GOCOMPAT_CACHE_DIR:-/var/cache/gocompat-test}/venvs

pyenv_python() {  # newest installed pyenv Python of minor version $1
  command -v pyenv >/dev/null 2>&1 || return 1
  local version
  version=$(pyenv versions --bare 2>/dev/null | grep -E "^${1//./\\.}\\.[0-9]+$" | sort -V | tail -n 1)
  [ -n "$version" ] && [ -x "$(pyenv root)/versions/$version/bin/python" ] &&
    echo "$(pyenv root)/versions/$version/bin/python"
}

case "$end" in
  2.16) pythons=(3.11 3.12 3.10); core='ansible-core>=2.16,<2.17' ;;
  2.19) pythons=(3.11 3.12 3.13); core='ansible-core>=2.19,<2.20' ;;
  2.21) pythons=(3.12 3.13); core='ansible-core>=2.21,<2.22' ;;
  *) echo "core-venv: unknown end $end (2.16, 2.19 or 2.21)" >&2; exit 2 ;;
esac
python=
for minor in "${pythons[@]}"; do
  python=$(pyenv_python "$minor" || command -v "python$minor" || true)
  [ -n "$python" ] && break
done
[ -n "$python" ] || { echo "core-venv: ansible-core $end needs Python ${pythons[*]}; none found (pyenv or PATH)" >&2; exit 1; }

# the unit tests' own requirements: pytest and hypothesis (property tests)
mapfile -t test_reqs < <(grep -E '^(pytest|hypothesis)' "$root/requirements-dev.txt")
key=$({ cat "$root/requirements.txt"; echo "$core ${test_reqs[*]}"; "$python" -VV; } | sha256sum | cut -c1-12)
venv=$cache/core-$end-$key
if [ ! -f "$venv/.complete" ]; then
  echo "core-venv: building $venv ($("$python" -V), $core)" >&2
  rm -rf "$venv"
  mkdir -p "$cache"
  "$python" -m venv "$venv" >&2
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$root/requirements.txt" "$core" "${test_reqs[@]}" >&2
  touch "$venv/.complete"
  find "$cache" -maxdepth 1 -name "core-$end-*" ! -name "core-$end-$key" -exec rm -rf {} + 2>/dev/null || true
fi
echo "$venv"
