# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure logic for sysctl.d files: parsing, key/value normalisation, comparisons, the boot-time
resolution order systemd-sysctl uses, and the text edits that disable a shadowing line.

Nothing here touches the file system; callers pass file contents in and get data or text out.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

# Highest precedence first: a file name found in an earlier directory hides the same name in later ones.
SYSCTL_DIRS = (
    '/etc/sysctl.d',
    '/run/sysctl.d',
    '/usr/local/lib/sysctl.d',
    '/usr/lib/sysctl.d',
    '/lib/sysctl.d',
)
# Read last by `sysctl --system` (procps), and on Debian bookworm through the 99-sysctl.conf link.
LEGACY_SYSCTL_CONF = '/etc/sysctl.conf'

COMPARISONS = ('min', 'max', 'eq')
LINE_QUOTE_LIMIT = 80
DISABLED_MARKER = '# gocompat.baseline disabled: '

_PARAM_KEY_RE = re.compile(r'^[A-Za-z0-9_][A-Za-z0-9_.:@+/-]*$')
_GLOB_CHARS = set('*?[')


class SysctlSyntaxError(ValueError):
    """A line that is not an assignment; carries the file and line for the message."""

    def __init__(self, path, line_no, message):
        self.path = path
        self.line_no = line_no
        super(SysctlSyntaxError, self).__init__('%s:%d: %s' % (quote(path), line_no, message))


class Assignment(object):
    """One ``key = value`` line of a sysctl.d file."""

    __slots__ = ('key', 'value', 'path', 'line_no', 'ignore_failure', 'is_glob')

    def __init__(self, key, value, path, line_no, ignore_failure=False):
        self.key = key
        self.value = value          # None: a '-key' line, which keeps globs away from that key
        self.path = path
        self.line_no = line_no
        self.ignore_failure = ignore_failure
        self.is_glob = bool(_GLOB_CHARS.intersection(key))

    @property
    def is_exclusion(self):
        return self.value is None

    @property
    def location(self):
        return '%s:%d' % (self.path, self.line_no)

    def __repr__(self):
        return 'Assignment(%r, %r, %r)' % (self.key, self.value, self.location)


def normalize_key(key):
    """Dotted form of a sysctl key; keys written with '/' as first separator swap '/' and '.'
    (``net/ipv4/conf/eth0.100/forwarding`` is ``net.ipv4.conf.eth0/100.forwarding``), as systemd does."""
    key = key.strip()
    first_sep = re.search(r'[./]', key)
    if first_sep and first_sep.group(0) == '/':
        key = key.translate(str.maketrans('./', '/.'))
    return key


def proc_path(key, proc_root='/proc/sys'):
    """File under /proc/sys that holds ``key`` (dots become directories, slashes stay in names)."""
    return proc_root.rstrip('/') + '/' + '/'.join(proc_components(key))


def proc_components(key):
    """Directory and file names under /proc/sys for ``key``: each dotted part, with '/' (which the
    dotted form uses for a literal dot) turned back into '.'."""
    return [part.replace('/', '.') for part in normalize_key(key).split('.')]


_COMPONENT_RE = re.compile(r'^[A-Za-z0-9_.:@+-]+$')


def validate_param_key(key):
    """Return an error message for a key given as a module parameter, or None when it is usable.

    The check runs on the names the key becomes under /proc/sys, so no spelling (slashes, dots,
    ``..``) can reach a file outside it."""
    if not isinstance(key, str) or not key.strip():
        return 'sysctl key must be a non-empty string'
    norm = normalize_key(key)
    if not _PARAM_KEY_RE.match(norm):
        return 'invalid sysctl key %r: only letters, digits and _ . - / : @ + are allowed, no glob' % key
    names = proc_components(norm)
    if len(names) < 2 and all(names):
        return 'invalid sysctl key %r: a key names a file below a directory of /proc/sys, such as kernel.pid_max' % key
    for name in names:
        if not name:
            return 'invalid sysctl key %r: empty path component' % key
        if name.startswith('.') or not _COMPONENT_RE.match(name):
            return 'invalid sysctl key %r: %r is not a name under /proc/sys' % (key, name)
    return None


