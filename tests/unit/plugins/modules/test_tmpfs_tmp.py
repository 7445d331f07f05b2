# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tmpfs_tmp through the run_module harness on a host rooted in a test directory, with a runner that records
the mount commands: check mode predicting the real run, the live action chosen (mount, remount, defer), what a
mount would hide, submounts carried over, persistence through fstab or the mount unit and their conflicts,
Debian 13's tmp.mount, noexec and the go temp dir, rollback."""

from __future__ import absolute_import, division, print_function

import os
import socket

import pytest

from tmpfs_tmp_env import (HALF_KIB, ROOT_LINE, TRIXIE_UNIT, FakeRunner, by_control, make_host, tmpfs_line)

FSTAB = '/etc/fstab'
UNIT = '/usr/lib/systemd/system/tmp.mount'
DROPIN = '/etc/systemd/system/tmp.mount.d/90-gocompat-baseline.conf'
WANTS = '/usr/lib/systemd/system/local-fs.target.wants/tmp.mount'
LINE = 'tmpfs\t/tmp\ttmpfs\tnosuid,nodev,size=50%,mode=1777\t0\t0\n'
MARK = '# gocompat.baseline tmpfs_tmp: the next line is managed\n'


def mounted_now(host, line=None):
    """What the host looks like after a real mount: mountinfo shows the tmpfs."""
    host.write('/proc/self/mountinfo', '%s\n%s\n' % (ROOT_LINE, line or tmpfs_line()))


def trixie(host, enabled=True):
    host.write(UNIT, TRIXIE_UNIT)
    if enabled:
        os.makedirs(os.path.dirname(host.p(WANTS)))
        os.symlink('../tmp.mount', host.p(WANTS))


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


def test_disk_tmp_check_predicts_the_real_mount_then_nothing_to_do(run_module, tmp_path):
    host = make_host(tmp_path)
    before = host.tree()
    check = run_module('tmpfs_tmp', {}, check_mode=True, diff=True, host=host)
    assert host.tree() == before and host._runner.calls == []
    assert check['changed'] is True and check['live_action'] == 'mount' and check['hidden'] == []
    assert check['changed_files'] == [FSTAB] and check['reboot_required'] is False
    assert statuses(check) == {'tmp.fstype': 'fail', 'tmp.options': 'fail', 'tmp.owner_mode': 'pass',
                               'tmp.persisted': 'fail', 'tmp.go_exec': 'pass'}
    assert by_control(check)['tmp.fstype']['actual'] == 'a directory on ext4 /dev/sda1 mounted on /'
    real = run_module('tmpfs_tmp', {}, diff=True, host=host)
    assert real['diff'] == check['diff'] and real['changed'] is True
    assert statuses(real) == dict((k, 'fixed' if v == 'fail' else v) for k, v in statuses(check).items())
    assert host.text(FSTAB).endswith('errors=remount-ro 0 1\n' + MARK + LINE)
    argvs = host._runner.argvs()
    stash = argvs[0][-1]
    assert stash.startswith('/run/gocompat-baseline/tmpfs_tmp/tmp.')
    assert argvs == [['mkdir', '-p', '-m', '0700', stash], ['mount', '--rbind', '/tmp', stash],
                     ['mount', '--make-rprivate', stash],
                     ['mount', '-t', 'tmpfs', '-o', 'nosuid,nodev,size=50%,mode=1777', 'tmpfs', '/tmp'],
                     ['umount', '-R', stash], ['rmdir', stash]]
    mounted_now(host)
    host._runner.calls[:] = []
    again = run_module('tmpfs_tmp', {}, check_mode=True, host=host)
    assert again['changed'] is False and set(statuses(again).values()) == {'pass'}
    assert again['live_action'] == 'keep'
    assert run_module('tmpfs_tmp', {}, host=host)['changed'] is False and host._runner.calls == []


