# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wsl_conf through the run_module harness on a host rooted in a test directory, with /proc faked as WSL 2,
WSL 1 or plain Linux: in-place edits that keep the file's bytes, check mode predicting the real run,
idempotence, duplicates, the restart contract and the systemd finding."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from harness.rooted_host import RootedHost

CONF = '/etc/wsl.conf'
SYSTEMD = {'settings': {'boot': {'systemd': True}}}
WSL2_RELEASE = '5.15.167.4-microsoft-standard-WSL2\n'


def make_host(tmp_path, kind='wsl2', pid1='init'):
    h = RootedHost(tmp_path / 'root')
    os.makedirs(h.p('/etc'))
    h.write('/proc/1/comm', pid1 + '\n')
    if kind == 'wsl2':
        h.write('/proc/sys/kernel/osrelease', WSL2_RELEASE)
        h.write('/proc/sys/fs/binfmt_misc/WSLInterop', 'enabled\n')
        h.write('/proc/1/environ', 'WSL_DISTRO_NAME=Debian\x00WSL_INTEROP=/run/WSL/1_interop\x00')
    elif kind == 'wsl1':
        h.write('/proc/sys/kernel/osrelease', '4.4.0-19041-Microsoft\n')
        h.write('/proc/version', 'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) #1-Microsoft\n')
    else:
        h.write('/proc/sys/kernel/osrelease', '6.1.0-28-amd64\n')
    return h


@pytest.fixture(autouse=True)
def _no_wsl_environment(monkeypatch):
    for name in ('WSL_DISTRO_NAME', 'WSL_INTEROP'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def host(tmp_path):
    return make_host(tmp_path)


def raw(h, path=CONF):
    with open(h.p(path), 'rb') as handle:
        return handle.read()


def put(h, data, path=CONF):
    with open(h.p(path), 'wb') as handle:
        handle.write(data)


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])


def test_no_file_check_mode_predicts_the_real_run_then_idempotent(run_module, host):
    before = host.tree()
    check = run_module('wsl_conf', SYSTEMD, check_mode=True, diff=True, host=host)
    assert host.tree() == before
    assert check['changed'] is True and check['changed_keys'] == ['boot.systemd']
    assert check['restart_required'] is True and 'wsl.exe --terminate Debian' in check['restart_instruction']
    assert (check['is_wsl'], check['wsl_version'], check['systemd_pid1'], check['distro']) == (True, 2, False, 'Debian')
    found = by_control(check)
    assert found['wsl.conf.boot.systemd']['status'] == 'fail'
    assert found['wsl.conf.boot.systemd']['actual'] == 'systemd not set'
    assert found['wsl.conf.boot.systemd']['source'] == ''
    assert found['wsl.systemd']['status'] == 'fail' and 'has not restarted' in found['wsl.systemd']['actual']
    assert check['diff'][0]['before_header'] == '/etc/wsl.conf (absent)'
    assert any(w.startswith('restart required: /etc/wsl.conf is read when') for w in check['warnings'])

    real = run_module('wsl_conf', SYSTEMD, diff=True, host=host)
    assert real['changed'] is True and real['diff'] == check['diff']
    assert [f['actual'] for f in real['findings']] == [f['actual'] for f in check['findings']]
    assert by_control(real)['wsl.conf.boot.systemd']['status'] == 'fixed'
    assert raw(host) == b'[boot]\nsystemd=true\n'
    assert host.tree()[CONF][1] == 0o644

    again = run_module('wsl_conf', SYSTEMD, host=host)
    assert again['changed'] is False and again['changed_keys'] == []
    assert by_control(again)['wsl.conf.boot.systemd']['status'] == 'pass'
    assert by_control(again)['wsl.conf.boot.systemd']['actual'] == 'systemd=true (/etc/wsl.conf:2)'
    # still not PID 1: the restart is still owed
    assert again['restart_required'] is True


