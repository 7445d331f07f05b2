# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_facts takes one option (sdk_root): any other option, or a sdk_root that is not an absolute path, is one
clean error line naming it. Hostile /proc, /sys, /etc and home states end in a correct answer ("unknown" where
nothing can be read), never a failure or a hang."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from harness.rooted_host import RootedHost

from ansible_collections.gocompat.baseline.plugins.module_utils.command import Runner


def rooted(root, out='PATH=/usr/bin:/bin\n', rc=0):
    """A RootedHost whose login shell is a fake (its output is ``out``)."""
    host = RootedHost(root)
    host._runner = Runner(execute=lambda argv, env, cwd, data: (rc, out, ''))  # pylint: disable=protected-access
    return host


OPTIONS = [
    {'systemd': True}, {'gather_subset': ['all']}, {'path': '/proc/1/comm'}, {'root': '/'}, {'wsl': 'yes'},
    {'filter': '*'}, {'timeout': 5}, {'': 1}, {'systemd_pid1': False}, {'host': {}},
]


@pytest.mark.parametrize('params', OPTIONS, ids=[list(p)[0] or 'empty-name' for p in OPTIONS])
def test_any_option_is_refused(run_module, tmp_path, params):
    host = rooted(tmp_path)
    result = run_module('host_facts', params, host=host)
    assert result.failed and 'Unsupported parameters' in result['msg']
    assert (list(params)[0] or "''") in result['msg'] or list(params)[0] == ''


def fifo(path):
    os.makedirs(os.path.dirname(path))
    os.mkfifo(path)


def directory(path):
    os.makedirs(path)


def dangling(path):
    os.makedirs(os.path.dirname(path))
    os.symlink('/nonexistent/systemd', path)


def data(content):
    def make(path):
        os.makedirs(os.path.dirname(path))
        with open(path, 'wb') as handle:
            handle.write(content)
    return make


COMM = '/proc/1/comm'
RELEASE = '/proc/sys/kernel/osrelease'

STATES = [
    ('comm-missing', {}, dict(pid1='', systemd_pid1=False)),
    ('comm-empty', {COMM: data(b'')}, dict(pid1='', systemd_pid1=False)),
    ('comm-fifo', {COMM: fifo}, dict(pid1='', systemd_pid1=False)),
    ('comm-directory', {COMM: directory}, dict(pid1='', systemd_pid1=False)),
    ('comm-binary', {COMM: data(b'\xff\xfesys\x00temd\n')}, dict(systemd_pid1=False)),
    ('comm-huge', {COMM: data(b'systemd' * 300000)}, dict(pid1='', systemd_pid1=False)),
    ('comm-systemd-with-spaces', {COMM: data(b'  systemd  \n')}, dict(pid1='systemd', systemd_pid1=True)),
    ('comm-similar-name', {COMM: data(b'systemd-journal\n')}, dict(systemd_pid1=False)),
    ('release-missing', {}, dict(kernel_release='', wsl=False)),
    ('release-fifo', {RELEASE: fifo}, dict(kernel_release='', wsl=False)),
    ('release-wsl1', {RELEASE: data(b'4.4.0-19041-Microsoft\n')}, dict(wsl=True)),
    ('release-multiline', {RELEASE: data(b'6.1.0\nmicrosoft\n')}, dict(kernel_release='6.1.0', wsl=False)),
    ('systemd-binary-is-a-directory', {'/lib/systemd/systemd': directory}, dict(systemd_installed=True)),
    ('systemd-binary-dangling-link', {'/usr/lib/systemd/systemd': dangling}, dict(systemd_installed=False)),
    ('release-huge', {RELEASE: data(b'6' * (2 << 20))}, dict(kernel_release='', wsl=False)),
    ('release-wsl-in-capitals', {RELEASE: data(b'5.15.0-WSL2-CUSTOM\n')}, dict(wsl=True)),
    ('user-unit-without-systemd', {'/usr/lib/systemd/system/user@.service': data(b'')},
     dict(systemd_installed=False, systemd_user_manager=False)),
]


@pytest.mark.parametrize('make,expected', [(m, e) for _i, m, e in STATES], ids=[i for i, _m, _e in STATES])
def test_hostile_host_states_give_a_correct_answer(run_module, tmp_path, make, expected):
    host = rooted(tmp_path / 'root')
    os.makedirs(host.root)
    for path, maker in make.items():
        maker(host.p(path))
    result = run_module('host_facts', {}, host=host)
    assert not result.failed, result['msg']
    for key, value in expected.items():
        assert result['host'][key] == value, (key, result['host'])
    assert result['changed'] is False
    assert all('\n' not in f['actual'] for f in result['findings'])