def test_files_in_tmp_defer_the_mount_and_say_a_reboot_is_due(run_module, tmp_path):
    host = make_host(tmp_path)
    host.write('/tmp/build.log', 'x')
    os.makedirs(host.p('/tmp/.ICE-unix'))
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result['live_action'] == 'defer-hidden' and result['hidden'] == ['build.log']
    assert result['reboot_required'] is True and result['changed_files'] == [FSTAB]
    assert host._runner.calls == []
    assert any('build.log' in w and 'apply_now=always' in w for w in result['warnings'])
    found = by_control(result)
    assert found['tmp.fstype']['status'] == 'fail' and 'reboot' in found['tmp.fstype']['remediation']
    assert found['tmp.persisted']['status'] == 'fixed'
    again = run_module('tmpfs_tmp', {}, host=host)
    assert again['changed'] is False and again['reboot_required'] is True


def test_apply_now_always_keeps_the_old_tree_reachable_and_copies_empty_dirs(run_module, tmp_path):
    host = make_host(tmp_path)
    host.write('/tmp/build.log', 'x')
    os.makedirs(host.p('/tmp/.ICE-unix'))
    result = run_module('tmpfs_tmp', {'apply_now': 'always'}, host=host)
    assert result['live_action'] == 'mount' and result['hidden'] == ['build.log']
    stash = result['old_contents']
    assert stash.startswith('/run/gocompat-baseline/tmpfs_tmp/tmp.') and result['reboot_required'] is False
    argvs = host._runner.argvs()
    assert ['cp', '-a', '--parents', '--', '.ICE-unix', '/tmp'] in argvs
    assert host._runner.calls[argvs.index(['cp', '-a', '--parents', '--', '.ICE-unix', '/tmp'])][1] == stash
    assert not any(a[0] == 'umount' for a in argvs), 'the old tree must stay mounted at old_contents'
    assert any(stash in w and 'build.log' in w for w in result['warnings'])


def test_never_only_persists(run_module, tmp_path):
    host = make_host(tmp_path)
    result = run_module('tmpfs_tmp', {'apply_now': 'never'}, host=host)
    assert result['live_action'] == 'defer-never' and host._runner.calls == []
    assert result['reboot_required'] is True and by_control(result)['tmp.fstype']['status'] == 'fail'


def test_submounts_are_bound_again_on_the_new_tmpfs(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, '40 1 0:40 / /tmp/.X11-unix rw,relatime - tmpfs none rw',
                                       '41 1 0:41 /sock /tmp/app.sock rw - tmpfs none rw'))
    os.makedirs(host.p('/tmp/.X11-unix'))
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(host.p('/tmp/.X11-unix/X0'))
    host.write('/tmp/app.sock', '')
    result = run_module('tmpfs_tmp', {}, host=host)
    sock.close()
    assert result['live_action'] == 'mount' and result['hidden'] == []
    assert result['carried'] == ['.X11-unix', 'app.sock']
    argvs = host._runner.argvs()
    stash = argvs[0][-1]
    assert argvs[4:9] == [['mkdir', '-p', '/tmp/.X11-unix'], ['mount', '--rbind', stash + '/.X11-unix', '/tmp/.X11-unix'],
                          ['mkdir', '-p', '/tmp'], ['touch', '/tmp/app.sock'],
                          ['mount', '--rbind', stash + '/app.sock', '/tmp/app.sock']]


