"""Fixtures for the sysctl_guard scenario tests: one fresh, network-less Debian container per test,
and a helper that runs the module in it through ansible-playbook and the community.docker connection.
"""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PLAYBOOK = HERE / 'sysctl_guard.yml'
COLLECTIONS = ROOT / '.build' / 'collections'
IMAGE = os.environ.get('GOCOMPAT_TEST_IMAGE', 'local/gocompat-debian:bookworm')
SESSION_LABEL = 'gocompat.test.sysctl-scenarios=%s' % uuid.uuid4().hex

SYSCTL_DIRS = ('/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d')
OWNED = '/etc/sysctl.d/90-gocompat-baseline.conf'

# Every path of the sysctl configuration (dot files too, so a leftover temp file shows up), with its
# sha256, mode and owner, or its link target.
_FINGERPRINT = r'''
for p in $(find %s -mindepth 1 -maxdepth 1 2>/dev/null) /etc/sysctl.conf "$@"; do
  if [ -L "$p" ]; then printf '%%s\tlink -> %%s\n' "$p" "$(readlink "$p")"
  elif [ -f "$p" ]; then printf '%%s\t%%s %%s\n' "$p" "$(sha256sum <"$p" | cut -d" " -f1)" "$(stat -c '%%a %%u:%%g' "$p")"
  elif [ -e "$p" ]; then printf '%%s\tnot a file\n' "$p"
  fi
done
''' % ' '.join(SYSCTL_DIRS)

_WRITE_FILES = r'''
import json, os, sys
for path, text in json.load(sys.stdin).items():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
'''

_READ_FILES = r'''
import json, sys
out = {}
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as handle:
            out[path] = handle.read().decode('utf-8', 'surrogateescape')
    except FileNotFoundError:
        out[path] = None
print(json.dumps(out))
'''


def _docker(*args, **kwargs):
    return subprocess.run(['docker'] + list(args), capture_output=True, text=True, timeout=120, check=False, **kwargs)


def _ansible_playbook():
    for candidate in (Path(sys.executable).parent / 'ansible-playbook', ROOT / '.venv' / 'bin' / 'ansible-playbook'):
        if candidate.exists():
            return str(candidate)
    found = shutil.which('ansible-playbook')
    if not found:
        pytest.fail('ansible-playbook not found next to %s nor on PATH' % sys.executable)
    return found


class Host(object):
    """A scenario container and the ways a test looks at it or runs sysctl_guard in it."""

    def __init__(self, name, workdir):
        self.name = name
        self.workdir = workdir
        self.runs = 0

    def sh(self, script, *args, stdin=None, check=True):
        proc = _docker('exec', '-i', self.name, 'sh', '-c', script, 'sh', *args, input=stdin)
        if check and proc.returncode != 0:
            raise AssertionError('in container: %s\nexit %d\nstdout: %s\nstderr: %s'
                                 % (script.strip(), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def make_proc_sys_writable(self):
        self.sh('mount -o remount,bind,rw /proc/sys')

    def write_files(self, files):
        if files:
            self.sh('python3 -c "$1"', _WRITE_FILES, stdin=json.dumps(files))

    def read_files(self, paths):
        return json.loads(self.sh('python3 -c "$1" "$@"', _READ_FILES, *paths).stdout)

    def read(self, path):
        return self.read_files([path])[path]

    def fingerprint(self, *extra_paths):
        """{path: 'sha256 mode uid:gid' or 'link -> target'} for the sysctl tree and extra paths."""
        out = self.sh(_FINGERPRINT, *extra_paths).stdout
        return dict(line.split('\t', 1) for line in out.splitlines() if line)

    def live(self, keys):
        """Live value of each key from `sysctl -n` (whitespace collapsed), None when the kernel has no such key."""
        script = 'for k in "$@"; do printf "%s\\t" "$k"; sysctl -n "$k" 2>/dev/null || echo "<absent>"; done'
        values = {}
        for line in self.sh(script, *keys).stdout.splitlines():
            key, value = line.split('\t', 1)
            values[key] = None if value == '<absent>' else ' '.join(value.split())
        return values

    def realpath(self, path):
        return self.sh('readlink -f "$1"', path).stdout.strip()

    def guard(self, settings, check=False, shadowed='fix'):
        """Run sysctl_guard (check mode with --check --diff) and return its registered result."""
        self.runs += 1
        tag = '%d-%s' % (self.runs, 'check' if check else 'run')
        vars_file = self.workdir / ('vars-%s.json' % tag)
        result_file = self.workdir / ('result-%s.json' % tag)
        vars_file.write_text(json.dumps({'settings': settings, 'shadowed': shadowed,
                                         'result_file': str(result_file)}))
        cmd = [_ansible_playbook(), '-i', '%s,' % self.name, '-c', 'community.docker.docker',
               str(PLAYBOOK), '-e', '@%s' % vars_file, '--diff']
        if check:
            cmd.append('--check')
        env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_PIPELINING='True',
                   ANSIBLE_NOCOLOR='1', ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_FORCE_COLOR='0')
        if (ROOT / 'ansible.cfg').exists():
            env['ANSIBLE_CONFIG'] = str(ROOT / 'ansible.cfg')
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(HERE), timeout=300, check=False)
        print('$ %s\n%s%s' % (' '.join(cmd), proc.stdout, proc.stderr))  # shown by pytest on failure
        if proc.returncode != 0 or not result_file.exists():
            raise AssertionError('ansible-playbook exited %d:\n%s\n%s' % (proc.returncode, proc.stdout, proc.stderr))
        return json.loads(result_file.read_text())


@pytest.fixture(scope='session', autouse=True)
def _docker_session():
    if shutil.which('docker') is None or _docker('info').returncode != 0:
        pytest.fail('the scenario tests need a running Docker engine (docker info failed)')
    if _docker('image', 'inspect', IMAGE).returncode != 0:
        pytest.fail('image %s is not present locally' % IMAGE)
    yield
    # safety net: containers of this session that a finalizer could not remove
    left = _docker('ps', '-aq', '--filter', 'label=%s' % SESSION_LABEL).stdout.split()
    if left:
        _docker('rm', '-f', *left)


@pytest.fixture
def host(request, tmp_path):
    """A fresh container: no network, /proc/sys still read-only (scenarios remount it when they need to)."""
    name = 'gocompat-sysctl-%s' % uuid.uuid4().hex[:12]
    proc = _docker('run', '-d', '--name', name, '--label', SESSION_LABEL, '--network', 'none',
                   '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--security-opt', 'seccomp=unconfined',
                   IMAGE, 'sleep', 'infinity')
    request.addfinalizer(lambda: _docker('rm', '-f', name))
    if proc.returncode != 0:
        pytest.fail('docker run failed: %s' % proc.stderr)
    return Host(name, tmp_path)


def pytest_collection_modifyitems(session, config, items):
    """Start the boot-truth runs (test_sysctl_boot_truth.py) in the background once they are collected, and run
    their tests last, so the containers of both suites work at the same time."""
    truth = [item for item in items if item.nodeid.split('::')[0].endswith('test_sysctl_boot_truth.py')]
    if not truth:
        return
    items[:] = [item for item in items if item not in truth] + truth
    if shutil.which('docker') is None or _docker('info').returncode != 0:
        return  # the session fixture fails the run with the reason
    module = truth[0].module
    config._gocompat_truth_runs = module.TruthRuns(str(config._tmp_path_factory.mktemp('boot-truth')))
