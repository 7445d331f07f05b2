"""wsl_conf scenarios: one network-less Debian container for the whole file, made to look like WSL 2, WSL 1 or
plain Linux by bind mounts over /proc (osrelease, /proc/version, PID 1's comm and environ) and a tmpfs with a
WSLInterop entry on /proc/sys/fs/binfmt_misc; each scenario writes its own /etc/wsl.conf bytes first."""

import base64

import pytest

from harness import docker as docker_mod
from harness.run_module import ModuleRunner

MODULE = 'gocompat.baseline.wsl_conf'
CONF = '/etc/wsl.conf'

IDENTITIES = {
    'wsl2': {'osrelease': '5.15.167.4-microsoft-standard-WSL2\n',
             'version': 'Linux version 5.15.167.4-microsoft-standard-WSL2 (root@wsl) (gcc 11.2.0) #1 SMP\n',
             'environ': 'WSL_DISTRO_NAME=Debian\0WSL_INTEROP=/run/WSL/1_interop\0', 'interop': True},
    'wsl2-systemd': {'osrelease': '5.15.167.4-microsoft-standard-WSL2\n',
                     'version': 'Linux version 5.15.167.4-microsoft-standard-WSL2 (root@wsl) (gcc 11.2.0) #1 SMP\n',
                     'environ': 'WSL_DISTRO_NAME=Debian\0', 'interop': True, 'comm': 'systemd\n'},
    'wsl1': {'osrelease': '4.4.0-19041-Microsoft\n',
             'version': 'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0) #1237-Microsoft\n',
             'environ': 'WSL_DISTRO_NAME=Ubuntu\0', 'interop': True},
    'linux': {},
}

_FAKE = r'''
set -e
for p in /proc/sys/kernel/osrelease /proc/version /proc/1/comm /proc/1/environ /proc/sys/fs/binfmt_misc; do
  while awk -v p="$p" '$5 == p {found=1} END {exit !found}' /proc/self/mountinfo; do umount "$p" || break; done
done
mkdir -p /run/wslfake
cd /run/wslfake
for name in osrelease version comm environ; do rm -f "$name"; done
'''


class Host(object):
    """The scenario container, its identity and the module runs in it."""

    def __init__(self, container, runner):
        self.container = container
        self.runner = runner

    def sh(self, script, *args, **kwargs):
        return self.container.sh(script, *args, **kwargs)

    def become(self, identity):
        spec = IDENTITIES[identity]
        script = _FAKE
        for name, target in (('osrelease', '/proc/sys/kernel/osrelease'), ('version', '/proc/version'),
                             ('comm', '/proc/1/comm'), ('environ', '/proc/1/environ')):
            if name in spec:
                data = base64.b64encode(spec[name].encode()).decode()
                script += 'echo %s | base64 -d > %s && mount --bind /run/wslfake/%s %s\n' % (data, name, name, target)
        if spec.get('interop'):
            script += 'mount -t tmpfs -o size=64k binfmt /proc/sys/fs/binfmt_misc && echo enabled > /proc/sys/fs/binfmt_misc/WSLInterop\n'
        self.sh(script)

    def put(self, data, path=CONF, mode='0644'):
        """``path`` holds exactly ``data`` (bytes) with ``mode``."""
        encoded = base64.b64encode(data).decode()
        self.sh('rm -rf "$1"; mkdir -p "$(dirname "$1")"; echo "$2" | base64 -d > "$1"; chmod "$3" "$1"',
                path, encoded, mode)

    def remove(self, path=CONF):
        self.sh('rm -rf "$1"', path)

    def raw(self, path=CONF):
        out = self.sh('base64 -w0 "$1"', path).stdout
        return base64.b64decode(out)

    def state(self, *paths):
        return self.container.fingerprint(*(paths or ('/etc',)))

    def run(self, args, check=False):
        return self.runner.run(args, check=check, timeout=300)


@pytest.fixture(scope='module')
def wsl_host(docker_session, tmp_path_factory):  # pylint: disable=unused-argument
    image = docker_mod.IMAGE % 'bookworm'
    problem = docker_mod.engine_problem([image])
    if problem:
        pytest.fail(problem)
    made = docker_mod.start_container(image, 'gocompat-wslconf-')
    try:
        workdir = tmp_path_factory.mktemp('wsl-conf-runner')
        yield Host(made, ModuleRunner(MODULE, workdir, made))
    finally:
        made.remove()
