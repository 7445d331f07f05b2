# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Open-file and task limits in one plan: limits.d for PAM logins, the drop-ins of the system and user
managers, and the drop-in of every user slice. Pure: it gets what ``read`` found and returns the files to
write and the findings, for the state before the run and the state the run leaves."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils import limits_conf
from ansible_collections.gocompat.baseline.plugins.module_utils import systemd_conf
from ansible_collections.gocompat.baseline.plugins.module_utils.findings import FAIL, FIXED, PASS, SKIP

HEADER = '# Managed by gocompat.baseline'
ROLE_HEADER = HEADER + ' (kernel role)'
SYSTEM_DIRS = systemd_conf.manager_dropin_dirs('system.conf')
USER_DIRS = systemd_conf.manager_dropin_dirs('user.conf')
SLICE_UNIT = 'user-.slice'
SLICE_DIRS = systemd_conf.unit_dropin_dirs(SLICE_UNIT)
SYSTEM_DROPIN_DIR = SYSTEM_DIRS[0]           # /etc/systemd/system.conf.d
USER_DROPIN_DIR = USER_DIRS[0]               # /etc/systemd/user.conf.d
SLICE_DROPIN_DIR = SLICE_DIRS[4]             # /etc/systemd/system/user-.slice.d
NR_OPEN = '/proc/sys/fs/nr_open'
# Largest fs.nr_open the kernel accepts (sysctl_nr_open_max on 64-bit).
NR_OPEN_MAX = 1073741816
NAME = re.compile(r'\A[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,250}\.conf\Z')
CONTROLS = ('limits.nofile', 'systemd.default_limit_nofile', 'systemd.default_tasks_max', 'systemd.user_tasks_max')


class Invalid(ValueError):
    """An option that cannot work; the message names it."""


def check_options(params):
    """The options as the plan uses them; raises Invalid naming the parameter."""
    soft, hard = params.get('nofile_soft'), params.get('nofile_hard')
    for name in ('nofile_soft', 'nofile_hard'):
        if isinstance(params.get(name), bool):
            raise Invalid('%s must be a number of open files, not a boolean' % name)
    if (soft is None) != (hard is None):
        raise Invalid('nofile_soft and nofile_hard go together: give both or neither')
    if soft is not None:
        if soft < 1 or hard < 1:
            raise Invalid('nofile_soft and nofile_hard must be positive (got %d and %d)' % (soft, hard))
        if soft > hard:
            raise Invalid('nofile_soft=%d is above nofile_hard=%d; a soft limit cannot exceed the hard one' % (soft, hard))
        if hard > NR_OPEN_MAX:
            raise Invalid('nofile_hard=%d is above the largest open-file limit Linux allows (%d)' % (hard, NR_OPEN_MAX))
    tasks = {}
    for name in ('default_tasks_max', 'user_tasks_max'):
        value = params.get(name)
        if value is None:
            continue
        value = value.strip().lower()
        if not systemd_conf.valid_tasks_max(value):
            raise Invalid('%s=%r is not a percentage (1%%-100%%), a positive number or infinity' % (name, params[name][:80]))
        tasks[name] = value
    path = params['limits_path']
    if (not path.startswith(limits_conf.DROPIN_DIR + '/') or posixpath.normpath(path) != path
            or not NAME.match(posixpath.basename(path)) or posixpath.dirname(path) != limits_conf.DROPIN_DIR):
        raise Invalid('limits_path=%r must be a file NAME.conf directly in %s (pam_limits reads nothing else)' % (
            path[:200], limits_conf.DROPIN_DIR))
    if not NAME.match(params['dropin_name']):
        raise Invalid('dropin_name=%r must be a plain file name ending in .conf (letters, digits, _ . @ + -)' % (
            params['dropin_name'][:200]))
    if soft is None and not tasks:
        raise Invalid('nothing to manage: give nofile_soft/nofile_hard, default_tasks_max or user_tasks_max')
    return {'soft': soft, 'hard': hard, 'default_tasks_max': tasks.get('default_tasks_max'),
            'user_tasks_max': tasks.get('user_tasks_max'), 'limits_path': path, 'dropin_name': params['dropin_name'],
            'systemd': params['systemd'], 'backup': params['backup']}


def desired_files(options):
    """{path: text} of every file this call owns with the options given (only what is managed)."""
    soft, hard, name = options['soft'], options['hard'], options['dropin_name']
    files = {}
    if soft is not None:
        files[options['limits_path']] = limits_conf.render(ROLE_HEADER, soft, hard)
    if not options['systemd']:
        return files
    manager = []
    if soft is not None:
        manager.append('DefaultLimitNOFILE=%d:%d' % (soft, hard))
        files[posixpath.join(USER_DROPIN_DIR, name)] = (
            '%s; applies to user managers started afterwards.\n[Manager]\nDefaultLimitNOFILE=%d:%d\n' % (ROLE_HEADER, soft, hard))
    if options['default_tasks_max'] is not None:
        manager.append('DefaultTasksMax=%s' % options['default_tasks_max'])
    if manager:
        files[posixpath.join(SYSTEM_DROPIN_DIR, name)] = '%s.\n[Manager]\n%s\n' % (ROLE_HEADER, '\n'.join(manager))
    if options['user_tasks_max'] is not None:
        files[posixpath.join(SLICE_DROPIN_DIR, name)] = '%s.\n[Slice]\nTasksMax=%s\n' % (ROLE_HEADER, options['user_tasks_max'])
    return files


