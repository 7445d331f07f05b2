# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""sysctl_guard through the shared run_module harness (contract checked on every call), on a fake host root."""

from __future__ import absolute_import, division, print_function

import errno
import os

import pytest

from ansible.module_utils import basic

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils import module_base
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import DISABLED_MARKER, proc_path
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import PROCPS, SYSTEMD, Setting
from ansible_collections.gocompat.baseline.plugins.modules import sysctl_guard as guard

# env is a fixture: importing it makes it available here
from sysctl_guard_env import env, item, owned_text  # noqa: F401 pylint: disable=unused-import

PID = 'kernel.pid_max'
PORTS = 'net.ipv4.ip_local_port_range'


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


def finding(result, key):
    return next(f for f in result['findings'] if f['control'] == key)


def guard_run(run_module, env, settings, check_mode=False, diff=False, **params):
    return run_module('sysctl_guard', env.params(settings, **params), check_mode=check_mode, diff=diff)


# --- settings -----------------------------------------------------------------------------------

def test_keys_and_values_are_normalised(run_module, env):
    env.set_live(PID, 32768)
    env.set_live(PORTS, '32768\t60999')
    env.set_live('user.max_user_namespaces', 0)
    result = guard_run(run_module, env, [item('kernel/pid_max', 4194304, 'min'), item(PORTS, '1024\t65535'),
                                         item('user.max_user_namespaces', '10000', 'min', True)])
    assert result['persisted'] == {PID: '4194304', PORTS: '1024 65535', 'user.max_user_namespaces': '10000'}
    assert env.live(PORTS) == '1024 65535\n'


def test_a_list_value_is_joined_the_kernel_way(run_module, env):
    env.set_live(PORTS, '32768\t60999')
    result = guard_run(run_module, env, [item(PORTS, [1024, 65535])])
    assert result['persisted'] == {PORTS: '1024 65535'}
    assert statuses(result) == {PORTS: 'fixed'}


# --- live values --------------------------------------------------------------------------------

def test_proc_sys_read_only_on_a_writable_directory_is_false(monkeypatch, tmp_path):
    monkeypatch.setattr(guard, 'PROC_SYS', str(tmp_path))
    assert guard.proc_sys_read_only() is False


def test_proc_sys_read_only_when_proc_sys_is_missing_is_true(monkeypatch, tmp_path):
    monkeypatch.setattr(guard, 'PROC_SYS', str(tmp_path / 'no-proc'))
    assert guard.proc_sys_read_only() is True


def test_read_live_reads_values_and_marks_missing_keys(env):
    env.set_live(PID, 32768)
    env.set_live(PORTS, '32768\t60999')
    env.set_live('net.ipv4.conf.eth0/100.forwarding', 0)
    settings = [Setting(PID, 4194304, 'min'), Setting(PORTS, '1024 65535'),
                Setting('net.ipv4.conf.eth0/100.forwarding', 1), Setting('kernel.unprivileged_userns_clone', 1),
                Setting('kernel.pid_max.below_a_file', 1)]
    live = guard.read_live(module_base.Host(), settings, True)
    assert os.path.isfile(os.path.join(env.proc, 'net', 'ipv4', 'conf', 'eth0.100', 'forwarding'))
    assert dict((k, (v.value, v.blocked)) for k, v in live.items()) == {
        PID: ('32768', None),
        PORTS: ('32768 60999', None),
        'net.ipv4.conf.eth0/100.forwarding': ('0', None),
        'kernel.unprivileged_userns_clone': (None, None),   # ENOENT: not on this kernel
        'kernel.pid_max.below_a_file': (None, None),         # ENOTDIR: not on this kernel either
    }


def test_read_live_with_apply_false_blocks_every_write(env):
    env.set_live('vm.swappiness', 60)
    live = guard.read_live(module_base.Host(), [Setting('vm.swappiness', 10, 'max')], False)
    assert live['vm.swappiness'].blocked == 'apply=false'


def test_read_live_on_read_only_proc_sys_blocks_writes(env, monkeypatch):
    env.set_live('vm.swappiness', 60)
    monkeypatch.setattr(guard, 'mount_read_only', lambda path: True)
    live = guard.read_live(module_base.Host(), [Setting('vm.swappiness', 10, 'max')], True)
    assert live['vm.swappiness'].value == '60'
    assert live['vm.swappiness'].blocked == '%s is read-only' % env.proc