def test_systemd_false_is_changed_in_place_keeping_crlf_bom_comments_and_spacing(run_module, host):
    original = (u'\ufeff# from Windows\r\n[automount]\r\noptions = "metadata,umask=22"  ; kept\r\n\r\n'
                u'[boot]\r\nsystemd = false   # was off\r\ncommand=echo hi\r\n\r\n; end\r\n').encode('utf-8')
    put(host, original)
    result = run_module('wsl_conf', {'settings': {'boot': {'systemd': True}, 'network': {'generateHosts': False}}},
                        host=host)
    assert result['changed_keys'] == ['boot.systemd', 'network.generateHosts']
    assert raw(host) == original.replace(b'systemd = false   #', b'systemd = true   #') + \
        b'\r\n[network]\r\ngenerateHosts=false\r\n'
    assert by_control(result)['wsl.conf.boot.systemd']['actual'] == 'systemd=false (/etc/wsl.conf:6)'
    assert by_control(result)['wsl.conf.boot.systemd']['source'] == CONF


def test_boot_without_systemd_gets_it_at_the_end_of_the_section(run_module, host):
    host.write(CONF, '[boot]\ncommand=service cron start\n\n# user settings\n[user]\ndefault=dev\n')
    run_module('wsl_conf', SYSTEMD, host=host)
    assert host.text(CONF) == '[boot]\ncommand=service cron start\nsystemd=true\n\n# user settings\n[user]\ndefault=dev\n'


def test_duplicate_key_first_wins_is_changed_and_reported(run_module, host):
    host.write(CONF, '[boot]\nsystemd=false\n[boot]\nsystemd=true\n')
    result = run_module('wsl_conf', SYSTEMD, host=host)
    assert result['changed'] is True
    assert host.text(CONF) == '[boot]\nsystemd=true\n[boot]\nsystemd=true\n'
    assert any('section [boot] appears again' in w for w in result['warnings'])
    assert any('/etc/wsl.conf:4: boot.systemd is set again and WSL ignores it' in w for w in result['warnings'])


def test_duplicate_key_already_right_in_the_first_place_is_pass(run_module, host):
    host.write(CONF, '[boot]\nsystemd=1\nsystemd=false\n')
    result = run_module('wsl_conf', SYSTEMD, host=host)
    assert result['changed'] is False and by_control(result)['wsl.conf.boot.systemd']['status'] == 'pass'


def test_null_removes_every_line_of_a_key(run_module, host):
    host.write(CONF, '[boot]\ncommand=a\nsystemd=true\ncommand=b\n')
    result = run_module('wsl_conf', {'settings': {'boot': {'command': None}}}, host=host)
    assert result['changed_keys'] == ['boot.command'] and host.text(CONF) == '[boot]\nsystemd=true\n'


def test_unknown_key_strict_on_fails_strict_off_writes_it(run_module, host):
    host.write(CONF, '[boot]\nsystemd=true\n')
    before = host.tree()
    params = {'settings': {'boot': {'futureKey': 'x'}}}
    failed = run_module('wsl_conf', params, host=host)
    assert failed.failed and 'settings.boot.futureKey: unknown key futureKey in [boot]' in failed['msg']
    assert host.tree() == before
    passed = run_module('wsl_conf', dict(params, strict=False), host=host)
    assert passed['changed'] is True and host.text(CONF) == '[boot]\nsystemd=true\nfutureKey=x\n'
    # an unknown key already in the file is only warned about
    again = run_module('wsl_conf', SYSTEMD, host=host)
    assert any('boot.futureKey is not a documented wsl.conf key' in w for w in again['warnings'])


def test_malformed_line_fails_with_file_line_and_changes_nothing(run_module, host):
    host.write(CONF, '[boot]\nsystemd=false\n[network\n')
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('wsl_conf', SYSTEMD, check_mode=check_mode, host=host)
        assert result.failed and result['msg'].startswith('/etc/wsl.conf:3: not a section header')
    assert host.tree() == before


def test_symlinked_wsl_conf_is_edited_through_the_link(run_module, host):
    os.makedirs(host.p('/etc/wsl'))
    host.write('/etc/wsl/wsl.conf', '[boot]\nsystemd=false\n')
    os.symlink('wsl/wsl.conf', host.p(CONF))
    result = run_module('wsl_conf', SYSTEMD, host=host)
    assert result['path'] == '/etc/wsl/wsl.conf'
    assert os.readlink(host.p(CONF)) == 'wsl/wsl.conf'
    assert host.text('/etc/wsl/wsl.conf') == '[boot]\nsystemd=true\n'


