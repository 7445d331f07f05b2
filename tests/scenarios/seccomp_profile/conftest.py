"""seccomp_profile and seccomp_runtime scenarios: one fresh network-less container per test (tests/harness
`container`), the files a scenario puts there, and both modules run in it through ansible-playbook (`host`)."""

import json

import pytest

from harness.docker import Container

PROFILE_MODULE = 'gocompat.baseline.seccomp_profile'
RUNTIME_MODULE = 'gocompat.baseline.seccomp_runtime'
WATCHED = ('/etc/gocompat', '/etc/docker', '/etc/containers', '/var/lib/kubelet', '/usr/share/containers')

_WRITE_FILES = r'''
import json, os, sys
for path, text in json.load(sys.stdin).items():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(text.encode('utf-8', 'surrogateescape'))
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


class Host(Container):
    """A scenario container, the files in it, and the two modules run in it."""

    def __init__(self, container, runners):  # pylint: disable=redefined-outer-name
        super(Host, self).__init__(container.name, container.image, container.systemd)
        self.runners = runners

    def write_files(self, files):
        if files:
            self.sh('python3 -c "$1"', _WRITE_FILES, stdin=json.dumps(files))

    def read(self, path):
        return json.loads(self.sh('python3 -c "$1" "$@"', _READ_FILES, path).stdout)[path]

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
