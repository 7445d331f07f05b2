# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seccomp_profile module's options, base-file parsing and wanted text. Pure: the module reads the
files and passes their text in."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_build as B
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

DEFAULT_ARCHES = ('amd64', 'arm64')
FILE_NAME = re.compile(r'\A[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,200}\.json\Z')
BOOL_SWITCHES = ('clone', 'namespaces', 'personality', 'ptrace', 'memfd_create', 'pidfd', 'copy_file_range', 'rseq')
MAX_NAMES = 1000


class Invalid(ValueError):
    """An option that cannot work; the message names it."""


def _path(params, name, must_be_json):
    value = params.get(name)
    if not isinstance(value, str) or not value:
        raise Invalid('%s must be an absolute path' % name)
    if '\x00' in value or '\n' in value or '\r' in value:
        raise Invalid('%s must not contain NUL or line breaks: %s' % (name, quote(value, 100)))
    if not value.startswith('/'):
        raise Invalid('%s must be an absolute path, got %s' % (name, quote(value, 100)))
    if '..' in value.split('/') or '.' in value.split('/')[1:] or value != posixpath.normpath(value):
        raise Invalid('%s must be a plain absolute path without ., .. or double slashes: %s' % (name, quote(value, 100)))
    if must_be_json and not FILE_NAME.match(posixpath.basename(value)):
        raise Invalid('%s must name a file ending in .json (letters, digits, ._@+-, not hidden): %s'
                      % (name, quote(value, 100)))
    return value


def _names(params, name):
    values = params.get(name) or []
    if not isinstance(values, list):
        raise Invalid('%s must be a list of syscall names' % name)
    if len(values) > MAX_NAMES:
        raise Invalid('%s lists %d names; at most %d' % (name, len(values), MAX_NAMES))
    seen = set()
    for index, value in enumerate(values):
        if not isinstance(value, str) or not V.NAME.match(value):
            raise Invalid('%s[%d] is not a syscall name: %s' % (name, index, quote(str(value), 80)))
        if value in seen:
            raise Invalid('%s[%d]: %s is listed twice' % (name, index, value))
        seen.add(value)
    return sorted(values)


def check_options(params):
    """The options as the plan uses them; raises Invalid naming the parameter."""
    for name in BOOL_SWITCHES + ('backup',):
        if not isinstance(params.get(name), bool):
            raise Invalid('%s must be a boolean' % name)
    options = {'path': _path(params, 'path', True), 'base': params.get('base') or 'builtin',
               'format': params.get('format') or 'docker', 'backup': params['backup']}
    if options['base'] == 'file':
        if params.get('base_path') is None:
            raise Invalid('base=file needs base_path, the profile to patch')
        options['base_path'] = _path(params, 'base_path', False)
    elif params.get('base_path') is not None:
        raise Invalid('base_path is only read with base=file')
    arches = params.get('arches')
    if arches is not None:
        if not arches:
            raise Invalid('arches must list at least one of %s' % ', '.join(DEFAULT_ARCHES))
        if len(set(arches)) != len(arches):
            raise Invalid('arches lists an architecture twice: %s' % ', '.join(arches))
        arches = [a for a in DEFAULT_ARCHES if a in arches]
    options['arches'] = arches
    action = params.get('default_action')
    if action in ('allow', 'log'):
        raise Invalid('default_action=%s would run every syscall the profile does not list; this module only writes '
                      'deny-by-default profiles (use errno, kill_process, kill_thread or trap)' % action)
    options['default_action'] = B.DEFAULT_ACTIONS[action] if action else None
    errno = params.get('default_errno')
    if errno is not None:
        if isinstance(errno, bool) or not 0 < errno <= V.ERRNO_MAX:
            raise Invalid('default_errno must be an errno number in 1..%d, got %s' % (V.ERRNO_MAX, errno))
        if action not in (None, 'errno'):
            raise Invalid('default_errno goes with default_action=errno, not %s' % action)
    options['default_errno'] = errno
    switches = dict((name, params[name]) for name in BOOL_SWITCHES)
    clone3 = params.get('clone3') or 'enosys'
    switches['clone3'] = None if clone3 == 'unmanaged' else clone3
    options['switches'] = switches
    options['extra_allow'] = _names(params, 'extra_allow')
    options['extra_deny'] = _names(params, 'extra_deny')
    problems = B.option_conflicts(switches, options['extra_allow'], options['extra_deny'])
    if problems:
        raise Invalid(problems[0])
    return options


def _no_duplicate_keys(pairs):
    seen = set()
    for key, _value in pairs:
        if key in seen:
            raise ValueError('duplicate key %s in one object' % quote(key, 60))
        seen.add(key)
    return dict(pairs)


def _no_constant(name):
    raise ValueError('%s is not JSON' % name)


def parse(text, where):
    """The JSON object in ``text`` (read from ``where``); V.ProfileError names the place of a syntax error."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_no_constant)
    except RecursionError:
        raise V.ProfileError('%s: nested too deeply to be a seccomp profile' % where)
    except ValueError as exc:
        line, col = getattr(exc, 'lineno', None), getattr(exc, 'colno', None)
        at = ':%s:%s' % (line, col) if line is not None else ''
        raise V.ProfileError('%s%s: not valid JSON: %s' % (where, at, quote(getattr(exc, 'msg', None) or str(exc), 120)))


def wanted(options, base_text, names):
    """(profile in the Docker form, text to write). ``base_text`` is the base file's text with base=file;
    ``names`` a NameCheck. Raises V.ProfileError naming the base file and JSON path, or the options."""
    if options['base'] == 'file':
        where = options['base_path']
        bad = [i for i, c in enumerate(base_text) if '\udc80' <= c <= '\udcff'][:1]
        if bad:
            raise V.ProfileError('%s: not UTF-8 text (character %d)' % (where, bad[0] + 1))
        base = parse(base_text, where)
        try:
            V.check(base)
        except V.ProfileError as exc:
            raise V.ProfileError('%s: %s' % (where, exc))
    else:
        base = B.builtin(options['arches'] or list(DEFAULT_ARCHES))
    profile = B.patch(base, options['switches'], options['extra_allow'], options['extra_deny'],
                      arches=options['arches'] if options['base'] == 'file' else None,
                      default_action=options['default_action'], default_errno=options['default_errno'])
    try:
        V.check(profile, names)
    except V.ProfileError as exc:
        raise V.ProfileError('the profile to write: %s' % exc)
    form = B.to_oci(profile) if options['format'] == 'oci' else profile
    return profile, B.render(form)


def summary(options, profile):
    """What the finding expects, in one line."""
    parts = ['%s by default' % profile['defaultAction']]
    switches = options['switches']
    if switches.get('clone3'):
        parts.append('clone3 %s' % ('-> ENOSYS' if switches['clone3'] == 'enosys' else 'allowed'))
    if switches.get('personality'):
        parts.append('personality incl. ADDR_NO_RANDOMIZE')
    on = [name for name in BOOL_SWITCHES if switches.get(name) and name != 'personality']
    if on:
        parts.append('allowed: %s' % ', '.join(on))
    parts.append('%d syscalls allowed unconditionally' % len(B.allowed_names(profile)))
    return '; '.join(parts)
