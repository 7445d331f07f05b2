# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Building a seccomp profile for Go tests: the collection's deny-by-default base (or a profile from the host),
patched with the switchable additions Go test binaries need, extra allows and denies, rendered as
deterministic JSON in the Docker/moby form or the OCI runtime-spec ``linux.seccomp`` form. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_syscalls
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V

ALLOW = 'SCMP_ACT_ALLOW'
ERRNO = 'SCMP_ACT_ERRNO'
EPERM = 1
ENOSYS = 38

# Architectures by the names the options use: the main one and the ones its kernel also runs.
ARCH_MAP = {
    'amd64': ('SCMP_ARCH_X86_64', ('SCMP_ARCH_X86', 'SCMP_ARCH_X32')),
    'arm64': ('SCMP_ARCH_AARCH64', ('SCMP_ARCH_ARM',)),
}
# SCMP names -> the Go names includes/excludes.arches use.
GO_NAME = {'SCMP_ARCH_X86_64': 'amd64', 'SCMP_ARCH_X86': 'x86', 'SCMP_ARCH_X32': 'x32',
           'SCMP_ARCH_AARCH64': 'arm64', 'SCMP_ARCH_ARM': 'arm'}

# personality(2) values a Go test may set: PER_LINUX (0), PER_LINUX32 (0x8), UNAME26 (0x20000) and their
# combination, ADDR_NO_RANDOMIZE (0x40000: the race detector re-executes itself with it) and 0xffffffff,
# which only reads the current persona.
PERSONALITY = (0x0, 0x8, 0x20000, 0x20008, 0x40000, 0xffffffff)

# The switches, in output order: (option, names, why). clone3 and personality are built apart.
SWITCHES = (
    ('clone', ('clone',), 'threads and processes, with namespace flags for tests that create namespaces'),
    ('clone3', ('clone3',), 'glibc 2.34+ tries clone3 first and falls back to clone only on ENOSYS'),
    ('namespaces', ('setns', 'unshare'), 'tests that enter or create namespaces'),
    ('personality', ('personality',), 'the race detector disables ASLR with ADDR_NO_RANDOMIZE'),
    ('ptrace', ('kcmp', 'process_vm_readv', 'process_vm_writev', 'ptrace'), 'debuggers (dlv) and tracing tests'),
    ('memfd_create', ('memfd_create',), 'anonymous files (os, syscall and cgo tests)'),
    ('pidfd', ('pidfd_getfd', 'pidfd_open', 'pidfd_send_signal'), 'os/exec waits and signals through pidfds (Go 1.23+)'),
    ('copy_file_range', ('copy_file_range',), 'io.Copy between files'),
    ('rseq', ('rseq',), 'glibc 2.35+ registers restartable sequences for every thread'),
)
SWITCH_NAMES = dict((option, names) for option, names, _why in SWITCHES)
CLONE3_CHOICES = ('enosys', 'allow')

DEFAULT_ACTIONS = {'errno': ERRNO, 'kill_process': 'SCMP_ACT_KILL_PROCESS', 'kill_thread': 'SCMP_ACT_KILL_THREAD',
                   'trap': 'SCMP_ACT_TRAP', 'log': 'SCMP_ACT_LOG', 'allow': ALLOW}
RULE_ORDER = ('names', 'action', 'errnoRet', 'errno', 'args', 'comment', 'includes', 'excludes')
TOP_ORDER = ('defaultAction', 'defaultErrnoRet', 'defaultErrno', 'architectures', 'archMap', 'flags', 'listenerPath',
             'listenerMetadata', 'syscalls')


def _rule(names, action=ALLOW, comment='', errno=None, args=None, includes=None):
    rule = {'names': sorted(names), 'action': action}
    if errno is not None:
        rule['errnoRet'] = errno
    if args:
        rule['args'] = args
    if comment:
        rule['comment'] = comment
    if includes:
        rule['includes'] = includes
    return rule