def normalize_value(value):
    """Compare values, not text: whitespace runs collapse (``1024\\t65535`` == ``1024  65535``)."""
    if isinstance(value, bool):
        value = int(value)
    return ' '.join(str(value).split())


def _as_int(value):
    text = normalize_value(value)
    if re.match(r'^-?\d+$', text):
        return int(text)
    return None


# The kernel takes at most a page per write to /proc/sys; a longer value can never be applied.
MAX_VALUE_LENGTH = 4096


def _scalar_problem(value, where):
    if isinstance(value, bool) or isinstance(value, int):
        return None
    if isinstance(value, str):
        bad = [c for c in value if c not in ' \t' and (not c.isprintable() or ord(c) > 0x7e)]
        if '\n' in value or '=' in value:
            return 'value %r must be one line without "="' % (value,)
        if bad:
            return '%s holds a control or non-ASCII character (%r); a sysctl value is printable words' % (
                where, bad[0])
        return None
    return '%s is a %s; a sysctl value is an integer, a string or a list of them' % (where, type(value).__name__)


def value_problem(value):
    """Why ``value`` (as given in the play) cannot be a sysctl value, or None. Integers, booleans (as
    1/0), one-line strings of printable ASCII words, and lists of integers or words for multi-value
    keys are accepted; anything else (dicts, floats, nested lists, NUL or control bytes) is not."""
    if value is None:
        return 'value must be given (got null)'
    if isinstance(value, (list, tuple)):
        if not value:
            return 'value must not be an empty list'
        for index, item in enumerate(value):
            if isinstance(item, str) and (not item.strip() or len(item.split()) != 1):
                return 'value[%d] %r must be one word' % (index, item)
            problem = _scalar_problem(item, 'value[%d]' % index)
            if problem:
                return problem
    else:
        problem = _scalar_problem(value, 'value')
        if problem:
            return problem
    text = value_text(value)
    if not text:
        return 'value must not be empty'
    if len(text) > MAX_VALUE_LENGTH:
        return 'value is %d characters long; the kernel takes at most %d' % (len(text), MAX_VALUE_LENGTH)
    return None


def value_text(value):
    """The normalised text of an accepted value: list items joined by one space, as the kernel reads them."""
    if isinstance(value, (list, tuple)):
        return ' '.join(normalize_value(item) for item in value)
    return normalize_value(value)


def validate_setting(compare, value):
    """Return an error message for a (compare, value) pair, or None."""
    if compare not in COMPARISONS:
        return 'compare must be one of %s, got %r' % (', '.join(COMPARISONS), compare)
    problem = value_problem(value)
    if problem:
        return problem
    if compare in ('min', 'max') and _as_int(value_text(value)) is None:
        return 'compare=%s needs a single integer value, got %r (use compare=eq for multi-value keys)' % (compare, value)
    return None


def satisfies(compare, wanted, actual):
    """True when ``actual`` meets ``wanted`` under ``compare``; a missing value never does."""
    if actual is None:
        return False
    if compare == 'eq':
        return normalize_value(actual) == normalize_value(wanted)
    have, want = _as_int(actual), _as_int(wanted)
    if have is None or want is None:
        return False
    return have >= want if compare == 'min' else have <= want


def describe_expectation(compare, wanted):
    return {'min': '>= ', 'max': '<= ', 'eq': '= '}[compare] + normalize_value(wanted)


def target_value(compare, wanted, keep_if_better=()):
    """Value to persist: for a minimum the highest of the wanted value and any value already in force
    that exceeds it (a guard never lowers), for a maximum the lowest; for eq the wanted value."""
    if compare == 'eq':
        return normalize_value(wanted)
    best = _as_int(wanted)
    for candidate in keep_if_better:
        number = _as_int(candidate) if candidate is not None else None
        if number is None:
            continue
        if (compare == 'min' and number > best) or (compare == 'max' and number < best):
            best = number
    return str(best)


