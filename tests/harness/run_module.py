"""Run one module of the collection through ansible-playbook, on this machine or in a test container, and
get back its registered result (failed or not) as a dict: the one way every layer above unit runs a module.

    runner = ModuleRunner('gocompat.baseline.go_sdk_install', workdir)            # localhost
    runner = ModuleRunner('gocompat.baseline.sysctl_guard', workdir, container)   # a harness Container
    result = runner.run({'versions': ['1.27']}, check=True)
"""

import json
import subprocess
import sys

from .paths import ROOT, HarnessError, ansible_env, ansible_playbook

# The task runs with diff on; its result goes to the controller through `dd`, one module run on the
# controller whatever the target is.
PLAYBOOK = '''---
- name: Run one module and record its result
  hosts: all
  gather_facts: false
  tasks:
    - name: Run the module
      %s: "{{ module_args }}"
      check_mode: "{{ check | default(false) | bool }}"
      diff: true
      register: module_result
      ignore_errors: true

    - name: Record the result on the controller
      ansible.builtin.command:
        argv: [dd, "of={{ result_file }}", status=none]
        stdin: "{{ module_result | ansible.builtin.to_json }}"
        stdin_add_newline: false
      delegate_to: localhost
      check_mode: false
      changed_when: false
      vars:
        ansible_python_interpreter: "{{ ansible_playbook_python }}"
'''


class ModuleRunner(object):
    """Runs ``module`` (its FQCN) against ``target`` (a harness Container, or None for this machine);
    every run keeps its arguments, result and output under ``workdir``."""

    def __init__(self, module, workdir, target=None, venv=None):
        self.module = module
        self.workdir = str(workdir)
        self.target = target
        self.venv = venv
        self.runs = 0
        self.playbook = '%s/run-%s.yml' % (self.workdir, module.rsplit('.', 1)[-1])
        with open(self.playbook, 'w') as handle:
            handle.write(PLAYBOOK % module)
        self.inventory = '%s/inventory-%s.ini' % (self.workdir, module.rsplit('.', 1)[-1])
        if target is None:
            line = 'localhost ansible_connection=local ansible_python_interpreter=%s' % sys.executable
        else:
            line = target.inventory_line()
        with open(self.inventory, 'w') as handle:
            handle.write('[all]\n%s\n' % line)

    def command(self, module_args, check=False):
        """(argv of ansible-playbook, path of the result file) for one run; for callers that start it themselves."""
        self.runs += 1
        tag = '%d-%s' % (self.runs, 'check' if check else 'run')
        args_file = '%s/args-%s.json' % (self.workdir, tag)
        result_file = '%s/result-%s.json' % (self.workdir, tag)
        with open(args_file, 'w') as handle:
            json.dump({'module_args': module_args, 'check': bool(check), 'result_file': result_file}, handle)
        return [ansible_playbook(self.venv), '-i', self.inventory, '-e', '@' + args_file, self.playbook], result_file

    def env(self, **extra):
        return ansible_env(self.venv, **extra)

    def run(self, module_args, check=False, env=None, timeout=600):
        cmd, result_file = self.command(module_args, check)
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                              env=self.env(**(env or {})), cwd=str(ROOT), timeout=timeout, check=False)
        print('$ %s\n%s' % (' '.join(cmd), proc.stdout))  # pytest shows it when the test fails
        return read_result(result_file, proc)


def read_result(result_file, proc):
    """The recorded result of a run, or HarnessError with the run's output when the playbook itself failed."""
    try:
        with open(result_file) as handle:
            result = json.load(handle)
    except (OSError, ValueError):
        result = None
    if proc.returncode != 0 or result is None:
        raise HarnessError('ansible-playbook exited %d, result %s:\n%s'
                           % (proc.returncode, 'missing' if result is None else 'recorded', (proc.stdout or '')[-6000:]))
    return result
