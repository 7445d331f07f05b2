#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: sysctl_guard
short_description: Guard many kernel parameters in one call, live and at boot
version_added: 0.1.0
description:
  - Checks and sets many sysctl keys in one call. Each key has a comparison, so a minimum never
    lowers a value that is already higher, live or in another file.
  - Owns one file in C(/etc/sysctl.d) and writes every managed key there.
  - Works out the value that wins at boot the way C(systemd-sysctl) does it. Files are read from
    C(/etc/sysctl.d), C(/run/sysctl.d), C(/usr/local/lib/sysctl.d) and C(/usr/lib/sysctl.d). A
    same-named file in an earlier directory hides the later ones, files are applied in lexical
    order, a C(/dev/null) link masks a name, and an explicit key beats a glob.
    C(/etc/sysctl.conf) is treated as applied last, because C(sysctl --system) reads it last.
  - A later file that overrides an owned key with a non-compliant value is reported, fails the
    task, or is fixed, as I(shadowed) says. A fix comments out the offending line in files under
    C(/etc). For a runtime or vendor file (C(/run), C(/usr)) it writes a same-named copy in
    C(/etc/sysctl.d) with that line commented out.
  - Applies values live where C(/proc/sys) is writable. Where it is read-only (an unprivileged
    container) the values are persisted and reported as "persisted, not applied" instead of failing.
  - Keys this kernel does not have are C(skip) unless I(required).
  - Returns C(findings), one per key, with the control id equal to the key.
author:
  - gocompat.baseline contributors (@gocompat)
options:
  settings:
    description:
      - The kernel parameters to guard.
    type: list
    elements: dict
    required: true
    suboptions:
      key:
        description:
          - Sysctl key, dotted (C(kernel.pid_max)) or slash-separated (C(kernel/pid_max)).
        type: str
        required: true
      value:
        description:
          - Wanted value. Multi-value keys such as C(net.ipv4.ip_local_port_range) are compared
            value by value, whatever the whitespace.
        type: raw
        required: true
      compare:
        description:
          - C(min) keeps values at or above I(value). C(max) keeps values at or below I(value).
            C(eq) wants exactly I(value).
          - C(min) and C(max) need a single integer.
        type: str
        choices: [min, max, eq]
        default: eq
      required:
        description:
          - Fail when this kernel has no such key instead of reporting C(skip).
        type: bool
        default: false
  path:
    description:
      - The file this module owns. It is rewritten as a whole on every change.
    type: path
    default: /etc/sysctl.d/90-gocompat-baseline.conf
  shadowed:
    description:
      - What to do when a file read after I(path) overrides an owned key with a non-compliant value.
      - C(warn) reports it, and the key's finding stays C(fail).
      - C(fail) fails the task before anything is changed.
      - C(fix) disables the offending lines, as described above.
    type: str
    choices: [warn, fail, fix]
    default: warn
  apply:
    description:
      - Apply values live through C(/proc/sys). With C(false), values are only persisted.
    type: bool
    default: true
  backup:
    description:
      - Keep a timestamped copy of every file this module changes (the copy does not end in
        C(.conf), so it is never read as configuration).
    type: bool
    default: false
notes:
  - Supports check mode and diff mode. Check mode reports exactly the files and live values a real
    run would change.
  - When a live write fails, live values already written are restored and no file is touched. When
    a file write fails, the files already written and the live values are restored.
seealso:
  - module: ansible.posix.sysctl
  - name: sysctl.d(5)
    description: The systemd rules this module follows to compute the boot-time value.
    link: https://www.freedesktop.org/software/systemd/man/latest/sysctl.d.html
'''

EXAMPLES = r'''
- name: Kernel parameters Go tests need
  gocompat.baseline.sysctl_guard:
    settings:
      - {key: kernel.pid_max, value: 4194304, compare: min}
      - {key: user.max_user_namespaces, value: 10000, compare: min}
      - {key: kernel.unprivileged_userns_clone, value: 1}
      - {key: net.ipv4.ip_local_port_range, value: "1024 65535"}
    shadowed: fix