def test_read_only_mode_and_owner_are_kept(run_module, host):
    host.write(CONF, '[boot]\nsystemd=false\n')
    os.chmod(host.p(CONF), 0o444)
    run_module('wsl_conf', SYSTEMD, host=host)
    assert host.tree()[CONF] == (b'[boot]\nsystemd=true\n', 0o444)


def test_backup_keeps_the_old_bytes(run_module, host):
    host.write(CONF, '[boot]\nsystemd=false\n')
    result = run_module('wsl_conf', dict(SYSTEMD, backup=True), host=host)
    backup = result['backup_files'][host.p(CONF)] if host.p(CONF) in result['backup_files'] else \
        list(result['backup_files'].values())[0]
    with open(backup, 'rb') as handle:
        assert handle.read() == b'[boot]\nsystemd=false\n'


def test_wsl1_warns_that_systemd_cannot_work(run_module, tmp_path):
    h = make_host(tmp_path, 'wsl1')
    result = run_module('wsl_conf', SYSTEMD, host=h)
    assert result['wsl_version'] == 1 and result['restart_required'] is True
    assert any('WSL 1, which cannot run systemd' in w for w in result['warnings'])
    systemd = by_control(result)['wsl.systemd']
    assert systemd['status'] == 'fail' and 'wsl.exe --set-version <distribution> 2' in systemd['remediation']


def test_plain_linux_host_writes_the_file_without_restart(run_module, tmp_path):
    h = make_host(tmp_path, 'linux', pid1='systemd')
    result = run_module('wsl_conf', SYSTEMD, host=h)
    assert result['changed'] is True and result['is_wsl'] is False and result['wsl_version'] is None
    assert result['restart_required'] is False and result['restart_instruction'] == ''
    assert by_control(result)['wsl.systemd']['status'] == 'skip'


def test_systemd_pid1_on_wsl2_passes_and_no_restart(run_module, tmp_path):
    h = make_host(tmp_path, 'wsl2', pid1='systemd')
    h.write(CONF, '[boot]\nsystemd=true\n')
    result = run_module('wsl_conf', SYSTEMD, host=h)
    assert result['restart_required'] is False
    assert [f['status'] for f in result['findings']] == ['pass', 'pass']


def test_wslconfig_on_the_windows_drive(run_module, host):
    os.makedirs(host.p('/mnt/c/Users/dev'))
    path = '/mnt/c/Users/dev/.wslconfig'
    put(host, b'[wsl2]\r\nmemory=4GB\r\n', path)
    params = {'path': path, 'format': 'wslconfig',
              'settings': {'wsl2': {'memory': '8GB', 'processors': 4, 'kernelCommandLine': 'cgroup_no_v1=all'}}}
    result = run_module('wsl_conf', params, host=host)
    assert raw(host, path) == b'[wsl2]\r\nmemory=8GB\r\nkernelCommandLine=cgroup_no_v1=all\r\nprocessors=4\r\n'
    assert sorted(by_control(result)) == ['wsl.wslconfig.wsl2.kernelCommandLine', 'wsl.wslconfig.wsl2.memory',
                                          'wsl.wslconfig.wsl2.processors']
    assert result['restart_instruction'].startswith('/mnt/c/Users/dev/.wslconfig is read when the WSL 2 VM starts')
    assert run_module('wsl_conf', params, host=host)['changed'] is False


def test_wslconfig_directory_missing_means_the_drive_is_not_mounted(run_module, host):
    result = run_module('wsl_conf', {'path': '/mnt/c/Users/dev/.wslconfig', 'format': 'wslconfig',
                                     'settings': {'wsl2': {'memory': '8GB'}}}, host=host)
    assert result.failed and 'is the Windows drive mounted?' in result['msg']


def test_a_failed_write_leaves_the_file_byte_identical(run_module, host, monkeypatch):
    host.write(CONF, '[boot]\nsystemd=false\n')
    before = host.tree()

    def broken(path, text, default_mode=0o644):
        raise OSError(28, 'No space left on device', path)
    monkeypatch.setattr(host, 'write_text', broken)
    result = run_module('wsl_conf', SYSTEMD, host=host)
    assert result.failed and 'No space left on device' in result['msg'] and 'nothing had been changed' in result['msg']
    assert by_control(result)['wsl.conf.boot.systemd']['status'] == 'fail'
    assert host.tree() == before


