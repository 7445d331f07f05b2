# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import errno
import os
import shutil

import pytest

from ansible_collections.gocompat.baseline.plugins.modules import sysctl_guard as guard
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import proc_path
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import (
    LiveKey,
    Setting,
    SysctlPlan,
    SysctlTree,
    plan_sysctl,
)


# --- fakes --------------------------------------------------------------------------------------

class FailJson(Exception):
    def __init__(self, kwargs):
        super(FailJson, self).__init__(kwargs.get('msg'))
        self.kwargs = kwargs


class FakeModule(object):
    """Just what the helpers use of AnsibleModule."""

    def __init__(self, **params):
        self.params = dict(settings=[], path='/etc/sysctl.d/90-gocompat-baseline.conf', shadowed='warn',
                           apply=True, backup=False)
        self.params.update(params)
        self.warnings = []
        self.backups = []
        self.selinux = False
        self.contexts = []

    def fail_json(self, **kwargs):
        raise FailJson(kwargs)

    def warn(self, message):
        self.warnings.append(message)

    def backup_local(self, path):
        dest = '%s.%d.bak' % (path, len(self.backups))
        shutil.copy2(path, dest)
        self.backups.append(path)
        return dest

    def selinux_enabled(self):
        return self.selinux

    def selinux_context(self, path):
        return ['system_u', 'object_r', 'etc_t', 's0']

    def selinux_default_context(self, path):
        return ['system_u', 'object_r', 'system_conf_t', 's0']

    def set_context_if_different(self, path, context, changed):
        self.contexts.append((os.path.basename(path), context))
        return changed


def item(key, value, compare='eq', required=False):
    return {'key': key, 'value': value, 'compare': compare, 'required': required}


@pytest.fixture(autouse=True)
def proc(tmp_path, monkeypatch):
    """A fake /proc/sys; every test in this file uses it, so none can reach the real one."""
    root = tmp_path / 'proc-sys'
    root.mkdir()
    monkeypatch.setattr(guard, 'PROC_SYS', str(root))
    return root


def set_live(proc_root, key, value):
    path = proc_path(key, str(proc_root))
    if not os.path.isdir(os.path.dirname(path)):
        os.makedirs(os.path.dirname(path))
    with open(path, 'w') as handle:
        handle.write('%s\n' % value)
    return path


def live_value(proc_root, key):
    with open(proc_path(key, str(proc_root))) as handle:
        return handle.read()


def refuse_writes_to(monkeypatch, refused_path, err=errno.EACCES):
    """Make the module's open() fail for writes to one path, like the kernel refusing a write."""
    real_open = open

    def fake_open(path, mode='r', *args, **kwargs):
        if path == refused_path and 'w' in mode:
            raise OSError(err, os.strerror(err), path)
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(guard, 'open', fake_open, raising=False)


def planned_writes(**writes):
    result = SysctlPlan()
    result.live_writes = dict((name.replace('__', '.'), value) for name, value in writes.items())
    return result


# --- read_settings ------------------------------------------------------------------------------

def test_read_settings_normalises_keys_and_values():
    module = FakeModule(settings=[item('kernel/pid_max', 4194304, 'min'),
                                  item('net.ipv4.ip_local_port_range', '1024\t65535'),
                                  item('user.max_user_namespaces', '10000', 'min', True)])
    settings = guard.read_settings(module)
    assert [(s.key, s.value, s.compare, s.required) for s in settings] == [
        ('kernel.pid_max', '4194304', 'min', False),
        ('net.ipv4.ip_local_port_range', '1024 65535', 'eq', False),
        ('user.max_user_namespaces', '10000', 'min', True),
    ]


@pytest.mark.parametrize('items, message', [
    ([item('net.ipv4.conf.*.rp_filter', 1)],
     "settings[0] (net.ipv4.conf.*.rp_filter): invalid sysctl key 'net.ipv4.conf.*.rp_filter': only letters, "
     "digits and _ . - / : @ + are allowed, no glob"),
    ([item('kernel.pid_max', 1), item('kernel/pid_max', 2)],
     'settings[1] (kernel/pid_max): key kernel.pid_max is listed twice'),
    ([item('net.ipv4.ip_local_port_range', '1024 65535', 'min')],
     "settings[0] (net.ipv4.ip_local_port_range): compare=min needs a single integer value, got '1024 65535' "
     "(use compare=eq for multi-value keys)"),
    ([item('vm.swappiness', 10), item('kernel.core_pattern', '  ')],
     'settings[1] (kernel.core_pattern): value must not be empty'),
    ([item('kernel..pid_max', 1)], "settings[0] (kernel..pid_max): invalid sysctl key 'kernel..pid_max': "
                                   "empty path component"),
    ([item('', 1)], 'settings[0] (): sysctl key must be a non-empty string'),
    ([item('kernel.core_pattern', 'a=b')],
     'settings[0] (kernel.core_pattern): value \'a=b\' must be one line without "="'),
])
def test_read_settings_fails_with_index_key_and_reason(items, message):
    with pytest.raises(FailJson) as caught:
        guard.read_settings(FakeModule(settings=items))
    assert caught.value.kwargs == {'msg': message}