- name: Audit only, failing when another file would override a value at boot
  gocompat.baseline.sysctl_guard:
    settings:
      - {key: vm.max_map_count, value: 262144, compare: min, required: true}
    shadowed: fail
  check_mode: true
'''

RETURN = r'''
findings:
  description: One finding per key. C(expected) is the comparison. C(actual) holds the live value,
    the boot value and the file and line it comes from.
  returned: always
  type: list
  elements: dict
  sample:
    - control: kernel.pid_max
      status: fixed
      expected: ">= 4194304"
      actual: "live 32768; at boot kernel default"
      source: /etc/sysctl.d/90-gocompat-baseline.conf
      remediation: persist kernel.pid_max = 4194304 in /etc/sysctl.d/90-gocompat-baseline.conf and apply it live
path:
  description: The owned file.
  returned: always
  type: str
  sample: /etc/sysctl.d/90-gocompat-baseline.conf
persisted:
  description: Key and value written to the owned file. Keys absent on this kernel are left out.
  returned: always
  type: dict
  sample: {kernel.pid_max: "4194304"}
applied:
  description: Keys written live in this run and their new values. In check mode, the keys that would be.
  returned: always
  type: dict
  sample: {kernel.pid_max: "4194304"}
not_applied:
  description: Keys whose live value is non-compliant and could not be written, with the reason.
  returned: always
  type: dict
  sample: {net.core.somaxconn: "/proc/sys is read-only"}
shadowed:
  description: Lines in later files that override an owned key with a non-compliant value.
  returned: always
  type: list
  elements: dict
  sample:
    - {key: kernel.pid_max, path: /etc/sysctl.d/99-local.conf, line: 3, value: "32768", action: disabled}
changed_files:
  description: Files written, or to be written in check mode.
  returned: always
  type: list
  elements: str
backup_files:
  description: Backup copies made, by original path.
  returned: when I(backup=true) and a file changed
  type: dict
