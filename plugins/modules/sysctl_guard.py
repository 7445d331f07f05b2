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
  - Owns one file in a sysctl.d directory (by default in C(/etc/sysctl.d)) and writes the keys that need it
    there. A file at O(path) that this module did not write (its first line is not the module's header) is
    refused, never taken over.
  - Works out the value each key gets at boot under every boot mechanism the host has. With systemd as
    init, C(systemd-sysctl) reads C(/etc/sysctl.d), C(/run/sysctl.d), C(/usr/local/lib/sysctl.d) and
    C(/usr/lib/sysctl.d); a same-named file in an earlier directory hides the later ones, files are applied
    in lexical order, a C(/dev/null) link masks a name, an explicit key beats a glob. It reads
    C(/etc/sysctl.conf) only through a link such as Debian 12's C(/etc/sysctl.d/99-sysctl.conf)
    (Debian 13 has neither). Without systemd, C(sysctl --system) reads the same directories and then
    C(/etc/sysctl.conf) last.
  - A key is C(pass) only when its live value and its boot value under every mechanism meet the setting. A
    value that only lives in the kernel (no file sets it, so it boots with the kernel default) is C(fail) until
    it is persisted.
  - A file that wins at boot with a non-compliant value is reported, fails the task, or is fixed, as
    O(shadowed) says. A fix comments out the offending lines in the file itself (symlinks are followed, and
    C(/etc/sysctl.conf) is edited where a mechanism reads it). For a runtime or vendor file (under C(/run)
    or C(/usr)) it writes a same-named copy in C(/etc/sysctl.d) with those lines commented out.
  - Applies values live where C(/proc/sys) is writable. Where it is read-only (an unprivileged
    container) the values are persisted and reported as "persisted, not applied" instead of failing.
  - Keys this kernel does not have are C(skip) unless O(settings[].required).
  - Only regular files are read, up to 1 MiB each; FIFOs, devices and sockets named C(*.conf) are skipped
    with a warning, a larger file fails the task. Lines quoted in warnings are escaped and shortened.
  - Returns C(findings), one per key, with the control id equal to the key.
author:
  - gocompat.baseline contributors (@gocompat)
extends_documentation_fragment:
  - gocompat.baseline.module
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
          - Sysctl key, dotted (C(kernel.pid_max)) or slash-separated (C(kernel/pid_max)). It must name a
            file under C(/proc/sys), so globs and empty, C(.) or C(..) components are refused.
        type: str
        required: true
      value:
        description:
          - Wanted value. An integer, a one-line string of printable ASCII words, or a list of integers or
            words for multi-value keys such as C(net.ipv4.ip_local_port_range) (joined by a space). Booleans
            count as V(1) and V(0). Multi-value keys are compared value by value, whatever the whitespace.
        type: raw
        required: true
      compare:
        description:
          - V(min) keeps values at or above O(settings[].value). V(max) keeps values at or below it.
            V(eq) wants exactly O(settings[].value).
          - V(min) and V(max) need a single integer.
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
      - The file this module owns, in one of the sysctl.d directories the boot reads. It must be absent or
        start with the module's header line. It is rewritten as a whole when a key must change.
    type: path
    default: /etc/sysctl.d/90-gocompat-baseline.conf
  shadowed:
    description:
      - What to do when a file that wins at boot sets a guarded key to a non-compliant value.
      - V(warn) reports it, and the key's finding stays C(fail).
      - V(fail) fails the task before anything is changed.
      - V(fix) disables the offending lines, as described above.
    type: str
    choices: [warn, fail, fix]
    default: warn
  apply:
    description:
      - Apply values live through C(/proc/sys). With V(false), values are only persisted.
    type: bool
    default: true
  backup:
    description:
      - Keep a timestamped copy of every file this module changes (the copy does not end in
        C(.conf), so it is never read as configuration).
    type: bool
    default: false
notes:
  - When the kernel refuses a live write with a permission error, the key is judged on persistence only
    and listed in RV(not_applied). When it keeps another value than the one written (a partly accepted
    multi-value write), the key's previous value is written back and the task fails.
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
      - {key: net.ipv4.ip_local_port_range, value: [1024, 65535]}
    shadowed: fix

- name: Audit only, failing when another file would override a value at boot
  gocompat.baseline.sysctl_guard:
    settings:
      - {key: vm.max_map_count, value: 262144, compare: min, required: true}
    shadowed: fail
  check_mode: true

- name: Persist only (a container whose /proc/sys is read-only), keeping backups of changed files
  gocompat.baseline.sysctl_guard:
    settings:
      - {key: net.core.somaxconn, value: 65535, compare: min}
    apply: false
    backup: true
'''

RETURN = r'''
findings:
  description: One finding per key. C(expected) is the comparison. C(actual) holds the live value and the boot
    value under each boot mechanism of the host, with the file and line it comes from or C(kernel default).
    C(source) is that file and line, or the key's C(/proc/sys) entry when no file sets it.
  returned: always
  type: list
  elements: dict
  sample:
    - control: kernel.pid_max
      status: fixed
      expected: ">= 4194304"
      actual: "live 32768; at boot kernel default (systemd-sysctl)"
      source: /proc/sys/kernel/pid_max
      remediation: persist kernel.pid_max = 4194304 in /etc/sysctl.d/90-gocompat-baseline.conf and apply it live
path:
  description: The owned file.
  returned: always
  type: str
  sample: /etc/sysctl.d/90-gocompat-baseline.conf
persisted:
  description: Guarded keys and their values in the owned file after the run. Keys absent on this kernel are
    left out.
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
  description: Lines of files that win at boot over a guarded key with a non-compliant value.
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
  sample: [/etc/sysctl.d/90-gocompat-baseline.conf, /etc/sysctl.d/99-local.conf]
boot_mechanisms:
  description: The boot mechanisms the values were judged against (C(systemd-sysctl), C(sysctl --system)).
  returned: always
  type: list
  elements: str
  sample: [systemd-sysctl]
backup_files:
  description: Backup copies made, by original path.
  returned: when O(backup=true) and a file changed
  type: dict
  sample: {/etc/sysctl.d/99-local.conf: /etc/sysctl.d/99-local.conf.12345.2026-01-01@00:00:00~}
'''

import errno
import os

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils import module_base
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import (
    DECLINED,
    DONE,
    ModuleFailure,
    PartlyDone,
    Plan,
    StepDeclined,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import (
    LEGACY_SYSCTL_CONF,
    SysctlSyntaxError,
    normalize_key,
    normalize_value,
    proc_path,
    validate_param_key,
    validate_setting,
    value_text,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import (
    LiveKey,
    Setting,
    SysctlTree,
    plan_sysctl,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_read import (
    boot_mechanisms,
    check_owned_path,
    read_tree,
)

# A sysctl key: dotted names under /proc/sys (the dotted form writes a literal dot as '/').
CONTROL_PATTERNS = (r'[A-Za-z0-9_][A-Za-z0-9_:@+/-]*(?:\.[A-Za-z0-9_:@+/-]+)+',)

PROC_SYS = '/proc/sys'
LIVE_READ_LIMIT = 1 << 16
_BLOCKED_ERRNOS = (errno.EROFS, errno.EACCES, errno.EPERM)

ARGUMENT_SPEC = dict(
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
)


# --- validate -----------------------------------------------------------------------------------

def validate(params):
    settings = []
    seen = set()
    for index, item in enumerate(params['settings']):
        problem = validate_param_key(item['key'])
        if problem is None:
            problem = validate_setting(item['compare'], item['value'])
        key = normalize_key(item['key']) if problem is None else item['key']
        if problem is None and key in seen:
            problem = 'key %s is listed twice' % key
        if problem is not None:
            raise ModuleFailure('settings[%d] (%s): %s' % (index, quote(str(item['key']), 80), quote(problem, 300)))
        seen.add(key)
        settings.append(Setting(key, value_text(item['value']), item['compare'], item['required']))
    path = params['path']
    if not path.endswith('.conf'):
        raise ModuleFailure('path %s must end in .conf, or the boot never reads it' % quote(path))
    if os.path.basename(path).startswith('.'):
        raise ModuleFailure('path %s: a hidden file name is not read at boot' % quote(path))
    return dict(settings=settings, path=os.path.normpath(path), shadowed=params['shadowed'],
                apply=params['apply'], backup=params['backup'])


# --- read ---------------------------------------------------------------------------------------

def read(host, options):
    warnings = []
    owned_path = options['path']
    owned_is_symlink = check_owned_path(host, owned_path)
    tree_parts = read_tree(host, owned_path, warnings)
    mechanisms = boot_mechanisms(host, warnings)
    listing, contents, realpaths, legacy = tree_parts
    tree = SysctlTree(listing, contents, realpaths, legacy, LEGACY_SYSCTL_CONF, mechanisms=mechanisms)
    live = read_live(host, options['settings'], options['apply'])
    return dict(host=host, tree=tree, live=live, owned_is_symlink=owned_is_symlink, warnings=warnings)


def mount_read_only(path):
    try:
        return bool(os.statvfs(path).f_flag & os.ST_RDONLY)
    except OSError:
        return True


def proc_sys_read_only():
    return mount_read_only(PROC_SYS)


def live_path(host, key):
    """The /proc/sys file of ``key``, checked to resolve inside /proc/sys."""
    path = proc_path(key, PROC_SYS)
    root = host.realpath(PROC_SYS).rstrip('/') + '/'
    if not host.realpath(path).startswith(root):
        raise ModuleFailure('settings key %s resolves to %s, outside %s' % (key, quote(host.realpath(path)), PROC_SYS))
    return path


def read_live(host, settings, apply):
    """Live value of every key, and why it could not be written (None when it can)."""
    live = {}
    for setting in settings:
        path = live_path(host, setting.key)
        try:
            value = host.read_text(path, limit=LIVE_READ_LIMIT)
        except fileio.FileRefused as exc:
            raise ModuleFailure('cannot read %s: %s' % (path, exc.reason))
        except EnvironmentError as exc:
            raise ModuleFailure('cannot read %s: %s' % (path, exc.strerror or exc))
        if value is None:
            live[setting.key] = LiveKey(None)
            continue
        live[setting.key] = LiveKey(value, live_write_blocker(path, apply))
    return live


def live_write_blocker(path, apply=True):
    if not apply:
        return 'apply=false'
    # judged per key: a container may have /proc/sys read-only and /proc/sys/net on a writable mount
    if mount_read_only(path):
        return '%s is read-only' % PROC_SYS if mount_read_only(PROC_SYS) else '%s is on a read-only mount' % path
    # Opening for writing runs the kernel's permission checks without changing anything, so check
    # mode can predict what a real run is allowed to do.
    try:
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:
        if exc.errno in _BLOCKED_ERRNOS:
            return '%s: %s' % (path, os.strerror(exc.errno))
        raise ModuleFailure('cannot open %s for writing: %s' % (path, exc.strerror))
    return None


# --- apply --------------------------------------------------------------------------------------

def write_live(key, value):
    """Write ``value`` and return what the kernel kept (whitespace collapsed)."""
    path = proc_path(key, PROC_SYS)
    with open(path, 'w') as handle:
        handle.write(value + '\n')
    with open(path) as handle:
        return normalize_value(handle.read(LIVE_READ_LIMIT))


def live_step(plan, key, value, before):
    def do():
        try:
            kept = write_live(key, value)
        except EnvironmentError as exc:
            if exc.errno in _BLOCKED_ERRNOS:
                raise StepDeclined(os.strerror(exc.errno))
            raise
        if kept != normalize_value(value):
            # a partly accepted write changed the key: put its previous value back before failing
            failure = PartlyDone
            try:
                back = write_live(key, before)
                if back == normalize_value(before):
                    restored, failure = 'its previous value %s was written back' % before, ModuleFailure
                else:
                    restored = 'writing back %s FAILED: the kernel kept %s' % (before, quote(back, 80))
            except EnvironmentError as exc:
                restored = 'writing back %s FAILED: %s' % (before, exc.strerror or exc)
            raise failure('the kernel kept %s = %s after writing %s; %s'
                          % (key, quote(kept, 80), value, restored))

    def undo():
        kept = write_live(key, before)
        if kept != normalize_value(before):
            raise ModuleFailure('the kernel kept %s = %s instead of %s' % (key, quote(kept, 80), before))
    plan.add_step('apply %s = %s' % (key, value), do, undo, key=('live', key))


def file_step(plan, host, path, after, backup):
    saved = {}

    def do():
        saved['snapshot'] = host.snapshot(path)
        if backup and saved['snapshot'][0] == 'file':
            plan.result.setdefault('backup_files', {})[quote(path)] = host.backup(path)
        host.write_text(path, after)

    def undo():
        if 'snapshot' in saved:
            host.restore(path, saved['snapshot'])
    plan.add_step('write %s' % quote(path), do, undo, key=('file', path))


# --- plan and finish ----------------------------------------------------------------------------

def plan(options, state, check_mode):
    owned_path = options['path']
    try:
        sysctl = plan_sysctl(options['settings'], owned_path, state['tree'], state['live'], options['shadowed'],
                             owned_is_symlink=state['owned_is_symlink'], check_mode=check_mode, proc_root=PROC_SYS)
    except SysctlSyntaxError as exc:
        raise ModuleFailure('%s; this file is owned by sysctl_guard: fix or remove the line, nothing was changed'
                            % exc)
    the_plan = Plan()
    the_plan.sysctl = sysctl
    the_plan.warnings = state['warnings'] + sysctl.warnings
    the_plan.findings = sysctl.findings
    the_plan.diffs = sysctl.diffs
    files = ([owned_path] if sysctl.owned_changed else []) + sorted(sysctl.file_edits)
    the_plan.files = files
    the_plan.result = dict(path=owned_path, persisted=sysctl.persisted, shadowed=sysctl.shadowed,
                           applied=dict(sysctl.live_writes) if check_mode else {},
                           not_applied=dict(sysctl.not_applied),
                           changed_files=[quote(p) for p in files] if check_mode else [],
                           boot_mechanisms=list(state['tree'].mechanisms))
    if sysctl.missing_required:
        the_plan.refusals.append('required keys not present on this kernel: %s' % ', '.join(sysctl.missing_required))
    if options['shadowed'] == 'fail' and sysctl.shadowed:
        the_plan.refusals.append('later files override owned values at boot: %s' % '; '.join(
            '%s:%d sets %s = %s' % (s['path'], s['line'], s['key'], s['value']) for s in sysctl.shadowed))
    host = state['host']
    for key in sorted(sysctl.live_writes):
        live_step(the_plan, key, sysctl.live_writes[key], sysctl.live_before[key])
    for path in files:
        after = sysctl.owned_after if path == owned_path else sysctl.file_edits[path][1]
        file_step(the_plan, host, path, after, options['backup'])
    return the_plan


def finish(the_plan, outcomes):
    """Report what happened: a live write the kernel refused makes that key's finding the one of a key whose
    /proc/sys entry cannot be written (judged on persistence), from the same planning rules."""
    sysctl = the_plan.sysctl
    applied = {}
    for key in sorted(sysctl.live_writes):
        outcome, reason = outcomes.get(('live', key), (None, ''))
        if outcome == DONE:
            applied[key] = sysctl.live_writes[key]
        elif outcome == DECLINED:
            index = next(i for i, f in enumerate(the_plan.findings) if f['control'] == key)
            the_plan.findings[index] = sysctl.finding_if_refused(key, reason)
            header = proc_path(key, PROC_SYS) + ' (live)'
            the_plan.diffs = [d for d in the_plan.diffs if d['after_header'] != header]
    written = [quote(p) for p in the_plan.files if outcomes.get(('file', p), (None, ''))[0] == DONE]
    the_plan.result.update(applied=applied, changed_files=written, not_applied=dict(sysctl.not_applied))


def main():
    module_base.run_module(ARGUMENT_SPEC, validate, read, plan, finish)


if __name__ == '__main__':
    main()