# --- live values --------------------------------------------------------------------------------

def test_proc_sys_read_only_on_a_writable_directory_is_false():
    assert guard.proc_sys_read_only() is False


def test_proc_sys_read_only_when_proc_sys_is_missing_is_true(monkeypatch, tmp_path):
    monkeypatch.setattr(guard, 'PROC_SYS', str(tmp_path / 'no-proc'))
    assert guard.proc_sys_read_only() is True


def test_read_live_reads_values_and_marks_missing_keys(proc):
    set_live(proc, 'kernel.pid_max', 32768)
    set_live(proc, 'net.ipv4.ip_local_port_range', '32768\t60999')
    set_live(proc, 'net.ipv4.conf.eth0/100.forwarding', 0)
    settings = [Setting('kernel.pid_max', 4194304, 'min'), Setting('net.ipv4.ip_local_port_range', '1024 65535'),
                Setting('net.ipv4.conf.eth0/100.forwarding', 1), Setting('kernel.unprivileged_userns_clone', 1),
                Setting('kernel.pid_max.below_a_file', 1)]
    live = guard.read_live(FakeModule(), settings)
    assert os.path.isfile(str(proc / 'net' / 'ipv4' / 'conf' / 'eth0.100' / 'forwarding'))
    assert dict((k, (v.value, v.blocked)) for k, v in live.items()) == {
        'kernel.pid_max': ('32768', None),
        'net.ipv4.ip_local_port_range': ('32768 60999', None),
        'net.ipv4.conf.eth0/100.forwarding': ('0', None),
        'kernel.unprivileged_userns_clone': (None, None),   # ENOENT: not on this kernel
        'kernel.pid_max.below_a_file': (None, None),         # ENOTDIR: not on this kernel either
    }


def test_read_live_with_apply_false_blocks_every_write(proc):
    set_live(proc, 'vm.swappiness', 60)
    live = guard.read_live(FakeModule(apply=False), [Setting('vm.swappiness', 10, 'max')])
    assert live['vm.swappiness'].blocked == 'apply=false'


def test_read_live_on_read_only_proc_sys_blocks_writes(proc, monkeypatch):
    set_live(proc, 'vm.swappiness', 60)
    monkeypatch.setattr(guard, 'proc_sys_read_only', lambda: True)
    live = guard.read_live(FakeModule(), [Setting('vm.swappiness', 10, 'max')])
    assert live['vm.swappiness'].value == '60'
    assert live['vm.swappiness'].blocked == '%s is read-only' % proc


def test_live_write_blocker_reports_a_permission_denied_probe(proc, monkeypatch):
    path = set_live(proc, 'kernel.pid_max', 32768)
    real_open = os.open

    def fake_os_open(target, flags, *args):
        if target == path and flags & os.O_WRONLY:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), target)
        return real_open(target, flags, *args)

    monkeypatch.setattr(guard.os, 'open', fake_os_open)
    assert guard.live_write_blocker(FakeModule(), path, False) == '%s: %s' % (path, os.strerror(errno.EACCES))


def test_live_write_blocker_probe_does_not_change_the_value(proc):
    path = set_live(proc, 'kernel.pid_max', 32768)
    assert guard.live_write_blocker(FakeModule(), path, False) is None
    assert live_value(proc, 'kernel.pid_max') == '32768\n'


def test_read_live_fails_on_an_unreadable_key(proc):
    os.makedirs(proc_path('kernel.pid_max', str(proc)))  # a directory where a value should be
    with pytest.raises(FailJson) as caught:
        guard.read_live(FakeModule(), [Setting('kernel.pid_max', 1, 'min')])
    assert caught.value.kwargs['msg'].startswith('cannot read %s: ' % proc_path('kernel.pid_max', str(proc)))


