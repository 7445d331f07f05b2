# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every benchmark driver in bench/ shares: its errors, signal handling, the task_clock callback
settings and result, medians and ratios, tables, and the description of the machine a run was made on.

Drivers import it by putting bench/ on sys.path (bench/bench.py has it there already as its own directory).
"""

from __future__ import absolute_import, division, print_function

import json
import os
import platform
import signal
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CALLBACK_PLUGINS = os.path.join(HERE, 'callback_plugins')
CLOCK_ENV = 'BENCH_TASK_CLOCK_FILE'

# Actions that run on the controller only: a task of one of them is no module call on a host.
CONTROLLER_ONLY = frozenset((
    'set_fact', 'debug', 'assert', 'fail', 'meta', 'include_tasks', 'import_tasks', 'include_role', 'import_role',
    'include_vars', 'add_host', 'group_by', 'set_stats', 'validate_argument_spec', 'import_playbook', 'pause',
    'wait_for_connection',
    # the playbooks' summary: an action plugin that runs no module on the host
    'gocompat.baseline.findings_summary'))


def short_action(action):
    """``action`` without the ansible.builtin. / ansible.legacy. prefix."""
    for prefix in ('ansible.builtin.', 'ansible.legacy.'):
        if action.startswith(prefix):
            return action[len(prefix):]
    return action


def runs_on_host(action):
    """Whether a task of ``action`` runs a module on the host."""
    return short_action(action) not in CONTROLLER_ONLY


def log(message):
    """A progress line, flushed at once (drivers run under run.sh, their output followed live)."""
    sys.stdout.write(message + '\n')
    sys.stdout.flush()


def docker(*args, **kwargs):
    """The docker CLI, text output captured, never raising on a non-zero exit (180 s unless ``timeout``)."""
    kwargs.setdefault('timeout', 180)
    return subprocess.run(['docker'] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True, check=False, **kwargs)


class BenchError(Exception):
    """A run that cannot give a valid figure: the message says why (and where its log is)."""


class Interrupted(BaseException):
    """Raised from a signal handler, so that the drivers' finally blocks still clean up."""


def _on_signal(signum, _frame):
    raise Interrupted('signal %d' % signum)


def install_signal_handlers(signums=(signal.SIGINT, signal.SIGTERM, signal.SIGHUP)):
    for signum in signums:
        signal.signal(signum, _on_signal)


# -- ansible-playbook runs with the task clock ------------------------------------------------------------

def ansible_env(config, collections, base=None, **extra):
    """Environment of one timed ansible-playbook: no ANSIBLE_* of the caller, the driver's config and
    collections, the task_clock callback enabled, no colours. ``extra`` adds or overrides variables."""
    env = dict((k, v) for k, v in (base if base is not None else os.environ).items() if not k.startswith('ANSIBLE_'))
    env.update({
        'ANSIBLE_CONFIG': str(config),
        'ANSIBLE_COLLECTIONS_PATH': str(collections),
        'ANSIBLE_CALLBACK_PLUGINS': CALLBACK_PLUGINS,
        'ANSIBLE_CALLBACKS_ENABLED': 'task_clock',
        'ANSIBLE_NOCOLOR': '1',
        'ANSIBLE_RETRY_FILES_ENABLED': 'False',
    })
    env.update(dict((k, str(v)) for k, v in extra.items()))
    return env


def with_clock(env, clock_file):
    """The environment with the task_clock output file set."""
    return dict(env, **{CLOCK_ENV: str(clock_file)})


def read_clock(clock_file):
    """The task_clock report of one run, or None when the run wrote none."""
    try:
        with open(str(clock_file)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


# -- statistics and tables --------------------------------------------------------------------------------

def median(values):
    values = list(values)
    return statistics.median(values) if values else None


def spread(values):
    """(median, min, max) of the values, or (None, None, None)."""
    values = list(values)
    if not values:
        return None, None, None
    return statistics.median(values), min(values), max(values)


def ratio(numerator, denominator, digits=3):
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, digits)


def text_table(header, rows, left=1):
    """Aligned plain-text table: the first ``left`` columns left-aligned, the others right-aligned."""
    rows = [[str(cell) for cell in row] for row in rows]
    widths = [max([len(header[i])] + [len(row[i]) for row in rows]) for i in range(len(header))]

    def line(cells, is_header=False):
        return '  '.join(cells[i].ljust(widths[i]) if is_header or i < left else cells[i].rjust(widths[i])
                         for i in range(len(cells))).rstrip()

    return '\n'.join([line(header, True), '  '.join('-' * w for w in widths)] + [line(row) for row in rows])


def markdown_table(header, rows):
    out = ['| %s |' % ' | '.join(header), '|%s|' % '|'.join(['---'] * len(header))]
    out.extend('| %s |' % ' | '.join(str(cell) for cell in row) for row in rows)
    return '\n'.join(out)


# -- the machine --------------------------------------------------------------------------------------------

def loadavg():
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def tail(path, lines=40):
    try:
        with open(str(path), 'rb') as handle:
            return '\n'.join(handle.read().decode('utf-8', 'replace').splitlines()[-lines:])
    except OSError:
        return '(no log)'


def ansible_core_version(python):
    return subprocess.run([str(python), '-c', 'from ansible.release import __version__; print(__version__)'],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, universal_newlines=True,
                          check=False).stdout.strip() or None


def machine(python=None):
    """CPU count and model, load, kernel, and the ansible-core of ``python`` (a venv's interpreter)."""
    cpu_model = None
    try:
        with open('/proc/cpuinfo') as handle:
            for line in handle:
                if line.startswith('model name'):
                    cpu_model = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    info = {
        'cpus': os.cpu_count(),
        'cpu_model': cpu_model,
        'load_average_at_start': [round(x, 2) for x in os.getloadavg()],
        'kernel': platform.release(),
    }
    if python:
        info['ansible_core'] = ansible_core_version(python)
    return info
