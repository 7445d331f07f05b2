# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Validation of seccomp profiles: each problem with its JSON path and message, and the three ways of
checking syscall names."""

from __future__ import absolute_import, division, print_function

import copy

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandResult

GOOD = {
    'defaultAction': 'SCMP_ACT_ERRNO',
    'defaultErrnoRet': 1,
    'archMap': [{'architecture': 'SCMP_ARCH_X86_64', 'subArchitectures': ['SCMP_ARCH_X86']}],
    'syscalls': [
        {'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'},
        {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38},
        {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',
         'args': [{'index': 0, 'value': 0x40000, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]},
        {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN'], 'minKernel': '4.8'}},
    ],
}


def changed(path, value):
    """GOOD with ``value`` at ``path`` (a tuple of keys/indexes); value DELETE removes it."""
    data = copy.deepcopy(GOOD)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


DELETE = object()

# (id, profile, the message's start)
BAD = [
    ('not-an-object', [], '$: expected a JSON object, got a list'),
    ('unknown-top-key', changed(('defaultActoin',), 'x'), '$.defaultActoin: unknown key'),
    ('no-default-action', changed(('defaultAction',), DELETE), '$.defaultAction: missing'),
    ('unknown-action', changed(('defaultAction',), 'SCMP_ACT_MAYBE'), '$.defaultAction: unknown action SCMP_ACT_MAYBE'),
    ('default-allow', changed(('defaultAction',), 'SCMP_ACT_ALLOW'), '$.defaultAction: SCMP_ACT_ALLOW runs every syscall'),
    ('default-log', changed(('defaultAction',), 'SCMP_ACT_LOG'), '$.defaultAction: SCMP_ACT_LOG runs every syscall'),
    ('errno-string', changed(('defaultErrnoRet',), '1'), '$.defaultErrnoRet: expected an integer errno, got a string'),
    ('errno-bool', changed(('defaultErrnoRet',), True), '$.defaultErrnoRet: expected an integer errno, got a boolean'),
    ('errno-range', changed(('defaultErrnoRet',), 5000), '$.defaultErrnoRet: errno 5000 is outside 1..4095'),
    ('arch-unknown', changed(('archMap', 0, 'architecture'), 'SCMP_ARCH_Z80'),
     '$.archMap[0].architecture: unknown architecture SCMP_ARCH_Z80'),
    ('subarch-not-list', changed(('archMap', 0, 'subArchitectures'), 'SCMP_ARCH_X86'),
     '$.archMap[0].subArchitectures: expected a list of strings, got a string'),
    ('arch-duplicate', changed(('archMap',), GOOD['archMap'] * 2), '$.archMap[1].architecture: duplicate architecture'),
    ('architectures-unknown', changed(('architectures',), ['x86_64']), '$.architectures[0]: unknown architecture x86_64'),
    ('syscalls-object', changed(('syscalls',), {}), '$.syscalls: expected a list of rules, got an object'),
    ('rule-no-names', changed(('syscalls', 0, 'names'), DELETE), '$.syscalls[0].names: missing'),
    ('rule-empty-names', changed(('syscalls', 0, 'names'), []), '$.syscalls[0].names: must not be empty'),
    ('name-number', changed(('syscalls', 0, 'names'), ['read', 0]), '$.syscalls[0].names[1]: expected a string, got a number'),
    ('name-invalid', changed(('syscalls', 0, 'names'), ['Read Me']), '$.syscalls[0].names[0]: not a valid syscall name'),
    ('name-twice-in-rule', changed(('syscalls', 0, 'names'), ['read', 'read']), '$.syscalls[0].names[1]: duplicate syscall name read'),
    ('rule-no-action', changed(('syscalls', 1, 'action'), DELETE), '$.syscalls[1].action: missing'),
    ('rule-unknown-action', changed(('syscalls', 1, 'action'), 'ALLOW'), '$.syscalls[1].action: unknown action ALLOW'),
    ('errno-with-allow', changed(('syscalls', 0, 'errnoRet'), 38), '$.syscalls[0].errnoRet: only SCMP_ACT_ERRNO and'),
    ('rule-unknown-key', changed(('syscalls', 0, 'nmes'), ['x']), '$.syscalls[0].nmes: unknown key'),
    ('args-not-list', changed(('syscalls', 2, 'args'), {}), '$.syscalls[2].args: expected a list, got an object'),
    ('arg-index-range', changed(('syscalls', 2, 'args', 0, 'index'), 6), '$.syscalls[2].args[0].index: a syscall has arguments 0..5'),
    ('arg-value-negative', changed(('syscalls', 2, 'args', 0, 'value'), -1), '$.syscalls[2].args[0].value: outside 0..2^64-1'),
    ('arg-value-huge', changed(('syscalls', 2, 'args', 0, 'value'), 1 << 64), '$.syscalls[2].args[0].value: outside'),
    ('arg-value-float', changed(('syscalls', 2, 'args', 0, 'value'), 1.5), '$.syscalls[2].args[0].value: expected an integer'),
    ('arg-op-unknown', changed(('syscalls', 2, 'args', 0, 'op'), '=='), '$.syscalls[2].args[0].op: unknown operator =='),
    ('arg-no-op', changed(('syscalls', 2, 'args', 0, 'op'), DELETE), '$.syscalls[2].args[0].op: missing'),
    ('includes-arch', changed(('syscalls', 3, 'includes', 'arches'), ['SCMP_ARCH_X86_64']),
     '$.syscalls[3].includes.arches[0]: unknown architecture SCMP_ARCH_X86_64'),
    ('includes-cap', changed(('syscalls', 3, 'includes', 'caps'), ['SYS_ADMIN']), '$.syscalls[3].includes.caps[0]: not a valid capability'),
    ('includes-kernel', changed(('syscalls', 3, 'includes', 'minKernel'), 'new'), '$.syscalls[3].includes.minKernel: expected a kernel version'),
    ('default-errno-name', changed(('defaultErrno',), 'eperm'), '$.defaultErrno: expected an errno name like EPERM'),
    ('rule-errno-name', changed(('syscalls', 1, 'errno'), 38), '$.syscalls[1].errno: expected a string, got a number'),
    ('comment-number', changed(('syscalls', 0, 'comment'), 7), '$.syscalls[0].comment: expected a string, got a number'),
    ('duplicate-rule', changed(('syscalls',), GOOD['syscalls'] + [{'names': ['write'], 'action': 'SCMP_ACT_ALLOW'}]),
     '$.syscalls[4].names[0]: duplicate rule for write (first at $.syscalls[0].names[1])'),
    ('contradicting-rule', changed(('syscalls',), GOOD['syscalls'] + [{'names': ['read'], 'action': 'SCMP_ACT_KILL'}]),
     '$.syscalls[4].names[0]: contradicting rule for read'),
    ('contradicting-errno', changed(('syscalls',), GOOD['syscalls'] + [{'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}]),
     '$.syscalls[4].names[0]: contradicting rule for clone3'),
    ('contradicting-args', changed(('syscalls',), GOOD['syscalls'] + [
        {'names': ['read'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 3, 'op': 'SCMP_CMP_EQ'}]}]),
     '$.syscalls[4].names[0]: contradicting rule for read: an argument rule with SCMP_ACT_ERRNO'),
]


def test_good_profile_passes():
    V.check(GOOD)


@pytest.mark.parametrize('data,message', [(d, m) for _i, d, m in BAD], ids=[i for i, _d, _m in BAD])
def test_each_problem_names_its_json_path(data, message):
    with pytest.raises(V.ProfileError) as caught:
        V.check(data)
    assert str(caught.value).startswith(message), str(caught.value)
    assert '\n' not in str(caught.value)


def test_many_problems_are_counted():
    data = changed(('syscalls',), [{'names': [1, 2, 3], 'action': 'X'}])
    with pytest.raises(V.ProfileError, match=r'\(and 3 more problem\(s\)\)'):
        V.check(data)


def test_conditional_rules_may_overlap():
    data = changed(('syscalls',), GOOD['syscalls'] + [
        {'names': ['mount'], 'action': 'SCMP_ACT_ERRNO', 'excludes': {'caps': ['CAP_SYS_ADMIN']}},
        {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',
         'args': [{'index': 0, 'value': 0, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]}])
    V.check(data)


class FakeBinding(object):
    class Arch(object):
        X86_64 = 'x86_64'

    def __init__(self):
        self.asked = []

    def resolve_syscall(self, arch, name):
        self.asked.append((arch, name))
        return {'read': 0, 'open': 2, '_llseek': -10026}.get(name, -1)


def test_names_through_the_binding():
    binding = FakeBinding()
    check = V.NameCheck(binding=binding)
    assert check.source == 'python3-seccomp'
    assert check.knows('read') and check.knows('_llseek') and not check.knows('write')
    check.knows('read')
    assert binding.asked.count(('x86_64', 'read')) == 1  # cached


class FakeRunner(object):
    def __init__(self, answers, present=True):
        self.answers = answers
        self.present = present
        self.calls = []

    def which(self, name):
        return '/usr/bin/%s' % name if self.present else None

    def __call__(self, argv, timeout=None, check=True):
        self.calls.append(argv)
        return CommandResult(argv, 0, self.answers.get(argv[-1], '-1') + '\n', '')


def test_names_through_the_resolver_only_for_names_the_table_lacks():
    runner = FakeRunner({'new_call_2030': '999'})
    check = V.NameCheck(runner, use_binding=False)
    assert check.source == 'scmp_sys_resolver'
    assert check.knows('read') and check.knows('new_call_2030') and not check.knows('readd')
    assert [c[-1] for c in runner.calls] == ['new_call_2030', 'readd']
    assert runner.calls[0][:3] == ['/usr/bin/scmp_sys_resolver', '-a', 'x86_64']


def test_names_through_the_table_alone():
    check = V.NameCheck(FakeRunner({}, present=False), use_binding=False)
    assert check.source == 'table'
    assert check.knows('clone3') and not check.knows('new_call_2030')
    data = changed(('syscalls', 0, 'names'), ['read', 'reed'])
    with pytest.raises(V.ProfileError, match=r'^\$\.syscalls\[0\]\.names\[1\]: reed is not a syscall name libseccomp knows \(checked with table\)'):
        V.check(data, check)
