"""This machine's kernel parameters around tests that can change them: containers with a writable
/proc/sys share most vm.*, fs.* and kernel.* keys with this machine. The logic (which keys, how they are
compared and written back) is tests/tools/sysctl-snapshot.py's, the tool tests/run.sh uses for the whole
run; this module calls that tool for one test."""

import subprocess
import sys

from .paths import TOOLS, HarnessError

TOOL = TOOLS / 'sysctl-snapshot.py'


def _tool(action, path):
    proc = subprocess.run([sys.executable, str(TOOL), action, str(path)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise HarnessError('sysctl-snapshot.py %s failed:\n%s' % (action, proc.stdout))
    return proc.stdout.strip()


def save(path):
    _tool('save', path)


def restore(path):
    """Put back every saved key that differs now; returns the tool's line naming the keys it restored."""
    return _tool('restore', path)