SDK_ROOTS = [('relative', 'usr/local/lib/go'), ('dot', '.'), ('nul', '/opt/\x00go'), ('newline', '/opt/go\nx'),
             ('list', ['/opt/go'])]


@pytest.mark.parametrize('value', [v for _i, v in SDK_ROOTS], ids=[i for i, _v in SDK_ROOTS])
def test_a_bad_sdk_root_is_one_line_naming_it(run_module, tmp_path, value):
    host = rooted(tmp_path)
    result = run_module('host_facts', {'sdk_root': value}, host=host)
    # ansible-core 2.21 refuses a NUL itself (it cannot log the call); its msg_to_log names the parameter
    assert result.failed and 'sdk_root' in result['msg'] + result.get('msg_to_log', '')


MOUNTINFO = '/proc/self/mountinfo'
STATUS = '/proc/self/status'
PASSWD = '/etc/passwd'

FACT_STATES = [
    ('mountinfo-garbage', {MOUNTINFO: data(b'not a mountinfo line\n')}, lambda f: f['cgroup']['version'] == 'none'),
    ('mountinfo-binary', {MOUNTINFO: data(b'\xff\x00' * 100)}, lambda f: f['tmp']['mounted'] is False),
    ('mountinfo-fifo', {MOUNTINFO: fifo}, lambda f: f['cgroup']['version'] == 'none'),
    ('status-seccomp-words', {STATUS: data(b'Seccomp:\tfilter\n')}, lambda f: f['seccomp']['mode'] is None),
    ('status-seccomp-unknown-mode', {STATUS: data(b'Seccomp:\t7\n')}, lambda f: f['seccomp']['name'] == 'unknown'),
    ('passwd-garbage', {PASSWD: data(b'::::\nroot\n\xff:x:0:0::relative:/bin/sh\n')}, lambda f: f['user_goenv'] == []),
    ('pids-max-huge', {'/proc/self/cgroup': data(b'0::/x\n'), '/sys/fs/cgroup/x/pids.max': data(b'9' * 40)},
     lambda f: f['pids_max']['process'] is None or f['pids_max']['process_source'] != '/sys/fs/cgroup/x/pids.max'),
    ('cgroup-path-escapes', {'/proc/self/cgroup': data(b'0::/../../../etc\n'), '/etc/pids.max': data(b'5\n')},
     lambda f: f['pids_max']['process'] != 5),
    ('pid-max-negative', {'/proc/sys/kernel/pid_max': data(b'-1\n')}, lambda f: f['pids_max']['kernel_pid_max'] is None),
    ('marker-not-json', {'/usr/local/lib/go/go1.27.3/.gocompat-sdk.json': data(b'{bad')}, lambda f: f['sdks'] == []),
    ('marker-a-list', {'/usr/local/lib/go/go1.27.3/.gocompat-sdk.json': data(b'[1]')}, lambda f: f['sdks'] == []),
    ('user-goenv-fifo', {PASSWD: data(b'dev:x:1000:1000::/home/dev:/bin/sh\n'), '/home/dev/.config/go/env': fifo},
     lambda f: f['user_goenv'] == []),
    ('user-goenv-binary', {PASSWD: data(b'dev:x:1000:1000::/home/dev:/bin/sh\n'),
                           '/home/dev/.config/go/env': data(b'GOFLAGS=\xff\x1b[31m\n')},
     lambda f: f['user_goenv'][0]['settings']['GOFLAGS'] == '\\xff\\x1b[31m'),
]


@pytest.mark.parametrize('make,check', [(m, c) for _i, m, c in FACT_STATES], ids=[i for i, _m, _c in FACT_STATES])
def test_hostile_fact_sources_give_a_correct_answer(run_module, tmp_path, make, check):
    host = rooted(tmp_path / 'root')
    os.makedirs(host.root)
    for path, maker in make.items():
        maker(host.p(path))
    before = host.tree()
    result = run_module('host_facts', {}, host=host)
    assert not result.failed, result['msg']
    assert check(result['ansible_facts']['gocompat']), result['ansible_facts']['gocompat']
    assert host.tree() == before


def test_login_shell_output_with_control_characters_is_quoted(run_module, tmp_path):
    host = rooted(tmp_path, out='GOFLAGS=-x\x1b]0;owned\x07\nNOT_GO=1\n')
    facts = run_module('host_facts', {}, host=host)['ansible_facts']['gocompat']
    assert facts['login_env'] == {'GOFLAGS': '-x\\x1b]0;owned\\x07'}
