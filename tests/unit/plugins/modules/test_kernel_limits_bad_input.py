# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy options and host states for kernel_limits: each ends in one clean error line naming the
parameter or the path (and the host byte-identical), or in a correct success."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from harness.rooted_host import RootedHost

LIMITS = '/etc/security/limits.d/90-gocompat-baseline.conf'
SYSTEM = '/etc/systemd/system.conf.d/90-gocompat-baseline.conf'
SLICE = '/etc/systemd/system/user-.slice.d/90-gocompat-baseline.conf'
GOOD = dict(nofile_soft=65536, nofile_hard=524288, default_tasks_max='80%', user_tasks_max='80%')


@pytest.fixture
def host(tmp_path):
    h = RootedHost(tmp_path / 'root')
    os.makedirs(h.p('/etc/security/limits.d'))
    os.makedirs(h.p('/etc/systemd/system'))
    h.write('/usr/lib/systemd/systemd', '')
    h.write('/proc/sys/fs/nr_open', '1048576\n')
    return h


def changes(params):
    return dict(GOOD, **params)


# (id, params, words the one-line message must contain)
REJECTED = [
    ('soft-without-hard', dict(nofile_soft=1024, nofile_hard=None, default_tasks_max=None, user_tasks_max=None),
     ['nofile_soft', 'nofile_hard']),
    ('hard-without-soft', changes(dict(nofile_soft=None)), ['nofile_soft', 'nofile_hard']),
    ('soft-above-hard', changes(dict(nofile_soft=600000)), ['nofile_soft=600000', 'nofile_hard=524288']),
    ('soft-zero', changes(dict(nofile_soft=0)), ['positive']),
    ('hard-negative', changes(dict(nofile_soft=-5, nofile_hard=-1)), ['positive']),
    ('hard-above-linux-max', changes(dict(nofile_hard=2 ** 31)), ['nofile_hard=2147483648']),
    ('hard-above-host-nr-open', changes(dict(nofile_hard=2000000)), ['nofile_hard=2000000', 'fs.nr_open=1048576']),
    ('soft-not-a-number', changes(dict(nofile_soft='lots')), ['nofile_soft']),
    ('soft-boolean', changes(dict(nofile_soft=True)), ['nofile_soft', 'boolean']),
    ('soft-fraction', changes(dict(nofile_soft=1.5)), ['nofile_soft']),
    ('tasks-zero-percent', changes(dict(default_tasks_max='0%')), ['default_tasks_max']),
    ('tasks-above-100-percent', changes(dict(default_tasks_max='101%')), ['default_tasks_max']),
    ('tasks-word', changes(dict(user_tasks_max='lots')), ['user_tasks_max']),
    ('tasks-inner-space', changes(dict(user_tasks_max='80 %')), ['user_tasks_max']),
    ('tasks-negative', changes(dict(default_tasks_max='-5')), ['default_tasks_max']),
    ('tasks-boolean', changes(dict(default_tasks_max=True)), ['default_tasks_max']),
    ('tasks-injected-line', changes(dict(user_tasks_max='80%\nDefaultLimitNOFILE=1')), ['user_tasks_max']),
    ('limits-path-relative', changes(dict(limits_path='limits.d/x.conf')), ['limits_path']),
    ('limits-path-limits-conf', changes(dict(limits_path='/etc/security/limits.conf')), ['limits_path']),
    ('limits-path-not-conf', changes(dict(limits_path='/etc/security/limits.d/90-go')), ['limits_path', '.conf']),
    ('limits-path-dotdot', changes(dict(limits_path='/etc/security/limits.d/../x.conf')), ['limits_path']),
    ('limits-path-hidden', changes(dict(limits_path='/etc/security/limits.d/.x.conf')), ['limits_path']),
    ('limits-path-subdir', changes(dict(limits_path='/etc/security/limits.d/a/x.conf')), ['limits_path']),
    ('dropin-name-traversal', changes(dict(dropin_name='../system.conf')), ['dropin_name']),
    ('dropin-name-empty', changes(dict(dropin_name='')), ['dropin_name']),
    ('dropin-name-newline', changes(dict(dropin_name='x.conf\n')), ['dropin_name']),
    ('dropin-name-not-conf', changes(dict(dropin_name='90-gocompat')), ['dropin_name']),
    ('unknown-option', changes(dict(nofile=1024)), ['nofile']),
    ('nothing-to-manage', {}, ['nothing to manage']),
    ('systemd-not-a-boolean', changes(dict(systemd='maybe')), ['systemd']),
    ('backup-not-a-boolean', changes(dict(backup='sometimes')), ['backup']),
]


