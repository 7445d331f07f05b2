# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""seccomp_profile through its real main(): writing, check mode, diff, patching a host profile in place,
the OCI form, backups, and paths it refuses."""

from __future__ import absolute_import, division, print_function

import json
import os

import pytest

from harness.rooted_host import RootedHost

PATH = '/etc/gocompat/seccomp/go-tests.json'
HOST_PROFILE = {
    'defaultAction': 'SCMP_ACT_ERRNO',
    'defaultErrnoRet': 1,
    'archMap': [{'architecture': 'SCMP_ARCH_X86_64', 'subArchitectures': ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']}],
    'syscalls': [
        {'names': ['write', 'read', 'clone3', 'exit_group', 'getpid'], 'action': 'SCMP_ACT_ALLOW', 'args': [],
         'comment': '', 'includes': {}, 'excludes': {}},
        {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38, 'excludes': {'caps': ['CAP_SYS_ADMIN']}},
        {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}},
    ],
}


@pytest.fixture
def host(tmp_path):
    h = RootedHost(tmp_path / 'root')
    os.makedirs(h.p('/etc'))
    return h


def test_writes_the_builtin_profile_then_stays_put(run_module, host):
    result = run_module('seccomp_profile', dict(path=PATH), host=host)
    assert result['changed'] and result['changed_files'] == [PATH]
    assert result['created_dirs'] == ['/etc/gocompat', '/etc/gocompat/seccomp']
    assert oct(os.stat(host.p('/etc/gocompat/seccomp')).st_mode & 0o777) == '0o755'
    profile = json.loads(host.text(PATH))
    assert profile['defaultAction'] == 'SCMP_ACT_ERRNO'
    assert {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,
            'comment': 'go tests: glibc 2.34+ tries clone3 first and falls back to clone only on ENOSYS (ENOSYS)'} \
        in profile['syscalls']
    assert result['allowed_syscalls'] == 360 and result['format'] == 'docker'
    finding = result['findings'][0]
    assert finding['control'] == 'seccomp.profile' and finding['status'] == 'fixed' and finding['actual'] == 'absent'
    assert 'clone3 -> ENOSYS' in finding['expected'] and '360 syscalls' in finding['expected']
    before = host.tree()
    again = run_module('seccomp_profile', dict(path=PATH), host=host)
    assert not again['changed'] and again['changed_files'] == [] and again['created_dirs'] == []
    assert again['findings'][0]['status'] == 'pass' and again['findings'][0]['actual'] == 'the wanted profile'
    assert again['findings'][0]['source'] == PATH
    assert host.tree() == before


def test_check_mode_predicts_and_writes_nothing(run_module, host):
    before = host.tree()
    result = run_module('seccomp_profile', dict(path=PATH), check_mode=True, diff=True, host=host)
    assert result['changed'] and result['changed_files'] == [PATH]
    assert result['findings'][0]['status'] == 'fail' and 'write %s' % PATH in result['findings'][0]['remediation']
    assert host.tree() == before
    assert result['diff'][0]['after_header'] == PATH and '"SCMP_ACT_ERRNO"' in result['diff'][0]['after']
    real = run_module('seccomp_profile', dict(path=PATH), diff=True, host=host)
    assert real['diff'] == result['diff'] and real['changed_files'] == result['changed_files']


def test_a_changed_switch_rewrites_with_a_readable_diff(run_module, host):
    run_module('seccomp_profile', dict(path=PATH), host=host)
    result = run_module('seccomp_profile', dict(path=PATH, clone3='allow', ptrace=False), diff=True, host=host)
    assert result['changed'] and result['findings'][0]['status'] == 'fixed'
    assert result['findings'][0]['actual'].startswith('a different profile')
    profile = json.loads(host.text(PATH))
    assert not any('ptrace' in r['names'] for r in profile['syscalls'])
    assert {'names': ['clone3'], 'action': 'SCMP_ACT_ALLOW'} == dict((k, v) for k, v in [
        r for r in profile['syscalls'] if r['names'] == ['clone3']][0].items() if k != 'comment')


def test_patches_a_host_profile_in_place_idempotently(run_module, host):
    host.write('/etc/containers/seccomp.json', json.dumps(HOST_PROFILE))
    args = dict(path='/etc/containers/seccomp.json', base='file', base_path='/etc/containers/seccomp.json',
                extra_deny=['getpid'])
    result = run_module('seccomp_profile', args, host=host)
    assert result['changed'] and result['created_dirs'] == []
    profile = json.loads(host.text('/etc/containers/seccomp.json'))
    assert profile['syscalls'][0] == {'names': ['exit_group', 'read', 'write'], 'action': 'SCMP_ACT_ALLOW'}
    assert [r for r in profile['syscalls'] if 'clone3' in r['names']][0]['errnoRet'] == 38
    assert len([r for r in profile['syscalls'] if 'clone3' in r['names']]) == 1
    assert {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}} in profile['syscalls']
    assert not run_module('seccomp_profile', args, host=host)['changed']


def test_oci_form_and_backup(run_module, host):
    run_module('seccomp_profile', dict(path=PATH), host=host)
    old = host.text(PATH)
    result = run_module('seccomp_profile', dict(path=PATH, format='oci', arches=['amd64'], backup=True), host=host)
    assert result['changed'] and result['format'] == 'oci'
    backup = list(result['backup_files'].values())[0]
    with open(backup) as handle:
        assert handle.read() == old
    profile = json.loads(host.text(PATH))
    assert profile['architectures'] == ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32']
    assert 'archMap' not in profile and all('comment' not in r for r in profile['syscalls'])


def test_kill_process_default(run_module, host):
    run_module('seccomp_profile', dict(path=PATH, default_action='kill_process'), host=host)
    profile = json.loads(host.text(PATH))
    assert profile['defaultAction'] == 'SCMP_ACT_KILL_PROCESS' and 'defaultErrnoRet' not in profile


@pytest.mark.parametrize('make,word', [
    (lambda h: os.symlink('/etc/passwd', h.p(PATH)), 'a symlink'),
    (lambda h: os.mkdir(h.p(PATH)), 'a directory'),
    (lambda h: os.mkfifo(h.p(PATH)), 'not a regular file'),
])
def test_refuses_what_is_not_a_file_at_path(run_module, host, make, word):
    os.makedirs(host.p('/etc/gocompat/seccomp'))
    make(host)
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('seccomp_profile', dict(path=PATH), check_mode=check_mode, host=host)
        assert result.failed and ('path %s is %s' % (PATH, word)) in result['msg'], result['msg']
        assert host.tree() == before


def test_names_are_checked_and_the_checker_named(run_module, host):
    result = run_module('seccomp_profile', dict(path=PATH, extra_allow=['io_uring_setup']), host=host)
    assert result['name_check'] in ('python3-seccomp', 'scmp_sys_resolver', 'table')
    result = run_module('seccomp_profile', dict(path=PATH, extra_allow=['io_uring_setupp']), host=host)
    assert result.failed and 'io_uring_setupp is not a syscall name libseccomp knows' in result['msg']


def test_the_catalogued_expectation_is_what_the_module_emits(run_module, host):
    import re
    with open(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'docs', 'controls.md')) as handle:
        rows = dict(re.findall(r'^\| `([^`]+)` \| `([^`]+)` \|', handle.read(), re.MULTILINE))
    documented = re.escape(rows['seccomp.profile'])
    pattern = re.sub(r'\\<[^>]*\\>|<[^>]*>', '.+', documented)
    result = run_module('seccomp_profile', dict(path=PATH), check_mode=True, host=host)
    assert re.match(pattern + r'\Z', result['findings'][0]['expected']), (pattern, result['findings'][0]['expected'])
