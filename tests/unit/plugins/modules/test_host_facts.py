# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_facts through the run_module harness: read-only, same answer in check mode, one finding."""

from __future__ import absolute_import, division, print_function

import os

from harness.rooted_host import RootedHost


def make_host(tmp_path, comm='systemd\n', release='6.1.0-28-amd64\n', files=()):
    host = RootedHost(tmp_path / 'root')
    if comm is not None:
        host.write('/proc/1/comm', comm)
    if release is not None:
        host.write('/proc/sys/kernel/osrelease', release)
    for path in files:
        host.write(path, '')
    return host


def test_systemd_host(run_module, tmp_path):
    host = make_host(tmp_path, files=('/lib/systemd/systemd', '/lib/systemd/system/user@.service'))
    before = host.tree()
    result = run_module('host_facts', {}, host=host)
    assert result['changed'] is False
    assert result['host'] == {'systemd_pid1': True, 'pid1': 'systemd', 'systemd_installed': True,
                              'systemd_user_manager': True, 'kernel_release': '6.1.0-28-amd64', 'wsl': False}
    assert [(f['control'], f['status'], f['source']) for f in result['findings']] == [('host.systemd', 'pass', '/proc/1/comm')]
    assert host.tree() == before


def test_check_mode_gives_the_same_answer(run_module, tmp_path):
    host = make_host(tmp_path, comm='sleep\n', files=('/usr/lib/systemd/systemd',))
    real = run_module('host_facts', {}, host=host)
    check = run_module('host_facts', {}, check_mode=True, diff=True, host=host)
    assert check['host'] == real['host'] and check['findings'] == real['findings']
    assert check['changed'] is False and check['diff'] == []
    assert real['findings'][0]['status'] == 'skip'


def test_the_real_host_answers_without_failing(run_module):
    # this machine: whatever it runs, the answer is well formed and PID 1 is named
    result = run_module('host_facts', {})
    assert not result.failed and result['host']['pid1'] and result['host']['kernel_release']
    assert result['host']['kernel_release'] == open('/proc/sys/kernel/osrelease').read().strip()
    assert result['host']['systemd_pid1'] is (open('/proc/1/comm').read().strip() == 'systemd')
    assert os.path.exists('/proc/1/comm')