def _quoted_line(raw):
    # foreign lines may hold any bytes, and megabytes of them: quote them escaped and shortened
    return "'%s'" % quote(raw.strip(), LINE_QUOTE_LIMIT)


def parse_sysctl_text(text, path):
    """Parse sysctl.d content. Returns (assignments, errors); errors are SysctlSyntaxError objects for
    lines systemd-sysctl would skip as 'not an assignment'."""
    assignments = []
    errors = []
    for line_no, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in '#;':
            continue
        ignore_failure = line.startswith('-')
        if ignore_failure:
            line = line[1:].lstrip()
        if '=' not in line:
            key = line.strip()
            if ignore_failure and key and not any(c.isspace() for c in key) and not _GLOB_CHARS.intersection(key):
                # '-key' alone: globs must not touch this key (systemd 254+)
                assignments.append(Assignment(normalize_key(key), None, path, line_no, True))
                continue
            errors.append(SysctlSyntaxError(path, line_no, 'not a "key = value" assignment: %s' % _quoted_line(raw)))
            continue
        key, value = line.split('=', 1)
        key = key.strip()
        if not key or any(c.isspace() for c in key):
            errors.append(SysctlSyntaxError(path, line_no, 'invalid key in %s' % _quoted_line(raw)))
            continue
        assignments.append(Assignment(normalize_key(key), normalize_value(value), path, line_no, ignore_failure))
    return assignments, errors


def winning_files(listing):
    """Apply systemd's conf-file rules to a directory listing.

    ``listing``: sequence of (directory, [file names]) in precedence order (SYSCTL_DIRS order).
    Returns [(name, path)] sorted by file name, where each name comes from the first directory that
    has it. Masking needs no special case: a /dev/null link or an empty file simply reads as empty.
    """
    chosen = {}
    for directory, names in listing:
        for name in names:
            if name.endswith('.conf') and name not in chosen:
                chosen[name] = directory.rstrip('/') + '/' + name
    return [(name, chosen[name]) for name in sorted(chosen)]


def glob_matches(pattern, key):
    """Whether a glob key applies to ``key``. systemd expands it under /proc/sys with glob(3), so a
    wildcard never crosses a path component: compare component by component."""
    pattern_parts = normalize_key(pattern).split('.')
    key_parts = normalize_key(key).split('.')
    return len(pattern_parts) == len(key_parts) and all(
        fnmatch.fnmatchcase(part, glob) for part, glob in zip(key_parts, pattern_parts))


def effective_assignment(file_assignments, key):
    """The assignment of ``key`` that is in force after all files are applied in order.

    ``file_assignments``: [(path, [Assignment])] in application order. An explicit assignment anywhere
    beats any glob (systemd-sysctl never lets a glob override an explicit key), and a '-key' line keeps
    globs away from the key; among the same kind the last one wins.
    """
    explicit = None
    glob = None
    excluded = False
    for _path, assignments in file_assignments:
        for assignment in assignments:
            if assignment.is_exclusion:
                excluded = excluded or assignment.key == key
            elif assignment.is_glob:
                if glob_matches(assignment.key, key):
                    glob = assignment
            elif assignment.key == key:
                explicit = assignment
    if explicit is not None:
        return explicit
    return None if excluded else glob


def render_owned_file(settings, header):
    """Text of the file this collection owns: a header and one ``key = value`` line per setting.
    ``settings``: [(key, value)] in the order to write them."""
    lines = ['# ' + line if line else '#' for line in header.splitlines()]
    lines.extend('%s = %s' % (key, value) for key, value in settings)
    return '\n'.join(lines) + '\n'


def disable_lines(text, line_numbers, reason):
    """Comment out the given 1-based lines, keeping every other byte (line endings included).
    The original line stays readable after the marker so the change is easy to audit or revert."""
    wanted = set(line_numbers)
    out = []
    for line_no, line in enumerate(text.splitlines(True), 1):
        if line_no in wanted:
            body = line.rstrip('\r\n')
            ending = line[len(body):]
            line = '%s%s  # %s%s' % (DISABLED_MARKER, body.strip(), reason, ending)
        out.append(line)
    return ''.join(out)
