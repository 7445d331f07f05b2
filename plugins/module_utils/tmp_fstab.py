# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the next boot mounts on a path: /etc/fstab (kept byte-identical except the one line edited) and the
systemd mount unit with its drop-ins. Pure.

systemd-fstab-generator turns an fstab line into a unit in /run/systemd/generator, which wins over
/usr/lib/systemd/system/tmp.mount: with an fstab line for the path, tmp.mount and its drop-ins are not what
boots. Debian 13 ships tmp.mount enabled with its own options; a compliant default is left as it is."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils import systemd_conf
from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_mounts as M
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_decimal

FSTAB = '/etc/fstab'
MARK = '# gocompat.baseline tmpfs_tmp: the next line is managed'
HEADER = '# Managed by gocompat.baseline (tmpfs_tmp)'
UNIT_DIRS = systemd_conf.UNIT_DIRS
ETC_UNITS = '/etc/systemd/system'
WANTS = 'local-fs.target.wants'
_WS = re.compile(r'[ \t]+')


class FstabError(ValueError):
    """A line of fstab that mount(8) and systemd would not read; the message names file:line."""


class Entry(object):
    __slots__ = ('index', 'number', 'spec', 'path', 'fstype', 'options', 'managed')

    def __init__(self, index, number, spec, path, fstype, options, managed):
        self.index = index        # position in the list of lines
        self.number = number      # 1-based line number, for messages
        self.spec = spec
        self.path = path
        self.fstype = fstype
        self.options = options
        self.managed = managed    # preceded by MARK


def split_lines(text):
    """Lines with their endings, so joining them gives the text back byte for byte."""
    return text.splitlines(True) if text else []


def parse(text, name=FSTAB):
    """[Entry] of every mount line; raises FstabError with file:line for a line mount would refuse."""
    entries = []
    lines = split_lines(text)
    for index, raw in enumerate(lines):
        line = raw.rstrip('\r\n')
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        fields = _WS.split(stripped)
        number = index + 1
        if len(fields) < 3:
            raise FstabError('%s:%d: a mount line needs at least a device, a mount point and a type' % (name, number))
        if len(fields) > 6:
            raise FstabError('%s:%d: more than six fields (a space in a path must be written \\040)' % (name, number))
        for extra in fields[4:]:
            if not is_decimal(extra):
                raise FstabError('%s:%d: dump and pass fields must be numbers, not %r' % (name, number, extra[:40]))
        path = M.unescape(fields[1])
        if path != 'none' and path != 'swap' and not path.startswith('/'):
            raise FstabError('%s:%d: mount point %r is not an absolute path' % (name, number, fields[1][:80]))
        previous = lines[index - 1].rstrip('\r\n') if index else ''
        options = fields[3].split(',') if len(fields) > 3 else ['defaults']
        entries.append(Entry(index, number, M.unescape(fields[0]), posixpath.normpath(path) if path.startswith('/') else path,
                             fields[2], options, previous == MARK))
    return entries


def entries_for(entries, path):
    return [e for e in entries if e.path == path]


def render_line(path, options_text):
    return 'tmpfs\t%s\ttmpfs\t%s\t0\t0\n' % (M.escape(path), options_text)


def _ending(lines):
    for line in lines:
        if line.endswith('\r\n'):
            return '\r\n'
    return '\n'


def with_line(text, entry, new_line):
    """fstab text with ``entry``'s line replaced by ``new_line`` (marked as managed), or ``new_line`` appended
    with its mark when ``entry`` is None. Every other line is kept byte for byte."""
    lines = split_lines(text)
    ending = _ending(lines)
    new_line = new_line.rstrip('\n') + ending
    if entry is None:
        if lines and not lines[-1].endswith('\n'):
            lines[-1] += ending
        lines.extend([MARK + ending, new_line])
        return ''.join(lines)
    lines[entry.index] = new_line
    if not entry.managed:
        lines.insert(entry.index, MARK + ending)
    return ''.join(lines)


def without_line(text, entry):
    """fstab text without ``entry``'s line and its mark."""
    lines = split_lines(text)
    drop = {entry.index}
    if entry.managed:
        drop.add(entry.index - 1)
    return ''.join(line for i, line in enumerate(lines) if i not in drop)


# --- systemd mount units ---------------------------------------------------------------------------------

def unit_name(path):
    """systemd's name for the mount unit of ``path`` (systemd-escape --path --suffix=mount)."""
    trimmed = path.strip('/')
    if not trimmed:
        return '-.mount'
    out = []
    for i, char in enumerate(trimmed):
        if char == '/':
            out.append('-')
        elif char.isalnum() and ord(char) < 128 or char in ':_' or (char == '.' and i > 0):
            out.append(char)
        else:
            out.append(''.join('\\x%02x' % b for b in char.encode('utf-8', 'surrogateescape')))
    return ''.join(out) + '.mount'