def test_live_write_blocker_reports_a_permission_denied_probe(env, monkeypatch):
    path = env.set_live(PID, 32768)
    real_open = os.open

    def fake_os_open(target, flags, *args):
        if target == path and flags & os.O_WRONLY:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), target)
        return real_open(target, flags, *args)

    monkeypatch.setattr(guard.os, 'open', fake_os_open)
    assert guard.live_write_blocker(path) == '%s: %s' % (path, os.strerror(errno.EACCES))


def test_live_write_blocker_probe_does_not_change_the_value(env):
    path = env.set_live(PID, 32768)
    assert guard.live_write_blocker(path) is None
    assert env.live(PID) == '32768\n'


def test_an_unreadable_key_fails_with_its_path(run_module, env):
    os.makedirs(proc_path(PID, env.proc))  # a directory where a value should be
    result = guard_run(run_module, env, [item(PID, 1, 'min')])
    assert result.failed
    assert result['msg'].startswith('cannot read %s: ' % proc_path(PID, env.proc))


def test_write_live_writes_the_value_with_a_newline_and_returns_what_the_kernel_kept(env):
    env.set_live(PORTS, '32768 60999')
    assert guard.write_live(PORTS, '1024 65535') == '1024 65535'
    assert env.live(PORTS) == '1024 65535\n'


def test_values_are_applied_live_and_persisted(run_module, env):
    env.set_live(PID, 32768)
    env.set_live('vm.max_map_count', 65530)
    result = guard_run(run_module, env, [item(PID, 4194304, 'min'), item('vm.max_map_count', 262144, 'min')])
    assert result['changed'] is True
    assert result['applied'] == {PID: '4194304', 'vm.max_map_count': '262144'}
    assert env.live(PID) == '4194304\n'
    assert env.live('vm.max_map_count') == '262144\n'
    assert result['changed_files'] == [env.owned]


def refuse_writes_to(monkeypatch, refused_path, err=errno.EACCES):
    """Make the module's open() fail for writes to one path, like the kernel refusing a write."""
    real_open = open

    def fake_open(path, mode='r', *args, **kwargs):
        if path == refused_path and 'w' in mode:
            raise OSError(err, os.strerror(err), path)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(guard, 'open', fake_open, raising=False)


def test_a_refused_live_write_is_judged_on_persistence_without_a_second_plan(run_module, env, monkeypatch):
    refused = env.set_live(PID, 32768)
    env.set_live('vm.max_map_count', 65530)
    refuse_writes_to(monkeypatch, refused, errno.EROFS)
    calls = []
    real_plan = guard.plan_sysctl
    monkeypatch.setattr(guard, 'plan_sysctl', lambda *a, **k: calls.append(1) or real_plan(*a, **k))
    result = guard_run(run_module, env, [item(PID, 4194304, 'min'), item('vm.max_map_count', 262144, 'min')],
                       diff=True)
    assert len(calls) == 1
    assert result['applied'] == {'vm.max_map_count': '262144'}
    assert result['not_applied'] == {PID: os.strerror(errno.EROFS)}
    f = finding(result, PID)
    assert f['status'] == 'fixed'  # persisted: the boot value is now compliant
    assert f['actual'].endswith('; persisted, not applied: %s' % os.strerror(errno.EROFS))
    assert env.live(PID) == '32768\n'
    assert env.live('vm.max_map_count') == '262144\n'
    assert not any(d['after_header'] == refused + ' (live)' for d in result['diff'])
    assert any(d['after_header'].endswith('max_map_count (live)') for d in result['diff'])


def test_a_failed_live_write_undoes_the_values_already_written(run_module, env, monkeypatch):
    env.set_live(PID, 32768)
    env.set_live('kernel.threads-max', 1000)
    env.set_live('vm.max_map_count', 65530)
    real_write = guard.write_live

    def vanishing(key, value):
        if key == 'vm.max_map_count':
            raise OSError(errno.ENOENT, os.strerror(errno.ENOENT), proc_path(key, env.proc))
        return real_write(key, value)

    monkeypatch.setattr(guard, 'write_live', vanishing)
    before = env.fingerprint()
    result = guard_run(run_module, env, [item(PID, 4194304, 'min'), item('kernel.threads-max', 2000, 'min'),
                                         item('vm.max_map_count', 262144, 'min')])
    assert result.failed
    assert result['msg'].startswith('apply vm.max_map_count = 262144 failed: ')
    assert result['msg'].endswith('; 2 earlier change(s) undone')
    assert statuses(result) == {PID: 'fail', 'kernel.threads-max': 'fail', 'vm.max_map_count': 'fail'}
    assert env.live(PID) == '32768\n'
    assert env.live('kernel.threads-max') == '1000\n'
    assert env.fingerprint() == before


