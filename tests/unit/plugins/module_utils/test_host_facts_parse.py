# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ansible_collections.gocompat.baseline.plugins.module_utils import host_facts_parse as P
from ansible_collections.gocompat.baseline.plugins.module_utils.tmp_mounts import parse_mountinfo


def mounts(*lines):
    return parse_mountinfo(''.join('%d 1 0:%d / %s rw - %s %s rw\n' % (i + 2, i, point, fstype, fstype)
                                   for i, (point, fstype) in enumerate(lines)))


@pytest.mark.parametrize('layout,version', [
    ([('/sys/fs/cgroup', 'cgroup2')], 'v2'),
    ([('/sys/fs/cgroup', 'tmpfs'), ('/sys/fs/cgroup/pids', 'cgroup'), ('/sys/fs/cgroup/unified', 'cgroup2')], 'hybrid'),
    ([('/sys/fs/cgroup', 'tmpfs'), ('/sys/fs/cgroup/pids', 'cgroup')], 'v1'),
    ([('/', 'ext4')], 'none'),
    # a cgroup2 mounted over an older tmpfs layout: the last mount at the path is what processes see
    ([('/sys/fs/cgroup', 'tmpfs'), ('/sys/fs/cgroup/pids', 'cgroup'), ('/sys/fs/cgroup', 'cgroup2')], 'v2'),
])
def test_cgroup_layout(layout, version):
    assert P.cgroup_layout(mounts(*layout))[0] == version


@pytest.mark.parametrize('setting,value', [('15%', 150), ('33.5%', 335), ('infinity', 'max'), ('2048', 2048)])
def test_tasks_max_against_the_smaller_kernel_limit(setting, value):
    assert P.tasks_max_value(setting, 4194304, 1000) == value


def test_a_percentage_without_kernel_limits_is_unknown():
    assert P.tasks_max_value('15%', None, None) is None


@pytest.mark.parametrize('text,value', [('max\n', 'max'), ('8192\n', 8192), ('', None), ('-1', None), ('1e9', None)])
def test_parse_pids_max(text, value):
    assert P.parse_pids_max(text) == value


def test_own_cgroup_per_version():
    text = '12:pids:/user.slice/user-1000.slice\n1:name=systemd:/x\n0::/user.slice/session-2.scope\n'
    assert P.own_cgroup(text, True) == '/user.slice/session-2.scope'
    assert P.own_cgroup(text, False) == '/user.slice/user-1000.slice'
    assert P.own_cgroup('garbage', True) is None


def test_passwd_keeps_root_and_regular_accounts():
    text = ('root:x:0:0:root:/root:/bin/bash\nsshd:x:105:65534::/run/sshd:/usr/sbin/nologin\n'
            'nobody:x:65534:65534::/nonexistent:/usr/sbin/nologin\ndev:x:1000:1000::/home/dev:/bin/bash\n'
            'odd:x:1001:1001::relative:/bin/sh\n')
    assert P.parse_passwd(text) == [('root', 0, '/root'), ('dev', 1000, '/home/dev')]


def test_go_env_settings_last_wins_and_comments_are_ignored():
    assert P.parse_go_env_settings('# c\nGOFLAGS=-a\nGOFLAGS=-b\nlower=1\n=x\nGOPROXY=off') == {
        'GOFLAGS': '-b', 'GOPROXY': 'off'}


def test_seccomp_modes():
    assert P.parse_seccomp('Seccomp:\t2\nSeccomp_filters:\t3\n') == (2, 3)
    assert P.seccomp_finding(0, 0)[0] == 'pass'
    assert P.seccomp_finding(None, None)[0] == 'skip'
    status, _e, actual, _s, remediation = P.seccomp_finding(1, None)
    assert status == 'fail' and 'strict' in actual and remediation


def test_pids_finding_names_each_low_limit():
    pids = {'login': 100, 'login_source': '/sys/fs/cgroup/user.slice/user-1000.slice/pids.max',
            'service': 'max', 'service_source': '/etc/systemd/system.conf:3 DefaultTasksMax=infinity',
            'process': None, 'process_source': ''}
    status, _e, actual, source, remediation = P.pids_finding(pids)
    assert status == 'fail' and 'login session: 100' in actual and 'this process: unknown' in actual
    assert source == '/etc/systemd/system.conf:3, /sys/fs/cgroup/user.slice/user-1000.slice/pids.max'
    assert 'user_tasks_max' in remediation and 'default_tasks_max' not in remediation


def test_pids_finding_with_nothing_known_is_skip():
    pids = dict((k, None) for k in ('login', 'service', 'process'))
    pids.update(dict((k + '_source', '') for k in ('login', 'service', 'process')))
    assert P.pids_finding(pids)[0] == 'skip'


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_parsers_of_host_text_never_fail_nor_pass_control_characters(text):
    found = list(P.parse_env_output(text).items()) + list(P.parse_go_env_settings(text).items())
    for key, value in found:
        assert all(c.isprintable() for c in key + value), (key, value)
    for _name, uid, home in P.parse_passwd(text):
        assert (uid == 0 or 1000 <= uid < 65534) and home.startswith('/')
    mode, filters = P.parse_seccomp(text)
    assert mode is None or isinstance(mode, int)
    assert P.parse_pids_max(text) in ('max', None) or isinstance(P.parse_pids_max(text), int)
