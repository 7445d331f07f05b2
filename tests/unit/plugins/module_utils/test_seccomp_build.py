# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The seccomp profile builder: the built-in base, the Go-test switches, patching a host profile, the OCI form
and deterministic text."""

from __future__ import absolute_import, division, print_function

import json

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_build as B
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_syscalls as S
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V

ALL_ON = dict(clone=True, clone3='enosys', namespaces=True, personality=True, ptrace=True, memfd_create=True,
              pidfd=True, copy_file_range=True, rseq=True)
SWITCH_NAMES = sorted(n for _o, names, _w in B.SWITCHES for n in names)

# A profile in the shape containers-common and Docker ship: conditional rules by capability and architecture.
HOST_PROFILE = {
    'defaultAction': 'SCMP_ACT_ERRNO',
    'defaultErrnoRet': 1,
    'archMap': [{'architecture': 'SCMP_ARCH_X86_64', 'subArchitectures': ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']},
                {'architecture': 'SCMP_ARCH_PPC64LE', 'subArchitectures': None}],
    'syscalls': [
        {'names': ['write', 'read', 'clone3', 'getpid'], 'action': 'SCMP_ACT_ALLOW', 'args': [], 'comment': '',
         'includes': {}, 'excludes': {}},
        {'names': ['clone'], 'action': 'SCMP_ACT_ALLOW',
         'args': [{'index': 0, 'value': 2114060288, 'valueTwo': 0, 'op': 'SCMP_CMP_MASKED_EQ'}],
         'excludes': {'caps': ['CAP_SYS_ADMIN']}},
        {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38, 'excludes': {'caps': ['CAP_SYS_ADMIN']}},
        {'names': ['mount', 'umount2'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}},
        {'names': ['arch_prctl'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'arches': ['amd64', 'x32']}},
        {'name': 'personality', 'action': 'SCMP_ACT_ALLOW',
         'args': [{'index': 0, 'value': 0, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]},
    ],
}


def rules_for(profile, name):
    return [r for r in profile['syscalls'] if name in V.rule_names(r)]


def test_builtin_base_is_deny_by_default_for_both_arches():
    profile = B.builtin(['amd64', 'arm64'])
    assert profile['defaultAction'] == 'SCMP_ACT_ERRNO' and profile['defaultErrnoRet'] == 1
    assert profile['archMap'] == [
        {'architecture': 'SCMP_ARCH_X86_64', 'subArchitectures': ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']},
        {'architecture': 'SCMP_ARCH_AARCH64', 'subArchitectures': ['SCMP_ARCH_ARM']}]
    V.check(profile)
    names = B.allowed_names(profile)
    assert 330 <= len(names) <= 400, len(names)  # about what container runtimes allow by default
    assert 'read' in names and 'epoll_pwait' in names and 'sched_getaffinity' in names
    for dangerous in ('mount', 'reboot', 'kexec_load', 'init_module', 'bpf', 'perf_event_open', 'swapon',
                      'settimeofday', 'io_uring_setup', 'keyctl', 'add_key'):
        assert dangerous not in names, dangerous
    assert not set(SWITCH_NAMES) & set(S.base_names()), 'the switches own these names'


def test_builtin_arch_groups_follow_the_arches():
    amd = B.builtin(['amd64'])
    arm = B.builtin(['arm64'])
    assert [e['architecture'] for e in amd['archMap']] == ['SCMP_ARCH_X86_64']
    assert rules_for(amd, 'arch_prctl')[0]['includes'] == {'arches': ['amd64', 'x32', 'x86']}
    assert not rules_for(amd, 'set_tls') and not rules_for(arm, 'arch_prctl')
    assert rules_for(arm, 'set_tls')[0]['includes'] == {'arches': ['arm', 'arm64']}


def test_every_base_name_is_known_to_libseccomp_on_some_arch():
    for name in S.base_names() + [n for g in S.ARCH_GROUPS for n in g[3].split()] + SWITCH_NAMES:
        assert name in S.ALL_KNOWN, name


def test_table_per_arch_facts():
    assert 'open' in S.KNOWN['SCMP_ARCH_X86_64'] and 'open' not in S.KNOWN['SCMP_ARCH_AARCH64']
    assert 'arch_prctl' in S.KNOWN['SCMP_ARCH_X86_64'] and '_llseek' in S.KNOWN['SCMP_ARCH_X86']
    assert all('clone3' in names for names in S.KNOWN.values())


def test_additions_with_every_switch():
    rules = B.additions(ALL_ON)
    clone3 = [r for r in rules if r['names'] == ['clone3']]
    assert clone3 == [{'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,
                       'comment': 'go tests: glibc 2.34+ tries clone3 first and falls back to clone only on ENOSYS (ENOSYS)'}]
    persona = [r['args'][0]['value'] for r in rules if r['names'] == ['personality']]
    assert 0x40000 in persona and 0xffffffff in persona and 0 in persona
    assert sorted(n for r in rules for n in r['names'] if r['action'] == 'SCMP_ACT_ALLOW' and not r.get('args')) == \
        sorted(set(SWITCH_NAMES) - {'clone3', 'personality'})


@pytest.mark.parametrize('option', sorted(ALL_ON))
def test_each_switch_turns_off_alone(option):
    rules = B.additions(dict(ALL_ON, **{option: False}))
    names = set(n for r in rules for n in r['names'])
    assert not names & set(B.SWITCH_NAMES[option])
    assert names == set(SWITCH_NAMES) - set(B.SWITCH_NAMES[option])


def test_clone3_allow_and_extras():
    rules = B.additions(dict(ALL_ON, clone3='allow'), ['io_uring_setup'], ['userfaultfd'])
    assert {'names': ['clone3'], 'action': 'SCMP_ACT_ALLOW',
            'comment': 'go tests: glibc 2.34+ tries clone3 first and falls back to clone only on ENOSYS'} in rules
    assert rules[-2] == {'names': ['io_uring_setup'], 'action': 'SCMP_ACT_ALLOW', 'comment': 'extra allow'}
    assert rules[-1] == {'names': ['userfaultfd'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1,
                         'comment': 'extra deny (EPERM)'}


@pytest.mark.parametrize('allow,deny,switches,word', [
    (['ptrace'], [], ALL_ON, 'extra_allow lists ptrace, which the switch ptrace manages'),
    ([], ['clone3'], ALL_ON, 'extra_deny lists clone3, which clone3=enosys allows'),
    (['read'], ['read'], ALL_ON, 'extra_allow and extra_deny both list read'),
])
def test_option_conflicts(allow, deny, switches, word):
    assert word in B.option_conflicts(switches, allow, deny)[0]


def test_no_conflict_when_the_switch_is_off():
    assert B.option_conflicts(dict(ALL_ON, ptrace=False), [], ['ptrace']) == []


def test_patch_takes_managed_names_out_and_keeps_the_rest():
    out = B.patch(HOST_PROFILE, ALL_ON, ['io_uring_enter'], ['getpid'])
    V.check(out)
    assert out['archMap'] == HOST_PROFILE['archMap']
    assert out['syscalls'][0] == {'names': ['read', 'write'], 'action': 'SCMP_ACT_ALLOW'}
    # the capability rules for clone and clone3 are gone: the switches decide for every container
    assert [r['action'] for r in rules_for(out, 'clone3')] == ['SCMP_ACT_ERRNO']
    assert rules_for(out, 'clone3')[0]['errnoRet'] == 38 and 'excludes' not in rules_for(out, 'clone3')[0]
    assert rules_for(out, 'clone') == [r for r in B.additions(ALL_ON) if r['names'] == ['clone']]
    assert rules_for(out, 'mount') == [{'names': ['mount', 'umount2'], 'action': 'SCMP_ACT_ALLOW',
                                        'includes': {'caps': ['CAP_SYS_ADMIN']}}]
    assert rules_for(out, 'getpid')[0]['action'] == 'SCMP_ACT_ERRNO'
    assert len(rules_for(out, 'personality')) == len(B.PERSONALITY)


def test_patch_keeps_containers_common_errno_names_and_other_arch_names():
    base = dict(HOST_PROFILE, defaultErrnoRet=38, defaultErrno='ENOSYS', syscalls=HOST_PROFILE['syscalls'] + [
        {'names': ['swapcontext', 'userfaultfd'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1, 'errno': 'EPERM'}])
    V.check(base, V.NameCheck(use_binding=False))   # swapcontext: a ppc name the table knows too
    out = B.patch(base, ALL_ON)
    assert list(out)[:3] == ['defaultAction', 'defaultErrnoRet', 'defaultErrno'] and out['defaultErrno'] == 'ENOSYS'
    assert out['syscalls'][-len(B.additions(ALL_ON)) - 1] == {
        'names': ['swapcontext', 'userfaultfd'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1, 'errno': 'EPERM'}
    replaced = B.patch(base, ALL_ON, default_errno=1)
    assert replaced['defaultErrnoRet'] == 1 and 'defaultErrno' not in replaced
    assert 'defaultErrno' not in B.to_oci(B.patch(dict(base, syscalls=[]), ALL_ON))


def test_patch_with_switches_off_keeps_the_base_rules():
    off = dict((k, False) for k in ALL_ON)
    out = B.patch(HOST_PROFILE, off)
    assert len(rules_for(out, 'clone3')) == 2
    assert rules_for(out, 'personality') == [{'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',
                                              'args': [{'index': 0, 'value': 0, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]}]


def test_patch_adds_missing_arches_and_default():
    out = B.patch(HOST_PROFILE, ALL_ON, arches=['amd64', 'arm64'], default_action='SCMP_ACT_KILL_PROCESS')
    assert [e['architecture'] for e in out['archMap']] == ['SCMP_ARCH_X86_64', 'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_AARCH64']
    assert out['defaultAction'] == 'SCMP_ACT_KILL_PROCESS' and 'defaultErrnoRet' not in out
    out = B.patch(HOST_PROFILE, ALL_ON, default_errno=13)
    assert out['defaultErrnoRet'] == 13


def test_patching_own_output_is_idempotent():
    first = B.render(B.patch(B.builtin(['amd64']), ALL_ON, ['io_uring_setup'], ['userfaultfd']))
    again = B.render(B.patch(json.loads(first), ALL_ON, ['io_uring_setup'], ['userfaultfd']))
    assert first == again


NAMES = st.lists(st.sampled_from(sorted(S.ALL_KNOWN - set(SWITCH_NAMES))), max_size=6, unique=True)


@settings(max_examples=40, deadline=None)
@given(allow=NAMES, deny=NAMES, switches=st.fixed_dictionaries(dict(
    (k, st.sampled_from(['enosys', 'allow', None]) if k == 'clone3' else st.booleans()) for k in ALL_ON)),
    arches=st.sampled_from([['amd64'], ['arm64'], ['amd64', 'arm64']]))
def test_property_valid_deterministic_and_idempotent(allow, deny, switches, arches):
    deny = [n for n in deny if n not in allow]
    profile = B.patch(B.builtin(arches), switches, sorted(allow), sorted(deny))
    V.check(profile)
    text = B.render(profile)
    assert text.endswith('}\n') and text == B.render(json.loads(text))
    for rule in profile['syscalls']:
        assert rule['names'] == sorted(rule['names'])
    assert B.render(B.patch(json.loads(text), switches, sorted(allow), sorted(deny))) == text
    allowed = set(B.allowed_names(profile))
    assert not allowed & set(deny) and allowed >= set(allow)


def test_oci_form():
    oci = B.to_oci(B.patch(B.builtin(['amd64']), ALL_ON))
    assert list(oci) == ['defaultAction', 'defaultErrnoRet', 'architectures', 'syscalls']
    assert oci['architectures'] == ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']
    assert all(set(r) <= {'names', 'action', 'errnoRet', 'args'} for r in oci['syscalls'])
    assert any('arch_prctl' in r['names'] for r in oci['syscalls'])
    assert {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38} in oci['syscalls']


def test_oci_drops_rules_of_other_arches_and_refuses_capabilities():
    both = dict(B.patch(B.builtin(['amd64']), ALL_ON))
    both['syscalls'] = both['syscalls'] + [{'names': ['set_tls'], 'action': 'SCMP_ACT_ALLOW',
                                            'includes': {'arches': ['arm']}}]
    assert not any('set_tls' in r['names'] for r in B.to_oci(both)['syscalls'])
    with pytest.raises(V.ProfileError, match=r'\$\.syscalls\[1\]\.excludes\.caps: the OCI form has no capability'):
        B.to_oci(HOST_PROFILE)


def test_render_is_stable_text():
    text = B.render(B.builtin(['amd64']))
    assert text.startswith('{\n  "defaultAction": "SCMP_ACT_ERRNO",\n  "defaultErrnoRet": 1,\n  "archMap": [\n')
    assert text.endswith('\n}\n') and text.isascii() and '\t' not in text and ' \n' not in text
