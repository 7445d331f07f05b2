# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""/tmp as tmpfs, planned: the options checked, the live mount and the next boot compared with what is wanted,
the persistence chosen (fstab or the systemd mount unit, never both), the live action chosen (remount, mount,
nothing) and one finding per control. Pure: it gets what ``read`` found and returns data."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_fstab as T
from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_mounts as M
from ansible_collections.gocompat.baseline.plugins.module_utils.findings import FAIL, FIXED, PASS, SKIP
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROLS = ('tmp.fstype', 'tmp.options', 'tmp.owner_mode', 'tmp.persisted', 'tmp.go_exec')
# Paths whose own filesystem the system needs: a tmpfs over them would hide the system.
SYSTEM_PATHS = ('/', '/bin', '/boot', '/dev', '/etc', '/home', '/lib', '/lib32', '/lib64', '/libx32', '/media',
                '/mnt', '/opt', '/proc', '/root', '/run', '/sbin', '/srv', '/sys', '/usr', '/var')
NAME = re.compile(r'\A[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,250}\.conf\Z')
MODE = re.compile(r'\A0?[0-7]{3,4}\Z')
STASH_ROOT = '/run/gocompat-baseline/tmpfs_tmp'
ID_MAX = 4294967294
SPECIAL = ('size', 'nr_inodes', 'mode', 'uid', 'gid')
LINK = object()  # a planned symlink (the unit's wants link), not a text


class Invalid(ValueError):
    """An option that cannot work; the message names it."""


def _clean_path(name, value):
    if not isinstance(value, str) or not value:
        raise Invalid('%s must be an absolute path' % name)
    if len(value) > 1024:
        raise Invalid('%s is %d characters long; at most 1024' % (name, len(value)))
    if any(ord(c) < 32 or ord(c) == 127 for c in value) or any(0xdc80 <= ord(c) <= 0xdcff for c in value):
        raise Invalid('%s=%s holds control characters or bytes that are not UTF-8' % (name, quote(value, 200)))
    if not value.startswith('/') or posixpath.normpath(value) != value or value.startswith('//'):
        raise Invalid('%s=%s must be an absolute, normalised path (no .., no //, no trailing /)' % (name, quote(value, 200)))
    return value


def _int(name, value, low, high):
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid('%s must be a whole number' % name)
    if value < low or value > high:
        raise Invalid('%s=%d is out of range (%d-%d)' % (name, value, low, high))
    return value


def check_options(params):
    """The options as the plan uses them; raises Invalid naming the parameter."""
    path = _clean_path('path', params['path'])
    if path in SYSTEM_PATHS:
        raise Invalid('path=%s is a system directory; a tmpfs over it would hide the system' % path)
    size_text = str(params['size']).strip().lower()
    size = M.parse_size(size_text)
    if size is None:
        raise Invalid('size=%s is not a tmpfs size (a percentage of RAM such as 50%%, or bytes with k, m, g)'
                      % quote(str(params['size']), 80))
    nr_inodes = None
    if params.get('nr_inodes') is not None:
        nr_text = str(params['nr_inodes']).strip().lower()
        nr_inodes = M.parse_count(nr_text)
        if nr_inodes is None or nr_inodes < 1:
            raise Invalid('nr_inodes=%s is not a positive count (k, m, g allowed)' % quote(str(params['nr_inodes']), 80))
    mode_text = str(params['mode']).strip()
    if not MODE.match(mode_text):
        raise Invalid('mode=%s is not an octal mode such as 1777 (quote it in YAML)' % quote(mode_text, 40))
    mode = int(mode_text, 8)
    uid = _int('uid', params['uid'], 0, ID_MAX)
    gid = _int('gid', params['gid'], 0, ID_MAX)
    flags = []
    for option in params['options'] or []:
        if not isinstance(option, str):
            raise Invalid('options must be a list of mount flags (strings)')
        option = option.strip()
        name = option.split('=', 1)[0]
        if name in SPECIAL:
            raise Invalid('options: give %s with the %s option, not in options' % (name, name))
        if option not in M.ALLOWED:
            raise Invalid('options: %s is not one of %s' % (quote(option, 60), ', '.join(M.ALLOWED)))
        if option not in flags:
            flags.append(option)
    if len([f for f in flags if f in M.ATIME]) > 1:
        raise Invalid('options: choose one of %s' % ', '.join(M.ATIME))
    go_tmpdir = params.get('go_tmpdir')
    if go_tmpdir is not None and go_tmpdir != '':
        go_tmpdir = _clean_path('go_tmpdir', go_tmpdir)
        if M.under(go_tmpdir, path):
            raise Invalid('go_tmpdir=%s is under path=%s, which gets the noexec flag' % (quote(go_tmpdir), path))
    else:
        go_tmpdir = None
    if 'noexec' in flags and go_tmpdir is None:
        raise Invalid('options: noexec on %s makes go test and go run fail (they execute test binaries from the '
                      'temp dir, /tmp by default); set go_tmpdir to an exec-capable directory and point GOTMPDIR '
                      'at it (the gocompat.baseline.tmp role does both)' % path)
    if not NAME.match(params['dropin_name']):
        raise Invalid('dropin_name=%s must be a plain file name ending in .conf' % quote(params['dropin_name'], 200))
    return {'path': path, 'size': size, 'size_text': size_text, 'nr_inodes': nr_inodes, 'mode': mode, 'uid': uid,
            'gid': gid, 'options': flags, 'persist': params['persist'], 'apply_now': params['apply_now'],
            'backup': params['backup'], 'go_tmpdir': go_tmpdir, 'dropin_name': params['dropin_name']}


