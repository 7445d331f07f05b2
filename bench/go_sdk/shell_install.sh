#!/usr/bin/env bash
# The plain shell way, the lower bound for an install: download, check the pinned sha256, untar, link.
#   shell_install.sh MIRROR_URL ROOT DOWNLOAD_DIR LINK BIN_DIR DEFAULT VERSION=SHA256...
# MIRROR_URL ends with '/'; each VERSION goes to ROOT/goVERSION. Uses curl when there is one, else
# Python's urllib ($PYTHON, default python3). Installs nothing.
set -euo pipefail
mirror=$1 root=$2 downloads=$3 link=$4 bin_dir=$5 default=$6
shift 6
mkdir -p "$root" "$downloads" "$bin_dir"
cd "$downloads"
have_curl=0
command -v curl >/dev/null 2>&1 && have_curl=1
for pair in "$@"; do
  version=${pair%%=*} sum=${pair#*=}
  file=go$version.linux-amd64.tar.gz
  if [ "$have_curl" = 1 ]; then
    curl -fsSO "$mirror$file"
  else
    "${PYTHON:-python3}" -c 'import shutil, sys, urllib.request
with urllib.request.urlopen(sys.argv[1]) as r, open(sys.argv[2], "wb") as f:
    shutil.copyfileobj(r, f, 1 << 20)' "$mirror$file" "$file"
  fi
  echo "$sum  $file" | sha256sum -c --quiet -
  mkdir "$root/go$version"
  tar -C "$root/go$version" --strip-components=1 -xzf "$file"
done
ln -sfn "$root/go$default" "$link"
ln -sfn "$link/bin/go" "$bin_dir/go"
ln -sfn "$link/bin/gofmt" "$bin_dir/gofmt"