def test_write_live_writes_the_value_with_a_newline(proc):
    set_live(proc, 'net.ipv4.ip_local_port_range', '32768 60999')
    guard.write_live('net.ipv4.ip_local_port_range', '1024 65535')
    assert live_value(proc, 'net.ipv4.ip_local_port_range') == '1024 65535\n'


def test_write_live_detects_a_value_the_kernel_did_not_keep(proc):
    path = proc_path('kernel.pid_max', str(proc))
    os.makedirs(os.path.dirname(path))
    os.symlink('/dev/null', path)  # accepts the write, reads back nothing
    with pytest.raises(ValueError, match='the kernel kept kernel.pid_max =  after writing 4194304'):
        guard.write_live('kernel.pid_max', '4194304')


def test_apply_live_writes_every_planned_key(proc):
    set_live(proc, 'kernel.pid_max', 32768)
    set_live(proc, 'vm.max_map_count', 65530)
    done, refused = guard.apply_live(FakeModule(), planned_writes(kernel__pid_max='4194304',
                                                                  vm__max_map_count='262144'), {})
    assert (done, refused) == (['kernel.pid_max', 'vm.max_map_count'], {})
    assert live_value(proc, 'kernel.pid_max') == '4194304\n'
    assert live_value(proc, 'vm.max_map_count') == '262144\n'


def test_apply_live_reports_a_refused_write_and_goes_on(proc, monkeypatch):
    refused_path = set_live(proc, 'kernel.pid_max', 32768)
    set_live(proc, 'vm.max_map_count', 65530)
    refuse_writes_to(monkeypatch, refused_path, errno.EROFS)
    done, refused = guard.apply_live(FakeModule(), planned_writes(kernel__pid_max='4194304',
                                                                  vm__max_map_count='262144'), {})
    assert done == ['vm.max_map_count']
    assert refused == {'kernel.pid_max': os.strerror(errno.EROFS)}
    assert live_value(proc, 'kernel.pid_max') == '32768\n'
    assert live_value(proc, 'vm.max_map_count') == '262144\n'


def test_apply_live_failure_restores_values_already_written(proc):
    set_live(proc, 'kernel.pid_max', 32768)
    set_live(proc, 'kernel.threads-max', 1000)
    # vm.max_map_count vanished between reading and writing: ENOENT is not a permission problem
    live = {'kernel.pid_max': LiveKey('32768'), 'kernel.threads-max': LiveKey('1000'),
            'vm.max_map_count': LiveKey('65530')}
    plan = SysctlPlan()
    plan.live_writes = {'kernel.pid_max': '4194304', 'kernel.threads-max': '2000', 'vm.max_map_count': '262144'}
    plan.findings = [{'control': 'kernel.pid_max', 'status': 'fixed'}]
    with pytest.raises(FailJson) as caught:
        guard.apply_live(FakeModule(), plan, live)
    message = caught.value.kwargs['msg']
    assert message.startswith('cannot apply vm.max_map_count = 262144: ')
    assert message.endswith('; live values restored, no file changed')
    assert caught.value.kwargs['findings'] == plan.findings
    assert live_value(proc, 'kernel.pid_max') == '32768\n'
    assert live_value(proc, 'kernel.threads-max') == '1000\n'


def test_apply_live_restores_when_the_kernel_does_not_keep_a_value(proc):
    set_live(proc, 'kernel.pid_max', 32768)
    path = proc_path('vm.max_map_count', str(proc))
    os.makedirs(os.path.dirname(path))
    os.symlink('/dev/null', path)
    live = {'kernel.pid_max': LiveKey('32768'), 'vm.max_map_count': LiveKey('65530')}
    with pytest.raises(FailJson) as caught:
        guard.apply_live(FakeModule(), planned_writes(kernel__pid_max='4194304', vm__max_map_count='262144'), live)
    assert 'the kernel kept vm.max_map_count' in caught.value.kwargs['msg']
    assert live_value(proc, 'kernel.pid_max') == '32768\n'


def test_apply_live_multi_value_restore_writes_the_original_values(proc):
    set_live(proc, 'net.ipv4.ip_local_port_range', '32768\t60999')
    live = {'net.ipv4.ip_local_port_range': LiveKey('32768\t60999'), 'vm.max_map_count': LiveKey('65530')}
    with pytest.raises(FailJson):
        guard.apply_live(FakeModule(), planned_writes(net__ipv4__ip_local_port_range='1024 65535',
                                                      vm__max_map_count='262144'), live)
    assert live_value(proc, 'net.ipv4.ip_local_port_range') == '32768 60999\n'