def refusals(options, state, desired):
    """Reasons to change nothing: a path we would write that holds something we did not write."""
    reasons = []
    for path in sorted(desired):
        kind, text = state['managed'].get(path, ('absent', None))
        if kind == 'absent':
            continue
        if kind != 'file':
            reasons.append('%s is %s, not a file this module wrote; move it away' % (path, kind))
        elif not text.startswith(HEADER):
            reasons.append("%s exists without the '%s' header (a file this module did not write); move it away or "
                           'merge its settings into the options, then run again' % (path, HEADER))
    nr_open = state.get('nr_open')
    if options['hard'] is not None and nr_open is not None and options['hard'] > nr_open:
        reasons.append('nofile_hard=%d is above fs.nr_open=%d on this host: logins and services could not get it; '
                       'lower nofile_hard or raise fs.nr_open first' % (options['hard'], nr_open))
    return reasons


def _with(tree, path, text):
    """``tree`` ({dir: {name: text}}) with ``path`` holding ``text``."""
    directory, name = posixpath.split(path)
    copy = dict((d, dict(files)) for d, files in tree.items())
    copy.setdefault(directory, {})[name] = text
    return copy


def _status(before_ok, after_ok, check_mode):
    if before_ok:
        return PASS
    if after_ok and not check_mode:
        return FIXED
    return FAIL


def _remediation(before_ok, after_ok, own, offending):
    if before_ok:
        return ''
    if after_ok:
        return 'write %s (gocompat.baseline.kernel role, or this module without check mode)' % own
    culprits = ', '.join(offending) or 'the overriding setting'
    return 'remove or raise %s, which %s over %s' % (culprits, 'wins' if len(offending) < 2 else 'win', own)


def _sources(*wheres):
    paths = []
    for where in wheres:
        if where:
            path = where.rsplit(':', 1)[0]
            if path not in paths:
                paths.append(path)
    return ', '.join(paths)


def _files_of(wheres):
    return sorted(set(w.rsplit(':', 1)[0] for w in wheres if w))


def findings(options, state, desired, check_mode):
    """[(control, status, expected, actual, source, remediation)] for every managed concern."""
    out = []
    soft, hard = options['soft'], options['hard']
    if soft is not None:
        own = options['limits_path']
        before = limits_conf.in_force(limits_conf.ordered(state['limits_d'], state['limits_main']))
        after_tree = _with({'d': state['limits_d']}, 'd/' + posixpath.basename(own), desired[own])['d']
        after = limits_conf.in_force(limits_conf.ordered(after_tree, state['limits_main']))
        before_ok, after_ok = limits_conf.compliant(before, soft, hard), limits_conf.compliant(after, soft, hard)
        wheres = [e[1] for d in before.values() for e in d.values() if e is not None]
        out.append(('limits.nofile', _status(before_ok, after_ok, check_mode),
                    "soft >= %d and hard >= %d nofile for a new PAM login of any user (*) and of root" % (soft, hard),
                    limits_conf.describe(before), ', '.join(_files_of(wheres)),
                    _remediation(before_ok, after_ok, own, limits_conf.offenders(after, soft, hard, own))))
    checks = []
    if soft is not None:
        def nofile_ok(value):
            parsed = systemd_conf.parse_nofile(value) if value is not None else None
            return parsed is not None and parsed[0] >= soft and parsed[1] >= hard
        checks.append(('systemd.default_limit_nofile', 'Manager', 'DefaultLimitNOFILE',
                       lambda v: systemd_conf.parse_nofile(v) is not None, nofile_ok,
                       'DefaultLimitNOFILE with soft >= %d and hard >= %d for system services' % (soft, hard)))
    for option, control, section, key, what in (
            ('default_tasks_max', 'systemd.default_tasks_max', 'Manager', 'DefaultTasksMax', 'for system services'),
            ('user_tasks_max', 'systemd.user_tasks_max', 'Slice', 'TasksMax', 'for every user-UID.slice')):
        wanted = options[option]
        if wanted is not None:
            checks.append((control, section, key, systemd_conf.valid_tasks_max,
                           lambda v, w=wanted: v is not None and v.lower() == w, '%s=%s %s' % (key, wanted, what)))
    for control, section, key, valid, ok, expected in checks:
        if not options['systemd']:
            out.append((control, SKIP, expected, 'systemd is not installed (or not managed: systemd=false)', '', ''))
            continue
        manager = section == 'Manager'
        dirs = SYSTEM_DIRS if manager else SLICE_DIRS
        own = posixpath.join(SYSTEM_DROPIN_DIR if manager else SLICE_DROPIN_DIR, options['dropin_name'])
        tree = state['system_tree'] if manager else state['slice_tree']
        head = state['system_main'] if manager else state['slice_unit']
        value, where = systemd_conf.assignment(head + systemd_conf.dropin_order(dirs, tree), section, key, valid)
        after_value, after_where = systemd_conf.assignment(
            head + systemd_conf.dropin_order(dirs, _with(tree, own, desired[own])), section, key, valid)
        before_ok, after_ok = ok(value), ok(after_value)
        offending = [after_where] if after_where and not after_where.startswith(own + ':') else []
        out.append((control, _status(before_ok, after_ok, check_mode), expected,
                    systemd_conf.describe(value, where, key), _sources(where),
                    _remediation(before_ok, after_ok, own, offending)))
    return out
