#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: host_facts
short_description: Detect once what kind of host the roles work on (systemd, kernel, WSL)
version_added: 0.2.0
description:
  - Reads, without changing anything, whether systemd runs as PID 1 right now (from C(/proc/1/comm)), whether
    systemd is installed, whether logins can get a systemd user manager, the kernel release, and whether the host is WSL.
  - PID 1 is read live and not from cached facts, because a container image may carry C(/run/systemd) without
    running systemd.
  - The roles of this collection run it once per host through the C(gocompat.baseline.host) role and keep the
    result in the host fact C(gocompat_host); set that variable yourself to override the detection.
options: {}
extends_documentation_fragment:
  - gocompat.baseline.module
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Detect the host
  gocompat.baseline.host_facts:
  register: detected

- name: Only where systemd is PID 1
  ansible.builtin.debug:
    msg: "systemd runs this host"
  when: detected.host.systemd_pid1

- name: Check mode gives the same answer (nothing is ever changed)
  gocompat.baseline.host_facts:
  check_mode: true
'''

RETURN = r'''
host:
  description: What was detected.
  returned: always
  type: dict
  contains:
    systemd_pid1:
      description: systemd is PID 1 right now, so manager drop-ins can be applied with a daemon re-exec.
      type: bool
    pid1:
      description: Name of PID 1 (C(/proc/1/comm)); empty when unreadable.
      type: str
    systemd_installed:
      description: The systemd binary is installed (or systemd is PID 1), so its drop-ins take effect once it runs.
      type: bool
    systemd_user_manager:
      description: systemd is installed and ships C(user@.service), so a login gets a user manager when systemd runs.
      type: bool
    kernel_release:
      description: The running kernel's release (C(/proc/sys/kernel/osrelease)).
      type: str
    wsl:
      description: The host is Windows Subsystem for Linux (kernel release or the WSLInterop binfmt entry).
      type: bool
  sample:
    systemd_pid1: true
    pid1: systemd
    systemd_installed: true
    systemd_user_manager: true
    kernel_release: 6.1.0-28-amd64
    wsl: false
findings:
  description:
    - One informational finding, C(host.systemd), C(pass) when systemd is PID 1 and C(skip) otherwise (its C(actual)
      says whether systemd drop-ins take effect when systemd next starts or do not apply at all).
  returned: always
  type: list
  elements: dict
  sample:
    - control: host.systemd
      status: skip
      expected: systemd running as PID 1 (systemd drop-ins take effect on this run)
      actual: "PID 1 is sleep; systemd is installed: its drop-ins take effect when it next starts"
      source: /proc/1/comm
      remediation: ""
'''

from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import Plan, run_module

CONTROL_PATTERNS = (r'host\.systemd',)

ARGUMENT_SPEC = {}


def validate(params):
    return {}


def read(host, options):
    return host_detect.on_host(host)


def plan(options, state, check_mode):
    the_plan = Plan()
    status, expected, actual, remediation = host_detect.systemd_finding(state)
    the_plan.add_finding('host.systemd', status, expected, actual, host_detect.PID1_COMM, remediation)
    the_plan.result['host'] = state
    return the_plan


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
