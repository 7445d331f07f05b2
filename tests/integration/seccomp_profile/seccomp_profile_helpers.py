"""What the seccomp_profile integration tests share: the loader (load_profile.py, run by the system Python,
which has Debian's python3-seccomp) and its report."""

import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
LOADER = os.path.join(HERE, 'load_profile.py')
SYSTEM_PYTHON = '/usr/bin/python3'


def load(profile_path):
    """What load_profile.py reports for ``profile_path``: {'loaded': {...}, 'checks': {...}}."""
    proc = subprocess.run([SYSTEM_PYTHON, LOADER, str(profile_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)
