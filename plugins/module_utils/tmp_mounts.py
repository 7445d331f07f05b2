# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The live side of /tmp: mountinfo parsing and tmpfs option normalisation. Pure.

``/proc/self/mountinfo`` (proc(5)): ``id parent major:minor root mountpoint mount-options [optional fields...]
- fstype source super-options``. Paths escape space, tab, newline and backslash as ``\\040``, ``\\011``,
``\\012``, ``\\134``; the optional fields run up to a lone ``-``.

tmpfs sizes: ``size=50%`` is turned by the kernel into pages of the RAM it sees (MemTotal), and mountinfo shows
the result in KiB (``size=8129084k``); ``nr_inodes`` takes k/m/g suffixes and is shown as a plain count."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_decimal

PAGE = 4096
# Flags of the mount itself (mountinfo field 6) that the module can ask for; the atime group is one choice.
FLAGS = ('nosuid', 'nodev', 'noexec')
ATIME = ('strictatime', 'relatime', 'noatime')
EXTRA = ('nodiratime', 'lazytime')
ALLOWED = FLAGS + ATIME + EXTRA
_UNITS = {'': 1, 'k': 1 << 10, 'm': 1 << 20, 'g': 1 << 30, 't': 1 << 40, 'p': 1 << 50, 'e': 1 << 60}
_SIZE = re.compile(r'\A([0-9]+)([kmgtpe]?)(%?)\Z', re.IGNORECASE)
_ESCAPE = re.compile(r'\\([0-7]{3})')


class MountinfoError(ValueError):
    """A line of mountinfo that cannot be read; the message gives the line number."""


def unescape(field):
    """A mountinfo or fstab path field with its octal escapes (\\040 ...) decoded."""
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 8)), field)


def escape(path):
    """The inverse of ``unescape`` for the characters the kernel and fstab escape."""
    out = []
    for char in path:
        out.append('\\%03o' % ord(char) if char in ' \t\n\\' else char)
    return ''.join(out)


class Mount(object):
    __slots__ = ('mount_id', 'parent_id', 'root', 'mountpoint', 'options', 'optional', 'fstype', 'source',
                 'super_options')

    def __init__(self, mount_id, parent_id, root, mountpoint, options, optional, fstype, source, super_options):
        self.mount_id = mount_id
        self.parent_id = parent_id
        self.root = root
        self.mountpoint = mountpoint
        self.options = options
        self.optional = optional
        self.fstype = fstype
        self.source = source
        self.super_options = super_options

    def all_options(self):
        """Mount flags then superblock options, without repeats (rw appears in both)."""
        seen = []
        for option in self.options + self.super_options:
            if option not in seen:
                seen.append(option)
        return seen

    def __repr__(self):
        return 'Mount(%r on %r)' % (self.fstype, self.mountpoint)


def parse_mountinfo(text):
    """[Mount] in file order; raises MountinfoError naming the line."""
    mounts = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split(' ')
        try:
            dash = fields.index('-', 6)
        except ValueError:
            raise MountinfoError('mountinfo line %d has no " - " separator' % number)
        if dash + 3 > len(fields) or len(fields) < 10:
            raise MountinfoError('mountinfo line %d has too few fields' % number)
        try:
            mount_id, parent_id = int(fields[0]), int(fields[1])
        except ValueError:
            raise MountinfoError('mountinfo line %d does not start with two mount ids' % number)
        mounts.append(Mount(mount_id, parent_id, unescape(fields[3]), unescape(fields[4]), fields[5].split(','),
                            fields[6:dash], fields[dash + 1], unescape(fields[dash + 2]),
                            fields[dash + 3].split(',') if dash + 3 < len(fields) else []))
    return mounts


def mount_at(mounts, path):
    """The mount visible at ``path`` (the last one mounted there), or None when ``path`` is not a mount point."""
    found = None
    for mount in mounts:
        if mount.mountpoint == path:
            found = mount
    return found


def covering(mounts, path):
    """The mount whose filesystem ``path`` is on: the visible mount with the longest mount point above it."""
    best = None
    for mount in mounts:
        point = mount.mountpoint
        if path == point or point == '/' or path.startswith(point.rstrip('/') + '/'):
            if best is None or len(point) >= len(best.mountpoint):
                best = mount
    return best


def submounts(mounts, path):
    """Mounts directly under ``path`` (children of the mount visible at ``path``, or of the mount holding it),
    outermost only: nested ones travel with a recursive bind. Mount points relative to ``path``."""
    top = mount_at(mounts, path) or covering(mounts, path)
    prefix = path.rstrip('/') + '/'
    under = [m for m in mounts if m.mountpoint.startswith(prefix)]
    if top is None:
        return []
    ids = set(m.mount_id for m in mounts)
    direct = []
    for mount in under:
        parent_ok = mount.parent_id == top.mount_id or mount.parent_id not in ids
        # a mount under another submount travels with it
        nested = any(o is not mount and mount.mountpoint.startswith(o.mountpoint.rstrip('/') + '/') for o in under)
        if parent_ok and not nested:
            rel = mount.mountpoint[len(prefix):]
            if rel not in direct:
                direct.append(rel)
    return direct


def parse_size(text):
    """('bytes', n) or ('percent', n) for a tmpfs ``size=`` value, None when the kernel would refuse it."""
    match = _SIZE.match(text.strip())
    if not match:
        return None
    number, unit, percent = int(match.group(1)), match.group(2).lower(), match.group(3)
    if percent:
        if unit or number < 1 or number > 100:
            return None
        return ('percent', number)
    return ('bytes', number * _UNITS[unit])


