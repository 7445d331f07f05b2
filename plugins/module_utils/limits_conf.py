# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open-file limits as pam_limits applies them to a new login, from the text of its files. Pure.

pam_limits reads /etc/security/limits.conf, then every ``*.conf`` in /etc/security/limits.d in C sort order.
A later line of the same domain replaces an earlier one; type ``-`` sets soft and hard at once. The ``*``
domain does not apply to root (limits.conf(5)), so root needs its own lines; this module evaluates exactly
those two domains. As pam_limits does (checked against real logins by tests/playbooks/test_audit.py): type
and item are case-insensitive, fields after the fourth are ignored, and a value counts by its leading digits
(``1300x`` is 1300, ``0x500`` is 0). Lines for single users, groups or uid ranges change the limits of those users only and are
not evaluated."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

MAIN = '/etc/security/limits.conf'
DROPIN_DIR = '/etc/security/limits.d'
DOMAINS = ('*', 'root')
INFINITY = float('inf')
LEADING_NUMBER = re.compile(r'\+?([0-9]+)')


def dropin_names(names):
    """The names pam_limits reads from limits.d, in its order (glob ``*.conf``: no hidden files)."""
    return sorted(n for n in names if n.endswith('.conf') and not n.startswith('.'))


def parse_value(text):
    """A limit value as a number (INFINITY for unlimited), or None when pam_limits would reject it."""
    if text in ('unlimited', 'infinity', '-1'):
        return INFINITY
    number = LEADING_NUMBER.match(text)
    return int(number.group(1)) if number else None


def show(value):
    return 'unlimited' if value == INFINITY else str(value)


def in_force(files):
    """``files``: [(path, text)] in pam_limits order. Returns {domain: {'soft'|'hard': (value, 'path:line') or
    None}} for the domains ``*`` and ``root``."""
    found = dict((domain, {'soft': None, 'hard': None}) for domain in DOMAINS)
    for path, text in files:
        for number, line in enumerate(text.splitlines(), 1):
            fields = line.split('#', 1)[0].split()
            if len(fields) < 4:
                continue
            domain, kind, item, raw = fields[0], fields[1].lower(), fields[2].lower(), fields[3]
            if item != 'nofile' or domain not in found:
                continue
            value = parse_value(raw)
            if value is None:
                continue
            kinds = ('soft', 'hard') if kind == '-' else (kind,) if kind in ('soft', 'hard') else ()
            for one in kinds:
                found[domain][one] = (value, '%s:%d' % (quote(path), number))
    return found


def compliant(found, soft, hard):
    """True when every evaluated domain gets at least ``soft`` and ``hard``."""
    for domain in DOMAINS:
        for kind, wanted in (('soft', soft), ('hard', hard)):
            entry = found[domain][kind]
            if entry is None or entry[0] < wanted:
                return False
    return True


def describe(found):
    """One line: what a new login of a user (``*``) and of root gets, and the line that decides it."""
    parts = []
    for domain in DOMAINS:
        shown = []
        for kind in ('soft', 'hard'):
            entry = found[domain][kind]
            shown.append('%s %s' % (kind, 'not set (inherited)' if entry is None else '%s (%s)' % (show(entry[0]), entry[1])))
        parts.append('%s: %s' % ('any user (*)' if domain == '*' else domain, ', '.join(shown)))
    return '; '.join(parts)


def offenders(found, soft, hard, own_path):
    """The lines outside ``own_path`` that keep the limits below what is wanted after our file is written."""
    lines = []
    for domain in DOMAINS:
        for kind, wanted in (('soft', soft), ('hard', hard)):
            entry = found[domain][kind]
            if entry is not None and entry[0] < wanted and not entry[1].startswith(own_path + ':'):
                lines.append(entry[1])
    return sorted(set(lines))


def render(header, soft, hard):
    return ('%s: open-file limits for PAM sessions.\n'
            "# '*' does not cover root in pam_limits, so root is listed too.\n"
            '*    soft nofile %d\n'
            '*    hard nofile %d\n'
            'root soft nofile %d\n'
            'root hard nofile %d\n') % (header, soft, hard, soft, hard)


def ordered(files_by_dir, main_text):
    """[(path, text)] in pam_limits order from limits.conf's text (or None) and {name: text} of limits.d."""
    result = [] if main_text is None else [(MAIN, main_text)]
    for name in dropin_names(files_by_dir):
        result.append((posixpath.join(DROPIN_DIR, name), files_by_dir[name]))
    return result
