# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""kernel_limits through the run_module harness against a host rooted in a test directory: what is in force
(other files that win by order), check mode predicting the real run, idempotence, refusal of foreign files,
rollback."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from harness.rooted_host import RootedHost

LIMITS = '/etc/security/limits.d/90-gocompat-baseline.conf'
SYSTEM = '/etc/systemd/system.conf.d/90-gocompat-baseline.conf'
USER = '/etc/systemd/user.conf.d/90-gocompat-baseline.conf'
SLICE = '/etc/systemd/system/user-.slice.d/90-gocompat-baseline.conf'
PARAMS = dict(nofile_soft=65536, nofile_hard=524288, default_tasks_max='80%', user_tasks_max='80%')


@pytest.fixture
def host(tmp_path):
    """A Debian-like host: pam limits.conf, systemd installed with its shipped user-slice defaults."""
    h = RootedHost(tmp_path / 'root')
    os.makedirs(h.p('/etc/security/limits.d'))
    os.makedirs(h.p('/etc/systemd/system'))
    h.write('/etc/security/limits.conf', '# /etc/security/limits.conf\n#*  soft  core  0\n')
    h.write('/etc/systemd/system.conf', '[Manager]\n#DefaultLimitNOFILE=1024:524288\n#DefaultTasksMax=15%\n')
    h.write('/usr/lib/systemd/system/user-.slice', '[Unit]\nDescription=User Slice of UID %j\n')
    h.write('/usr/lib/systemd/system/user-.slice.d/10-defaults.conf', '[Slice]\nTasksMax=33%\n')
    h.write('/proc/sys/fs/nr_open', '1048576\n')
    h.write('/usr/lib/systemd/systemd', '')  # installed, not PID 1 (no /proc/1/comm)
    return h


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])


def test_fresh_host_check_mode_predicts_the_real_run(run_module, host):
    before = host.tree()
    check = run_module('kernel_limits', PARAMS, check_mode=True, diff=True, host=host)
    assert host.tree() == before
    assert check['changed'] is True
    assert check['changed_files'] == sorted([LIMITS, SYSTEM, USER, SLICE])
    assert check['created_dirs'] == ['/etc/systemd/system.conf.d', '/etc/systemd/system/user-.slice.d',
                                     '/etc/systemd/user.conf.d']
    found = by_control(check)
    assert set(found) == {'limits.nofile', 'systemd.default_limit_nofile', 'systemd.default_tasks_max',
                          'systemd.user_tasks_max'}
    assert all(f['status'] == 'fail' for f in found.values())
    assert 'not set (inherited)' in found['limits.nofile']['actual']
    assert found['systemd.user_tasks_max']['actual'] == \
        'TasksMax=33% (/usr/lib/systemd/system/user-.slice.d/10-defaults.conf:2)'
    assert found['systemd.user_tasks_max']['source'] == '/usr/lib/systemd/system/user-.slice.d/10-defaults.conf'
    assert found['systemd.default_tasks_max']['actual'] == 'DefaultTasksMax not set (systemd default)'
    assert [d['after_header'] for d in check['diff']] == sorted([LIMITS, SYSTEM, USER, SLICE])

    real = run_module('kernel_limits', PARAMS, diff=True, host=host)
    assert real['changed'] is True and real['changed_files'] == check['changed_files']
    assert real['diff'] == check['diff']
    assert [f['control'] for f in real['findings']] == [f['control'] for f in check['findings']]
    assert all(f['status'] == 'fixed' for f in real['findings'])
    assert [f['actual'] for f in real['findings']] == [f['actual'] for f in check['findings']]
    assert host.text(LIMITS).startswith('# Managed by gocompat.baseline')
    assert 'root hard nofile 524288\n' in host.text(LIMITS)
    assert host.text(SYSTEM).splitlines()[1:] == ['[Manager]', 'DefaultLimitNOFILE=65536:524288', 'DefaultTasksMax=80%']
    assert host.text(USER).splitlines()[1:] == ['[Manager]', 'DefaultLimitNOFILE=65536:524288']
    assert host.text(SLICE).splitlines()[1:] == ['[Slice]', 'TasksMax=80%']
    assert host.tree()['/etc/systemd/system/user-.slice.d'] == 'dir 755'

    again = run_module('kernel_limits', PARAMS, check_mode=True, host=host)
    assert again['changed'] is False and again['changed_files'] == []
    assert all(f['status'] == 'pass' for f in again['findings'])
    assert 'DefaultTasksMax=80% (/etc/systemd/system.conf.d/90-gocompat-baseline.conf:4)' == \
        by_control(again)['systemd.default_tasks_max']['actual']
    snapshot = host.tree()
    assert run_module('kernel_limits', PARAMS, host=host)['changed'] is False
    assert host.tree() == snapshot