def test_environment_of_the_module_counts(run_module, tmp_path, monkeypatch):
    h = make_host(tmp_path, 'linux')
    monkeypatch.setenv('WSL_DISTRO_NAME', 'Ubuntu-24.04')
    monkeypatch.setenv('WSL_INTEROP', '/run/WSL/9_interop')
    result = run_module('wsl_conf', {'settings': {}}, check_mode=True, host=h)
    assert (result['is_wsl'], result['wsl_version'], result['distro']) == (True, 2, 'Ubuntu-24.04')
    assert result['findings'] == [] and result['changed'] is False and result['restart_required'] is False


def test_only_on_wsl_on_plain_linux_reads_nothing_and_skips(run_module, tmp_path):
    h = make_host(tmp_path, 'linux')
    h.write(CONF, '[broken\n')  # not even read
    before = h.tree()
    for check_mode in (True, False):
        result = run_module('wsl_conf', dict(SYSTEMD, only_on_wsl=True), check_mode=check_mode, host=h)
        assert result['changed'] is False and result['is_wsl'] is False and result['restart_required'] is False
        assert result['findings'] == [{
            'control': 'wsl.host', 'status': 'skip', 'expected': 'a WSL distribution',
            'actual': 'not a WSL distribution (no kernel, interop or environment sign of WSL)', 'source': '',
            'remediation': ''}]
    assert h.tree() == before


def test_only_on_wsl_on_wsl2_edits(run_module, host):
    result = run_module('wsl_conf', dict(SYSTEMD, only_on_wsl=True), host=host)
    assert result['changed'] is True and host.text(CONF) == '[boot]\nsystemd=true\n'


class DrvFsHost(RootedHost):
    """A rooted host whose /mnt/c behaves like DrvFs without metadata: chmod there fails with EPERM."""

    def write_text_plain(self, path, text):
        from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_winfile
        wsl_winfile.replace(self.p(path), text)


@pytest.fixture
def drvfs(tmp_path, monkeypatch):
    h = make_host(tmp_path)
    h.__class__ = DrvFsHost
    os.makedirs(h.p('/mnt/c/Users/dev'))
    real_chmod = os.chmod

    def chmod(path, mode, *args, **kwargs):
        if str(path).startswith(h.p('/mnt/c/')):
            raise OSError(1, 'Operation not permitted', str(path))
        return real_chmod(path, mode, *args, **kwargs)
    monkeypatch.setattr(os, 'chmod', chmod)
    return h


def test_wslconfig_on_drvfs_without_metadata_is_written_without_owner_and_mode(run_module, drvfs):
    path = '/mnt/c/Users/dev/.wslconfig'
    put(drvfs, b'\xef\xbb\xbf[wsl2]\r\nmemory=4GB\r\n', path)
    params = {'path': path, 'format': 'wslconfig', 'settings': {'wsl2': {'memory': '8GB'}}}
    result = run_module('wsl_conf', params, host=drvfs)
    assert not result.failed and result['changed'] is True
    assert raw(drvfs, path) == b'\xef\xbb\xbf[wsl2]\r\nmemory=8GB\r\n'
    assert sorted(os.listdir(drvfs.p('/mnt/c/Users/dev'))) == ['.wslconfig']  # no temp file left
    assert run_module('wsl_conf', params, host=drvfs)['changed'] is False


def test_wsl_conf_itself_does_not_fall_back(run_module, drvfs, monkeypatch):
    """EPERM on /etc is a real refusal (an immutable file): it is reported, not worked around."""
    drvfs.write(CONF, '[boot]\nsystemd=false\n')
    before = drvfs.tree()

    def refused(path, text, default_mode=0o644):
        raise OSError(1, 'Operation not permitted', path)
    monkeypatch.setattr(drvfs, 'write_text', refused)
    result = run_module('wsl_conf', SYSTEMD, host=drvfs)
    assert result.failed and 'Operation not permitted' in result['msg']
    assert drvfs.tree() == before