def test_a_partly_kept_value_is_written_back_and_said_so(run_module, env, monkeypatch):
    # defect 6: the kernel keeps a partly written value (one number for a two-number key)
    env.set_live(PORTS, '32768\t60999')
    real_write = guard.write_live

    def partial(key, value):
        if value == '1024':
            real_write(key, '1024 60999')
            return '1024 60999'
        return real_write(key, value)

    monkeypatch.setattr(guard, 'write_live', partial)
    result = guard_run(run_module, env, [item(PORTS, 1024)])
    assert result.failed
    assert 'the kernel kept %s = 1024 60999 after writing 1024; its previous value 32768 60999 was written back' \
        % PORTS in result['msg']
    assert env.live(PORTS) == '32768 60999\n'
    assert not os.path.exists(env.owned)


def test_a_failed_write_back_is_reported_as_failed(run_module, env, monkeypatch):
    env.set_live(PORTS, '32768\t60999')

    def stuck(key, value):
        return '1024 60999'

    monkeypatch.setattr(guard, 'write_live', stuck)
    result = guard_run(run_module, env, [item(PORTS, 1024)])
    assert result.failed
    assert 'writing back 32768 60999 FAILED: the kernel kept 1024 60999' in result['msg']
    assert 'was written back' not in result['msg']
    assert 'nothing had been changed' not in result['msg']


def test_a_failed_undo_is_reported_and_never_called_restored(run_module, env, monkeypatch):
    env.set_live(PID, 32768)
    env.set_live('vm.max_map_count', 65530)
    real_write = guard.write_live
    calls = []

    def flaky(key, value):
        calls.append((key, value))
        if key == 'vm.max_map_count':
            raise OSError(errno.EIO, os.strerror(errno.EIO), proc_path(key, env.proc))
        if value == '32768':
            raise OSError(errno.EIO, os.strerror(errno.EIO), proc_path(key, env.proc))
        return real_write(key, value)

    monkeypatch.setattr(guard, 'write_live', flaky)
    result = guard_run(run_module, env, [item(PID, 4194304, 'min'), item('vm.max_map_count', 262144, 'min')])
    assert result.failed
    assert 'undoing earlier changes FAILED for: apply kernel.pid_max = 4194304' in result['msg']
    assert 'undone;' not in result['msg'] and 'restored' not in result['msg']


# --- files --------------------------------------------------------------------------------------

def test_owned_file_and_a_shadowing_edit_are_written(run_module, env):
    env.set_live(PID, 4194304)
    local = env.write(os.path.join(env.etc_d, '99-local.conf'), 'kernel.pid_max = 32768\n')
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], shadowed='fix')
    assert result['changed_files'] == [env.owned, local]
    assert env.read(env.owned) == owned_text((PID, '4194304'))
    assert env.read(local).startswith(DISABLED_MARKER + 'kernel.pid_max = 32768')


def test_a_compliant_host_changes_nothing(run_module, env):
    env.set_live(PID, 4194304)
    env.write(env.owned, owned_text((PID, '4194304')))
    before = env.fingerprint()
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')])
    assert (result['changed'], result['changed_files'], statuses(result)) == (False, [], {PID: 'pass'})
    assert env.fingerprint() == before


def test_backups_of_existing_regular_files_only(run_module, env, tmp_path):
    env.set_live(PID, 32768)
    env.write(env.owned, owned_text((PID, '1000')))
    target = env.write(str(tmp_path / 'vendor' / 'x.conf'), 'kernel.pid_max = 1\n')
    link = os.path.join(env.etc_d, '99-link.conf')
    os.symlink(target, link)
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], shadowed='fix', backup=True)
    # the link's target (outside /run and /usr) is edited in place, through the link
    assert sorted(result['backup_files']) == sorted([env.owned, target])
    for original, copy in result['backup_files'].items():
        assert not copy.endswith('.conf')
    assert env.read(result['backup_files'][env.owned]) == owned_text((PID, '1000'))
    assert os.path.islink(link) and os.readlink(link) == target
    assert env.read(target).startswith(DISABLED_MARKER)


