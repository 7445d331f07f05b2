"""tmpfs_tmp scenarios: one fresh network-less container per host state (tests/harness `container`), the module
run in it through ansible-playbook (`module_runner`), and the ways a test looks at the container's /tmp."""

import pytest

from harness.docker import docker

MODULE = 'gocompat.baseline.tmpfs_tmp'


class Host(object):
    """A scenario container and the module runner aimed at it."""

    def __init__(self, made, runner):
        self.container = made
        self.runner = runner

    def sh(self, script, *args):
        return self.container.sh(script, *args).stdout

    def mount_line(self, path='/tmp'):
        """The visible mount on ``path`` from mountinfo: (fstype, flags, super options) or None."""
        out = self.sh("awk -v p=\"$1\" '$5 == p' /proc/self/mountinfo | tail -1", path).strip()
        if not out:
            return None
        fields = out.split()
        dash = fields.index('-')
        return fields[dash + 1], fields[5].split(','), fields[dash + 3].split(',')

    def stat(self, path='/tmp'):
        return self.sh('stat -c "%a %u %g" "$1"', path).strip()

    def restart(self):
        """Restart the container (a reboot of the host it stands for) and wait for systemd to finish booting."""
        proc = docker('restart', self.container.name)
        assert proc.returncode == 0, proc.stderr
        state = self.sh('for _ in $(seq 180); do s=$(systemctl is-system-running 2>/dev/null); '
                        'case "$s" in running|degraded) break ;; esac; sleep 0.5; done; echo "$s"').strip()
        assert state in ('running', 'degraded'), state

    def run(self, args, check=False):
        return self.runner.run(args, check=check, timeout=300)


@pytest.fixture
def make_host(container, module_runner):  # pylint: disable=redefined-outer-name
    """Factory: make_host(suite, systemd) -> Host in a fresh container."""

    def make(suite='bookworm', systemd=False):
        made = container(suite=suite, systemd=systemd, prefix='gocompat-tmpfs-%s-' % suite)
        return Host(made, module_runner(MODULE, made))
    return make