def test_a_later_limits_file_that_lowers_the_limit_stays_fail_and_is_named(run_module, host):
    host.write('/etc/security/limits.d/95-vendor.conf', '*  soft  nofile  1024\n')
    result = run_module('kernel_limits', PARAMS, host=host)
    found = by_control(result)['limits.nofile']
    assert result['changed'] is True
    assert found['status'] == 'fail'
    assert "any user (*): soft 1024 (/etc/security/limits.d/95-vendor.conf:1)" in found['actual']
    assert '/etc/security/limits.d/95-vendor.conf:1' in found['remediation']
    # our file was still written; the vendor file is not ours and is left alone
    assert host.text('/etc/security/limits.d/95-vendor.conf') == '*  soft  nofile  1024\n'
    assert run_module('kernel_limits', PARAMS, host=host)['changed'] is False


def test_an_earlier_file_is_overridden_by_ours(run_module, host):
    host.write('/etc/security/limits.d/10-low.conf', '* - nofile 4096\nroot - nofile 4096\n')
    found = by_control(run_module('kernel_limits', PARAMS, check_mode=True, host=host))['limits.nofile']
    assert found['status'] == 'fail' and 'soft 4096 (/etc/security/limits.d/10-low.conf:1)' in found['actual']
    assert found['remediation'].startswith('write %s' % LIMITS)
    assert by_control(run_module('kernel_limits', PARAMS, host=host))['limits.nofile']['status'] == 'fixed'


def test_star_does_not_cover_root(run_module, host):
    host.write('/etc/security/limits.conf', '* soft nofile 65536\n* hard nofile 524288\n')
    found = by_control(run_module('kernel_limits', PARAMS, check_mode=True, host=host))['limits.nofile']
    assert found['status'] == 'fail'
    assert 'root: soft not set (inherited)' in found['actual']


def test_a_compliant_host_passes_even_when_other_files_set_it(run_module, host):
    host.write('/etc/security/limits.conf', '* - nofile 1048576\nroot - nofile unlimited\n')
    host.write('/etc/systemd/system.conf', '[Manager]\nDefaultLimitNOFILE=infinity\nDefaultTasksMax=80%\n')
    host.write('/etc/systemd/system/user-.slice.d/50-site.conf', '[Slice]\nTasksMax=80%\n')
    result = run_module('kernel_limits', PARAMS, check_mode=True, host=host)
    assert [f['status'] for f in result['findings']] == ['pass'] * 4
    # our files are still missing: the call writes them, findings stay pass
    assert result['changed'] is True


def test_a_later_systemd_dropin_wins_over_ours(run_module, host):
    host.write('/etc/systemd/system.conf.d/99-site.conf', '[Manager]\nDefaultTasksMax=15%\n')
    host.write('/run/systemd/system/user-.slice.d/99-runtime.conf', '[Slice]\nTasksMax=1000\n')
    result = run_module('kernel_limits', PARAMS, host=host)
    found = by_control(result)
    assert found['systemd.default_tasks_max']['status'] == 'fail'
    assert '/etc/systemd/system.conf.d/99-site.conf:2' in found['systemd.default_tasks_max']['remediation']
    assert found['systemd.user_tasks_max']['status'] == 'fail'
    assert found['systemd.user_tasks_max']['actual'] == 'TasksMax=1000 (/run/systemd/system/user-.slice.d/99-runtime.conf:2)'
    assert found['systemd.default_limit_nofile']['status'] == 'fixed'


def test_same_name_dropin_in_etc_masks_the_vendor_one(run_module, host):
    host.write('/etc/systemd/system/user-.slice.d/10-defaults.conf', '[Slice]\nTasksMax=80%\n')
    found = by_control(run_module('kernel_limits', PARAMS, check_mode=True, host=host))['systemd.user_tasks_max']
    assert found['status'] == 'pass'
    assert found['source'] == '/etc/systemd/system/user-.slice.d/10-defaults.conf'


def test_dropin_masked_by_dev_null_is_empty(run_module, host):
    os.makedirs(host.p('/etc/systemd/system/user-.slice.d'))
    os.symlink('/dev/null', host.p('/etc/systemd/system/user-.slice.d/10-defaults.conf'))
    found = by_control(run_module('kernel_limits', PARAMS, check_mode=True, host=host))['systemd.user_tasks_max']
    assert found['actual'] == 'TasksMax not set (systemd default)'


def test_empty_and_invalid_assignments(run_module, host):
    host.write('/etc/systemd/system.conf', '[Manager]\nDefaultTasksMax=80%\n')
    host.write('/etc/systemd/system.conf.d/50-a.conf', '[Manager]\nDefaultTasksMax=\n')
    host.write('/etc/systemd/system.conf.d/60-b.conf', '[Manager]\nDefaultTasksMax=lots\n[Other]\nDefaultTasksMax=1\n')
    found = by_control(run_module('kernel_limits', PARAMS, check_mode=True, host=host))['systemd.default_tasks_max']
    assert found['actual'] == 'DefaultTasksMax reset to the systemd default (/etc/systemd/system.conf.d/50-a.conf:2)'
    assert found['status'] == 'fail'