def test_selinux_context_is_set_on_the_temp_files(run_module, env, monkeypatch):
    env.set_live(PID, 32768)
    env.write(env.owned, owned_text((PID, '1000')))
    contexts = []
    monkeypatch.setattr(basic.AnsibleModule, 'selinux_enabled', lambda self: True)
    monkeypatch.setattr(basic.AnsibleModule, 'selinux_context', lambda self, path: ['u', 'r', 'etc_t', 's0'])
    monkeypatch.setattr(basic.AnsibleModule, 'selinux_default_context', lambda self, path: ['u', 'r', 'new_t', 's0'])
    monkeypatch.setattr(basic.AnsibleModule, 'set_context_if_different',
                        lambda self, path, context, changed: contexts.append((os.path.basename(path), context)))
    env.write(os.path.join(env.usr_d, '99-vendor.conf'), 'kernel.pid_max = 1\n')
    guard_run(run_module, env, [item(PID, 4194304, 'min')], shadowed='fix')
    assert [(name.startswith('.90-gocompat-baseline.conf.') and name.endswith('.tmp'), context)
            for name, context in contexts] == [
        (True, ['u', 'r', 'etc_t', 's0']),            # copied from the existing file
        (False, ['u', 'r', 'new_t', 's0']),           # default for the new /etc copy of the vendor file
    ]


def disk_full_for(monkeypatch, name):
    """Writes of a file called ``name`` fail as on a full disk; other writes go through."""
    real_write = fileio.atomic_write

    def failing(path, text, **kwargs):
        if path.endswith(name):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)
        return real_write(path, text, **kwargs)
    monkeypatch.setattr(fileio, 'atomic_write', failing)


def test_a_failed_file_write_restores_files_and_live_values(run_module, env, monkeypatch):
    env.set_live(PID, 32768)
    env.write(env.owned, owned_text((PID, '1000')), mode=0o640)
    local = env.write(os.path.join(env.etc_d, '99-local.conf'), 'kernel.pid_max = 1\r\n')
    runtime = env.write(os.path.join(env.run_d, '99-z.conf'), 'kernel.pid_max = 2\n')
    before = env.fingerprint()
    disk_full_for(monkeypatch, '99-z.conf')
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], shadowed='fix')
    assert result.failed
    assert result['msg'].startswith('write %s failed: ' % os.path.join(env.etc_d, '99-z.conf'))
    assert result['msg'].endswith('; 3 earlier change(s) undone')
    assert env.fingerprint() == before
    assert env.live(PID) == '32768\n'
    assert env.read(local) == 'kernel.pid_max = 1\r\n' and env.read(runtime) == 'kernel.pid_max = 2\n'
    assert sorted(os.listdir(env.etc_d)) == ['90-gocompat-baseline.conf', '99-local.conf']  # no temp files left


def test_a_failed_write_puts_back_an_owned_symlink(run_module, env, monkeypatch, tmp_path):
    target = env.write(str(tmp_path / 'shared' / 'baseline.conf'), owned_text((PID, '1000')))
    os.symlink(target, env.owned)
    env.set_live(PID, 4194304)
    env.write(os.path.join(env.usr_d, '99-z.conf'), 'kernel.pid_max = 2\n')
    disk_full_for(monkeypatch, '99-z.conf')
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], shadowed='fix')
    assert result.failed
    assert os.path.islink(env.owned) and os.readlink(env.owned) == target
    assert env.read(target) == owned_text((PID, '1000'))


# --- diff ---------------------------------------------------------------------------------------

