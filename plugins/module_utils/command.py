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
import subprocess

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

    ``find`` resolves a bare command name to a path (the module's ``get_bin_path``, which fails the task
    with a clear message when the command is missing); ``locale`` is the locale every command runs in
    (the module passes ansible's best parsable locale, found once per call).
    """

    def __init__(self, find=None, locale='C'):
        self._find = find
        self._locale = locale

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
        merged = dict(os.environ)
        merged.update(LANG=self.locale, LC_ALL=self.locale, LC_MESSAGES=self.locale)
        if env:
            merged.update(env)
        return merged

    def __call__(self, argv, timeout=DEFAULT_TIMEOUT, env=None, cwd=None, check=True, data=None):
        """Run ``argv``; returns a CommandResult with text output (undecodable bytes replaced).
        Raises CommandError when it cannot start, runs longer than ``timeout`` seconds, or (``check``)
        exits non-zero."""
        argv = [self.resolve(str(argv[0]))] + [str(arg) for arg in argv[1:]]
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE if data is not None else subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd,
                                    env=self.environment(env), close_fds=True)
        except OSError as exc:
            raise CommandError('cannot run %s: %s' % (describe(argv), exc.strerror or exc))
        try:
            out, err = proc.communicate(input=data.encode('utf-8') if data is not None else None, timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise CommandError('%s did not finish within %d s' % (describe(argv), timeout))
        result = CommandResult(argv, proc.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace'))
        if check and result.rc != 0:
            tail = (result.err.strip() or result.out.strip())[-_TAIL:]
            raise CommandError('%s failed (exit %d): %s' % (describe(argv), result.rc, quote(tail, _TAIL) or 'no output'),
                               result.rc, result.out, result.err)
        return result


def module_runner(module):
    """The Runner of one module call: commands found with ``get_bin_path(required=True)``, run in
    ansible's best parsable locale (looked up once)."""
    def locale():
        from ansible.module_utils.common.locale import get_best_parsable_locale
        try:
            return get_best_parsable_locale(module)
        except Exception:  # pylint: disable=broad-except
            return 'C'  # a broken `locale -a` must not stop a module that only needs C output

    def find(name):
        return module.get_bin_path(name, required=True)
    find.optional = module.get_bin_path
    return Runner(find=find, locale=locale)