def test_tmpfs_with_wrong_size_flags_and_owner_is_remounted_and_chowned(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,nosuid,noexec,relatime', 1000000)), tmp_mode=0o777)
    host.write(FSTAB, MARK + LINE)
    check = run_module('tmpfs_tmp', {}, check_mode=True, diff=True, host=host)
    assert check['live_action'] == 'remount'
    found = by_control(check)
    assert found['tmp.options']['actual'] == 'nodev missing; noexec set; size=1000000k instead of 50% of RAM (4000000k)'
    assert found['tmp.owner_mode']['actual'] == 'mode 0777 instead of 1777'
    assert found['tmp.go_exec']['status'] == 'fail' and found['tmp.persisted']['status'] == 'pass'
    real = run_module('tmpfs_tmp', {}, diff=True, host=host)
    assert real['diff'] == check['diff']
    # the atime mode of the live mount (relatime) is passed explicitly, whatever mount merges in
    assert host._runner.argvs() == [['mount', '-o', 'remount,nosuid,nodev,exec,relatime,size=50%', '/tmp'],
                                    ['chown', '0:0', '/tmp'], ['chmod', '1777', '/tmp']]
    assert statuses(real)['tmp.go_exec'] == 'fixed'


def test_remount_failure_rolls_back_the_fstab(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,nosuid,nodev', 1000000)), runner=FakeRunner('tmpfs'))
    host._runner.fail_on = 'remount,nosuid,nodev,exec,strictatime,size=50%'
    before = host.tree()
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result.failed and 'remount /tmp failed' in result['msg'] and '1 earlier change(s) undone' in result['msg']
    assert host.tree() == before
    assert by_control(result)['tmp.persisted']['status'] == 'fail'


def test_mount_failure_undoes_the_stash(run_module, tmp_path):
    host = make_host(tmp_path, runner=FakeRunner('tmpfs'))
    before = host.tree()
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result.failed and 'mount a tmpfs on /tmp failed' in result['msg']
    assert host.tree() == before
    argvs = host._runner.argvs()
    assert argvs[-2][:2] == ['umount', '-R'] and argvs[-2][2].startswith('/run/gocompat-baseline/')


def test_debian13_default_tmp_mount_is_recognised_not_duplicated(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,nosuid,nodev', HALF_KIB, ',nr_inodes=1048576')),
                     pid1='systemd', fstab='# empty\n')
    trixie(host)
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result['changed'] is False and set(statuses(result).values()) == {'pass'}
    assert result['persisted'] == {'via': 'systemd', 'fstype': 'tmpfs', 'method': 'systemd', 'source': UNIT + ':14',
                                   'options': ['mode=1777', 'strictatime', 'nosuid', 'nodev', 'size=50%', 'nr_inodes=1m']}
    assert not os.path.exists(host.p(DROPIN))


def test_systemd_dropin_when_the_unit_differs_and_daemon_reload(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,nosuid,nodev', 2000000)), pid1='systemd', fstab='')
    trixie(host)
    check = run_module('tmpfs_tmp', {'size': '25%'}, check_mode=True, host=host)
    assert check['changed_files'] == [DROPIN]
    assert by_control(check)['tmp.persisted']['actual'].endswith('size=50% instead of 25%')
    real = run_module('tmpfs_tmp', {'size': '25%'}, host=host)
    assert host.text(DROPIN).splitlines()[-1] == 'Options=nosuid,nodev,size=25%%,mode=1777'
    assert ['systemctl', 'daemon-reload'] in host._runner.argvs()
    assert statuses(real)['tmp.persisted'] == 'fixed' and real['live_action'] == 'keep'
    again = run_module('tmpfs_tmp', {'size': '25%'}, host=host)
    assert again['changed'] is False and statuses(again)['tmp.persisted'] == 'pass'
    # back to the default: our drop-in goes, the shipped unit is compliant by itself
    host._runner.calls[:] = []
    back = run_module('tmpfs_tmp', {'size': '50%'}, host=host)
    assert back['changed_files'] == [DROPIN] and not os.path.exists(host.p(DROPIN))


def test_systemd_refuses_a_foreign_fstab_line_that_would_win(run_module, tmp_path):
    host = make_host(tmp_path, pid1='systemd', fstab='# mine\ntmpfs /tmp tmpfs size=1g 0 0\n')
    trixie(host)
    before = host.tree()
    result = run_module('tmpfs_tmp', {'persist': 'systemd'}, host=host)
    assert result.failed and host.tree() == before and host._runner.calls == []
    assert '/etc/fstab:2 mounts /tmp and wins over tmp.mount (systemd-fstab-generator)' in result['msg']


def test_systemd_removes_its_own_fstab_line(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), pid1='systemd', fstab='# mine\n' + MARK + LINE)
    trixie(host)
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result['changed_files'] == [FSTAB] and host.text(FSTAB) == '# mine\n'
    assert result['persisted']['via'] == 'fstab' and statuses(result)['tmp.persisted'] == 'pass'


def test_fstab_persistence_removes_our_dead_dropin_and_edits_a_foreign_line_in_place(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), fstab='a / ext4 defaults 0 1\ntmpfs  /tmp  tmpfs  noexec  0 0  \n# end\n')
    trixie(host)
    host.write(DROPIN, '# Managed by gocompat.baseline (tmpfs_tmp)\n[Mount]\nOptions=size=1g\n')
    result = run_module('tmpfs_tmp', {'persist': 'fstab', 'backup': True}, host=host)
    assert result['changed_files'] == [FSTAB, DROPIN] and not os.path.exists(host.p(DROPIN))
    assert host.text(FSTAB) == 'a / ext4 defaults 0 1\n' + MARK + LINE + '# end\n'
    assert sorted(result['backup_files']) == [FSTAB, DROPIN]
    with open(result['backup_files'][FSTAB]) as handle:
        assert 'tmpfs  /tmp  tmpfs  noexec  0 0  \n' in handle.read()


def test_unit_present_but_not_enabled_gets_the_wants_link(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), pid1='systemd', fstab='')
    trixie(host, enabled=False)
    result = run_module('tmpfs_tmp', {'persist': 'systemd'}, diff=True, host=host)
    link = '/etc/systemd/system/local-fs.target.wants/tmp.mount'
    assert result['changed_files'] == [link]
    assert os.readlink(host.p(link)) == UNIT and statuses(result)['tmp.persisted'] == 'fixed'


