#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: host_facts
short_description: Read what kind of host this is and what Go builds on it will meet
version_added: 0.2.0
description:
  - Reads, without changing anything, whether systemd runs as PID 1 right now (from C(/proc/1/comm)), whether
    systemd is installed, whether logins can get a systemd user manager, the kernel release, and whether the host is WSL.
  - PID 1 is read live and not from cached facts, because a container image may carry C(/run/systemd) without
    running systemd.
  - The roles of this collection run it once per host through the C(gocompat.baseline.host) role and keep the
    result in the host fact C(gocompat_host); set that variable yourself to override the detection.
  - Also returns the host fact C(gocompat) (see RV(ansible_facts.gocompat)) with WSL 1 or 2, the cgroup layout
    (C(cgroup2fs) at C(/sys/fs/cgroup) or v1/hybrid, from C(/proc/self/mountinfo)), the task limits of a login
    session, a service and this process, the seccomp mode of this process, the C(/tmp) mount and its options, the
    SDKs go_sdk_install put under O(sdk_root) (from their markers), the Go variables a login shell gets, and the
    per-user C(go env -w) files.
  - The login shell environment is what C(sh -l) prints when started by C(env -i) with root's C(PATH) and no home
    directory, so it is C(/etc/profile) and C(/etc/profile.d) as a fresh login sees them, without a user's own
    C(~/.profile). C(/etc/environment), read by PAM, is not part of it. The shell gets 5 seconds.
  - Per-user go env files are C($HOME/.config/go/env) of root and of every account with a UID from 1000 to 65533 in
    C(/etc/passwd); a symlink there is not followed. An C(XDG_CONFIG_HOME) set in a user's own profile is not seen.
  - Audit-only findings with the exact remediation where the fix is a reboot, a kernel command line or the Windows
    side - C(host.cgroup_v2), C(host.pids_max), C(host.seccomp) and C(env.user_goenv).
