"""Whole playbooks run by ansible-playbook from a chosen ansible-core venv against harness Containers."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from .paths import ROOT, HarnessError, ansible_env

RECAP = re.compile(r'^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+unreachable=(?P<unreachable>\d+)'
                   r'\s+failed=(?P<failed>\d+)\s+skipped=(?P<skipped>\d+)\s+rescued=(?P<rescued>\d+)'
                   r'\s+ignored=(?P<ignored>\d+)', re.M)


def default_venv():
    """The ansible-core venv under test: GOCOMPAT_ANSIBLE_VENV, else the one running pytest."""
    venv = os.environ.get('GOCOMPAT_ANSIBLE_VENV')
    return Path(venv) if venv else Path(sys.executable).parent.parent


def ansible_core_version(venv):
    proc = subprocess.run([str(Path(venv) / 'bin' / 'python'), '-c', 'import ansible; print(ansible.__version__)'],
                          capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise HarnessError('no ansible-core in venv %s: %s' % (venv, proc.stderr.strip()))
    return proc.stdout.strip()


class PlaybookRun(object):
    """The outcome of one ansible-playbook run: exit code, output and the PLAY RECAP counters per host."""

    def __init__(self, cmd, proc, seconds=None):
        self.cmd = cmd
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.seconds = seconds
        self.recap = dict((m.group('host'), dict((k, int(v)) for k, v in m.groupdict().items() if k != 'host'))
                          for m in RECAP.finditer(self.stdout))

    def __repr__(self):
        return 'PlaybookRun(rc=%d, recap=%r)' % (self.rc, self.recap)

    def explain(self):
        return '$ %s\nexit %d\n--- stdout (tail)\n%s\n--- stderr (tail)\n%s' % (
            ' '.join(self.cmd), self.rc, self.stdout[-6000:], self.stderr[-3000:])


def playbook_command(venv, playbook, inventory, workdir, tag, extra_vars=None, check=False, diff=False, tags=None,
                     skip_tags=None, forks=None):
    """The ansible-playbook argument list of ``venv`` for ``playbook`` (a path, or a name under playbooks/) over
    ``inventory``; extra vars go through a JSON file in ``workdir`` named after ``tag``."""
    path = Path(playbook)
    if not path.is_absolute():
        path = ROOT / 'playbooks' / path if (ROOT / 'playbooks' / path).exists() else ROOT / path
    cmd = [str(Path(venv) / 'bin' / 'ansible-playbook'), '-i', str(inventory), str(path)]
    if extra_vars:
        vars_file = Path(workdir) / ('vars-%s.json' % tag)
        vars_file.write_text(json.dumps(extra_vars))
        cmd += ['-e', '@%s' % vars_file]
    if check:
        cmd.append('--check')
    if diff:
        cmd.append('--diff')
    if tags:
        cmd += ['--tags', ','.join(tags) if isinstance(tags, (list, tuple)) else tags]
    if skip_tags:
        cmd += ['--skip-tags', ','.join(skip_tags) if isinstance(skip_tags, (list, tuple)) else skip_tags]
    if forks:
        cmd += ['--forks', str(forks)]
    return cmd


def execute(cmd, venv, timeout=900, **settings):
    """Run an ansible-playbook command with the collection's environment (plus ``settings``) from the checkout;
    returns the PlaybookRun and prints its explanation (pytest shows it when the test fails)."""
    started = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(Path(venv), **settings), cwd=str(ROOT),
                          timeout=timeout, check=False)
    result = PlaybookRun(cmd, proc, time.time() - started)
    print(result.explain())
    return result


def run_playbook(workdir, tag, playbook, hosts, venv, check=False, diff=False, extra_vars=None, tags=None,
                 skip_tags=None, timeout=900):
    """Run ``playbook`` (a path, or a name under playbooks/) against ``hosts`` (Containers, one group `all`)."""
    inventory = Path(workdir) / ('inventory-%s.ini' % tag)
    inventory.write_text('[all]\n%s\n' % '\n'.join(h.inventory_line() for h in hosts))
    cmd = playbook_command(venv, playbook, inventory, workdir, tag, extra_vars=extra_vars, check=check, diff=diff,
                           tags=tags, skip_tags=skip_tags)
    return execute(cmd, venv, timeout=timeout)
