"""sysctl_guard scenarios: one fresh container per test (tests/harness `container`, /proc/sys read-only until a
scenario remounts it), and the ways a test looks at it or runs the module in it (`host`)."""

import shutil

import pytest

from harness import docker as docker_mod
from harness.docker import Container

MODULE = 'gocompat.baseline.sysctl_guard'
SYSCTL_DIRS = ('/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d')
OWNED = '/etc/sysctl.d/90-gocompat-baseline.conf'


class Host(Container):
    """A scenario container and the ways a test looks at it or runs sysctl_guard in it."""

    def __init__(self, container, runner):  # pylint: disable=redefined-outer-name
        super(Host, self).__init__(container.name, container.image, container.systemd)
        self.runner = runner

    def make_proc_sys_writable(self):
        self.sh('mount -o remount,bind,rw /proc/sys')

    def fingerprint(self, *extra_paths):  # pylint: disable=arguments-differ
        """{path: 'sha256 mode uid:gid' or 'link -> target'} for the sysctl tree and extra paths."""
        return super(Host, self).fingerprint(*(SYSCTL_DIRS + ('/etc/sysctl.conf',) + extra_paths))

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
        """Run sysctl_guard (check mode too: with diff) and return its registered result."""
        return self.runner.run({'settings': settings, 'shadowed': shadowed}, check=check, timeout=300)


@pytest.fixture
def host(container, module_runner):  # pylint: disable=redefined-outer-name
    """A fresh container: no network, /proc/sys still read-only (scenarios remount it when they need to)."""
    made = container(prefix='gocompat-sysctl-')
    return Host(made, module_runner(MODULE, made))


def pytest_collection_modifyitems(session, config, items):  # pylint: disable=unused-argument
    """Start the boot-truth runs (test_sysctl_boot_truth.py) in the background once they are collected, and run
    their tests last, so the containers of both suites work at the same time."""
    truth = [item for item in items if item.nodeid.split('::')[0].endswith('test_sysctl_boot_truth.py')]
    if not truth:
        return
    items[:] = [item for item in items if item not in truth] + truth
    if config.option.collectonly:
        return  # nothing runs: starting containers now would leave them behind
    if shutil.which('docker') is None or docker_mod.engine_problem():
        return  # the session fixture fails the run with the reason
    module = truth[0].module
    config._gocompat_truth_runs = module.TruthRuns(str(config._tmp_path_factory.mktemp('boot-truth')))  # pylint: disable=protected-access


def pytest_unconfigure(config):
    """The background runs are daemon threads: if the session ends before their tests ran (interrupted,
    -x), their containers would outlive it."""
    if getattr(config, '_gocompat_truth_runs', None) is not None:
        docker_mod.remove_session_containers()