def test_disabled_concerns_are_not_managed(run_module, host):
    result = run_module('kernel_limits', dict(user_tasks_max='80%'), host=host)
    assert result['changed_files'] == [SLICE]
    assert [f['control'] for f in result['findings']] == ['systemd.user_tasks_max']
    assert not host.exists(LIMITS) and not host.exists(SYSTEM)

    result = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096), host=host)
    assert result['changed_files'] == [LIMITS, SYSTEM, USER]
    assert 'DefaultTasksMax' not in host.text(SYSTEM)


def test_without_systemd_only_limits_d_is_written(run_module, host):
    result = run_module('kernel_limits', dict(PARAMS, systemd=False), host=host)
    assert result['changed_files'] == [LIMITS]
    statuses = dict((f['control'], f['status']) for f in result['findings'])
    assert statuses == {'limits.nofile': 'fixed', 'systemd.default_limit_nofile': 'skip',
                        'systemd.default_tasks_max': 'skip', 'systemd.user_tasks_max': 'skip'}
    assert not host.exists('/etc/systemd/system.conf.d')


def test_a_file_from_the_old_role_is_taken_over_without_change(run_module, host):
    host.write(LIMITS, "# Managed by gocompat.baseline (kernel role): open-file limits for PAM sessions.\n"
               "# '*' does not cover root in pam_limits, so root is listed too.\n"
               "*    soft nofile 65536\n*    hard nofile 524288\nroot soft nofile 65536\nroot hard nofile 524288\n")
    result = run_module('kernel_limits', dict(nofile_soft=65536, nofile_hard=524288, systemd=False), host=host)
    assert result['changed'] is False
    assert by_control(result)['limits.nofile']['status'] == 'pass'


def test_foreign_file_at_a_managed_path_is_refused(run_module, host):
    host.write(SYSTEM, '[Manager]\nDefaultTasksMax=10\n')
    before = host.tree()
    result = run_module('kernel_limits', PARAMS, host=host)
    assert result.failed
    assert SYSTEM in result['msg'] and 'header' in result['msg'] and 'nothing was changed' in result['msg']
    assert host.tree() == before


def test_backup_keeps_the_replaced_file(run_module, host):
    host.write(LIMITS, '# Managed by gocompat.baseline\n* soft nofile 1\n')
    result = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096, systemd=False, backup=True), host=host)
    backup = result['backup_files'][LIMITS]
    with open(backup) as handle:
        assert handle.read() == '# Managed by gocompat.baseline\n* soft nofile 1\n'


def test_failing_write_undoes_earlier_changes(run_module, host, monkeypatch):
    host.write(LIMITS, '# Managed by gocompat.baseline\nold\n')
    before = host.tree()
    original = RootedHost.write_text

    def write_text(self, path, text, default_mode=0o644):
        if path == SLICE:
            raise OSError(28, 'No space left on device', self.p(path))
        return original(self, path, text, default_mode)
    monkeypatch.setattr(RootedHost, 'write_text', write_text)
    result = run_module('kernel_limits', PARAMS, host=host)
    assert result.failed
    assert 'No space left on device' in result['msg'] and 'undone' in result['msg']
    assert all(f['status'] != 'fixed' for f in result['findings'])
    assert host.tree() == before


def test_systemd_left_out_is_detected_on_the_host(run_module, host):
    result = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096, default_tasks_max='80%'),
                        host=host, check_mode=True)
    assert result['changed_files'] == [LIMITS, SYSTEM, USER]
    assert result['manager_changed'] is True and result['systemd_pid1'] is False

    os.remove(host.p('/usr/lib/systemd/systemd'))
    result = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096, default_tasks_max='80%'),
                        host=host, check_mode=True)
    assert result['changed_files'] == [LIMITS]
    assert result['manager_changed'] is False
    assert by_control(result)['systemd.default_tasks_max']['status'] == 'skip'


def test_systemd_as_pid1_is_reported_for_the_reexec_handler(run_module, host):
    host.write('/proc/1/comm', 'systemd\n')
    result = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096), host=host)
    assert result['systemd_pid1'] is True and result['manager_changed'] is True
    again = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096), host=host)
    assert again['changed'] is False and again['manager_changed'] is False


def test_only_limits_d_changed_is_no_manager_change(run_module, host):
    run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096), host=host)
    os.remove(host.p(LIMITS))
    result = run_module('kernel_limits', dict(nofile_soft=2048, nofile_hard=4096), host=host)
    assert result['changed_files'] == [LIMITS] and result['manager_changed'] is False