def options_text(options):
    """The tmpfs options as fstab and the mount unit write them."""
    parts = list(options['options']) + ['size=%s' % options['size_text']]
    if options['nr_inodes'] is not None:
        parts.append('nr_inodes=%d' % options['nr_inodes'])
    parts.append('mode=%o' % options['mode'])
    for name in ('uid', 'gid'):
        if options[name]:
            parts.append('%s=%d' % (name, options[name]))
    return ','.join(parts)


def mount_options(options):
    """-o for a fresh mount (same as what is persisted)."""
    return options_text(options)


def remount_options(options, live_flags=()):
    """-o for a remount: every managed flag explicit both ways (mount merges an fstab line into a remount), the
    atime mode kept from the live mount unless one is asked for, the sizes; mode and owner of a mounted tmpfs
    change with chmod and chown, not with a remount."""
    parts = ['remount']
    for flag, inverse in (('nosuid', 'suid'), ('nodev', 'dev'), ('noexec', 'exec')):
        parts.append(flag if flag in options['options'] else inverse)
    parts.extend(f for f in options['options'] if f not in M.FLAGS)
    if M.wanted_atime(options['options']) is None and live_flags:
        parts.append(M.atime_of(live_flags))
    parts.append('size=%s' % options['size_text'])
    if options['nr_inodes'] is not None:
        parts.append('nr_inodes=%d' % options['nr_inodes'])
    return ','.join(parts)


def restore_options(live):
    """-o for a remount back to what ``live`` (a tmp_mounts.Mount) shows, for the undo of a remount."""
    parts = ['remount']
    for flag, inverse in (('nosuid', 'suid'), ('nodev', 'dev'), ('noexec', 'exec')):
        parts.append(flag if flag in live.options else inverse)
    parts.append(M.atime_of(live.options))
    parts.append('size=%s' % (M.option_value(live.super_options, 'size') or '50%'))
    inodes = M.option_value(live.super_options, 'nr_inodes')
    if inodes:
        parts.append('nr_inodes=%s' % inodes)
    return ','.join(parts)


def stash_path(path, stamp):
    return '%s/%s.%s' % (STASH_ROOT, T.unit_name(path)[:-len('.mount')].replace('\\', '_'), stamp)


# --- persistence -----------------------------------------------------------------------------------------