# --- files --------------------------------------------------------------------------------------

@pytest.fixture
def etc(tmp_path):
    directory = tmp_path / 'etc' / 'sysctl.d'
    directory.mkdir(parents=True)
    return directory


def file_plan(owned_before, owned_after, edits=None, owned_is_symlink=False):
    result = SysctlPlan()
    result.owned_before = owned_before
    result.owned_after = owned_after
    result.owned_replaces_symlink = owned_is_symlink
    result.file_edits = dict(edits or {})
    return result


def test_write_files_writes_owned_file_and_edits(etc):
    owned_path = str(etc / '90-owned.conf')
    local = etc / '99-local.conf'
    local.write_text('kernel.pid_max = 32768\n')
    plan = file_plan(None, 'kernel.pid_max = 4194304\n',
                     {str(local): ('kernel.pid_max = 32768\n', '# disabled: kernel.pid_max = 32768\n')})
    changed, backups = guard.write_files(FakeModule(), plan, owned_path, {}, [])
    assert changed == [owned_path, str(local)]
    assert backups == {}
    assert open(owned_path).read() == 'kernel.pid_max = 4194304\n'
    assert local.read_text() == '# disabled: kernel.pid_max = 32768\n'


def test_write_files_skips_an_unchanged_owned_file(etc):
    owned_path = etc / '90-owned.conf'
    owned_path.write_text('same\n')
    changed, _backups = guard.write_files(FakeModule(), file_plan('same\n', 'same\n'), str(owned_path), {}, [])
    assert changed == []


def test_write_files_backs_up_existing_regular_files_only(etc, tmp_path):
    owned_path = etc / '90-owned.conf'
    owned_path.write_text('old\n')
    target = tmp_path / 'vendor.conf'
    target.write_text('x = 1\n')
    link = etc / '99-link.conf'
    os.symlink(str(target), str(link))
    new = etc / '99-new.conf'
    plan = file_plan('old\n', 'new\n', {str(link): ('x = 1\n', '# x = 1\n'), str(new): (None, 'y = 2\n')})
    module = FakeModule(backup=True)
    _changed, backups = guard.write_files(module, plan, str(owned_path), {}, [])
    assert list(backups) == [str(owned_path)]
    with open(backups[str(owned_path)]) as handle:
        assert handle.read() == 'old\n'
    assert not backups[str(owned_path)].endswith('.conf')
    assert target.read_text() == 'x = 1\n'  # the link was replaced, its target left alone
    assert not os.path.islink(str(link))


def test_write_files_sets_selinux_context_on_the_temp_file(etc):
    owned_path = etc / '90-owned.conf'
    owned_path.write_text('old\n')
    plan = file_plan('old\n', 'new\n', {str(etc / '99-new.conf'): (None, 'y = 2\n')})
    module = FakeModule()
    module.selinux = True
    guard.write_files(module, plan, str(owned_path), {}, [])
    assert [(name.startswith('.90-owned.conf.') and name.endswith('.tmp'), context)
            for name, context in module.contexts] == [
        (True, ['system_u', 'object_r', 'etc_t', 's0']),            # copied from the existing file
        (False, ['system_u', 'object_r', 'system_conf_t', 's0']),   # default for a new file
    ]


def test_write_files_error_restores_written_files_and_live_values(etc, tmp_path, proc):
    owned_path = etc / '90-owned.conf'
    owned_path.write_bytes(b'kernel.pid_max = 32768\r\n')
    os.chmod(str(owned_path), 0o640)
    local = etc / '99-local.conf'
    local.write_text('kernel.pid_max = 1\n')
    created = etc / '99-runtime.conf'
    unwritable = str(tmp_path / 'missing-dir' / '99-z.conf')   # sorts last; its directory does not exist
    plan = file_plan('kernel.pid_max = 32768\r\n', 'kernel.pid_max = 4194304\n', {
        str(local): ('kernel.pid_max = 1\n', '# off\n'),
        str(created): (None, '# copy\n'),
        unwritable: (None, 'boom\n'),
    })
    set_live(proc, 'kernel.pid_max', 4194304)          # already applied by this run
    live = {'kernel.pid_max': LiveKey('32768')}
    with pytest.raises(FailJson) as caught:
        guard.write_files(FakeModule(), plan, str(owned_path), live, ['kernel.pid_max'])
    message = caught.value.kwargs['msg']
    assert message.startswith('cannot write %s: ' % unwritable)
    assert message.endswith('; files and live values restored')
    assert owned_path.read_bytes() == b'kernel.pid_max = 32768\r\n'
    assert oct(os.stat(str(owned_path)).st_mode & 0o777) == oct(0o640)
    assert local.read_text() == 'kernel.pid_max = 1\n'
    assert not created.exists()
    assert live_value(proc, 'kernel.pid_max') == '32768\n'
    assert sorted(os.listdir(str(etc))) == ['90-owned.conf', '99-local.conf']  # no temp files left


