# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a seccomp profile in the Docker/moby JSON form before anything is written: structure and field
types, known actions, operators and architectures, duplicate or contradicting rules, and syscall names that
libseccomp knows. Every problem names its JSON path (``$.syscalls[3].names[1]``). Pure, except ``NameCheck``,
which asks libseccomp (its Python binding, else ``scmp_sys_resolver`` through a Runner, else the collection's
table)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib
import re

from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_syscalls
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote


def _load_binding():
    """libseccomp's Python binding (Debian python3-seccomp) when the module's interpreter has it; it is
    optional, so the name is looked up at run time and the table stands in without it."""
    try:
        return importlib.import_module('seccomp')
    except ImportError:
        return None


ACTIONS = ('SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO',
           'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_NOTIFY')
# A default action that lets an unlisted syscall run turns the profile into an allow list of nothing.
WIDENING = ('SCMP_ACT_ALLOW', 'SCMP_ACT_LOG')
OPS = ('SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT',
       'SCMP_CMP_MASKED_EQ')
ARCHES = ('SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64',
          'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64', 'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64',
          'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_S390',
          'SCMP_ARCH_S390X', 'SCMP_ARCH_PARISC', 'SCMP_ARCH_PARISC64', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_LOONGARCH64')
# includes/excludes.arches use Go's architecture names (what Docker compares with its own GOARCH).
GO_ARCHES = ('386', 'amd64', 'x86', 'x32', 'arm', 'arm64', 'mips', 'mipsle', 'mips64', 'mips64le', 'mips64n32',
             'mips64len32', 'ppc', 'ppc64', 'ppc64le', 's390', 's390x', 'riscv64', 'loong64')
FLAGS = ('SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
         'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV')
# defaultErrno and a rule's errno are the errno's name beside the number; containers-common writes them.
TOP_KEYS = ('defaultAction', 'defaultErrnoRet', 'defaultErrno', 'architectures', 'archMap', 'syscalls', 'flags',
            'listenerPath', 'listenerMetadata')
RULE_KEYS = ('names', 'name', 'action', 'errnoRet', 'errno', 'args', 'comment', 'includes', 'excludes')
ARG_KEYS = ('index', 'value', 'valueTwo', 'op')
FILTER_KEYS = ('arches', 'caps', 'minKernel')
ERRNO_ACTIONS = ('SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE')
ERRNO_MAX = 4095    # the kernel's MAX_ERRNO
ARG_MAX = (1 << 64) - 1
NAME = re.compile(r'\A[a-z_][a-z0-9_]{0,63}\Z')
CAP = re.compile(r'\ACAP_[A-Z_]{1,40}\Z')
KERNEL = re.compile(r'\A[0-9]{1,4}\.[0-9]{1,4}\Z')
ERRNO_NAME = re.compile(r'\AE[A-Z0-9]{1,20}\Z')


class ProfileError(ValueError):
    """A profile that must not be written; the message starts with the JSON path of the first problem."""


def _type_name(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'a boolean'
    if isinstance(value, (int, float)):
        return 'a number'
    if isinstance(value, str):
        return 'a string'
    if isinstance(value, list):
        return 'a list'
    return 'an object'


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


class _Checker(object):

    def __init__(self):
        self.problems = []

    def add(self, path, message):
        self.problems.append('%s: %s' % (path, message))

    def expect(self, path, value, kind, words):
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            self.add(path, 'expected %s, got %s' % (words, _type_name(value)))
            return False
        return True

    def keys(self, path, obj, allowed):
        for key in sorted(obj):
            if key not in allowed:
                self.add('%s.%s' % (path, quote(key, 60)), 'unknown key (known: %s)' % ', '.join(allowed))

    def choice(self, path, value, allowed, what):
        if self.expect(path, value, str, 'a string') and value not in allowed:
            self.add(path, 'unknown %s %s' % (what, quote(value, 60)))

    def string_list(self, path, value, allowed=None, what='', pattern=None, empty_ok=True):
        if value is None:
            return []
        if not self.expect(path, value, list, 'a list of strings'):
            return []
        if not value and not empty_ok:
            self.add(path, 'must not be empty')
        seen = set()
        for index, item in enumerate(value):
            where = '%s[%d]' % (path, index)
            if not self.expect(where, item, str, 'a string'):
                continue
            if allowed is not None and item not in allowed:
                self.add(where, 'unknown %s %s' % (what, quote(item, 60)))
            elif pattern is not None and not pattern.match(item):
                self.add(where, 'not a valid %s: %s' % (what, quote(item, 60)))
            elif item in seen:
                self.add(where, 'duplicate %s %s' % (what, item))
            seen.add(item)
        return value

    def errno(self, path, value):
        if self.expect(path, value, int, 'an integer errno') and not 0 < value <= ERRNO_MAX:
            self.add(path, 'errno %d is outside 1..%d' % (value, ERRNO_MAX))

    def errno_name(self, path, value):
        if value is not None and self.expect(path, value, str, 'a string') and not ERRNO_NAME.match(value):
            self.add(path, 'expected an errno name like EPERM, got %s' % quote(value, 60))

    def profile(self, data):
        if not self.expect('$', data, dict, 'a JSON object'):
            return
        self.keys('$', data, TOP_KEYS)
        if 'defaultAction' not in data:
            self.add('$.defaultAction', 'missing')
        else:
            self.choice('$.defaultAction', data['defaultAction'], ACTIONS, 'action')
        if data.get('defaultErrnoRet') is not None:
            self.errno('$.defaultErrnoRet', data['defaultErrnoRet'])
        self.errno_name('$.defaultErrno', data.get('defaultErrno'))
        self.string_list('$.architectures', data.get('architectures'), ARCHES, 'architecture')
        self.string_list('$.flags', data.get('flags'), FLAGS, 'flag')
        for key in ('listenerPath', 'listenerMetadata'):
            if data.get(key) is not None:
                self.expect('$.' + key, data[key], str, 'a string')
        self.arch_map(data.get('archMap'))
        rules = data.get('syscalls')
        if rules is not None and self.expect('$.syscalls', rules, list, 'a list of rules'):
            for index, rule in enumerate(rules):
                self.rule('$.syscalls[%d]' % index, rule)

    def arch_map(self, arch_map):
        if arch_map is None or not self.expect('$.archMap', arch_map, list, 'a list'):
            return
        seen = set()
        for index, entry in enumerate(arch_map):
            path = '$.archMap[%d]' % index
            if not self.expect(path, entry, dict, 'an object'):
                continue
            self.keys(path, entry, ('architecture', 'subArchitectures'))
            main = entry.get('architecture')
            if main is None:
                self.add(path + '.architecture', 'missing')
            else:
                self.choice(path + '.architecture', main, ARCHES, 'architecture')
                if main in seen:
                    self.add(path + '.architecture', 'duplicate architecture %s' % quote(main, 60))
                seen.add(main)
            self.string_list(path + '.subArchitectures', entry.get('subArchitectures'), ARCHES, 'architecture')

    def rule(self, path, rule):
        if not self.expect(path, rule, dict, 'an object'):
            return
        self.keys(path, rule, RULE_KEYS)
        if 'names' in rule:
            self.string_list(path + '.names', rule['names'], None, 'syscall name', NAME, empty_ok=False)
        elif 'name' in rule:
            if self.expect(path + '.name', rule['name'], str, 'a string') and not NAME.match(rule['name']):
                self.add(path + '.name', 'not a valid syscall name: %s' % quote(rule['name'], 60))
        else:
            self.add(path + '.names', 'missing')
        if 'action' not in rule:
            self.add(path + '.action', 'missing')
        else:
            self.choice(path + '.action', rule['action'], ACTIONS, 'action')
        if rule.get('errnoRet') is not None:
            self.errno(path + '.errnoRet', rule['errnoRet'])
            if rule.get('action') not in ERRNO_ACTIONS:
                self.add(path + '.errnoRet', 'only SCMP_ACT_ERRNO and SCMP_ACT_TRACE use errnoRet')
        self.errno_name(path + '.errno', rule.get('errno'))
        if rule.get('comment') is not None:
            self.expect(path + '.comment', rule['comment'], str, 'a string')
        args = rule.get('args')
        if args is not None and self.expect(path + '.args', args, list, 'a list'):
            for index, arg in enumerate(args):
                self.arg('%s.args[%d]' % (path, index), arg)
        for key in ('includes', 'excludes'):
            if rule.get(key) is not None:
                self.condition('%s.%s' % (path, key), rule[key])

    def arg(self, path, arg):
        if not self.expect(path, arg, dict, 'an object'):
            return
        self.keys(path, arg, ARG_KEYS)
        if 'index' not in arg:
            self.add(path + '.index', 'missing')
        elif self.expect(path + '.index', arg['index'], int, 'an integer') and not 0 <= arg['index'] <= 5:
            self.add(path + '.index', 'a syscall has arguments 0..5, not %d' % arg['index'])
        for key in ('value', 'valueTwo'):
            if key in arg and self.expect('%s.%s' % (path, key), arg[key], int, 'an integer'):
                if not 0 <= arg[key] <= ARG_MAX:
                    self.add('%s.%s' % (path, key), 'outside 0..2^64-1')
        if 'op' not in arg:
            self.add(path + '.op', 'missing')
        else:
            self.choice(path + '.op', arg['op'], OPS, 'operator')

    def condition(self, path, cond):
        if not self.expect(path, cond, dict, 'an object'):
            return
        self.keys(path, cond, FILTER_KEYS)
        self.string_list(path + '.arches', cond.get('arches'), GO_ARCHES, 'architecture')
        self.string_list(path + '.caps', cond.get('caps'), None, 'capability', CAP)
        kernel = cond.get('minKernel')
        if kernel is not None and self.expect(path + '.minKernel', kernel, str, 'a string') and not KERNEL.match(kernel):
            self.add(path + '.minKernel', 'expected a kernel version like 4.8, got %s' % quote(kernel, 60))


def structure_problems(data):
    """Every structural problem of ``data`` (a parsed profile), as 'path: message' lines."""
    checker = _Checker()
    checker.profile(data)
    return checker.problems


def rule_names(rule):
    names = rule.get('names')
    if names is None and rule.get('name') is not None:
        names = [rule['name']]
    return list(names or [])


def _unconditional(rule):
    return not rule.get('args') and not rule.get('includes') and not rule.get('excludes')


def conflict_problems(data):
    """Duplicate or contradicting rules: a name in two unconditional rules (no args, includes or excludes),
    or in an unconditional rule and an argument rule with another action."""
    problems = []
    plain = {}     # name -> (path, action, errno) of its unconditional rule
    by_args = []   # (path, name, action, errno)
    for index, rule in enumerate(data.get('syscalls') or []):
        outcome = (rule.get('action'), rule.get('errnoRet'))
        for pos, name in enumerate(rule_names(rule)):
            path = '$.syscalls[%d].names[%d]' % (index, pos)
            if not _unconditional(rule):
                if not rule.get('includes') and not rule.get('excludes'):
                    by_args.append((path, name, outcome))
                continue
            if name in plain:
                first, other = plain[name]
                word = 'duplicate' if other == outcome else 'contradicting'
                problems.append('%s: %s rule for %s (first at %s)' % (path, word, name, first))
            else:
                plain[name] = (path, outcome)
    for path, name, outcome in by_args:
        if name in plain and plain[name][1] != outcome:
            problems.append('%s: contradicting rule for %s: an argument rule with %s beside the unconditional %s at %s'
                            % (path, name, outcome[0], plain[name][1][0], plain[name][0]))
    return problems


def widening_problem(data):
    """The message for a profile whose default lets unlisted syscalls run, else None."""
    action = data.get('defaultAction') if isinstance(data, dict) else None
    if action in WIDENING:
        return ('$.defaultAction: %s runs every syscall the profile does not list; this collection only writes '
                'deny-by-default profiles' % action)
    return None


def check(data, known=None):
    """Raise ProfileError for the first problem of ``data`` (with the count of the others). ``known`` is a
    NameCheck; without it names are checked against the pattern only."""
    problems = structure_problems(data)
    if not problems:
        problems = [p for p in [widening_problem(data)] if p] + conflict_problems(data)
    if not problems and known is not None:
        problems = known.problems(data)
    if problems:
        more = ' (and %d more problem(s))' % (len(problems) - 1) if len(problems) > 1 else ''
        raise ProfileError(problems[0] + more)


class NameCheck(object):
    """Which syscall names libseccomp knows: its Python binding when importable, else ``scmp_sys_resolver``
    (asked only for names the collection's table lacks: one process per name), else the table alone.
    ``source`` says which one decided."""

    def __init__(self, runner=None, binding=None, use_binding=True):
        self.binding = binding if binding is not None else (_load_binding() if use_binding else None)
        self.resolver = None
        self.runner = runner
        if self.binding is not None:
            self.source = 'python3-seccomp'
        else:
            self.resolver = runner.which('scmp_sys_resolver') if runner is not None else None
            self.source = 'scmp_sys_resolver' if self.resolver else 'table'
        self._cache = {}

    def knows(self, name):
        if name not in self._cache:
            self._cache[name] = self._ask(name)
        return self._cache[name]

    def _ask(self, name):
        if self.binding is not None:
            # -1: a name libseccomp does not have at all; other negatives are names of other architectures
            return self.binding.resolve_syscall(self.binding.Arch.X86_64, name) != -1
        if name in seccomp_syscalls.ALL_KNOWN:
            return True
        if self.resolver is None:
            return False
        try:
            result = self.runner([self.resolver, '-a', 'x86_64', name], timeout=20, check=False)
        except CommandError:
            return False
        return result.rc == 0 and result.out.strip() not in ('', '-1')

    def problems(self, data):
        found = []
        for index, rule in enumerate(data.get('syscalls') or []):
            for pos, name in enumerate(rule_names(rule)):
                if not self.knows(name):
                    found.append('$.syscalls[%d].names[%d]: %s is not a syscall name libseccomp knows (checked with %s)'
                                 % (index, pos, name, self.source))
        return found