@pytest.mark.parametrize('params,words', [(p, w) for _i, p, w in REJECTED], ids=[i for i, _p, _w in REJECTED])
def test_bad_options_fail_cleanly_and_change_nothing(run_module, host, params, words):
    params = dict((k, v) for k, v in params.items() if v is not None)
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('kernel_limits', params, check_mode=check_mode, host=host)
        assert result.failed, result
        for word in words:
            assert word in result['msg'], result['msg']
        assert host.tree() == before


def test_number_given_for_tasks_max_is_a_task_count(run_module, host):
    result = run_module('kernel_limits', changes(dict(default_tasks_max=4096)), host=host)
    assert not result.failed
    assert 'DefaultTasksMax=4096\n' in host.text(SYSTEM)


def test_infinity_in_capitals_is_normalised(run_module, host):
    run_module('kernel_limits', changes(dict(user_tasks_max='INFINITY')), host=host)
    assert host.text(SLICE).endswith('TasksMax=infinity\n')
    assert run_module('kernel_limits', changes(dict(user_tasks_max='infinity')), host=host)['changed'] is False


@pytest.mark.parametrize('make,what', [
    (lambda h: os.makedirs(h.p(SYSTEM)), 'a directory'),
    (lambda h: os.symlink('/etc/passwd', h.p(LIMITS)), 'a symlink'),
    (lambda h: os.mkfifo(h.p(LIMITS)), 'not a regular file'),
    (lambda h: h.write(LIMITS, '* soft nofile 1024\n'), 'header'),
], ids=['directory', 'symlink', 'fifo', 'foreign-file'])
def test_something_else_at_a_managed_path_is_refused(run_module, host, make, what):
    os.makedirs(host.p('/etc/systemd/system.conf.d'))
    make(host)
    before = host.tree()
    result = run_module('kernel_limits', GOOD, host=host)
    assert result.failed and what in result['msg'] and 'nothing was changed' in result['msg']
    assert host.tree() == before


def test_parent_of_a_dropin_dir_is_a_regular_file(run_module, host):
    os.rmdir(host.p('/etc/systemd/system'))
    host.write('/etc/systemd/system', 'not a directory\n')
    before = host.tree()
    result = run_module('kernel_limits', GOOD, host=host)
    assert result.failed
    assert '/etc/systemd/system' in result['msg'] and 'undone' in result['msg']
    assert host.tree() == before


def test_unreadable_files_of_others_are_ignored_with_a_warning(run_module, host):
    os.mkfifo(host.p('/etc/security/limits.d/50-fifo.conf'))
    host.write('/etc/security/limits.d/60-huge.conf', '#' * (1 << 20) + '\n')
    with open(host.p('/etc/security/limits.d/70-binary.conf'), 'wb') as handle:
        handle.write(b'\xff\xfe* soft nofile \x00 1\n* hard nofile 12\xe9\n')
    result = run_module('kernel_limits', GOOD, host=host)
    assert not result.failed
    assert any('50-fifo.conf' in w for w in result['warnings'])
    assert any('60-huge.conf' in w for w in result['warnings'])
    assert dict((f['control'], f['status']) for f in result['findings'])['limits.nofile'] == 'fixed'


def test_file_names_with_control_characters_are_quoted(run_module, host):
    host.write('/etc/security/limits.d/99-a\nb.conf', '* soft nofile 10\n')
    result = run_module('kernel_limits', GOOD, check_mode=True, host=host)
    finding = [f for f in result['findings'] if f['control'] == 'limits.nofile'][0]
    assert '\n' not in finding['actual'] and '\n' not in finding['remediation']
    assert '99-a\\x0ab.conf' in finding['actual']


@pytest.mark.parametrize('content', [None, 'garbage\n', ''], ids=['missing', 'garbage', 'empty'])
def test_unknown_nr_open_skips_that_check(run_module, host, content):
    if content is None:
        os.unlink(host.p('/proc/sys/fs/nr_open'))
    else:
        host.write('/proc/sys/fs/nr_open', content)
    result = run_module('kernel_limits', GOOD, host=host)
    assert not result.failed


def test_managed_file_too_large_fails_naming_it(run_module, host):
    host.write(LIMITS, '# Managed by gocompat.baseline\n' + '#' * (1 << 20))
    before = host.tree()
    result = run_module('kernel_limits', GOOD, host=host)
    assert result.failed and LIMITS in result['msg']
    assert host.tree() == before