def test_write_files_error_removes_a_newly_created_owned_file(etc, tmp_path):
    owned_path = etc / '90-owned.conf'
    plan = file_plan(None, 'kernel.pid_max = 4194304\n', {str(tmp_path / 'missing' / 'x.conf'): (None, 'x\n')})
    with pytest.raises(FailJson):
        guard.write_files(FakeModule(), plan, str(owned_path), {}, [])
    assert not owned_path.exists()


def test_write_files_error_puts_back_an_owned_symlink(etc, tmp_path):
    # The owned path was a symlink (replaced by a regular file in this run); a later write fails.
    # "Files already written are restored": the link must be back, pointing where it pointed.
    target = tmp_path / 'shared' / 'baseline.conf'
    target.parent.mkdir()
    target.write_text('kernel.pid_max = 4194304\n')
    owned_path = etc / '90-owned.conf'
    os.symlink(str(target), str(owned_path))
    tree = SysctlTree([(str(etc), ['90-owned.conf'])], {str(owned_path): target.read_text()},
                      {str(owned_path): str(target)})
    plan = plan_sysctl([Setting('kernel.pid_max', 4194304, 'min')], str(owned_path), tree,
                       {'kernel.pid_max': LiveKey('4194304')}, owned_is_symlink=True)
    plan.file_edits[str(tmp_path / 'missing' / 'x.conf')] = (None, 'x\n')  # this write fails
    with pytest.raises(FailJson):
        guard.write_files(FakeModule(), plan, str(owned_path), {}, [])
    assert target.read_text() == 'kernel.pid_max = 4194304\n'
    assert os.path.islink(str(owned_path))
    assert os.readlink(str(owned_path)) == str(target)


# --- diff ---------------------------------------------------------------------------------------

def test_build_diff_lists_owned_file_edits_and_live_values(proc):
    owned_path = '/etc/sysctl.d/90-gocompat-baseline.conf'
    tree = SysctlTree([('/etc/sysctl.d', ['90-gocompat-baseline.conf']),
                       ('/usr/lib/sysctl.d', ['99-vendor.conf'])],
                      {owned_path: 'kernel.pid_max = 32768\n', '/usr/lib/sysctl.d/99-vendor.conf': 'vm.max_map_count = 1\n'})
    live = {'kernel.pid_max': LiveKey('32768'), 'vm.max_map_count': LiveKey('65530')}
    plan = plan_sysctl([Setting('kernel.pid_max', 4194304, 'min'), Setting('vm.max_map_count', 262144, 'min')],
                       owned_path, tree, live, shadowed='fix')
    plan.live_before = dict((key, live[key].value) for key in plan.live_writes)
    diffs = guard.build_diff(plan, owned_path)
    assert [(d['before_header'], d['after_header']) for d in diffs] == [
        (owned_path, owned_path),
        ('/etc/sysctl.d/99-vendor.conf (absent)', '/etc/sysctl.d/99-vendor.conf'),
        ('%s/kernel/pid_max (live)' % proc, '%s/kernel/pid_max (live)' % proc),
        ('%s/vm/max_map_count (live)' % proc, '%s/vm/max_map_count (live)' % proc),
    ]
    assert diffs[0]['before'] == 'kernel.pid_max = 32768\n'
    assert diffs[0]['after'] == plan.owned_after
    assert diffs[1]['before'] == ''
    assert diffs[1]['after'].startswith('# gocompat.baseline disabled: vm.max_map_count = 1')
    assert (diffs[2]['before'], diffs[2]['after']) == ('32768\n', '4194304\n')
    assert (diffs[3]['before'], diffs[3]['after']) == ('65530\n', '262144\n')


def test_build_diff_is_empty_without_changes():
    owned_path = '/etc/sysctl.d/90-gocompat-baseline.conf'
    plan = file_plan('same\n', 'same\n')
    plan.live_before = {}
    assert guard.build_diff(plan, owned_path) == []


