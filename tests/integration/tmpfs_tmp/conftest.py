"""tmpfs_tmp on this machine, each test in a private mount namespace of its own (`unshare --mount --propagation
private`): /etc gets a throw-away overlay (the module writes /etc/fstab), /tmp becomes a directory "on disk" (a
bind of a test directory) or a tmpfs the test sets up, and ansible-playbook runs the module there with this
machine's Python. Nothing reaches this machine's mount table, /etc or /tmp.

The test's files live under /var/tmp, not /tmp: the module mounts over /tmp. A checkout that itself lies under
/tmp (a clone made there) is bound again onto every /tmp a test makes (`keep_checkout`), or ansible-playbook
and the collection would vanish with the old /tmp."""

import json
import os
import shlex
import shutil
import subprocess
import tempfile

import pytest

from harness import mountns
from harness.paths import ROOT
from harness.run_module import ModuleRunner, read_result

MODULE = 'gocompat.baseline.tmpfs_tmp'

# The checkout when it lies under /tmp, else empty.
CHECKOUT_UNDER_TMP = str(ROOT) if str(ROOT).startswith('/tmp/') else ''

# Runs first in the namespace: the /etc overlay and a /tmp of the test's own.
PROLOGUE = r'''
set -e
W=$1
R=%s
if [ -n "$R" ]; then mkdir -p "$W/checkout" && mount --bind "$R" "$W/checkout"; fi
keep_checkout() { [ -z "$R" ] || { mkdir -p "$R" && mount --bind "$W/checkout" "$R"; }; }
mkdir -p "$W/upper" "$W/work" "$W/disk"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$W/upper,workdir=$W/work" /etc
mount --bind "$W/disk" /tmp
keep_checkout
chmod 1777 /tmp
mkdir -p /run/gocompat-baseline
mount -t tmpfs -o size=1m tmpfs /run/gocompat-baseline
set +e
''' % shlex.quote(CHECKOUT_UNDER_TMP)


class Namespace(object):
    """One private mount namespace session: ``script`` lines run in order after the prologue; ``module(args)``
    adds a module run (its result is read afterwards by ``result(n)``)."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.runner = ModuleRunner(MODULE, os.path.join(workdir, 'ansible'))
        self.lines = []
        self.results = []

    def sh(self, line):
        self.lines.append(line)

    def module(self, args, check=False, **env):
        cmd, result_file = self.runner.command(args, check)
        prefix = ' '.join('%s=%s' % (k, shlex.quote(v)) for k, v in sorted(env.items()))
        self.lines.append('%s %s >>"$W/ansible.log" 2>&1; echo "rc=$?"' % (
            ('env ' + prefix) if prefix else '', ' '.join(shlex.quote(c) for c in cmd)))
        self.results.append(result_file)
        return len(self.results) - 1

    def mark(self, name, line):
        """Output of ``line`` between markers, returned by ``run`` under ``name``."""
        self.lines.append('echo "<<%s"; %s; echo ">>%s"' % (name, line, name))

    def run(self, timeout=600):
        proc = mountns.run(PROLOGUE + '\n'.join(self.lines) + '\n', self.workdir,
                           env=self.runner.env(), timeout=timeout)
        log = os.path.join(self.workdir, 'ansible.log')
        if os.path.exists(log):
            with open(log) as handle:
                print(handle.read()[-20000:])
        print(proc.stdout)
        self.output = proc.stdout
        return proc

    def section(self, name):
        out = self.output
        start = out.index('<<%s\n' % name) + len(name) + 3
        return out[start:out.index('>>%s\n' % name, start)]

    def result(self, index):
        with open(self.results[index]) as handle:
            return json.load(handle)

    def put(self, path, data):
        """A file under /etc as the namespace will see it (written into the overlay's upper layer)."""
        real = os.path.join(self.workdir, 'upper', path[len('/etc/'):])
        os.makedirs(os.path.dirname(real), exist_ok=True)
        with open(real, 'wb') as handle:
            handle.write(data)

    def upper(self, path):
        """A file the module wrote under /etc in the namespace (None when it did not write it)."""
        real = os.path.join(self.workdir, 'upper', path[len('/etc/'):])
        if not os.path.exists(real):
            return None
        with open(real, 'rb') as handle:
            return handle.read()


@pytest.fixture
def namespace():
    base = '/var/tmp'
    workdir = tempfile.mkdtemp(prefix='gocompat-tmpfs-it-', dir=base)
    os.mkdir(os.path.join(workdir, 'ansible'))
    yield Namespace(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    try:
        os.rmdir('/run/gocompat-baseline')  # the empty mount point of the namespace's own tmpfs
    except OSError:
        pass


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])


__all__ = ['Namespace', 'by_control', 'read_result', 'subprocess']
