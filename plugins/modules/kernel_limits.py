#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: kernel_limits
short_description: Open-file limits for logins and services, task limits for services and user slices, in one call
version_added: 0.2.0
description:
  - Writes, checks and reports in one call the open-file limit a new PAM login gets (a file in
    C(/etc/security/limits.d) with lines for C(*) and for C(root), which C(*) does not cover), the defaults of the
    systemd system manager (C(DefaultLimitNOFILE), C(DefaultTasksMax) in C(/etc/systemd/system.conf.d)), the
    open-file default of user managers (C(/etc/systemd/user.conf.d)) and the C(TasksMax) of every user slice
    (C(/etc/systemd/system/user-.slice.d)).
  - Findings report what is in force, not only what this module wrote. It reads C(limits.conf) and every file
    of C(limits.d) in pam_limits order, and the main file and every drop-in of the systemd search path in
    systemd's order, so a later file that overrides a value is found and named in the finding's remediation.
  - A path the module would write that holds a file without the managed header (a file it did not write), a
    directory or a symlink is refused, and nothing is changed.
  - Options left out are not managed. Give O(nofile_soft) and O(nofile_hard) for open-file limits,
    O(default_tasks_max) and O(user_tasks_max) for task limits.
options:
  nofile_soft:
    description:
      - Soft open-file limit for PAM logins (any user and root), system services and user managers.
      - Give it with O(nofile_hard); leave both out to not manage open-file limits.
    type: int
  nofile_hard:
    description:
      - Hard open-file limit, at least O(nofile_soft) and at most the host's C(fs.nr_open).
    type: int
  default_tasks_max:
    description:
      - C(DefaultTasksMax) of the system manager for services, a percentage of the kernel's limit (C(80%)), a
        number, or C(infinity). Left out, it is not managed.
    type: str
  user_tasks_max:
    description:
      - C(TasksMax) of every C(user-UID.slice) (all processes of one user), in the same forms as
        O(default_tasks_max). Left out, it is not managed.
    type: str
  systemd:
    description:
      - Manage the systemd drop-ins. With V(false) the systemd findings are C(skip) and only C(limits.d) is
        written.
      - Left out, the module detects whether systemd is installed on the host (the same detection as
        M(gocompat.baseline.host_facts)).
    type: bool
  limits_path:
    description:
      - The file in C(/etc/security/limits.d) this module owns; its name must end in C(.conf).
    type: path
    default: /etc/security/limits.d/90-gocompat-baseline.conf
  dropin_name:
    description:
      - File name of the systemd drop-ins this module owns, ending in C(.conf).
    type: str
    default: 90-gocompat-baseline.conf
extends_documentation_fragment:
  - gocompat.baseline.module
  - gocompat.baseline.module.backup
notes:
  - Only the domains C(*) and C(root) of pam_limits are evaluated; lines for single users, groups or uid ranges
    change the limits of those users only.
  - systemd reads its manager settings when it starts; notify a handler that re-executes it (the
    C(gocompat.baseline.host) role has one) where systemd is PID 1.
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Open-file and task limits in one call
  gocompat.baseline.kernel_limits:
    nofile_soft: 65536
    nofile_hard: 524288
    default_tasks_max: 80%
    user_tasks_max: 80%
  register: limits

- name: Audit only (check mode), with the files that would change
  gocompat.baseline.kernel_limits:
    nofile_soft: 65536
    nofile_hard: 524288
  check_mode: true
  diff: true

- name: A host without systemd, with backups of replaced files
  gocompat.baseline.kernel_limits:
    nofile_soft: 65536
    nofile_hard: 524288
    systemd: false
    backup: true

- name: Task limits only
  gocompat.baseline.kernel_limits:
    default_tasks_max: infinity
    user_tasks_max: 80%
'''

RETURN = r'''
changed_files:
  description: Files this call writes (in check mode, would write), in the order it writes them.
  returned: always
  type: list
  elements: str
  sample:
    - /etc/security/limits.d/90-gocompat-baseline.conf
    - /etc/systemd/system.conf.d/90-gocompat-baseline.conf
created_dirs:
  description: Directories this call creates (in check mode, would create) for its files.
  returned: always
  type: list
  elements: str
  sample:
    - /etc/systemd/system/user-.slice.d
manager_changed:
  description:
    - A systemd drop-in was written (in check mode, would be written). The manager reads it when it is
      re-executed (or when it next starts).
  returned: always
  type: bool
  sample: true
systemd_pid1:
  description:
    - Whether systemd is PID 1 on the host now, so a re-execution can apply a changed drop-in (notify the
      C(gocompat systemd manager changed) handler when both this and RV(manager_changed) are true).
  returned: always
  type: bool
  sample: false
backup_files:
  description: Backup copy of every replaced file, by path.
  returned: when O(backup=true) and an existing file was replaced
  type: dict
  sample:
    /etc/security/limits.d/90-gocompat-baseline.conf: /etc/security/limits.d/90-gocompat-baseline.conf.1234.2026-12-04@19:00:00~
