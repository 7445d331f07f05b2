# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_facts takes no options: any option is one clean error line naming it. Hostile /proc and /lib states end
in a correct answer ("unknown" where nothing can be read), never a failure or a hang."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from harness.rooted_host import RootedHost

OPTIONS = [
    {'systemd': True}, {'gather_subset': ['all']}, {'path': '/proc/1/comm'}, {'root': '/'}, {'wsl': 'yes'},
    {'filter': '*'}, {'timeout': 5}, {'': 1}, {'systemd_pid1': False}, {'host': {}},
]


@pytest.mark.parametrize('params', OPTIONS, ids=[list(p)[0] or 'empty-name' for p in OPTIONS])
def test_any_option_is_refused(run_module, tmp_path, params):
    host = RootedHost(tmp_path)
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
    host = RootedHost(tmp_path / 'root')
    os.makedirs(host.root)
    for path, maker in make.items():
        maker(host.p(path))
    result = run_module('host_facts', {}, host=host)
    assert not result.failed, result['msg']
    for key, value in expected.items():
        assert result['host'][key] == value, (key, result['host'])
    assert result['changed'] is False
    assert '\n' not in result['findings'][0]['actual']
