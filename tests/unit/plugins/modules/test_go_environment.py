# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_environment through its real main() (the run_module fixture checks the contract on every call),
against files in a temporary directory."""

from __future__ import absolute_import, division, print_function

import os
import subprocess

import pytest

from harness.rooted_host import RootedHost

from ansible_collections.gocompat.baseline.plugins.module_utils import go_environment_files as G
from ansible_collections.gocompat.baseline.plugins.module_utils import module_base


@pytest.fixture
def paths(tmp_path):
    return dict(profile_path=str(tmp_path / 'profile.d' / 'gocompat-go.sh'),
                environment_d_path=str(tmp_path / 'environment.d' / '90-gocompat-go.conf'),
                systemd_dropin_path=str(tmp_path / 'system.conf.d' / '90-gocompat-go-env.conf'))


def params(paths, **extra):
    # systemd explicit: left out, the module would detect it on the machine running the tests
    base = dict(paths, godebug={'netdns': 'go'}, path_prepend=['/usr/local/go/bin'], systemd=True)
    base.update(extra)
    return base


def read(path):
    with open(path) as handle:
        return handle.read()


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])


def contents(paths):
    return dict((k, read(p) if os.path.exists(p) else None) for k, p in paths.items())


def test_check_mode_predicts_and_changes_nothing(run_module, paths):
    result = run_module('go_environment', params(paths), check_mode=True, diff=True)
    assert result['changed'] is True
    assert all(v is None for v in contents(paths).values())
    assert not os.path.exists(os.path.dirname(paths['profile_path']))
    found = by_control(result)
    assert sorted(found) == ['env.godebug.netdns', 'env.path']
    assert found['env.godebug.netdns']['status'] == 'fail'
    assert found['env.godebug.netdns']['actual'] == 'login shells: not set; user managers: not set; system services: not set'
    assert 'without check mode' in found['env.path']['remediation']
    assert found['env.path']['source'] == ''  # no file exists yet
    assert result['manager_changed'] is True
    assert set(result['files'].values()) == {'written'}
    assert [d['after_header'] for d in result['diff']] == [paths['profile_path'], paths['environment_d_path'],
                                                           paths['systemd_dropin_path']]
    assert result['diff'][0]['before_header'] == paths['profile_path'] + ' (absent)'


def test_real_run_writes_what_check_mode_predicted_then_is_idempotent(run_module, paths):
    predicted = run_module('go_environment', params(paths), check_mode=True, diff=True)
    result = run_module('go_environment', params(paths), diff=True)
    assert result['changed'] is True
    assert [d['after'] for d in result['diff']] == [d['after'] for d in predicted['diff']]
    assert [(f['control'], f['status']) for f in result['findings']] == [
        ('env.godebug.netdns', 'fixed'), ('env.path', 'fixed')]
    text = contents(paths)
    assert text['profile_path'].startswith(G.HEADER)
    assert 'GODEBUG=${__gocompat_keep:+$__gocompat_keep,}netdns=go\n' in text['profile_path']
    assert text['environment_d_path'].endswith('PATH="/usr/local/go/bin:${PATH}"\nGODEBUG="netdns=go"\n')
    assert text['systemd_dropin_path'].endswith('[Manager]\nDefaultEnvironment="GODEBUG=netdns=go"\n')
    assert oct(os.stat(os.path.dirname(paths['profile_path'])).st_mode & 0o777) == '0o755'
    again = run_module('go_environment', params(paths))
    assert again['changed'] is False and again['manager_changed'] is False
    assert [f['status'] for f in again['findings']] == ['pass', 'pass']
    assert set(again['files'].values()) == {'unchanged'}
    assert by_control(again)['env.path']['source'] == '%s, %s' % (paths['profile_path'], paths['environment_d_path'])
    assert contents(paths) == text


def test_login_shells_merge_godebug_and_prepend_path_once(run_module, paths):
    run_module('go_environment', params(paths, godebug={'netdns': 'go', 'http2client': 0},
                                        path_prepend=['/opt/go/bin', '/usr/local/go/bin']))
    script = paths['profile_path']
    out = subprocess.check_output(
        ['sh', '-c', '. "$1"; . "$1"; echo "$GODEBUG"; echo "$PATH"', 'sh', script],
        env={'GODEBUG': 'panicnil=1,netdns=cgo', 'PATH': '/usr/bin:/usr/local/go/bin:/bin'}).decode().splitlines()
    assert out[0] == 'panicnil=1,netdns=go,http2client=0'
    assert out[1] == '/opt/go/bin:/usr/local/go/bin:/usr/bin:/bin'


def test_a_proxy_change_does_not_touch_the_godebug_control(run_module, paths):
    run_module('go_environment', params(paths))
    result = run_module('go_environment', params(paths, https_proxy='http://user:secret@proxy.example:3128'))
    found = by_control(result)
    assert found['env.godebug.netdns']['status'] == 'pass'
    assert found['env.path']['status'] == 'pass'
    proxy = found['env.proxy.https']
    assert proxy['status'] == 'fixed'
    assert proxy['expected'] == ('HTTPS_PROXY and https_proxy=http://user:***@proxy.example:3128 in login shells, '
                                 'user managers and system services')
    assert 'secret' not in str(result['findings'])
    assert 'HTTPS_PROXY=http://user:secret@proxy.example:3128\nexport HTTPS_PROXY\n' in read(paths['profile_path'])


def test_removed_settings_are_findings_and_empty_files_are_removed(run_module, paths):
    run_module('go_environment', params(paths, godebug={'netdns': 'go', 'panicnil': '1'}, gotmpdir='/tmp'))
    check = run_module('go_environment', params(paths, godebug={}, path_prepend=[]), check_mode=True)
    found = by_control(check)
    assert sorted(found) == ['env.godebug.netdns', 'env.godebug.panicnil', 'env.gotmpdir', 'env.path']
    assert all(f['status'] == 'fail' and f['remediation'] for f in found.values())
    assert found['env.godebug.panicnil']['expected'].startswith('panicnil not set in GODEBUG')
    assert found['env.gotmpdir']['actual'] == 'login shells: /tmp; user managers: /tmp; system services: /tmp'
    assert found['env.path']['expected'] == 'nothing put in front of PATH by gocompat.baseline'
    result = run_module('go_environment', params(paths, godebug={}, path_prepend=[], gotmpdir='/tmp'))
    assert result['files'] == {paths['profile_path']: 'written', paths['environment_d_path']: 'written',
                               paths['systemd_dropin_path']: 'written'}
    assert by_control(result)['env.godebug.panicnil']['status'] == 'fixed'
    assert by_control(result)['env.gotmpdir']['status'] == 'pass'
    gone = run_module('go_environment', params(paths, godebug={}, path_prepend=[]), diff=True)
    assert set(gone['files'].values()) == {'removed'}
    assert gone['manager_changed'] is True
    assert all(v is None for v in contents(paths).values())
    assert by_control(gone)['env.gotmpdir']['status'] == 'fixed'
    assert gone['diff'][0]['after_header'] == paths['profile_path'] + ' (absent)'
    nothing = run_module('go_environment', params(paths, godebug={}, path_prepend=[]))
    assert nothing['changed'] is False and nothing['findings'] == []
    assert set(nothing['files'].values()) == {'absent'}


def test_without_systemd_only_the_login_script_is_managed(run_module, paths):
    result = run_module('go_environment', params(paths, systemd=False))
    assert list(result['files']) == [paths['profile_path']]
    assert result['manager_changed'] is False
    assert by_control(result)['env.godebug.netdns']['expected'] == 'netdns=go in GODEBUG of login shells'
    assert not os.path.exists(paths['environment_d_path'])


def test_systemd_files_out_of_date_fail_only_their_consumers(run_module, paths):
    run_module('go_environment', params(paths))
    with open(paths['systemd_dropin_path'], 'w') as handle:
        handle.write(G.HEADER + '[Manager]\nDefaultEnvironment="GODEBUG=netdns=cgo"\n')
    result = run_module('go_environment', params(paths), check_mode=True)
    found = by_control(result)
    assert found['env.godebug.netdns']['status'] == 'fail'
    assert found['env.godebug.netdns']['actual'] == ('login shells: netdns=go; user managers: netdns=go; '
                                                     'system services: netdns=cgo')
    assert found['env.path']['status'] == 'pass'
    assert result['files'][paths['systemd_dropin_path']] == 'written'
    assert result['files'][paths['profile_path']] == 'unchanged'
    assert result['manager_changed'] is True


def test_a_comment_edit_is_reported_as_env_files(run_module, paths):
    run_module('go_environment', params(paths))
    with open(paths['environment_d_path'], 'a') as handle:
        handle.write('# a local note\n')
    check = run_module('go_environment', params(paths), check_mode=True)
    assert [(f['control'], f['status']) for f in check['findings']] == [
        ('env.godebug.netdns', 'pass'), ('env.path', 'pass'), ('env.files', 'fail')]
    assert check['findings'][2]['source'] == paths['environment_d_path']
    fixed = run_module('go_environment', params(paths))
    assert by_control(fixed)['env.files']['status'] == 'fixed'
    assert fixed['manager_changed'] is False


def test_backup_keeps_the_replaced_file(run_module, paths):
    run_module('go_environment', params(paths))
    before = read(paths['profile_path'])
    result = run_module('go_environment', params(paths, godebug={'netdns': 'cgo'}, backup=True))
    backup = result['backup_files'][paths['profile_path']]
    assert read(backup) == before
    assert 'netdns=cgo' in read(paths['profile_path'])


class FailingHost(module_base.Host):
    """The real host, except that writing one path fails like a full disk."""

    def __init__(self, fail_path):
        super(FailingHost, self).__init__()
        self.fail_path = fail_path

    def write_text(self, path, text, default_mode=0o644):
        if path == self.fail_path:
            raise OSError(28, 'No space left on device', path)
        return super(FailingHost, self).write_text(path, text, default_mode)


def test_a_failing_write_undoes_the_earlier_ones(run_module, paths):
    run_module('go_environment', params(paths))
    before = contents(paths)
    result = run_module('go_environment', params(paths, godebug={'netdns': 'cgo'}),
                        host=FailingHost(paths['systemd_dropin_path']))
    assert result.failed
    assert result['msg'] == ('write %s failed: %s: No space left on device; 2 earlier change(s) undone'
                             % (paths['systemd_dropin_path'], paths['systemd_dropin_path']))
    assert by_control(result)['env.godebug.netdns']['status'] == 'fail'
    assert contents(paths) == before


def test_new_directories_are_removed_again_when_a_later_write_fails(run_module, paths):
    result = run_module('go_environment', params(paths), host=FailingHost(paths['systemd_dropin_path']))
    assert result.failed and 'earlier change(s) undone' in result['msg']
    assert os.listdir(os.path.dirname(os.path.dirname(paths['profile_path']))) == []


def test_systemd_left_out_is_detected_on_the_host(run_module, tmp_path):
    host = RootedHost(tmp_path / 'root')
    os.makedirs(host.p('/etc'))
    result = run_module('go_environment', dict(godebug={'netdns': 'go'}), host=host, check_mode=True)
    assert list(result['files']) == ['/etc/profile.d/gocompat-go.sh']
    assert result['systemd_pid1'] is False and result['manager_changed'] is False

    host.write('/lib/systemd/systemd', '')
    host.write('/proc/1/comm', 'systemd\n')
    result = run_module('go_environment', dict(godebug={'netdns': 'go'}), host=host)
    assert sorted(result['files']) == ['/etc/environment.d/90-gocompat-go.conf', '/etc/profile.d/gocompat-go.sh',
                                       '/etc/systemd/system.conf.d/90-gocompat-go-env.conf']
    assert result['systemd_pid1'] is True and result['manager_changed'] is True


def test_tmpdir_is_its_own_setting_in_every_file(run_module, paths):
    result = run_module('go_environment', params(paths, gotmpdir='/var/tmp/go-build', tmpdir='/var/tmp/go-build'))
    found = by_control(result)
    assert found['env.tmpdir']['status'] == 'fixed' and found['env.gotmpdir']['status'] == 'fixed'
    text = dict((name, read(path)) for name, path in paths.items())
    assert 'TMPDIR=/var/tmp/go-build\nexport TMPDIR\n' in text['profile_path']
    assert 'TMPDIR="/var/tmp/go-build"' in text['environment_d_path']
    assert '"TMPDIR=/var/tmp/go-build"' in text['systemd_dropin_path']

    # dropping TMPDIR only: that control goes back to not set, GOTMPDIR stays as it is
    result = run_module('go_environment', params(paths, gotmpdir='/var/tmp/go-build'))
    found = by_control(result)
    assert found['env.tmpdir']['status'] == 'fixed' and found['env.gotmpdir']['status'] == 'pass'
    assert 'export TMPDIR' not in read(paths['profile_path'])


def test_tmpdir_must_be_an_absolute_directory(run_module, paths):
    result = run_module('go_environment', params(paths, tmpdir='relative/dir'))
    assert result['failed'] and result['msg'].startswith('tmpdir')
    assert not os.path.exists(paths['profile_path'])