def parse_count(text):
    """An ``nr_inodes`` value as a number (k/m/g suffixes, powers of 1024), None when invalid."""
    match = _SIZE.match(text.strip())
    if not match or match.group(3):
        return None
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def meminfo_total_kib(text):
    """MemTotal in KiB from /proc/meminfo, None when absent."""
    for line in text.splitlines():
        if line.startswith('MemTotal:'):
            parts = line.split()
            if len(parts) >= 2 and is_decimal(parts[1]):
                return int(parts[1])
    return None


def percent_bytes(percent, mem_total_kib, page=PAGE):
    """What the kernel makes of ``size=<percent>%``: (percent * page * total pages / 100) rounded up to pages."""
    pages = mem_total_kib * 1024 // page
    size = percent * page * pages // 100
    return -(-size // page) * page


def size_bytes(size, mem_total_kib, page=PAGE):
    """Bytes for a parsed size (see parse_size); bytes are rounded up to whole pages like the kernel does."""
    kind, number = size
    if kind == 'percent':
        return None if mem_total_kib is None else percent_bytes(number, mem_total_kib, page)
    return -(-number // page) * page


def option_value(options, name):
    """The value of the last ``name=value`` in ``options``, or None."""
    value = None
    for option in options:
        if option.startswith(name + '='):
            value = option[len(name) + 1:]
    return value


def atime_of(flags):
    """The atime mode a list of mount flags gives: noatime, relatime or strictatime (kernel shows none)."""
    mode = 'relatime' if 'relatime' in flags else None
    if 'noatime' in flags:
        mode = 'noatime'
    return mode or 'strictatime'


def wanted_atime(options):
    for option in reversed(options):
        if option in ATIME:
            return option
    return None


def tolerance(expected):
    """Sizes from a percentage follow MemTotal, which moves a little (ballooning, freed boot memory): a live size
    within 1% of the computed one matches."""
    return max(PAGE, expected // 100)


def size_matches(live_bytes, wanted, mem_total_kib):
    """Does a live tmpfs size in bytes (0 = unlimited) match the wanted size (parsed)? None when unknown."""
    if live_bytes is None:
        return None
    if wanted[1] == 0 and wanted[0] == 'bytes':
        return live_bytes == 0
    expected = size_bytes(wanted, mem_total_kib)
    if expected is None:
        return None
    if wanted[0] == 'percent':
        return abs(live_bytes - expected) <= tolerance(expected)
    return live_bytes == expected


def live_size_bytes(options, mem_total_kib):
    """size= of a mounted tmpfs in bytes; mountinfo leaves it out when it is the default (50% of RAM), and shows
    0 for unlimited. None when it cannot be known."""
    value = option_value(options, 'size')
    if value is None:
        return None if mem_total_kib is None else percent_bytes(50, mem_total_kib)
    parsed = parse_size(value)
    return parsed[1] if parsed and parsed[0] == 'bytes' else None


def live_inodes(options, mem_total_kib):
    """nr_inodes of a mounted tmpfs; left out of mountinfo when it is the default (half the RAM pages)."""
    value = option_value(options, 'nr_inodes')
    if value is None:
        return None if mem_total_kib is None else mem_total_kib * 1024 // PAGE // 2
    return parse_count(value)


def option_drift(desired, flags, super_options, mem_total_kib):
    """What differs between the desired tmpfs options and a live (or planned) set of options; [] when nothing.

    ``desired``: dict(size=(kind, n), nr_inodes=int or None, options=[flags]). ``flags`` are mount flags,
    ``super_options`` the superblock's (size=..., nr_inodes=...)."""
    problems = []
    for flag in FLAGS:
        want = flag in desired['options']
        have = flag in flags
        if want and not have:
            problems.append('%s missing' % flag)
        elif have and not want:
            problems.append('%s set' % flag)
    for flag in EXTRA:
        if flag in desired['options'] and flag not in flags:
            problems.append('%s missing' % flag)
    atime = wanted_atime(desired['options'])
    if atime and atime_of(flags) != atime:
        problems.append('%s instead of %s' % (atime_of(flags), atime))
    size = live_size_bytes(super_options, mem_total_kib)
    ok = size_matches(size, desired['size'], mem_total_kib)
    if ok is False:
        problems.append('size=%s instead of %s' % (human(size), describe_size(desired['size'], mem_total_kib)))
    elif ok is None:
        problems.append('size unknown (%s)' % (option_value(super_options, 'size') or 'MemTotal unreadable'))
    if desired.get('nr_inodes') is not None:
        live = live_inodes(super_options, mem_total_kib)
        if live != desired['nr_inodes']:
            problems.append('nr_inodes=%s instead of %d' % (live if live is not None else 'unlimited', desired['nr_inodes']))
    return problems


def human(number):
    if not number:
        return '0 (unlimited)'
    for unit, shift in (('g', 30), ('m', 20), ('k', 10)):
        if number % (1 << shift) == 0:
            return '%d%s' % (number >> shift, unit)
    return str(number)


def describe_size(size, mem_total_kib):
    if size[0] == 'percent':
        expected = size_bytes(size, mem_total_kib)
        return '%d%% of RAM (%s)' % (size[1], human(expected) if expected is not None else 'MemTotal unknown')
    return human(size[1])


def under(path, parent):
    """Is ``path`` ``parent`` or below it (both absolute, normalised)?"""
    parent = parent.rstrip('/') or '/'
    return path == parent or parent == '/' or path.startswith(parent + '/')


def relative(path, parent):
    return posixpath.relpath(path, parent)
