# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which value of a systemd setting is in force, from the text of the files systemd reads. Pure.

systemd reads a main file, then the ``*.conf`` drop-ins of every directory of its search path. Drop-ins are
applied in file-name order across all directories; of two drop-ins with the same name only the one in the
directory that comes first in the search path counts. A later assignment replaces an earlier one, an empty
one resets the setting to its default, and an invalid one is ignored (the earlier value stays)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_decimal, quote

# Search paths in priority order (the first one wins for equal names). /lib is searched too for hosts
# without the /usr merge; on merged hosts it names the same directory, which the name rule makes harmless.
CONFIG_DIRS = ('/etc/systemd', '/run/systemd', '/usr/local/lib/systemd', '/usr/lib/systemd', '/lib/systemd')
UNIT_DIRS = ('/etc/systemd/system.control', '/run/systemd/system.control', '/etc/systemd/system',
             '/run/systemd/system', '/usr/local/lib/systemd/system', '/usr/lib/systemd/system', '/lib/systemd/system')

TASKS_MAX = re.compile(r'\A(?:(?:100|[1-9][0-9]?)(?:\.[0-9]+)?%|[1-9][0-9]{0,9}|infinity)\Z')
INFINITY = float('inf')


def manager_main(name):
    """Candidates for the main file of a manager (system.conf, user.conf): /etc first."""
    return [posixpath.join(d, name) for d in CONFIG_DIRS]


def manager_dropin_dirs(name):
    return [posixpath.join(d, name + '.d') for d in CONFIG_DIRS]


def unit_dropin_dirs(unit):
    """Drop-in directories of ``unit`` (a slice such as ``user-.slice``): its own and the type-wide ``slice.d``."""
    kind = unit.rsplit('.', 1)[1]
    return [posixpath.join(d, n + '.d') for d in UNIT_DIRS for n in (unit, kind)]


def dropin_order(dirs, files):
    """``dirs`` in priority order, ``files`` {dir: {name: text}}. Returns [(path, text)] in the order systemd
    applies them."""
    chosen = {}
    for directory in dirs:
        for name, text in sorted(files.get(directory, {}).items()):
            if name.endswith('.conf') and not name.startswith('.') and name not in chosen:
                chosen[name] = (posixpath.join(directory, name), text)
    return [chosen[name] for name in sorted(chosen)]


def assignment(files, section, key, valid):
    """The assignment of ``key`` in ``[section]`` that is in force: (value, 'path:line'), (None, 'path:line')
    when reset to the default by an empty assignment, or (None, '') when never assigned."""
    value, where = None, ''
    for path, text in files:
        current = None
        for number, line in enumerate(text.splitlines(), 1):
            stripped = line.strip()
            if not stripped or stripped[0] in '#;':
                continue
            if stripped.startswith('[') and stripped.endswith(']'):
                current = stripped[1:-1].strip()
                continue
            if current != section or '=' not in stripped:
                continue
            name, raw = stripped.split('=', 1)
            if name.strip() != key:
                continue
            raw = raw.strip()
            if raw == '':
                value, where = None, '%s:%d' % (quote(path), number)
            elif valid(raw):
                value, where = raw, '%s:%d' % (quote(path), number)
    return value, where


def parse_nofile(text):
    """``soft:hard`` or one value for both -> (soft, hard) with INFINITY for infinity; None if invalid."""
    parts = text.split(':')
    if len(parts) > 2:
        return None
    values = []
    for part in parts:
        if part == 'infinity':
            values.append(INFINITY)
        elif is_decimal(part):
            values.append(int(part))
        else:
            return None
    soft, hard = values[0], values[-1]
    return (soft, hard) if soft <= hard else None


def valid_tasks_max(text):
    return bool(TASKS_MAX.match(text))


def describe(value, where, what):
    if value is not None:
        return '%s=%s (%s)' % (what, value, where)
    if where:
        return '%s reset to the systemd default (%s)' % (what, where)
    return '%s not set (systemd default)' % what