def test_diff_lists_owned_file_edits_and_live_values(run_module, env):
    env.set_live(PID, 32768)
    env.set_live('vm.max_map_count', 65530)
    env.write(env.owned, owned_text((PID, '32768')))
    env.write(os.path.join(env.usr_d, '99-vendor.conf'), 'vm.max_map_count = 1\n')
    result = guard_run(run_module, env, [item(PID, 4194304, 'min'), item('vm.max_map_count', 262144, 'min')],
                       check_mode=True, diff=True, shadowed='fix')
    copy = os.path.join(env.etc_d, '99-vendor.conf')
    diffs = result['diff']
    assert [(d['before_header'], d['after_header']) for d in diffs] == [
        (env.owned, env.owned),
        ('%s (absent)' % copy, copy),
        ('%s/kernel/pid_max (live)' % env.proc, '%s/kernel/pid_max (live)' % env.proc),
        ('%s/vm/max_map_count (live)' % env.proc, '%s/vm/max_map_count (live)' % env.proc),
    ]
    assert diffs[0]['before'] == owned_text((PID, '32768'))
    assert diffs[0]['after'] == owned_text((PID, '4194304'), ('vm.max_map_count', '262144'))
    assert diffs[1]['before'] == ''
    assert diffs[1]['after'].startswith(DISABLED_MARKER + 'vm.max_map_count = 1')
    assert (diffs[2]['before'], diffs[2]['after']) == ('32768\n', '4194304\n')
    assert (diffs[3]['before'], diffs[3]['after']) == ('65530\n', '262144\n')
    assert result['changed_files'] == [env.owned, copy]
    assert result['applied'] == {PID: '4194304', 'vm.max_map_count': '262144'}


def test_diff_is_empty_without_changes(run_module, env):
    env.set_live(PID, 4194304)
    env.write(env.owned, owned_text((PID, '4194304')))
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], check_mode=True, diff=True)
    assert result['diff'] == []


def test_diff_of_a_foreign_file_with_bytes_that_are_not_utf8_is_escaped(run_module, env):
    env.set_live(PID, 4194304)
    local = env.write(os.path.join(env.etc_d, '99-local.conf'), b'# caf\xe9\nkernel.pid_max = 1\n')
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], diff=True, shadowed='fix')
    d = next(d for d in result['diff'] if d['after_header'] == local)
    assert d['before'] == '# caf\\xe9\nkernel.pid_max = 1\n'
    with open(local, 'rb') as handle:
        assert handle.read().startswith(b'# caf\xe9\n' + DISABLED_MARKER.encode())


# --- reading the tree ---------------------------------------------------------------------------

def test_read_tree_reads_masks_links_and_skips_what_systemd_skips(env, tmp_path):
    env.write(os.path.join(env.usr_d, '50-vendor.conf'), 'kernel.pid_max = 32768\n')
    env.write(os.path.join(env.usr_d, '60-shared.conf'), 'vm.swappiness = 10\n')
    os.symlink('/dev/null', os.path.join(env.etc_d, '50-vendor.conf'))
    os.symlink(os.path.join(env.usr_d, '60-shared.conf'), os.path.join(env.run_d, '60-shared.conf'))
    os.symlink(str(tmp_path / 'gone.conf'), os.path.join(env.etc_d, '70-dangling.conf'))
    env.write(os.path.join(env.etc_d, 'README'), 'not read')
    os.makedirs(os.path.join(env.etc_d, '80-dir.conf'))
    env.write(env.legacy, '# legacy\n')
    warnings = []
    listing, contents, realpaths, legacy = guard.read_tree(module_base.Host(), env.owned, warnings)
    assert listing == [(env.etc_d, ['50-vendor.conf']), (env.run_d, ['60-shared.conf']), (env.local_d, []),
                       (env.usr_d, ['50-vendor.conf', '60-shared.conf'])]
    assert contents[os.path.join(env.etc_d, '50-vendor.conf')] == ''
    assert realpaths == {os.path.join(env.etc_d, '50-vendor.conf'): '/dev/null',
                         os.path.join(env.run_d, '60-shared.conf'): os.path.join(env.usr_d, '60-shared.conf')}
    assert legacy == '# legacy\n'
    assert warnings == ['%s is a dangling symlink; systemd-sysctl skips it' % os.path.join(env.etc_d, '70-dangling.conf')]


