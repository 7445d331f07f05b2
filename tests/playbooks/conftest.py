"""Fixtures for playbook-level tests: whole playbooks (harden, audit) run by ansible-playbook from a chosen
ansible-core venv against real, network-less Debian containers.

  run_playbook(playbook, hosts, ...)   run a playbook, return a PlaybookRun (rc, stdout, recap per host)
  container(suite='bookworm', systemd=True)   a fresh container of this test, removed at its end
  go_mirror                            the test Go mirror on 127.0.0.1, for controller delivery of SDKs
  play_vars                            variables that let harden/audit run in these containers

The ansible-core venv is GOCOMPAT_ANSIBLE_VENV when set (tests/run.sh sets it to each venv of the
supported range), else the venv of the Python running pytest.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
COLLECTIONS = ROOT / '.build' / 'collections'
CACHE = Path(os.environ.get('GOCOMPAT_CACHE_DIR', '/var/cache/gocompat-test'))
MIRROR_TOOL = ROOT / 'tests' / 'tools' / 'go-mirror.py'
# The shared test mirror (tests/run.sh builds it); the playbook tests serve their own index over its archives,
# so the integration tests may rewrite the shared index meanwhile.
MIRROR_DIR = CACHE / 'go-mirror'
MIRROR_BUILD_VERSIONS = ['1.21.13', '1.26.5', '1.26.6', '1.27.3']
MIRROR_INDEX_VERSIONS = ['1.21.13', '1.26.5', '1.27.3']
# What the roles install in these tests: the newest patch of two minor releases, as the role default says.
GO_VERSIONS = ['1.26.5', '1.27.3']
IMAGE = 'local/gocompat-debian:%s'
NAME_PREFIX = 'gocompat-pb-'
SESSION_LABEL = 'gocompat.test.playbooks=%s' % uuid.uuid4().hex
RECAP = re.compile(r'^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)'
                   r'\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)'
                   r'\s+ignored=(?P<ignored>\d+)', re.M)


def _docker(*args, **kwargs):
    kwargs.setdefault('timeout', 180)
    return subprocess.run(['docker'] + list(args), capture_output=True, text=True, check=False, **kwargs)


def default_venv():
    """The ansible-core venv under test: GOCOMPAT_ANSIBLE_VENV, else the one running pytest."""
    venv = os.environ.get('GOCOMPAT_ANSIBLE_VENV')
    if venv:
        return Path(venv)
    return Path(sys.executable).parent.parent


def ansible_core_version(venv):
    proc = subprocess.run([str(Path(venv) / 'bin' / 'python'), '-c', 'import ansible; print(ansible.__version__)'],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        pytest.fail('no ansible-core in venv %s: %s' % (venv, proc.stderr.strip()))
    return proc.stdout.strip()


class PlaybookRun(object):
    """The outcome of one ansible-playbook run: exit code, output and the PLAY RECAP counters per host."""

    def __init__(self, cmd, proc):
        self.cmd = cmd
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.recap = dict((m.group('host'), dict((k, int(v)) for k, v in m.groupdict().items() if k != 'host'))
                          for m in RECAP.finditer(self.stdout))

    def __repr__(self):
        return 'PlaybookRun(rc=%d, recap=%r)' % (self.rc, self.recap)

    def explain(self):
        return '$ %s\nexit %d\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s' % (
            ' '.join(self.cmd), self.rc, self.stdout[-6000:], self.stderr[-3000:])


class Container(object):
    """A running test container and the ways a test looks into it."""

    def __init__(self, name, suite, systemd):
        self.name = name
        self.suite = suite
        self.systemd = systemd

    def sh(self, script, *args, check=True, stdin=None):
        proc = _docker('exec', '-i', self.name, 'sh', '-c', script, 'sh', *args, input=stdin)
        if check and proc.returncode != 0:
            raise AssertionError('in %s: %s\nexit %d\nstdout: %s\nstderr: %s'
                                 % (self.name, script.strip(), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def exists(self, path):
        return self.sh('test -e "$1" || test -L "$1"', path, check=False).returncode == 0

    def fingerprint(self, *paths):
        """{path: 'sha256 mode uid:gid' | 'link -> target' | 'dir'} of every path under the given ones."""
        script = r'''
for top in "$@"; do
  [ -e "$top" ] || [ -L "$top" ] || continue
  find "$top" | sort | while read -r p; do
    if [ -L "$p" ]; then printf '%s\tlink -> %s\n' "$p" "$(readlink "$p")"
    elif [ -f "$p" ]; then printf '%s\t%s %s\n' "$p" "$(sha256sum <"$p" | cut -d' ' -f1)" "$(stat -c '%a %u:%g' "$p")"
    else printf '%s\t%s\n' "$p" "$(stat -c '%F %a' "$p")"
    fi
  done
done
'''
        out = self.sh(script, *paths).stdout
        return dict(line.split('\t', 1) for line in out.splitlines() if line)

    def inventory_line(self):
        return '%s ansible_connection=community.docker.docker ansible_python_interpreter=/usr/bin/python3' % self.name


def _start(suite, systemd):
    image = IMAGE % suite
    if _docker('image', 'inspect', image).returncode != 0:
        pytest.fail('image %s is missing: bash molecule/images/build.sh %s' % (image, suite))
    name = '%s%s-%s' % (NAME_PREFIX, suite, uuid.uuid4().hex[:10])
    cmd = ['run', '-d', '--name', name, '--hostname', name[:60], '--label', SESSION_LABEL, '--network', 'none',
           '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--security-opt', 'seccomp=unconfined']
    if systemd:
        # systemd as PID 1 in a private cgroup namespace; never the host's cgroup tree read-write
        cmd += ['--cgroupns', 'private', '--tmpfs', '/run', '--tmpfs', '/run/lock', image, '/sbin/init']
    else:
        cmd += [image, 'sleep', 'infinity']
    proc = _docker(*cmd)
    container = Container(name, suite, systemd)
    if proc.returncode != 0:
        _docker('rm', '-f', name)
        pytest.fail('docker run %s failed: %s' % (image, proc.stderr.strip()))
    if systemd:
        # right after the start systemctl cannot reach the manager yet: poll until it says booted
        state = container.sh('for _ in $(seq 180); do s=$(systemctl is-system-running 2>/dev/null); '
                             'case "$s" in running|degraded) break ;; esac; sleep 0.5; done; echo "$s"',
                             check=False).stdout.strip()
        if state not in ('running', 'degraded'):
            _docker('rm', '-f', name)
            pytest.fail('systemd in %s did not finish booting: %r' % (name, state))
    return container


@pytest.fixture(scope='session', autouse=True)
def _engine():
    if shutil.which('docker') is None or _docker('info').returncode != 0:
        pytest.fail('playbook tests need a running Docker engine: bash tests/tools/docker-engine.sh start')
    if not (COLLECTIONS / 'ansible_collections' / 'community' / 'docker' / 'MANIFEST.json').exists():
        pytest.fail('community.docker is missing: bash tests/tools/test-collections.sh %s' % COLLECTIONS)
    yield
    left = _docker('ps', '-aq', '--filter', 'label=%s' % SESSION_LABEL).stdout.split()
    if left:
        _docker('rm', '-f', *left)


@pytest.fixture
def container(request):
    """Factory: container(suite='bookworm', systemd=True) starts a fresh container for this test
    (systemd as PID 1 and booted, or `sleep infinity`); every container is removed when the test ends."""

    def start(suite='bookworm', systemd=True):
        made = _start(suite, systemd)
        request.addfinalizer(lambda: _docker('rm', '-f', made.name))
        return made

    return start


@pytest.fixture(scope='session')
def ansible_venv():
    """(venv path, ansible-core version) of the venv the playbooks run from."""
    venv = default_venv()
    return venv, ansible_core_version(venv)


@pytest.fixture
def run_playbook(tmp_path, ansible_venv):
    """run_playbook(playbook, hosts, check=False, diff=False, extra_vars=None, tags=None, venv=None,
    timeout=900) -> PlaybookRun.

    playbook: a path, or a name under playbooks/ ('harden.yml'); hosts: Container objects (one inventory
    group `all`); extra_vars: a dict passed as -e @file; venv: another ansible-core venv than the session's.
    """
    counter = [0]

    def run(playbook, hosts, check=False, diff=False, extra_vars=None, tags=None, venv=None, timeout=900):
        counter[0] += 1
        venv = Path(venv) if venv else ansible_venv[0]
        path = Path(playbook)
        if not path.is_absolute():
            path = ROOT / 'playbooks' / path if (ROOT / 'playbooks' / path).exists() else ROOT / path
        inventory = tmp_path / ('inventory-%d.ini' % counter[0])
        inventory.write_text('[all]\n%s\n' % '\n'.join(h.inventory_line() for h in hosts))
        cmd = [str(venv / 'bin' / 'ansible-playbook'), '-i', str(inventory), str(path)]
        if extra_vars:
            vars_file = tmp_path / ('vars-%d.json' % counter[0])
            vars_file.write_text(json.dumps(extra_vars))
            cmd += ['-e', '@%s' % vars_file]
        if check:
            cmd.append('--check')
        if diff:
            cmd.append('--diff')
        if tags:
            cmd += ['--tags', ','.join(tags) if isinstance(tags, (list, tuple)) else tags]
        env = dict(os.environ, ANSIBLE_CONFIG=str(ROOT / 'ansible.cfg'), ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS),
                   ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0', ANSIBLE_RETRY_FILES_ENABLED='False',
                   ANSIBLE_PIPELINING='True', no_proxy='127.0.0.1,localhost', NO_PROXY='127.0.0.1,localhost',
                   PATH='%s:%s' % (venv / 'bin', os.environ.get('PATH', '/usr/bin:/bin')))
        started = time.time()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(ROOT), timeout=timeout,
                              check=False)
        result = PlaybookRun(cmd, proc)
        result.seconds = time.time() - started
        print(result.explain())  # pytest shows it when the test fails
        return result

    return run


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


class GoMirror(object):
    def __init__(self, directory, url, versions):
        self.dir = directory
        self.url = url
        self.versions = versions


@pytest.fixture(scope='session')
def go_mirror(tmp_path_factory):
    """A go.dev-style mirror on 127.0.0.1 serving GO_VERSIONS: an index of its own over the archives of the
    shared test mirror (built, or only re-hashed when cached, by tests/tools/go-mirror.py)."""
    build = subprocess.run([sys.executable, str(MIRROR_TOOL), 'build', str(MIRROR_DIR), '--versions']
                           + MIRROR_BUILD_VERSIONS + ['--index-versions'] + MIRROR_INDEX_VERSIONS,
                           capture_output=True, text=True, check=False)
    if build.returncode != 0:
        pytest.fail('go-mirror.py build failed:\n%s%s' % (build.stdout, build.stderr))
    directory = tmp_path_factory.mktemp('go-mirror')
    dl = directory / 'dl'
    dl.mkdir()
    releases = []
    for version in sorted(GO_VERSIONS, key=lambda v: [int(p) for p in v.split('.')], reverse=True):
        name = 'go%s.linux-amd64.tar.gz' % version
        source = MIRROR_DIR / 'dl' / name
        (dl / name).symlink_to(source)
        releases.append({'version': 'go' + version, 'stable': True, 'files': [
            {'filename': name, 'os': 'linux', 'arch': 'amd64', 'version': 'go' + version,
             'sha256': _sha256(str(source)), 'size': source.stat().st_size, 'kind': 'archive'}]})
    for index in ('index.json', 'index.html'):
        (dl / index).write_text(json.dumps(releases))
    pidfile = directory / 'serve.pid'
    serve = subprocess.run([sys.executable, str(MIRROR_TOOL), 'serve', str(directory), '--port', '0',
                            '--pidfile', str(pidfile)], capture_output=True, text=True, check=False)
    found = re.search(r'127\.0\.0\.1:(\d+)', serve.stdout + serve.stderr)
    if serve.returncode != 0 or not found:
        pytest.fail('go-mirror.py serve failed:\n%s%s' % (serve.stdout, serve.stderr))
    try:
        yield GoMirror(directory, 'http://127.0.0.1:%s/dl/' % found.group(1), list(GO_VERSIONS))
    finally:
        subprocess.run([sys.executable, str(MIRROR_TOOL), 'stop', '--pidfile', str(pidfile)],
                       capture_output=True, check=False)


@pytest.fixture
def play_vars(go_mirror, tmp_path):
    """Variables for harden.yml/audit.yml against these containers: SDKs delivered by the controller from
    the local mirror (the containers have no network), limits within the engine's open-file cap."""
    return {
        'go_sdk_delivery': 'controller',
        'go_sdk_mirror': go_mirror.url,
        'go_sdk_controller_dir': str(tmp_path / 'go-archives'),
        'go_sdk_versions': ['1.26', '1.27'],
        'go_sdk_default': '1.27',
        'go_sdk_env': {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off'},
        # containers cannot raise the hard open-file limit above the engine's (20000 here)
        'kernel_nofile_soft': 16384,
        'kernel_nofile_hard': 20000,
    }
