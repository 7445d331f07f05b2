"""seccomp_profile and seccomp_runtime scenarios: one fresh network-less container per test (tests/harness
`container`), the files a scenario puts there, and both modules run in it through ansible-playbook (`host`)."""


import pytest

from harness.docker import Container

PROFILE_MODULE = 'gocompat.baseline.seccomp_profile'
RUNTIME_MODULE = 'gocompat.baseline.seccomp_runtime'
WATCHED = ('/etc/gocompat', '/etc/docker', '/etc/containers', '/var/lib/kubelet', '/usr/share/containers')


class Host(Container):
    """A scenario container, the files in it, and the two modules run in it."""

    def __init__(self, container, runners):  # pylint: disable=redefined-outer-name
        super(Host, self).__init__(container.name, container.image, container.systemd)
        self.runners = runners

    def tree(self):
        return self.fingerprint(*WATCHED)

    def run(self, module, args, check=False):
        return self.runners[module].run(args, check=check, timeout=300)


@pytest.fixture
def host(container, module_runner):  # pylint: disable=redefined-outer-name
    def make(suite='bookworm'):
        made = container(suite=suite, prefix='gocompat-seccomp-')
        return Host(made, {'profile': module_runner(PROFILE_MODULE, made), 'runtime': module_runner(RUNTIME_MODULE, made)})
    return make