def test_persist_none_and_masked_unit(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), pid1='systemd', fstab='')
    os.makedirs(host.p('/etc/systemd/system'))
    os.symlink('/dev/null', host.p('/etc/systemd/system/tmp.mount'))
    none = run_module('tmpfs_tmp', {'persist': 'none'}, host=host)
    assert statuses(none)['tmp.persisted'] == 'skip' and none['changed'] is False
    auto = run_module('tmpfs_tmp', {}, host=host)
    assert auto['persisted']['method'] == 'fstab' and auto['changed_files'] == [FSTAB]
    os.remove(host.p(FSTAB))
    host.write(FSTAB, '')
    masked = run_module('tmpfs_tmp', {'persist': 'systemd'}, host=host)
    assert masked.failed and 'tmp.mount is masked' in masked['msg']


def test_noexec_with_a_go_tmpdir_on_an_exec_filesystem(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,nosuid,nodev')), fstab='')
    params = {'options': ['nosuid', 'nodev', 'noexec'], 'go_tmpdir': '/var/tmp/go-build'}
    missing = run_module('tmpfs_tmp', params, host=host)
    assert missing.failed and 'go_tmpdir /var/tmp/go-build does not exist' in missing['msg']
    assert host._runner.calls == []
    audit = run_module('tmpfs_tmp', params, check_mode=True, host=host)
    assert statuses(audit)['tmp.go_exec'] == 'pass' and audit['live_action'] == 'remount'
    os.makedirs(host.p('/var/tmp/go-build'))
    real = run_module('tmpfs_tmp', params, host=host)
    assert host._runner.argvs() == [['mount', '-o', 'remount,nosuid,nodev,noexec,strictatime,size=50%', '/tmp']]
    assert 'tmpfs\t/tmp\ttmpfs\tnosuid,nodev,noexec,size=50%,mode=1777\t0\t0' in host.text(FSTAB)
    mounted_now(host, tmpfs_line('rw,nosuid,nodev,noexec'))
    after = run_module('tmpfs_tmp', params, host=host)
    assert after['changed'] is False
    assert by_control(after)['tmp.go_exec']['actual'] == ('/tmp is noexec; go_tmpdir /var/tmp/go-build is on /, which allows exec')
    assert statuses(real)['tmp.options'] == 'fixed'


def test_go_tmpdir_on_a_noexec_filesystem_fails_the_control(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,nosuid,nodev,noexec'),
                                       '50 1 0:50 / /var rw,noexec - ext4 /dev/sdb1 rw'), fstab=MARK + LINE)
    os.makedirs(host.p('/var/tmp/go-build'))
    result = run_module('tmpfs_tmp', {'options': ['nosuid', 'nodev', 'noexec'], 'go_tmpdir': '/var/tmp/go-build'},
                        check_mode=True, host=host)
    found = by_control(result)['tmp.go_exec']
    assert found['status'] == 'fail' and 'mounted noexec too' in found['actual']
    host.write(FSTAB, '')
    before = host.tree()
    real = run_module('tmpfs_tmp', {'options': ['nosuid', 'nodev', 'noexec'], 'go_tmpdir': '/var/tmp/go-build',
                                    'size': '1g'}, host=host)
    assert real.failed and 'mounted noexec too' in real['msg'] and 'go test would fail' in real['msg']
    assert host.tree() == before and host._runner.calls == []