'''

import errno
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import (
    LEGACY_SYSCTL_CONF,
    SYSCTL_DIRS,
    SysctlSyntaxError,
    normalize_key,
    normalize_value,
    proc_path,
    validate_param_key,
    validate_setting,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import (
    LiveKey,
    Setting,
    SysctlTree,
    plan_sysctl,
)

PROC_SYS = '/proc/sys'
_BLOCKED_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)


def read_settings(module):
    settings = []
    seen = set()
    for index, item in enumerate(module.params['settings']):
        problem = validate_param_key(item['key'])
        if problem is None:
            problem = validate_setting(item['compare'], item['value'])
        key = normalize_key(item['key']) if problem is None else item['key']
        if problem is None and key in seen:
            problem = 'key %s is listed twice' % key
        if problem is not None:
            module.fail_json(msg='settings[%d] (%s): %s' % (index, item['key'], problem))
        seen.add(key)
        settings.append(Setting(key, item['value'], item['compare'], item['required']))
    return settings


def read_tree(module, owned_path):
    listing, contents, realpaths = [], {}, {}
    seen_dirs = set()
    directories = list(SYSCTL_DIRS)
    owned_dir = os.path.dirname(owned_path)
    if owned_dir not in directories:
        directories.insert(0, owned_dir)
    for directory in directories:
        real_dir = os.path.realpath(directory)
        if real_dir in seen_dirs or not os.path.isdir(directory):
            continue  # /lib/sysctl.d is /usr/lib/sysctl.d on merged-/usr systems
        seen_dirs.add(real_dir)
        names = []
        for name in sorted(os.listdir(directory)):
            path = os.path.join(directory, name)
            if not name.endswith('.conf') or os.path.isdir(path):
                continue
            try:
                text = fileio.read_text(path)
            except (IOError, OSError) as exc:
                module.fail_json(msg='cannot read %s: %s' % (path, to_native(exc)))
            if text is None:
                module.warn('%s is a dangling symlink; systemd-sysctl skips it' % path)
                continue
            names.append(name)
            contents[path] = text
            if fileio.is_symlink(path):
                realpaths[path] = os.path.realpath(path)
        listing.append((directory, names))
    try:
        legacy = fileio.read_text(LEGACY_SYSCTL_CONF)
    except (IOError, OSError) as exc:
        module.fail_json(msg='cannot read %s: %s' % (LEGACY_SYSCTL_CONF, to_native(exc)))
    return SysctlTree(listing, contents, realpaths, legacy)


def proc_sys_read_only():
    try:
        return bool(os.statvfs(PROC_SYS).f_flag & os.ST_RDONLY)
    except OSError:
        return True


def read_live(module, settings):
    """Live value of every key, and why it could not be written (None when it can)."""
    read_only = proc_sys_read_only()
    live = {}
    for setting in settings:
        path = proc_path(setting.key, PROC_SYS)
        try:
            with open(path) as handle:
                value = handle.read()
        except (IOError, OSError) as exc:
            if exc.errno in (errno.ENOENT, errno.ENOTDIR):
                live[setting.key] = LiveKey(None)
                continue
            module.fail_json(msg='cannot read %s: %s' % (path, to_native(exc)))
        live[setting.key] = LiveKey(value, live_write_blocker(module, path, read_only))
    return live


def live_write_blocker(module, path, read_only):
    if not module.params['apply']:
        return 'apply=false'
    if read_only:
        return '%s is read-only' % PROC_SYS
    # Opening for writing runs the kernel's permission checks without changing anything, so check
    # mode can predict what a real run is allowed to do.
    try:
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:
        if exc.errno in _BLOCKED_ERRNOS:
            return '%s: %s' % (path, os.strerror(exc.errno))
        module.fail_json(msg='cannot open %s for writing: %s' % (path, to_native(exc)))
    return None


def write_live(key, value):
    path = proc_path(key, PROC_SYS)
    with open(path, 'w') as handle:
        handle.write(value + '\n')
    with open(path) as handle:
        now = normalize_value(handle.read())
    if now != normalize_value(value):
        raise ValueError('the kernel kept %s = %s after writing %s' % (key, now, value))


def apply_live(module, plan, live):
    """Write live values; on an error restore the ones already written and fail."""
    done = []
    not_applied = {}
    for key in sorted(plan.live_writes):
        value = plan.live_writes[key]
        try:
            write_live(key, value)
            done.append(key)
        except (IOError, OSError, ValueError) as exc:
            if isinstance(exc, (IOError, OSError)) and exc.errno in _BLOCKED_ERRNOS:
                not_applied[key] = os.strerror(exc.errno)
                continue
            restore_live(done, live)
            module.fail_json(msg='cannot apply %s = %s: %s; live values restored, no file changed'
                                 % (key, value, to_native(exc)), findings=plan.findings)
    return done, not_applied


def restore_live(keys, live):
    for key in keys:
        try:
            write_live(key, live[key].value)
        except (IOError, OSError, ValueError):
            pass


def write_files(module, plan, owned_path, live, applied):
    """Write every planned file atomically; on an error put back what was there (file, link or
    nothing) for the ones already written, and the live values."""
    writes = []
    if plan.owned_changed:
        writes.append((owned_path, plan.owned_after))
    for path in sorted(plan.file_edits):
        writes.append((path, plan.file_edits[path][1]))
    backups = {}
    written = []
    for path, after in writes:
        try:
            saved = fileio.snapshot(path)
            if module.params['backup'] and saved[0] == 'file':
                backups[path] = module.backup_local(path)
            fileio.atomic_write(path, after, prepare=lambda tmp, p=path: selinux_like(module, p, tmp))
            written.append((path, saved))
        except (IOError, OSError) as exc:
            for done_path, done_saved in reversed(written):
                fileio.restore(done_path, done_saved)
            restore_live(applied, live)
            module.fail_json(msg='cannot write %s: %s; files and live values restored' % (path, to_native(exc)))
    return [path for path, _a in writes], backups


def selinux_like(module, path, tmp_path):
    if not module.selinux_enabled():
        return
    if os.path.exists(path) and not fileio.is_symlink(path):
        context = module.selinux_context(path)
    else:
        context = module.selinux_default_context(path)
    module.set_context_if_different(tmp_path, context, False)


def build_diff(plan, owned_path):
    diffs = []
    if plan.owned_changed:
        diffs.append({'before_header': owned_path, 'after_header': owned_path,
                      'before': plan.owned_before or '', 'after': plan.owned_after})
    for path in sorted(plan.file_edits):
        before, after = plan.file_edits[path]
        diffs.append({'before_header': path if before is not None else '%s (absent)' % path,
                      'after_header': path, 'before': before or '', 'after': after})
    for key in sorted(plan.live_writes):
        diffs.append({'before_header': proc_path(key, PROC_SYS) + ' (live)',
                      'after_header': proc_path(key, PROC_SYS) + ' (live)',
                      'before': '%s\n' % plan.live_before[key], 'after': '%s\n' % plan.live_writes[key]})
    return diffs


def main():
    module = AnsibleModule(
        argument_spec=dict(
            settings=dict(type='list', elements='dict', required=True, options=dict(
                key=dict(type='str', required=True, no_log=False),
                value=dict(type='raw', required=True),
                compare=dict(type='str', choices=['min', 'max', 'eq'], default='eq'),
                required=dict(type='bool', default=False),
            )),
            path=dict(type='path', default='/etc/sysctl.d/90-gocompat-baseline.conf'),
            shadowed=dict(type='str', choices=['warn', 'fail', 'fix'], default='warn'),
            apply=dict(type='bool', default=True),
            backup=dict(type='bool', default=False),
        ),
        supports_check_mode=True,
    )
    owned_path = module.params['path']
    if not owned_path.endswith('.conf'):
        module.fail_json(msg='path %s must end in .conf, or systemd-sysctl never reads it' % owned_path)
    if not os.path.isdir(os.path.dirname(owned_path)):
        module.fail_json(msg='directory of path %s does not exist' % owned_path)

    settings = read_settings(module)
    tree = read_tree(module, owned_path)
    live = read_live(module, settings)
    owned_is_symlink = fileio.is_symlink(owned_path)

    def make_plan():
        try:
            return plan_sysctl(settings, owned_path, tree, live, module.params['shadowed'],
                               owned_is_symlink=owned_is_symlink, check_mode=module.check_mode)
        except SysctlSyntaxError as exc:
            module.fail_json(msg='%s; this file is owned by sysctl_guard: fix or remove the line, '
                                 'nothing was changed' % to_native(exc))

    plan = make_plan()
    plan.live_before = dict((key, live[key].value) for key in plan.live_writes)
    for warning in plan.warnings:
        module.warn(warning)

    result = dict(changed=False, path=owned_path, persisted=plan.persisted, shadowed=plan.shadowed,
                  findings=plan.findings, applied={}, not_applied=plan.not_applied, changed_files=[])
    if plan.missing_required:
        module.fail_json(msg='required keys not present on this kernel: %s; nothing was changed'
                             % ', '.join(plan.missing_required), **result)
    if module.params['shadowed'] == 'fail' and plan.shadowed:
        where = '; '.join('%s:%d sets %s = %s' % (s['path'], s['line'], s['key'], s['value']) for s in plan.shadowed)
        module.fail_json(msg='later files override owned values at boot: %s; nothing was changed' % where, **result)

    if module._diff:
        result['diff'] = build_diff(plan, owned_path)
    if module.check_mode:
        result.update(changed=plan.changed, applied=dict(plan.live_writes),
                      changed_files=([owned_path] if plan.owned_changed else []) + sorted(plan.file_edits))
        module.exit_json(**result)

    applied, refused = apply_live(module, plan, live)
    if refused:
        # The kernel refused writes the permission probe allowed: judge those keys on persistence only.
        for key, reason in refused.items():
            live[key].blocked = reason
        replanned = make_plan()
        result.update(findings=replanned.findings, not_applied=replanned.not_applied)
        if module._diff:
            result['diff'] = [d for d in result['diff'] if not any(
                d['after_header'] == proc_path(key, PROC_SYS) + ' (live)' for key in refused)]
    changed_files, backups = write_files(module, plan, owned_path, live, applied)
    result.update(changed=bool(applied or changed_files), changed_files=changed_files,
                  applied=dict((key, plan.live_writes[key]) for key in applied))
    if backups:
        result['backup_files'] = backups
    module.exit_json(**result)


if __name__ == '__main__':
    main()
