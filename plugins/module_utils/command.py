# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way modules run a command: an argument list (never a shell), a parsable locale, a timeout,
and an error that quotes the tail of stderr.

Pure code that needs a process takes a ``Runner`` (or any callable with its signature), so it is
unit-tested with a fake and no Ansible.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

DEFAULT_TIMEOUT = 120
_TAIL = 400


class CommandError(Exception):
    """A command that could not start, timed out or (with check=True) exited non-zero."""

    def __init__(self, message, rc=None, out='', err=''):
        super(CommandError, self).__init__(message)
        self.rc = rc
        self.out = out
        self.err = err


class CommandResult(object):
    __slots__ = ('argv', 'rc', 'out', 'err')

    def __init__(self, argv, rc, out, err):
        self.argv = argv
        self.rc = rc
        self.out = out
        self.err = err

    def __repr__(self):
        return 'CommandResult(%r, rc=%r)' % (self.argv, self.rc)


def describe(argv):
    return ' '.join(quote(str(arg), 120) for arg in argv)


class Runner(object):
    """Runs commands for one module call.

    ``execute(argv, env_update, cwd, data) -> (rc, out, err)`` starts the process: in a module it is
    AnsibleModule.run_command (see module_runner); unit tests and benchmarks pass their own. ``find``
    resolves a bare command name to a path (the module's ``get_bin_path``, which fails the task with a
    clear message when the command is missing); ``locale`` is the locale every command runs in (the
    module passes ansible's best parsable locale, found once per call). The time limit comes from the
    ``timeout`` command (coreutils or busybox) where the host has one.
    """

    def __init__(self, find=None, locale='C', execute=None):
        self._find = find
        self._locale = locale
        self._execute = execute
        self._limiter = False  # not looked up yet

    @property
    def locale(self):
        # a callable is asked once, on the first command: a module call that runs none pays nothing
        if callable(self._locale):
            self._locale = self._locale()
        return self._locale

    def resolve(self, name):
        if os.path.isabs(name):
            return name
        if self._find is not None:
            return self._find(name)
        for directory in os.environ.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin').split(os.pathsep):
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        raise CommandError('command %s not found on PATH' % name)

    def which(self, name):
        """Path of an optional command, or None when the host has none (never fails the task)."""
        try:
            return self.resolve(name) if self._find is None else self._find_optional(name)
        except CommandError:
            return None

    def _find_optional(self, name):
        finder = getattr(self._find, 'optional', None)
        return finder(name) if finder is not None else self.resolve(name)

    def environment(self, env=None):
        """The variables set for every command on top of the module's own environment."""
        update = dict(LANG=self.locale, LC_ALL=self.locale, LC_MESSAGES=self.locale)
        if env:
            update.update(env)
        return update

    def _time_limited(self, argv, timeout):
        if self._limiter is False:
            self._limiter = self.which('timeout')
        if not self._limiter or not timeout:
            return argv
        return [self._limiter, '-k', '5', '%gs' % timeout] + argv

    def __call__(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, check=True, data=None):
        """Run ``argv``; returns a CommandResult with text output (undecodable bytes kept as surrogates:
        quote them before they reach a message). Raises CommandError when it cannot start, runs longer
        than ``timeout`` seconds, or (``check``) exits non-zero."""
        argv = [self.resolve(str(argv[0]))] + [str(arg) for arg in argv[1:]]
        if self._execute is None:
            raise CommandError('cannot run %s: this runner has no way to start processes' % describe(argv))
        limited = self._time_limited(argv, timeout)
        try:
            rc, out, err = self._execute(limited, self.environment(env), cwd, data)
        except EnvironmentError as exc:
            raise CommandError('cannot run %s: %s' % (describe(argv), exc.strerror or exc))
        if limited is not argv and rc in (124, 137):  # the limiter's own codes: timed out, then killed
            raise CommandError('%s did not finish within %g s' % (describe(argv), timeout))
        if limited is not argv and rc in (126, 127) and os.path.basename(err.split(':', 1)[0]) == 'timeout':
            # the limiter could not start the command
            raise CommandError('cannot run %s: %s' % (describe(argv), quote(err.strip().rsplit(': ', 1)[-1])))
        result = CommandResult(argv, rc, out, err)
        if check and result.rc != 0:
            tail = (result.err.strip() or result.out.strip())[-_TAIL:]
            raise CommandError('%s failed (exit %d): %s' % (describe(argv), result.rc, quote(tail, _TAIL) or 'no output'),
                               result.rc, result.out, result.err)
        return result


def module_runner(module):
    """The Runner of one module call: commands found with ``get_bin_path(required=True)``, started by
    ``run_command`` (argument lists only, no shell, no expansion of ``~`` or ``$VAR`` in them) in
    ansible's best parsable locale (looked up once, on the first command)."""
    def locale():
        from ansible.module_utils.common.locale import get_best_parsable_locale
        try:
            return get_best_parsable_locale(module)
        except Exception:  # pylint: disable=broad-except
            return 'C'  # a broken `locale -a` must not stop a module that only needs C output

    def find(name):
        return module.get_bin_path(name, required=True)
    find.optional = module.get_bin_path

    def execute(argv, env_update, cwd, data):
        return module.run_command(argv, check_rc=False, environ_update=env_update, cwd=cwd, data=data,
                                  binary_data=True, expand_user_and_vars=False, handle_exceptions=False)
    return Runner(find=find, locale=locale, execute=execute)
