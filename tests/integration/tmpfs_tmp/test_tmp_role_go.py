"""The tmp role and go_env together on a noexec /tmp, in a private mount namespace (see conftest.py), with a Go
SDK from the shared test mirror: `go test` fails on the noexec /tmp before the roles run (fork/exec ...
permission denied) and passes after, in a login shell that gets GOTMPDIR from go_env's profile script, fed by
the tmp role's tmp_gotmpdir_effective. /tmp stays noexec (tmp_noexec: true)."""

import json
import os
import shlex
import sys
import tarfile

import pytest

from harness.paths import CACHE, ansible_playbook

VERSION = '1.27.3'
PLAYBOOK = '''---
- name: The tmp role keeps /tmp noexec, go_env points the go command elsewhere
  hosts: localhost
  gather_facts: false
  roles:
    - role: gocompat.baseline.tmp
    - role: gocompat.baseline.go_env
'''
GO_MOD = 'module example.com/noexec\n\ngo 1.21\n'
GO_TEST = '''package noexec

import (
\t"os"
\t"path/filepath"
\t"testing"
)

func TestTempDirWorks(t *testing.T) {
\tdir := t.TempDir()
\tif err := os.WriteFile(filepath.Join(dir, "x"), []byte("ok"), 0o600); err != nil {
\t\tt.Fatal(err)
\t}
}
'''


@pytest.fixture(scope='module')
def goroot(go_mirror):  # pylint: disable=redefined-outer-name
    """The SDK unpacked outside /tmp (the namespace mounts over /tmp), kept in the test cache between runs."""
    base = str(CACHE / ('tmpfs-tmp-go%s' % VERSION))
    root = os.path.join(base, 'go')
    if not os.path.exists(os.path.join(root, 'bin', 'go')):
        os.makedirs(base, exist_ok=True)
        with tarfile.open(go_mirror.archive(VERSION)) as archive:
            archive.extractall(base)  # our own archive from the test mirror
    return root


def test_go_test_fails_on_noexec_tmp_and_passes_after_the_roles(namespace, goroot):
    ns = namespace
    work = ns.workdir
    os.makedirs(os.path.join(work, 'mod'))
    with open(os.path.join(work, 'mod', 'go.mod'), 'w') as handle:
        handle.write(GO_MOD)
    with open(os.path.join(work, 'mod', 'x_test.go'), 'w') as handle:
        handle.write(GO_TEST)
    with open(os.path.join(work, 'play.yml'), 'w') as handle:
        handle.write(PLAYBOOK)
    go_build = os.path.join(work, 'go-build')
    extra = {'tmp_noexec': True, 'tmp_go_tmpdir': go_build, 'go_env_path_prepend': [os.path.join(goroot, 'bin')]}
    with open(os.path.join(work, 'vars.yml'), 'w') as handle:
        json.dump(extra, handle)
    goenv = 'GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOCACHE=%s/gocache GOPATH=%s/gopath HOME=%s' % (work, work, work)
    ns.sh('umount -R /tmp && mount -t tmpfs -o nosuid,nodev,noexec,mode=1777 tmpfs /tmp && keep_checkout')
    ns.mark('before', 'cd "$W/mod" && env -i PATH=%s/bin:/usr/bin:/bin %s %s/bin/go test -count=1 ./... 2>&1; echo "go-rc=$?"'
            % (goroot, goenv, goroot))
    ns.sh('%s -i localhost, -c local -e ansible_python_interpreter=%s -e @"$W/vars.yml" "$W/play.yml" '
          '>>"$W/ansible.log" 2>&1; echo "play-rc=$?"' % (shlex.quote(ansible_playbook()), shlex.quote(sys.executable)))
    ns.mark('after', 'cd "$W/mod" && env -i PATH=/usr/bin:/bin %s bash -lc "go env GOTMPDIR; go test -count=1 ./..." 2>&1; '
            'echo "go-rc=$?"' % goenv)
    ns.mark('mount', "awk '$5 == \"/tmp\" {l = $0} END {print l}' /proc/self/mountinfo; stat -c '%a %U' \"$W/go-build\"")
    ns.run(timeout=900)
    before, after = ns.section('before'), ns.section('after')
    assert 'permission denied' in before and 'go-rc=1' in before, before
    assert 'play-rc=0' in ns.output
    assert after.splitlines()[0] == go_build and 'ok' in after and 'go-rc=0' in after, after
    mount = ns.section('mount').splitlines()
    assert 'noexec' in mount[0].split()[5] and mount[1] == '1777 root'