def test_read_tree_fails_on_an_unreadable_file(run_module, env, monkeypatch):
    bad = env.write(os.path.join(env.etc_d, '50-a.conf'), 'a.b = 1\n')
    env.set_live(PID, 1)
    real_read = fileio.read_regular

    def unreadable(path, limit=fileio.DEFAULT_READ_LIMIT):
        if path == bad:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_read(path, limit)

    monkeypatch.setattr(fileio, 'read_regular', unreadable)
    result = guard_run(run_module, env, [item(PID, 1)])
    assert result.failed
    assert result['msg'] == 'cannot read %s: %s; nothing was changed' % (bad, os.strerror(errno.EACCES)) or \
        result['msg'].startswith('cannot read %s: ' % bad)


# --- boot mechanisms ----------------------------------------------------------------------------

def test_systemd_as_pid1_means_systemd_sysctl(env):
    assert guard.boot_mechanisms(module_base.Host(), []) == (SYSTEMD,)


def test_systemd_as_init_of_a_container_means_systemd_sysctl(env):
    env.write(env.p('proc/1/comm'), 'sleep\n')
    env.write(env.p('usr/lib/systemd/systemd'), '')
    os.symlink(env.p('usr/lib/systemd/systemd'), env.p('sbin/init')) if os.path.isdir(env.p('sbin')) else (
        os.makedirs(env.p('sbin')), os.symlink(env.p('usr/lib/systemd/systemd'), env.p('sbin/init')))
    assert guard.boot_mechanisms(module_base.Host(), []) == (SYSTEMD,)


def test_a_host_without_systemd_uses_sysctl_system(env):
    env.write(env.p('proc/1/comm'), 'init\n')
    env.write(env.p('sbin/init'), '')
    env.write(env.p('sbin/sysctl'), '')
    assert guard.boot_mechanisms(module_base.Host(), []) == (PROCPS,)


def test_a_host_without_any_mechanism_says_so(env):
    env.write(env.p('proc/1/comm'), 'init\n')
    warnings = []
    assert guard.boot_mechanisms(module_base.Host(), warnings) == (SYSTEMD,)
    assert warnings and 'nothing applies sysctl files at boot' in warnings[0]


def test_sysctl_conf_counts_on_a_host_without_systemd(run_module, env):
    env.write(env.p('proc/1/comm'), 'init\n')
    env.write(env.p('sbin/sysctl'), '')
    env.set_live(PID, 4194304)
    env.write(env.legacy, 'kernel.pid_max = 4194304\n')
    result = guard_run(run_module, env, [item(PID, 4194304, 'min')], check_mode=True)
    assert result['boot_mechanisms'] == ['sysctl --system']
    assert statuses(result) == {PID: 'pass'}
    assert finding(result, PID)['actual'] == 'live 4194304; at boot 4194304 (%s:1, sysctl --system)' % env.legacy


@pytest.mark.parametrize('check_mode', [True, False])
def test_unlinked_sysctl_conf_does_not_outvote_sysctl_d_under_systemd(run_module, env, check_mode):
    # defect 1: /etc/sysctl.conf = 1 and sysctl.d/second.conf = 0 without the 99-sysctl.conf link
    key = 'net.ipv4.tcp_syncookies'
    env.set_live(key, 1)
    env.write(env.legacy, '%s = 1\n' % key)
    second = env.write(os.path.join(env.etc_d, 'second.conf'), '%s = 0\n' % key)
    result = guard_run(run_module, env, [item(key, 1)], check_mode=check_mode, shadowed='fix')
    assert statuses(result) == {key: 'fail' if check_mode else 'fixed'}
    assert finding(result, key)['actual'] == 'live 1; at boot 0 (%s:1, systemd-sysctl)' % second
    assert result['shadowed'] == [{'key': key, 'path': second, 'line': 1, 'value': '0', 'action': 'disabled'}]
    if not check_mode:
        assert env.read(second).startswith(DISABLED_MARKER)
        assert env.read(env.legacy) == '%s = 1\n' % key


def test_a_writable_submount_of_a_read_only_proc_sys_is_used(env, monkeypatch):
    # a container with /proc/sys read-only and its own /proc/sys/net writable
    path = env.set_live('net.core.somaxconn', 4096)
    monkeypatch.setattr(guard, 'mount_read_only', lambda p: p == env.proc)
    assert guard.live_write_blocker(path) is None
    monkeypatch.setattr(guard, 'mount_read_only', lambda p: p != env.proc)
    assert guard.live_write_blocker(path) == '%s is on a read-only mount' % path