def persistence(options, state):
    """(method, files, refusals, boot_before, boot_after): ``files`` is [(path, before, after)] with after None
    for a removal, in the order they are written."""
    path, mem = options['path'], state['mem']
    entries = T.entries_for(state['fstab_entries'], path)
    unit = state['unit']
    systemd = state['systemd_pid1']
    before = T.boot_state(entries, systemd, unit)
    method = options['persist']
    if method == 'auto':
        method = 'systemd' if systemd and unit is not None and not unit['masked'] else 'fstab'
    files, refusals = [], []
    dropin = posixpath.join(T.ETC_UNITS, state['unit_name'] + '.d', options['dropin_name'])
    own_kind, own_text = state['own_dropin']
    own_ours = own_kind == 'file' and own_text.startswith(T.HEADER)
    if own_kind not in ('absent', 'file') or (own_kind == 'file' and not own_ours):
        refusals.append('%s is %s without the %r header (not written by this module); move it away' % (
            dropin, 'a file' if own_kind == 'file' else 'a ' + own_kind, T.HEADER))
        return method, files, refusals, before, before
    if method == 'none':
        return method, files, refusals, before, before
    text = T.render_line(path, options_text(options))
    fstab_after = state['fstab_text']
    if len(entries) > 1:
        refusals.append('%s has %d lines for %s (lines %s); keep one' % (
            T.FSTAB, len(entries), path, ', '.join(str(e.number) for e in entries)))
        return method, files, refusals, before, before
    if method == 'fstab':
        if not entries or T.persisted_drift(options, before, mem):
            fstab_after = T.with_line(state['fstab_text'] or '', entries[0] if entries else None, text)
        if own_ours:  # fstab wins over the unit: our drop-in would be a second, dead source of truth
            files.append((dropin, own_text, None))
    elif method == 'systemd':
        if unit is None:
            refusals.append('persist=systemd needs the %s unit and there is none on this host; use persist=fstab'
                            % state['unit_name'])
            return method, files, refusals, before, before
        if unit['masked']:
            refusals.append('%s is masked (%s); unmask it or use persist=fstab' % (state['unit_name'], unit['files'][0][0]))
            return method, files, refusals, before, before
        if entries and not entries[0].managed:
            refusals.append('%s:%d mounts %s and wins over %s (systemd-fstab-generator); remove that line or use '
                            'persist=fstab' % (T.FSTAB, entries[0].number, path, state['unit_name']))
            return method, files, refusals, before, before
        if entries:
            fstab_after = T.without_line(state['fstab_text'], entries[0])
        without_own = dict(unit, files=[f for f in unit['files'] if f[0] != dropin], enabled=True)
        natural = T.boot_state([], True, without_own)
        if own_ours and not T.persisted_drift(options, natural, mem):
            files.append((dropin, own_text, None))  # the shipped unit is compliant by itself
        elif T.persisted_drift(options, natural, mem) and own_text != T.render_dropin(options_text(options)):
            files.append((dropin, own_text if own_kind == 'file' else None, T.render_dropin(options_text(options))))
    if fstab_after != state['fstab_text']:
        files.insert(0, (T.FSTAB, state['fstab_text'], fstab_after))
    if method == 'systemd' and not unit['enabled']:
        files.append((state['wants_link'], None, LINK))
    after = boot_after(options, state, files, dropin)
    drift = T.persisted_drift(options, after, mem)
    if drift and method == 'systemd' and after.via == 'systemd':
        refusals.append('another drop-in of %s wins over %s: %s (%s); remove it' % (
            state['unit_name'], dropin, '; '.join(drift), after.where))
    return method, files, refusals, before, after


def boot_after(options, state, files, dropin):
    changes = dict((p, a) for p, _b, a in files)
    fstab_text = changes.get(T.FSTAB, state['fstab_text'])
    entries = T.entries_for(T.parse(fstab_text or ''), options['path'])
    unit = state['unit']
    if unit is not None:
        kept = [f for f in unit['files'] if f[0] != dropin]
        text = changes[dropin] if dropin in changes else dict(unit['files']).get(dropin)
        if text is not None:
            kept.append((dropin, text))
            kept = kept[:1] + sorted(kept[1:], key=lambda f: posixpath.basename(f[0]))
        unit = dict(unit, files=kept, enabled=unit['enabled'] or state['wants_link'] in changes)
    return T.boot_state(entries, state['systemd_pid1'], unit)


# --- live ------------------------------------------------------------------------------------------------

def live_view(options, state):
    """(is tmpfs, option problems, owner/mode problems) of the mount at the path now."""
    live = state['live']
    tmpfs = live is not None and live.fstype == 'tmpfs'
    problems = M.option_drift(options, live.options, live.super_options, state['mem']) if tmpfs else ['not a tmpfs']
    mode, uid, gid = state['stat']
    owner = []
    if mode != options['mode']:
        owner.append('mode %04o instead of %04o' % (mode, options['mode']))
    if (uid, gid) != (options['uid'], options['gid']):
        owner.append('owner %d:%d instead of %d:%d' % (uid, gid, options['uid'], options['gid']))
    return tmpfs, problems, owner


def live_action(options, state, tmpfs, problems, owner):
    """'remount', 'chmod' (owner/mode only), 'mount', 'keep' (compliant), 'defer-hidden', 'defer-never'."""
    if tmpfs:
        if problems:
            return 'remount'
        return 'chmod' if owner else 'keep'
    if options['apply_now'] == 'never':
        return 'defer-never'
    if options['apply_now'] == 'auto' and state['hidden']:
        return 'defer-hidden'
    return 'mount'