def arch_map(arches):
    return [{'architecture': ARCH_MAP[a][0], 'subArchitectures': list(ARCH_MAP[a][1])} for a in arches]


def builtin(arches, default_action=ERRNO, default_errno=EPERM):
    """The collection's deny-by-default base for ``arches`` (option names, e.g. ['amd64', 'arm64'])."""
    profile = {'defaultAction': default_action}
    if default_action == ERRNO:
        profile['defaultErrnoRet'] = default_errno
    profile['archMap'] = arch_map(arches)
    rules = [_rule(names.split(), comment='base: %s (%s)' % (group, why)) for group, why, names in seccomp_syscalls.BASE_GROUPS]
    go_arches = set(GO_NAME[n] for a in arches for n in (ARCH_MAP[a][0],) + ARCH_MAP[a][1])
    for group, why, includes, names in seccomp_syscalls.ARCH_GROUPS:
        if go_arches.intersection(includes):
            rules.append(_rule(names.split(), comment='base: %s (%s)' % (group, why),
                               includes={'arches': list(includes)}))
    profile['syscalls'] = rules
    return profile


def additions(switches, extra_allow=(), extra_deny=()):
    """The rules the switches and the extra lists add: [(rule)] in a fixed order."""
    rules = []
    for option, names, why in SWITCHES:
        value = switches.get(option)
        comment = 'go tests: %s' % why
        if not value:
            continue
        if option == 'clone3':
            if value == 'enosys':
                rules.append(_rule(names, ERRNO, comment + ' (ENOSYS)', errno=ENOSYS))
            else:
                rules.append(_rule(names, ALLOW, comment))
        elif option == 'personality':
            for persona in PERSONALITY:
                rules.append(_rule(names, ALLOW, '%s (0x%x)' % (comment, persona),
                                   args=[{'index': 0, 'value': persona, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]))
        else:
            rules.append(_rule(names, ALLOW, comment))
    if extra_allow:
        rules.append(_rule(extra_allow, ALLOW, 'extra allow'))
    if extra_deny:
        rules.append(_rule(extra_deny, ERRNO, 'extra deny (EPERM)', errno=EPERM))
    return rules


def managed_names(switches, extra_allow=(), extra_deny=()):
    names = set(extra_allow) | set(extra_deny)
    for option, option_names, _why in SWITCHES:
        if switches.get(option):
            names.update(option_names)
    return names


def option_conflicts(switches, extra_allow, extra_deny):
    """Contradictions between the options, each naming the options."""
    problems = []
    for name in sorted(set(extra_allow) & set(extra_deny)):
        problems.append('extra_allow and extra_deny both list %s' % name)
    for option, names, _why in SWITCHES:
        if not switches.get(option):
            continue
        for name in names:
            if name in extra_deny:
                problems.append('extra_deny lists %s, which %s=%s allows; turn the switch off instead'
                                % (name, option, switches[option]))
            if name in extra_allow:
                problems.append('extra_allow lists %s, which the switch %s manages' % (name, option))
    return problems


def _canonical_rule(rule):
    """A base rule in the one key order, names sorted (order does not change what a runtime loads)."""
    out = {}
    rule = dict(rule)
    if 'name' in rule and 'names' not in rule:
        rule['names'] = [rule.pop('name')]
    rule.pop('name', None)
    for key in RULE_ORDER:
        value = rule.get(key)
        if value is None or value == '' or value == [] or value == {}:
            continue
        if key == 'names':
            value = sorted(value)
        elif key == 'args':
            value = [dict((k, a[k]) for k in V.ARG_KEYS if k in a) for a in value]
        elif key in ('includes', 'excludes'):
            value = dict((k, value[k]) for k in V.FILTER_KEYS if value.get(k) not in (None, [], ''))
            if not value:
                continue
        out[key] = value
    return out


def patch(base, switches, extra_allow=(), extra_deny=(), arches=None, default_action=None, default_errno=None):
    """``base`` (a checked profile) with every managed name taken out of its rules and the additions
    appended. ``arches`` adds missing archMap entries; ``default_action``/``default_errno`` replace the
    base's. Rules left without names disappear."""
    managed = managed_names(switches, extra_allow, extra_deny)
    profile = {}
    for key in TOP_ORDER:
        if base.get(key) is not None and key != 'syscalls':
            profile[key] = base[key]
    if default_action is not None:
        profile['defaultAction'] = default_action
    if profile['defaultAction'] == ERRNO:
        if default_errno is not None and default_errno != profile.get('defaultErrnoRet'):
            profile['defaultErrnoRet'] = default_errno
            profile.pop('defaultErrno', None)   # the name of the errno replaced
    else:
        profile.pop('defaultErrnoRet', None)
        profile.pop('defaultErrno', None)
    if arches:
        present = set(e['architecture'] for e in profile.get('archMap') or [])
        present.update(profile.get('architectures') or [])
        missing = [e for e in arch_map(arches) if e['architecture'] not in present]
        if missing:
            profile['archMap'] = list(profile.get('archMap') or []) + missing
    rules = []
    for rule in base.get('syscalls') or []:
        names = [n for n in V.rule_names(rule) if n not in managed]
        if names:
            rules.append(_canonical_rule(dict(rule, names=names)))
    rules.extend(additions(switches, extra_allow, extra_deny))
    profile['syscalls'] = rules
    return dict((k, profile[k]) for k in TOP_ORDER if k in profile)


def to_oci(profile, arches=None):
    """The OCI runtime-spec ``linux.seccomp`` form: flat architectures, no comments, rules for other
    architectures dropped. Capability and kernel conditions cannot be expressed there: ProfileError."""
    flat = []
    for entry in profile.get('archMap') or []:
        for name in [entry['architecture']] + list(entry.get('subArchitectures') or []):
            if name not in flat:
                flat.append(name)
    for name in profile.get('architectures') or []:
        if name not in flat:
            flat.append(name)
    go_arches = set(GO_NAME.get(n, n) for n in flat)
    if 'x86' in go_arches:
        go_arches.add('386')
    out = {'defaultAction': profile['defaultAction']}
    if profile.get('defaultErrnoRet') is not None:
        out['defaultErrnoRet'] = profile['defaultErrnoRet']
    if flat:
        out['architectures'] = flat
    if profile.get('flags'):
        out['flags'] = profile['flags']
    rules = []
    for index, rule in enumerate(profile.get('syscalls') or []):
        for key in ('includes', 'excludes'):
            cond = rule.get(key) or {}
            for what in ('caps', 'minKernel'):
                if cond.get(what):
                    raise V.ProfileError('$.syscalls[%d].%s.%s: the OCI form has no %s conditions; use format=docker'
                                         % (index, key, what, 'capability' if what == 'caps' else 'kernel version'))
        inc = (rule.get('includes') or {}).get('arches')
        exc = (rule.get('excludes') or {}).get('arches')
        if inc and not go_arches.intersection(inc):
            continue
        if exc and go_arches <= set(exc):
            continue
        oci = dict((k, rule[k]) for k in ('names', 'action', 'errnoRet', 'args') if rule.get(k) is not None)
        rules.append(oci)
    out['syscalls'] = rules
    return out


def render(profile):
    """Stable text: two-space indent, ASCII, keys in the order built, trailing newline."""
    return json.dumps(profile, indent=2, separators=(',', ': '), ensure_ascii=True) + '\n'


def allowed_names(profile):
    """Names an unconditional allow rule lets through (what the findings count)."""
    names = set()
    for rule in profile.get('syscalls') or []:
        if rule.get('action') == ALLOW and not rule.get('args'):
            names.update(V.rule_names(rule))
    return sorted(names)