def unit_escape(value):
    """A value for a unit file: % starts a specifier there."""
    return value.replace('%', '%%')


def unit_unescape(value):
    return value.replace('%%', '%')


def render_dropin(options_text):
    return '%s\n[Mount]\nWhat=tmpfs\nType=tmpfs\nOptions=%s\n' % (HEADER, unit_escape(options_text))


def dropin_dirs(unit):
    return [posixpath.join(d, unit + '.d') for d in UNIT_DIRS]


def unit_setting(files, key):
    """(value, 'path:line') of ``key`` in [Mount] across the unit and its drop-ins in order."""
    value, where = systemd_conf.assignment(files, 'Mount', key, lambda v: True)
    return (unit_unescape(value) if value is not None else None), where


# --- what boots --------------------------------------------------------------------------------------------

class Boot(object):
    """What the next boot mounts on the path: ``via`` fstab, systemd or none (the directory on its parent
    filesystem), with the type, the options and where they come from."""

    __slots__ = ('via', 'fstype', 'options', 'where')

    def __init__(self, via, fstype='', options=None, where=''):
        self.via = via
        self.fstype = fstype
        self.options = options or []
        self.where = where

    def describe(self):
        if self.via == 'none':
            return 'nothing is mounted on it at boot (%s)' % (self.where or 'no fstab line, no enabled mount unit')
        return '%s %s (%s)' % (self.fstype, ','.join(self.options), self.where)

    def as_dict(self):
        return {'via': self.via, 'fstype': self.fstype, 'options': list(self.options), 'source': self.where}


def boot_state(entries, systemd, unit):
    """``entries``: the fstab lines for the path; ``systemd``: is systemd PID 1 (it mounts at boot);
    ``unit``: dict(files=[(path, text)] unit then drop-ins in order, enabled, masked) or None."""
    if entries:
        last = entries[-1]
        if 'noauto' in last.options:
            return Boot('none', where='%s:%d has noauto' % (FSTAB, last.number))
        return Boot('fstab', last.fstype, last.options, '%s:%d' % (FSTAB, last.number))
    if systemd and unit is not None and unit['enabled'] and not unit['masked']:
        fstype, where = unit_setting(unit['files'], 'Type')
        options, owhere = unit_setting(unit['files'], 'Options')
        return Boot('systemd', fstype or '', (options or '').split(',') if options else [],
                    owhere or where or unit['files'][0][0])
    return Boot('none')


def persisted_drift(desired, boot, mem_total_kib):
    """What the next boot would get wrong (the same checks as the live mount, plus mode and owner); [] when
    it mounts what is desired."""
    if boot.via == 'none':
        return ['not mounted at boot']
    if boot.fstype != 'tmpfs':
        return ['type %s instead of tmpfs' % (boot.fstype or 'unset')]
    options = [o for o in boot.options if o]
    flags = [o for o in options if '=' not in o]
    supers = [o for o in options if '=' in o]
    size = M.option_value(supers, 'size')
    problems = []
    wanted = desired['size']
    parsed = M.parse_size(size) if size is not None else ('percent', 50)  # the kernel's default is 50%
    if parsed is None:
        problems.append('size=%s is invalid' % size)
    elif parsed[0] == wanted[0] == 'percent':
        if parsed[1] != wanted[1]:
            problems.append('size=%d%% instead of %d%%' % (parsed[1], wanted[1]))
    elif M.size_bytes(parsed, mem_total_kib) != M.size_bytes(wanted, mem_total_kib):
        problems.append('size=%s instead of %s' % (size, M.describe_size(wanted, mem_total_kib)))
    problems.extend(p for p in M.option_drift(dict(desired, nr_inodes=None), flags, [], mem_total_kib)
                    if not p.startswith('size'))
    if desired.get('nr_inodes') is not None:
        inodes = M.option_value(supers, 'nr_inodes')
        if inodes is None or M.parse_count(inodes) != desired['nr_inodes']:
            problems.append('nr_inodes=%s instead of %d' % (inodes or 'default', desired['nr_inodes']))
    mode = M.option_value(supers, 'mode')
    if _octal(mode, 0o1777) != desired['mode']:
        problems.append('mode=%s instead of %o' % (mode or '1777 (default)', desired['mode']))
    for name in ('uid', 'gid'):
        value = M.option_value(supers, name) or '0'
        if not is_decimal(value) or int(value) != desired[name]:
            problems.append('%s=%s instead of %d' % (name, value, desired[name]))
    return problems


def _octal(text, default):
    if text is None:
        return default
    try:
        return int(text, 8)
    except ValueError:
        return None