findings:
  description:
    - One per managed concern. C(limits.nofile) (what a new PAM login of any user and of root gets),
      C(systemd.default_limit_nofile), C(systemd.default_tasks_max), C(systemd.user_tasks_max).
    - C(actual) is the value in force before the run and the C(file:line) that sets it; a C(fail) that this run
      cannot fix (another file wins) names that file in C(remediation).
  returned: always
  type: list
  elements: dict
  sample:
    - control: limits.nofile
      status: fail
      expected: soft >= 65536 and hard >= 524288 nofile for a new PAM login of any user (*) and of root
      actual: "any user (*): soft not set (inherited), hard not set (inherited); root: soft not set (inherited), hard not set (inherited)"
      source: ""
      remediation: write /etc/security/limits.d/90-gocompat-baseline.conf (gocompat.baseline.kernel role, or this module without check mode)
'''

import posixpath

from ansible_collections.gocompat.baseline.plugins.module_utils import kernel_limits_plan as K
from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect, limits_conf, systemd_conf
from ansible_collections.gocompat.baseline.plugins.module_utils.fileio import FileRefused
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROL_PATTERNS = (r'limits\.nofile', r'systemd\.default_limit_nofile', r'systemd\.default_tasks_max',
                    r'systemd\.user_tasks_max')

ARGUMENT_SPEC = dict(
    nofile_soft=dict(type='int'),
    nofile_hard=dict(type='int'),
    default_tasks_max=dict(type='str'),
    user_tasks_max=dict(type='str'),
    systemd=dict(type='bool'),
    limits_path=dict(type='path', default='/etc/security/limits.d/90-gocompat-baseline.conf'),
    dropin_name=dict(type='str', default='90-gocompat-baseline.conf'),
    backup=dict(type='bool', default=False),
)


def validate(params):
    try:
        return K.check_options(params)
    except K.Invalid as exc:
        raise ModuleFailure(str(exc))


def _text(host, path, warnings):
    """Text of a configuration file another program reads; '' for one masked by a link to /dev/null;
    None when absent. A file that cannot be read as a regular file is left out, with a warning."""
    try:
        if host.exists(path) and host.realpath(path) == '/dev/null':
            return ''
        return host.read_text(path)
    except (FileRefused, EnvironmentError) as exc:
        warnings.append('ignored %s: %s' % (quote(path), quote(getattr(exc, 'reason', None) or exc)))
        return None


def _tree(host, dirs, warnings):
    tree = {}
    for directory in dirs:
        if not host.isdir(directory):
            continue
        files = {}
        for name in host.listdir(directory):
            if name.endswith('.conf') and not name.startswith('.'):
                text = _text(host, posixpath.join(directory, name), warnings)
                if text is not None:
                    files[name] = text
        tree[directory] = files
    return tree


def _first(host, paths, warnings):
    for path in paths:
        text = _text(host, path, warnings)
        if text is not None:
            return [(path, text)]
    return []


_KIND_WORDS = {'link': 'a symlink', 'dir': 'a directory', 'other': 'not a regular file'}


def _kind(host, path):
    kind = host.kind(path)
    return _KIND_WORDS.get(kind, kind)


def read(host, options):
    warnings = []
    detected = host_detect.on_host(host)
    if options['systemd'] is None:
        # left out: what the host has decides, before anything below depends on it
        options['systemd'] = detected['systemd_installed']
    state = {'host': host, 'warnings': warnings, 'managed': {}, 'missing_dirs': [],
             'systemd_pid1': detected['systemd_pid1']}
    try:
        state['nr_open'] = int(host.read_text(K.NR_OPEN, limit=64).strip())
    except (FileRefused, EnvironmentError, ValueError, AttributeError):
        state['nr_open'] = None
    desired = K.desired_files(options)
    for path in sorted(desired):
        kind = _kind(host, path)
        state['managed'][path] = (kind, host.read_text(path) if kind == 'file' else None)
        state['missing_dirs'].extend(d for d in host.missing_parents(path) if d not in state['missing_dirs'])
    state['missing_dirs'].sort()  # a parent sorts before its children
    if options['soft'] is not None:
        state['limits_main'] = _text(host, limits_conf.MAIN, warnings)
        state['limits_d'] = _tree(host, [limits_conf.DROPIN_DIR], warnings).get(limits_conf.DROPIN_DIR, {})
    if options['systemd']:
        state['system_main'] = _first(host, systemd_conf.manager_main('system.conf'), warnings)
        state['system_tree'] = _tree(host, K.SYSTEM_DIRS, warnings)
        state['slice_unit'] = _first(host, [posixpath.join(d, K.SLICE_UNIT) for d in systemd_conf.UNIT_DIRS], warnings)
        state['slice_tree'] = _tree(host, K.SLICE_DIRS, warnings)
    state['desired'] = desired
    return state


def plan(options, state, check_mode):
    the_plan = Plan()
    the_plan.warnings.extend(state['warnings'])
    desired = state['desired']
    the_plan.refusals.extend(K.refusals(options, state, desired))
    for finding in K.findings(options, state, desired, check_mode):
        the_plan.add_finding(*finding)
    host = state['host']
    changed = [p for p in sorted(desired) if state['managed'][p][1] != desired[p]]
    created = [d for d in state['missing_dirs'] if any(p.startswith(d + '/') for p in changed)]
    the_plan.make_dirs(host, created)
    for path in changed:
        the_plan.write_file(host, path, state['managed'][path][1], desired[path], backup=options['backup'])
    manager_changed = any(p != options['limits_path'] for p in changed)
    the_plan.result.update(changed_files=changed, created_dirs=created, manager_changed=manager_changed,
                           systemd_pid1=state['systemd_pid1'])
    return the_plan


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