@pytest.mark.parametrize('mode_param', ['1777', '01777'])
def test_mode_spellings_are_the_same(run_module, tmp_path, mode_param):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), fstab=MARK + LINE)
    result = run_module('tmpfs_tmp', {'mode': mode_param}, host=host)
    assert result['changed'] is False and set(statuses(result).values()) == {'pass'}


def test_trees_of_empty_directories_are_recreated_not_hidden(run_module, tmp_path):
    # systemd's PrivateTmp directories (0700 with an empty tmp/ inside) and the X11 socket dirs hold no data
    host = make_host(tmp_path)
    private = '/tmp/systemd-private-0a67-systemd-logind.service-qfc4Oi'
    os.makedirs(host.p(private + '/tmp'))
    os.chmod(host.p(private), 0o700)
    os.makedirs(host.p('/tmp/.X11-unix'))
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result['live_action'] == 'mount' and result['hidden'] == []
    assert ['cp', '-a', '--parents', '--', '.X11-unix', private[5:], '/tmp'] in host._runner.argvs()
    os.symlink('/mnt/wslg/.X11-unix', host.p('/tmp/.X11-link'))
    linked = run_module('tmpfs_tmp', {}, check_mode=True, host=host)
    assert linked['live_action'] == 'mount' and '.X11-link' in linked['carried']
    host.write(private + '/tmp/session.lock', '1')
    mounted_not = run_module('tmpfs_tmp', {}, check_mode=True, host=host)
    assert mounted_not['live_action'] == 'defer-hidden' and mounted_not['hidden'] == [private[5:] + '/']


def test_a_huge_tmp_is_not_walked_to_the_end(run_module, tmp_path, monkeypatch):
    from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_live
    monkeypatch.setattr(tmp_live, 'SURVEY_LIMIT', 50)
    host = make_host(tmp_path)
    for number in range(30):
        os.makedirs(host.p('/tmp/d%02d/e' % number))
    result = run_module('tmpfs_tmp', {}, check_mode=True, host=host)
    assert result['live_action'] == 'defer-hidden' and result['hidden'][-1] == 'more than 50 entries'


def test_a_failed_step_after_a_remount_remounts_back_to_the_old_options(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line('rw,noexec,relatime', 1000000, ',nr_inodes=2048')),
                     tmp_mode=0o777, fstab=MARK + LINE, runner=FakeRunner('chmod'))
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result.failed and 'chown and chmod /tmp failed' in result['msg']
    argvs = host._runner.argvs()
    assert argvs[0] == ['mount', '-o', 'remount,nosuid,nodev,exec,relatime,size=50%', '/tmp']
    assert argvs[2:] == [['chmod', '1777', '/tmp'], ['chown', '0:0', '/tmp'],
                         ['mount', '-o', 'remount,suid,dev,noexec,relatime,size=1000000k,nr_inodes=2048', '/tmp']]


def test_a_later_local_dropin_that_overrides_ours_is_refused_by_name(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), pid1='systemd', fstab='')
    trixie(host)
    host.write('/etc/systemd/system/tmp.mount.d/99-local.conf', '[Mount]\nOptions=size=10%%,nosuid\n')
    before = host.tree()
    result = run_module('tmpfs_tmp', {'size': '25%'}, host=host)
    assert result.failed and host.tree() == before and host._runner.calls == []
    assert 'another drop-in of tmp.mount wins over ' + DROPIN in result['msg']
    assert '/etc/systemd/system/tmp.mount.d/99-local.conf:2' in result['msg']
