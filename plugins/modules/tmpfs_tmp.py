#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: tmpfs_tmp
short_description: /tmp (or another path) as a tmpfs with a size, mode, owner and flags, live and at boot
version_added: 0.3.0
description:
  - Compares the live mount on O(path) (read from C(/proc/self/mountinfo), the type, every flag, the size the kernel computed
    from a percentage of C(MemTotal), and the mode and owner of the mounted directory) with the options, and
    separately what the next boot mounts there (C(/etc/fstab), or the systemd mount unit such as C(tmp.mount)
    with its drop-ins). Both drifts are reported and fixed.
  - Persists through an C(/etc/fstab) line or a drop-in of the mount unit, never both. An fstab line for the path
    wins over C(tmp.mount) (systemd-fstab-generator), so with O(persist=systemd) the module removes its own fstab
    line and refuses a foreign one. Debian 13 ships C(tmp.mount) enabled with compliant options; such a default
    is recognised and no drop-in is added.
  - fstab edits keep every other line byte-identical (comments, tabs, trailing spaces, C(\040) escapes) and are
    atomic; an fstab that mount would not read fails the task with C(file:line) and is left untouched.
  - Live, a tmpfs already mounted is remounted (flags, size) and its directory chmod/chown-ed. A directory on
    disk gets a tmpfs mounted over it when O(apply_now) allows; submounts under the path (the C(/tmp/.X11-unix)
    bind of WSLg) are bound again on the new tmpfs, and the temp files of the running Ansible task (its payload,
    its remote_tmp when that is under the path) are copied onto it, so the next task runs.
