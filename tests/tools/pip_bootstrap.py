"""Stand-in for ansible-test's pip bootstrap script, whose download host is not reachable from
every network: bootstrap pip from the interpreter's own ensurepip, then let pip install what
ansible-test asked for (from the configured package index)."""

import subprocess
import sys

# Options understood by the original bootstrap script but not by `pip install`.
BOOTSTRAP_ONLY = {'--no-setuptools', '--no-wheel'}

# ensurepip in a child process: in-process it points PIP_CONFIG_FILE at /dev/null for everything after it.
subprocess.check_call([sys.executable, '-m', 'ensurepip', '--default-pip'])
args = [arg for arg in sys.argv[1:] if arg not in BOOTSTRAP_ONLY]
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args))
