"""go_probe on this machine (and, for a host that really has no gcc, in a network-less container of
local/gocompat-debian:bookworm, which ships none) with a real SDK: go1.27.3 installed once per session by go_sdk_install from the shared
Go mirror (so it carries the marker and GOTOOLCHAIN=local in its go.env), probed with a build cache kept under the
test cache dir between sessions (a warm cache makes a probe take seconds)."""

import os

import pytest

from harness import docker as docker_mod
from harness import mountns
from harness.fixtures import container, docker_session  # noqa: F401  # pylint: disable=unused-import
from harness.paths import CACHE
from harness.run_module import ModuleRunner, read_result

MODULE = 'gocompat.baseline.go_probe'
PROBE_CACHE = str(CACHE / 'go-probe')


@pytest.fixture(scope='session')
def probe_sdk(go_mirror, tmp_path_factory):
    """(sdk root, goroot) of a go1.27.3 installed by go_sdk_install into a session directory."""
    base = tmp_path_factory.mktemp('probe-sdk')
    (base / 'bin').mkdir()
    runner = ModuleRunner('gocompat.baseline.go_sdk_install', base)
    result = runner.run({'versions': ['1.27.3'], 'root': str(base / 'sdks'), 'link': str(base / 'go'),
                         'bin_dir': str(base / 'bin'), 'mirror': go_mirror.url, 'arch': 'amd64'})
    assert not result.get('failed'), result.get('msg')
    return str(base / 'sdks'), str(base / 'sdks' / 'go1.27.3')


class Probe(object):
    """Runs go_probe through ansible-playbook, on this machine or in a private mount namespace prepared by a
    shell script (its mounts vanish with it)."""

    def __init__(self, runner, sdk_root, goroot, gotmp):
        self.runner, self.sdk_root, self.goroot, self.gotmp = runner, sdk_root, goroot, gotmp

    def args(self, **extra):
        args = dict(sdk_root=self.sdk_root, cache_dir=PROBE_CACHE, tmpdir=self.gotmp, timeout=900)
        args.update(extra)
        return args

    def run(self, check=False, **extra):
        return self.runner.run(self.args(**extra), check=check, timeout=1200)

    def run_in_mountns(self, script, check=False, **extra):
        """``script`` runs first in the namespace (it may use $GOTMP and $GOROOT), then the probe."""
        cmd, result_file = self.runner.command(self.args(**extra), check)
        wrapper = 'set -e; GOTMP=$1 GOROOT=$2; shift 2; %s\nexec "$@"' % script
        proc = mountns.run(wrapper, self.gotmp, self.goroot, *cmd, env=self.runner.env(), timeout=1200)
        print(proc.stdout)
        return read_result(result_file, proc)


@pytest.fixture
def probe(probe_sdk, module_runner, tmp_path):
    gotmp = tmp_path / 'gotmp'
    gotmp.mkdir()
    os.chmod(str(gotmp), 0o1777)
    return Probe(module_runner(MODULE), probe_sdk[0], probe_sdk[1], str(gotmp))


@pytest.fixture
def sdk_container(container, probe_sdk):  # pylint: disable=redefined-outer-name
    """A bookworm container (no gcc in the image) with the session's go1.27.3 copied to /usr/local/lib/go."""
    made = container(suite='bookworm', prefix='gocompat-probe-')
    made.sh('mkdir -p /usr/local/lib/go')
    proc = docker_mod.docker('cp', probe_sdk[1], '%s:/usr/local/lib/go/go1.27.3' % made.name)
    assert proc.returncode == 0, proc.stderr
    return made