options:
  path:
    description: The directory to mount a tmpfs on. Not a system directory such as C(/var) or C(/run).
    type: path
    default: /tmp
  size:
    description: Size of the tmpfs, a percentage of RAM (V(50%)) or bytes with a k, m or g suffix; V(0) is unlimited.
    type: str
    default: 50%
  nr_inodes:
    description: Maximum number of inodes (k, m, g suffixes allowed). Left out, not managed (the kernel's default).
    type: str
  mode:
    description: Mode of the mounted directory, an octal string. Quote it in YAML.
    type: str
    default: '1777'
  uid:
    description: Owner of the mounted directory. A non-root owner can delete everyone's files.
    type: int
    default: 0
  gid:
    description: Group of the mounted directory.
    type: int
    default: 0
  options:
    description:
      - Mount flags. V(nosuid), V(nodev) and V(noexec) are managed both ways (a flag left out is removed);
        one of V(strictatime), V(relatime), V(noatime), and V(nodiratime), V(lazytime), when given.
      - V(noexec) is refused unless O(go_tmpdir) is set.
    type: list
    elements: str
    default: [nosuid, nodev]
  go_tmpdir:
    description:
      - Where the go command's temp dir (C(GOTMPDIR)) lives when O(path) is noexec. It must exist on a
        filesystem mounted without noexec (the C(gocompat.baseline.tmp) role creates it and exports GOTMPDIR).
    type: path
  persist:
    description:
      - How the next boot gets the mount. V(auto) picks the mount unit's drop-in when systemd is PID 1 and the unit
        exists, otherwise C(/etc/fstab). V(none) leaves boot configuration alone.
    type: str
    choices: [auto, fstab, systemd, none]
    default: auto
  apply_now:
    description:
      - For a path that is not a tmpfs yet. V(auto) mounts only when that hides nothing (every entry is a
        submount, Ansible's own temp dir or an empty directory, all carried over). V(always) mounts anyway; the
        old content stays reachable under C(/run/gocompat-baseline/tmpfs_tmp/) (result RV(old_contents)).
        V(never) only persists, and RV(reboot_required) says a reboot is due.
      - A path that is a tmpfs already is always remounted live.
    type: str
    choices: [auto, always, never]
    default: auto
  dropin_name:
    description: File name of the drop-in this module writes in C(/etc/systemd/system/<unit>.d/).
    type: str
    default: 90-gocompat-baseline.conf
extends_documentation_fragment:
  - gocompat.baseline.module
  - gocompat.baseline.module.backup
notes:
  - A bind of a submount made by this module is private (it no longer receives mounts made later under the
    original).
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: /tmp as tmpfs, mode 1777, root-owned, nosuid,nodev, 50% of RAM, live and at boot
  gocompat.baseline.tmpfs_tmp:
  register: tmp

- name: Audit only, with the fstab or drop-in change that would be made
  gocompat.baseline.tmpfs_tmp:
  check_mode: true
  diff: true

- name: Keep a CIS-style noexec /tmp; the go command builds in /var/tmp/go-build
  gocompat.baseline.tmpfs_tmp:
    options: [nosuid, nodev, noexec]
    go_tmpdir: /var/tmp/go-build

- name: Persist only, mount at the next reboot
  gocompat.baseline.tmpfs_tmp:
    size: 2g
    nr_inodes: 1m
    persist: fstab
    apply_now: never
    backup: true

- name: Mount now even if files are in /tmp (they stay reachable under /run/gocompat-baseline/tmpfs_tmp)
  gocompat.baseline.tmpfs_tmp:
    apply_now: always
'''

RETURN = r'''
live:
  description: The mount on O(path) before the run.
  returned: always
  type: dict
  sample: {fstype: ext4, source: /dev/sda1, options: [rw, relatime], mounted: false, mode: '1777', uid: 0, gid: 0}
persisted:
  description: What the next boot mounts on O(path), before the run (C(via) fstab, systemd or none), and the
    persistence used.
  returned: always
  type: dict
  sample: {via: systemd, fstype: tmpfs, options: [mode=1777, strictatime, nosuid, nodev, size=50%, nr_inodes=1m],
           source: /usr/lib/systemd/system/tmp.mount:22, method: systemd}
reboot_required:
  description: The next boot mounts what is wanted but the live mount is not (yet) right.
  returned: always
  type: bool
  sample: false
live_action:
  description: What this call does (in check mode, would do) live, C(mount), C(remount), C(chmod), C(keep),
    C(defer-hidden) (files would be hidden) or C(defer-never).
  returned: always
  type: str
  sample: mount
hidden:
  description: Entries under O(path) that a new tmpfs hides (they stay on the old filesystem); at most 20.
  returned: always
  type: list
  elements: str
  sample: [build.log, cache/]
carried:
  description: Relative submounts bound again and directories copied onto the new tmpfs.
  returned: always
  type: list
  elements: str
  sample: [.X11-unix, .ICE-unix]
old_contents:
  description: Where the old content of O(path) stays reachable after a mount with O(apply_now=always); empty
    otherwise.
  returned: always
  type: str
  sample: /run/gocompat-baseline/tmpfs_tmp/tmp.20261204T210000
changed_files:
  description: Files this call writes, removes or links (in check mode, would), in order.
  returned: always
  type: list
  elements: str
  sample: [/etc/fstab]
backup_files:
  description: Backup copy of every replaced file, by path.
  returned: when O(backup=true) and an existing file was replaced
  type: dict
  sample: {/etc/fstab: /etc/fstab.1234.2026-12-04@19:00:00~}
findings:
  description:
    - C(tmp.fstype) (a tmpfs is mounted), C(tmp.options) (flags and size), C(tmp.owner_mode) (mode and owner of
      the mounted directory), C(tmp.persisted) (what the next boot mounts), C(tmp.go_exec) (the go command can
      execute from its temp dir).
  returned: always
  type: list
  elements: dict
  sample:
    - control: tmp.fstype
      status: fail
      expected: /tmp is a tmpfs
      actual: a directory on ext4 /dev/sda1 mounted on /
      source: ""
      remediation: mount a tmpfs on /tmp (this module without check mode)
'''

import os
import posixpath
import time

from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
from ansible_collections.gocompat.baseline.plugins.module_utils import systemd_conf
from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_fstab as T
from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_live as L
from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_mounts as M
from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_plan as P
from ansible_collections.gocompat.baseline.plugins.module_utils.fileio import FileRefused
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROL_PATTERNS = (r'tmp\.fstype', r'tmp\.options', r'tmp\.owner_mode', r'tmp\.persisted', r'tmp\.go_exec')

ARGUMENT_SPEC = dict(
    path=dict(type='path', default='/tmp'),
    size=dict(type='str', default='50%'),
    nr_inodes=dict(type='str'),
    mode=dict(type='str', default='1777'),
    uid=dict(type='int', default=0),
    gid=dict(type='int', default=0),
    options=dict(type='list', elements='str', default=['nosuid', 'nodev']),
    go_tmpdir=dict(type='path'),
    persist=dict(type='str', choices=['auto', 'fstab', 'systemd', 'none'], default='auto'),
    apply_now=dict(type='str', choices=['auto', 'always', 'never'], default='auto'),
    dropin_name=dict(type='str', default='90-gocompat-baseline.conf'),
    backup=dict(type='bool', default=False),
)
MOUNTINFO = '/proc/self/mountinfo'


def validate(params):
    try:
        return P.check_options(params)
    except P.Invalid as exc:
        raise ModuleFailure(str(exc))


def _optional(host, path):
    try:
        return host.read_text(path)
    except (FileRefused, EnvironmentError):
        return None


def _unit(host, name):
    """The mount unit: its file and drop-ins in systemd's order, whether it is masked or enabled; None if absent."""
    for directory in T.UNIT_DIRS:
        path = posixpath.join(directory, name)
        if not host.exists(path):
            continue
        masked = host.realpath(path) == '/dev/null'
        text = '' if masked else _optional(host, path)
        tree = {}
        for drop in T.dropin_dirs(name):
            if host.isdir(drop):
                tree[drop] = dict((n, _optional(host, posixpath.join(drop, n)) or '') for n in host.listdir(drop)
                                  if n.endswith('.conf'))
        enabled = any(host.exists(posixpath.join(d, T.WANTS, name)) for d in T.UNIT_DIRS)
        return {'files': [(path, text or '')] + systemd_conf.dropin_order(T.dropin_dirs(name), tree),
                'masked': masked or not (text or '').strip(), 'enabled': enabled}
    return None


def read(host, options):
    path = options['path']
    kind = host.kind(path)
    if kind != 'dir':
        raise ModuleFailure('path=%s is %s, not a directory' % (quote(path), {
            'absent': 'missing', 'link': 'a symlink (give the directory it points to)'}.get(kind, 'not a directory')))
    try:
        mounts = M.parse_mountinfo(host.read_text(MOUNTINFO) or '')
    except M.MountinfoError as exc:
        raise ModuleFailure('%s: %s' % (MOUNTINFO, exc))
    fstab_text = _optional(host, T.FSTAB) if host.exists(T.FSTAB) else ''
    if fstab_text is None:
        raise ModuleFailure('%s is not a readable regular file' % T.FSTAB)
    try:
        entries = T.parse(fstab_text)
    except T.FstabError as exc:
        raise ModuleFailure(str(exc))
    st = host.stat(path)
    name = T.unit_name(path)
    own = posixpath.join(T.ETC_UNITS, name + '.d', options['dropin_name'])
    own_kind = host.kind(own)
    live = M.mount_at(mounts, path)
    cover = M.covering(mounts, path)
    state = {
        'mounts': mounts, 'live': live, 'mem': M.meminfo_total_kib(_optional(host, '/proc/meminfo') or ''),
        'stat': (st.st_mode & 0o7777, st.st_uid, st.st_gid), 'fstab_text': fstab_text, 'fstab_entries': entries,
        'systemd_pid1': host_detect.on_host(host)['systemd_pid1'],
        'unit_name': name, 'unit': _unit(host, name), 'wants_link': posixpath.join(T.ETC_UNITS, T.WANTS, name),
        'own_dropin': (own_kind, host.read_text(own) if own_kind == 'file' else None),
        'cover_desc': '%s %s mounted on %s' % (cover.fstype, quote(cover.source, 80), quote(cover.mountpoint, 200))
        if cover else 'an unknown filesystem', 'cover_flags': cover.options if cover else [],
        'hidden': [], 'copied': [], 'mounted': [], 'kinds': {}, 'host': host}
    if options['go_tmpdir']:
        go_mount = M.covering(mounts, host.realpath(options['go_tmpdir']))  # a symlinked /var/tmp counts where it leads
        state['go_tmpdir'] = {'exists': host.isdir(options['go_tmpdir']), 'mountpoint': go_mount.mountpoint if go_mount else '?',
                              'noexec': go_mount is not None and 'noexec' in go_mount.options}
    else:
        state['go_tmpdir'] = None
    if live is None or live.fstype != 'tmpfs':
        mounted = M.submounts(mounts, path)
        keep = [posixpath.relpath(d, path) for d in L.ansible_dirs(host.module, path, host.exists)]
        hidden, empty, kinds = L.survey(host, path, mounted, keep)
        state.update(hidden=hidden, copied=L.copies(keep, empty, mounted), mounted=mounted, kinds=kinds)
    state['view'] = P.live_view(options, state)
    return state


def _live_dict(state):
    live = state['live']
    mode, uid, gid = state['stat']
    out = {'mounted': live is not None, 'fstype': live.fstype if live else '', 'source': quote(live.source) if live else '',
           'options': live.all_options() if live else [], 'mode': '%04o' % mode, 'uid': uid, 'gid': gid}
    return out


def plan(options, state, check_mode):
    the_plan = Plan()
    method, files, refusals, before, after = P.persistence(options, state)
    the_plan.refusals.extend(refusals)
    action = P.live_action(options, state, *state['view'])
    if options['go_tmpdir'] and 'noexec' in options['options'] and action in ('mount', 'remount'):
        ok, why = P.exec_ok(options, options['options'], state)
        if not ok and not check_mode:
            the_plan.refusals.append('%s: go test would fail; create go_tmpdir first (the gocompat.baseline.tmp role does)' % why)
    for control in P.findings(options, state, action, (method, files, before, after), check_mode):
        the_plan.add_finding(*control)
    persisted = before.as_dict()
    persisted['method'] = method
    live_ok_after = action in ('keep', 'mount', 'remount', 'chmod')
    boot_ok_after = method != 'none' and not T.persisted_drift(options, after, state['mem'])
    stash = P.stash_path(options['path'], '%s.%d' % (time.strftime('%Y%m%dT%H%M%S'), os.getpid())) if action == 'mount' else ''
    the_plan.result.update(
        live=_live_dict(state), persisted=persisted, reboot_required=bool(boot_ok_after and not live_ok_after),
        live_action=action, hidden=state['hidden'] if action in ('mount', 'defer-hidden') else [],
        carried=state['mounted'] + state['copied'] if action == 'mount' else [],
        old_contents=stash if action == 'mount' and options['apply_now'] == 'always' and state['hidden'] else '',
        changed_files=[p for p, _b, _a in files])
    if action == 'defer-hidden':
        the_plan.warnings.append('%s is not a tmpfs and a mount would hide %s; persisted for the next boot only '
                                 '(apply_now=always mounts now)' % (options['path'], ', '.join(state['hidden'][:5])))
    if the_plan.result['old_contents']:
        the_plan.warnings.append('the old content of %s (%s) stays reachable under %s until it is unmounted' % (
            options['path'], ', '.join(state['hidden'][:5]), stash))
    _plan_files(the_plan, options, state, files)
    _plan_live(the_plan, options, state, action, stash)
    return the_plan


def _plan_files(the_plan, options, state, files):
    host = state['host']
    for path, before, after in files:
        if after is P.LINK:
            target = state['unit']['files'][0][0]
            the_plan.make_dirs(host, host.missing_parents(path))
            the_plan.add_diff(path, '', '-> %s\n' % target, before_header='%s (absent)' % path)
            the_plan.add_step('link %s' % path, lambda p=path, t=target: host.symlink(t, p), lambda p=path: host.remove(p))
        elif after is None:
            the_plan.remove_file(host, path, before, backup=options['backup'])
        else:
            the_plan.make_dirs(host, host.missing_parents(path))
            the_plan.write_file(host, path, before, after, backup=options['backup'])
    if files and state['systemd_pid1']:
        the_plan.add_step('systemctl daemon-reload', lambda: host.run(['systemctl', 'daemon-reload']),
                          lambda: host.run(['systemctl', 'daemon-reload']))


def _plan_live(the_plan, options, state, action, stash):
    host = state['host']
    path = options['path']
    live = state['live']
    if action == 'remount':
        before = P.restore_options(live)
        the_plan.add_diff('%s (live mount)' % path, '%s\n' % ','.join(live.all_options()), '%s\n' % P.remount_options(options, live.options))
        the_plan.add_step('remount %s' % path, lambda: L.remount(host.run, path, P.remount_options(options, live.options)),
                          lambda: L.remount(host.run, path, before))
    if action in ('remount', 'chmod') and state['view'][2]:
        mode, uid, gid = state['stat']
        the_plan.add_diff('%s (owner and mode)' % path, '%d:%d %04o\n' % (uid, gid, mode),
                          '%d:%d %04o\n' % (options['uid'], options['gid'], options['mode']))
        the_plan.add_step('chown and chmod %s' % path,
                          lambda: L.set_owner_mode(host.run, path, options['mode'], options['uid'], options['gid'], (uid, gid)),
                          lambda: L.set_owner_mode(host.run, path, mode, uid, gid))
    if action == 'mount':
        keep = options['apply_now'] == 'always' and bool(state['hidden'])
        the_plan.add_diff('%s (live mount)' % path, '%s\n' % state['cover_desc'], 'tmpfs %s\n' % P.mount_options(options))
        the_plan.add_step('mount a tmpfs on %s' % path,
                          lambda: L.mount_over(host.run, path, P.mount_options(options), stash, state['copied'],
                                               state['mounted'], state['kinds'], keep),
                          lambda: L.undo_mount(host.run, path, stash))


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