def test_build_diff_of_a_replaced_symlink_shows_the_link_content_as_before():
    plan = file_plan('a = 1\n', 'a = 1\n', owned_is_symlink=True)
    plan.live_before = {}
    diffs = guard.build_diff(plan, '/etc/sysctl.d/90-x.conf')
    assert len(diffs) == 1
    assert (diffs[0]['before'], diffs[0]['after']) == ('a = 1\n', 'a = 1\n')


# --- reading the tree ---------------------------------------------------------------------------

@pytest.fixture
def sysctl_dirs(tmp_path, monkeypatch):
    """Fake sysctl.d directories in SYSCTL_DIRS order and a fake /etc/sysctl.conf."""
    root = tmp_path / 'root'
    dirs = [root / 'etc/sysctl.d', root / 'run/sysctl.d', root / 'usr/local/lib/sysctl.d',
            root / 'usr/lib/sysctl.d', root / 'lib/sysctl.d']
    for directory in dirs[:4]:
        directory.mkdir(parents=True)
    (root / 'lib').mkdir()
    os.symlink(str(dirs[3]), str(dirs[4]))  # merged /usr: /lib/sysctl.d is /usr/lib/sysctl.d
    monkeypatch.setattr(guard, 'SYSCTL_DIRS', tuple(str(d) for d in dirs))
    monkeypatch.setattr(guard, 'LEGACY_SYSCTL_CONF', str(root / 'etc/sysctl.conf'))
    return dirs


def test_read_tree_reads_masks_links_and_skips_what_systemd_skips(sysctl_dirs, tmp_path):
    etc_d, run_d, _local_d, usr_d, _lib_d = sysctl_dirs
    (usr_d / '50-vendor.conf').write_text('kernel.pid_max = 32768\n')
    (usr_d / '60-shared.conf').write_text('vm.swappiness = 10\n')
    os.symlink('/dev/null', str(etc_d / '50-vendor.conf'))
    os.symlink(str(usr_d / '60-shared.conf'), str(run_d / '60-shared.conf'))
    os.symlink(str(tmp_path / 'gone.conf'), str(etc_d / '70-dangling.conf'))
    (etc_d / 'README').write_text('not read')
    (etc_d / '80-dir.conf').mkdir()
    (sysctl_dirs[0].parent / 'sysctl.conf').write_text('# legacy\n')
    module = FakeModule()
    owned_path = str(etc_d / '90-owned.conf')
    tree = guard.read_tree(module, owned_path)
    assert tree.listing == [(str(etc_d), ['50-vendor.conf']), (str(run_d), ['60-shared.conf']),
                            (str(sysctl_dirs[2]), []), (str(usr_d), ['50-vendor.conf', '60-shared.conf'])]
    assert tree.contents[str(etc_d / '50-vendor.conf')] == ''
    assert tree.realpaths == {str(etc_d / '50-vendor.conf'): '/dev/null',
                              str(run_d / '60-shared.conf'): str(usr_d / '60-shared.conf')}
    assert tree.legacy_text == '# legacy\n'
    assert module.warnings == ['%s is a dangling symlink; systemd-sysctl skips it' % (etc_d / '70-dangling.conf')]
    # the mask hides the vendor file at boot
    assert [p for p, _t in tree.ordered_files()][:2] == [str(etc_d / '50-vendor.conf'), str(run_d / '60-shared.conf')]


def test_read_tree_lists_the_directory_of_a_custom_owned_path_first(sysctl_dirs, tmp_path):
    custom = tmp_path / 'custom.d'
    custom.mkdir()
    (custom / '10-x.conf').write_text('a = 1\n')
    tree = guard.read_tree(FakeModule(), str(custom / '90-owned.conf'))
    assert tree.listing[0] == (str(custom), ['10-x.conf'])
    assert tree.legacy_text is None


def test_read_tree_fails_on_an_unreadable_file(sysctl_dirs, monkeypatch):
    (sysctl_dirs[0] / '50-a.conf').write_text('a = 1\n')

    def unreadable(path):
        raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)

    monkeypatch.setattr(guard.fileio, 'read_text', unreadable)
    with pytest.raises(FailJson) as caught:
        guard.read_tree(FakeModule(), str(sysctl_dirs[0] / '90-owned.conf'))
    assert caught.value.kwargs['msg'].startswith('cannot read %s: ' % (sysctl_dirs[0] / '50-a.conf'))