options:
  sdk_root:
    description:
      - Directory where go_sdk_install keeps the SDKs (its O(gocompat.baseline.go_sdk_install#module:root)). Only
        SDKs with its marker are listed.
    type: path
    default: /usr/local/lib/go
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

- name: SDKs installed under another root
  gocompat.baseline.host_facts:
    sdk_root: /opt/go
- name: Show the installed SDKs
  ansible.builtin.debug:
    msg: "{{ ansible_facts.gocompat.sdks | map(attribute='version') | list }}"
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
      description:
        - The host is a Windows Subsystem for Linux distribution (kernel release, C(/proc/version), the
          C(WSLInterop) binfmt entries, C(WSL_DISTRO_NAME)/C(WSL_INTEROP)); a container on a WSL 2 kernel is not.
      type: bool
    wsl_version:
      description: C(1) or C(2) on WSL, C(0) elsewhere.
      type: int
  sample:
    systemd_pid1: true
    pid1: systemd
    systemd_installed: true
    systemd_user_manager: true
    kernel_release: 6.1.0-28-amd64
    wsl: false
    wsl_version: 0
ansible_facts:
  description: The host fact C(gocompat).
  returned: always
  type: dict
  contains:
    gocompat:
      description:
        - C(wsl), C(wsl_version) (0, 1 or 2), C(kernel_release), C(systemd_pid1), C(pid1).
        - C(cgroup) - C(version) (V(v2), V(hybrid), V(v1) or V(none)) and its C(evidence).
        - C(pids_max) - C(login), C(service) and C(process) (a number, V(max) or null when unknown) with C(*_source)
          naming the pids.max file or the systemd setting, and C(kernel_pid_max), C(kernel_threads_max).
        - C(seccomp) - C(mode) (0, 1, 2 or null), C(name), C(filters).
        - C(tmp) - C(mounted) (its own mount), C(fstype), C(source), C(options), C(noexec).
        - C(sdks) - list of C(version), C(goroot), C(sha256) of the SDKs under O(sdk_root).
        - C(login_env) - C(GO*), C(CGO_*), C(PATH) and C(TMPDIR) of a login shell; C(login_env_error) says why it is
          empty when the shell failed.
        - C(user_goenv) - list of C(user), C(uid), C(path), C(settings), C(overrides) (the managed keys it sets).
      type: dict
  sample:
    gocompat:
      wsl: false
      wsl_version: 0
      kernel_release: 6.1.0-28-amd64
      systemd_pid1: true
      pid1: systemd
      cgroup: {version: v2, evidence: /sys/fs/cgroup is cgroup2fs}
      pids_max:
        login: 10813
        login_source: /sys/fs/cgroup/user.slice/user-1000.slice/pids.max
        service: 4915
        service_source: systemd default DefaultTasksMax=15%
        process: max
        process_source: /sys/fs/cgroup/init.scope/pids.max
        kernel_pid_max: 4194304
        kernel_threads_max: 32768
      seccomp: {mode: 0, name: disabled, filters: 0}
      tmp: {mounted: true, fstype: tmpfs, source: tmpfs, options: [rw, nosuid, nodev, relatime, size=2097152k], noexec: false}
      sdks:
        - {version: go1.27.3, goroot: /usr/local/lib/go/go1.27.3, sha256: 3f1c0d2e...}
      login_env: {PATH: "/usr/local/bin:/usr/bin:/bin", GOTOOLCHAIN: local}
      login_env_error: ""
      user_goenv:
        - {user: dev, uid: 1000, path: /home/dev/.config/go/env, settings: {GOTOOLCHAIN: auto}, overrides: [GOTOOLCHAIN]}
findings:
  description:
    - C(host.systemd), informational, C(pass) when systemd is PID 1 and C(skip) otherwise (its C(actual)
      says whether systemd drop-ins take effect when systemd next starts or do not apply at all).
    - C(host.cgroup_v2), C(host.pids_max), C(host.seccomp) and C(env.user_goenv), audit-only (nothing here changes
      them), each with the exact remediation on C(fail).
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
    - control: host.cgroup_v2
      status: fail
      expected: the unified cgroup v2 hierarchy (cgroup2fs at /sys/fs/cgroup)
      actual: cgroup v1 hierarchies (/sys/fs/cgroup/blkio, ...) next to cgroup2 at /sys/fs/cgroup/unified
      source: /proc/self/mountinfo
      remediation: "boot with the unified hierarchy: add systemd.unified_cgroup_hierarchy=1 to GRUB_CMDLINE_LINUX ..."
'''

import os

from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
from ansible_collections.gocompat.baseline.plugins.module_utils import host_facts_parse as P
from ansible_collections.gocompat.baseline.plugins.module_utils import host_facts_read
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROL_PATTERNS = (r'host\.systemd', r'host\.cgroup_v2', r'host\.pids_max', r'host\.seccomp', r'env\.user_goenv')

ARGUMENT_SPEC = dict(sdk_root=dict(type='path', default='/usr/local/lib/go'))


def validate(params):
    root = params['sdk_root']
    if not root or not os.path.isabs(root) or '\x00' in root or '\n' in root:
        raise ModuleFailure('sdk_root: %s is not an absolute path' % quote(root or "''"))
    return {'sdk_root': os.path.normpath(root)}


def read(host, options):
    facts, detected = host_facts_read.gather(host, options['sdk_root'])
    return {'facts': facts, 'host': detected}


def plan(options, state, check_mode):
    the_plan = Plan()
    facts = state['facts']
    status, expected, actual, remediation = host_detect.systemd_finding(state['host'])
    the_plan.add_finding('host.systemd', status, expected, actual, host_detect.PID1_COMM, remediation)
    the_plan.add_finding('host.cgroup_v2', *P.cgroup_finding(facts['cgroup'], facts['wsl']))
    the_plan.add_finding('host.pids_max', *P.pids_finding(facts['pids_max']))
    the_plan.add_finding('host.seccomp', *P.seccomp_finding(facts['seccomp']['mode'], facts['seccomp']['filters']))
    the_plan.add_finding('env.user_goenv', *P.user_goenv_finding(facts['user_goenv']))
    the_plan.result['host'] = state['host']
    the_plan.result['ansible_facts'] = {'gocompat': facts}
    return the_plan


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