def _status(before_ok, after_ok, check_mode):
    if before_ok:
        return PASS
    return FIXED if after_ok and not check_mode else FAIL


def exec_ok(options, flags_after, state):
    """Can the go command execute what it builds: (ok, description)."""
    path = options['path']
    if 'noexec' not in flags_after:
        return True, '%s allows exec' % path
    go = state['go_tmpdir']
    if go is None:
        return False, '%s is noexec and no go_tmpdir is given' % path
    if not go['exists']:
        return False, '%s is noexec; go_tmpdir %s does not exist' % (path, quote(options['go_tmpdir']))
    if go['noexec']:
        return False, '%s is noexec; go_tmpdir %s is on %s, mounted noexec too' % (
            path, quote(options['go_tmpdir']), quote(go['mountpoint']))
    return True, '%s is noexec; go_tmpdir %s is on %s, which allows exec' % (
        path, quote(options['go_tmpdir']), quote(go['mountpoint']))


def findings(options, state, action, boot, check_mode):
    """[(control, status, expected, actual, source, remediation)] for the five controls."""
    path = options['path']
    tmpfs, problems, owner = state['view']
    live = state['live']
    fixed_live = action in ('mount', 'remount', 'chmod')
    defer = ('reboot to mount it (persisted for the next boot), or run with apply_now=always; files that a '
             'mount would hide: %s' % ', '.join(quote(h, 80) for h in state['hidden'][:5])) if action == 'defer-hidden' \
        else 'reboot to mount it (persisted for the next boot), or run with apply_now=auto or always'
    how = {'mount': 'mount a tmpfs on %s (this module without check mode)' % path,
           'remount': 'remount %s with the options (this module without check mode)' % path,
           'chmod': 'chmod and chown %s (this module without check mode)' % path}.get(action, defer)
    live_desc = '%s %s' % (live.fstype, ','.join(live.all_options())) if live is not None else \
        'a directory on %s' % state['cover_desc']
    out = [('tmp.fstype', _status(tmpfs, fixed_live, check_mode), '%s is a tmpfs' % path, live_desc, '',
            '' if tmpfs else how)]
    expected = options_text(options)
    out.append(('tmp.options', _status(tmpfs and not problems, fixed_live and action != 'chmod', check_mode),
                '%s mounted with %s' % (path, expected),
                '; '.join(problems) if problems else 'matches', '', '' if tmpfs and not problems else how))
    out.append(('tmp.owner_mode', _status(not owner, fixed_live, check_mode),
                '%s owned by %d:%d with mode %04o' % (path, options['uid'], options['gid'], options['mode']),
                '; '.join(owner) if owner else 'matches', '', '' if not owner else how))
    method, files, before, after = boot
    if method == 'none':
        out.append(('tmp.persisted', SKIP, 'not managed (persist=none)', before.describe(), '', ''))
    else:
        mem = state['mem']
        before_drift = T.persisted_drift(options, before, mem)
        after_ok = not T.persisted_drift(options, after, mem)
        where = ', '.join(p for p, b, _a in files if b is not None) or ''
        source = before.where.rsplit(':', 1)[0] if before.via != 'none' else ''
        out.append(('tmp.persisted', _status(not before_drift, after_ok, check_mode),
                    'the next boot mounts %s as tmpfs with %s (%s)' % (path, expected, method),
                    before.describe() + ('' if not before_drift or before.via == 'none' else ': ' + '; '.join(before_drift)),
                    source if before.via != 'none' else where,
                    '' if not before_drift else 'write %s (this module without check mode)' % (
                        ', '.join(p for p, _b, _a in files) or method)))
    flags_before = live.options if live is not None else state['cover_flags']
    flags_after = (options['options'] if fixed_live and action != 'chmod' else flags_before)
    ok_before, desc = exec_ok(options, flags_before, state)
    ok_after, _d = exec_ok(options, flags_after, state)
    out.append(('tmp.go_exec', _status(ok_before, ok_after, check_mode),
                'the go command can execute test binaries from its temp dir', desc, '',
                '' if ok_before else 'create go_tmpdir on a filesystem without noexec and point GOTMPDIR at it '
                '(gocompat.baseline.tmp role), or drop noexec from %s' % path))
    return out
