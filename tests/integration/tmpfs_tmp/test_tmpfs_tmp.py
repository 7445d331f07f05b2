"""tmpfs_tmp for real, in private mount namespaces (see conftest.py): a tmpfs mounted over a /tmp on disk while
the module's own files live there, with a bind submount whose unix socket must stay connectable; files that a
mount would hide; a tmpfs with the wrong size, mode and owner; noexec with and without a go temp dir; a
malformed fstab left byte-identical; remote_tmp under /tmp with and without pipelining. Every run is followed by
the harness's next task (it records the result), which proves Ansible still works on the host.

Without the copy of Ansible's temp dirs onto the new tmpfs, the mount run fails exactly as reported upstream:
"Module result deserialization failed" with FileNotFoundError for the module's payload zip under /tmp
(checked by disabling the copy: both remote_tmp runs failed that way)."""

import hashlib

from conftest import CHECKOUT_UNDER_TMP, by_control

# what a checkout under /tmp adds to /tmp in the namespace: its top directory, and the bind of the checkout
# (a submount the module carries over, named by its path under /tmp)
CHECKOUT_TOP = CHECKOUT_UNDER_TMP.split('/')[2] if CHECKOUT_UNDER_TMP else None
CHECKOUT_SUBMOUNT = CHECKOUT_UNDER_TMP[len('/tmp/'):] if CHECKOUT_UNDER_TMP else None

SERVER = r'''
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(5)
open(sys.argv[2], 'w').close()
while True:
    c, _ = s.accept(); c.sendall(b'pong'); c.close()
'''
CLIENT = r'''
import socket, sys
c = socket.socket(socket.AF_UNIX); c.connect(sys.argv[1]); print(c.recv(10).decode())
'''
MOUNT_LINE = "awk '$5 == \"/tmp\"' /proc/self/mountinfo | tail -1"


def rcs(ns):
    return [line for line in ns.output.splitlines() if line.startswith('rc=')]


def test_disk_tmp_is_mounted_with_its_submount_and_the_next_task_runs(namespace):
    ns = namespace
    ns.sh('mkdir -p "$W/x11" /tmp/.X11-unix /tmp/.ICE-unix && mount --bind "$W/x11" /tmp/.X11-unix')
    ns.sh('ln -s /mnt/wslg/runtime-dir /tmp/.wslg-link')
    ns.sh('python3 -c %s /tmp/.X11-unix/X0 "$W/ready" & server=$!' % _q(SERVER))
    ns.sh('for i in 1 2 3 4 5 6 7 8 9 10; do [ -e "$W/ready" ] && break; sleep 0.2; done')
    check = ns.module({}, check=True)
    real = ns.module({})
    again = ns.module({})
    ns.mark('mount', MOUNT_LINE)
    ns.mark('stat', 'stat -c "%a %u %g" /tmp')
    ns.mark('pong', 'python3 -c %s /tmp/.X11-unix/X0' % _q(CLIENT))
    ns.mark('ls', 'ls -A /tmp | grep -v "^ansible" | sort; readlink /tmp/.wslg-link')
    ns.mark('fstab', 'cat /etc/fstab')
    ns.sh('kill $server')
    ns.run()
    assert rcs(ns) == ['rc=0'] * 3
    check, real, again = ns.result(check), ns.result(real), ns.result(again)
    assert check['changed'] is True and check['live_action'] == 'mount' and check['hidden'] == []
    assert not real.get('failed') and real['changed'] is True, real.get('msg')
    carried = [name for name in real['carried'] if name != CHECKOUT_SUBMOUNT]
    assert carried[0] == '.X11-unix' and '.ICE-unix' in carried
    assert all(f['status'] in ('fixed', 'pass') for f in real['findings'])
    assert again['changed'] is False and all(f['status'] == 'pass' for f in again['findings'])
    fields = ns.section('mount').split()
    assert fields[fields.index('-') + 1] == 'tmpfs' and 'nosuid' in fields[5] and 'nodev' in fields[5]
    assert ns.section('stat').strip() == '1777 0 0'
    assert ns.section('pong').strip() == 'pong'
    assert [name for name in ns.section('ls').split() if name != CHECKOUT_TOP] == [
        '.ICE-unix', '.X11-unix', '.wslg-link', '/mnt/wslg/runtime-dir']
    assert 'tmpfs\t/tmp\ttmpfs\tnosuid,nodev,size=50%,mode=1777\t0\t0' in ns.section('fstab')


def test_files_stay_visible_unless_apply_now_always_which_says_where_they_went(namespace):
    ns = namespace
    ns.sh('echo precious > /tmp/keep.txt')
    deferred = ns.module({})
    ns.mark('kept', 'cat /tmp/keep.txt')
    always = ns.module({'apply_now': 'always'})
    ns.mark('mount', MOUNT_LINE)
    ns.mark('old', 'cat /run/gocompat-baseline/tmpfs_tmp/tmp.*/keep.txt')
    ns.mark('now', 'ls -A /tmp | grep -c keep.txt')
    ns.run()
    deferred, always = ns.result(deferred), ns.result(always)
    assert deferred['live_action'] == 'defer-hidden' and deferred['hidden'] == ['keep.txt']
    assert deferred['reboot_required'] is True and deferred['changed'] is True  # fstab written
    assert by_control(deferred)['tmp.fstype']['status'] == 'fail'
    assert ns.section('kept').strip() == 'precious'
    assert always['live_action'] == 'mount' and always['old_contents'].startswith('/run/gocompat-baseline/tmpfs_tmp/tmp.')
    assert always['reboot_required'] is False and by_control(always)['tmp.fstype']['status'] == 'fixed'
    assert ' - tmpfs ' in ns.section('mount')
    assert ns.section('old').strip() == 'precious' and ns.section('now').strip() == '0'


def test_tmpfs_with_wrong_size_mode_owner_and_noexec_is_remounted(namespace):
    ns = namespace
    ns.sh('umount -R /tmp && mount -t tmpfs -o size=1m,mode=0777,uid=1000,gid=1000,noexec tmpfs /tmp && keep_checkout && echo x > /tmp/f')
    check = ns.module({}, check=True)
    real = ns.module({})
    again = ns.module({})
    ns.mark('mount', MOUNT_LINE)
    ns.mark('stat', 'stat -c "%a %u %g" /tmp && cat /tmp/f')
    ns.run()
    check, real, again = ns.result(check), ns.result(real), ns.result(again)
    found = by_control(check)
    assert check['live_action'] == 'remount'
    assert found['tmp.options']['actual'].startswith('nosuid missing; nodev missing; noexec set; size=1m instead of 50% of RAM')
    assert found['tmp.owner_mode']['actual'] == 'mode 0777 instead of 1777; owner 1000:1000 instead of 0:0'
    assert found['tmp.go_exec']['status'] == 'fail'
    assert [f['status'] for f in real['findings']] == ['pass', 'fixed', 'fixed', 'fixed', 'fixed']
    assert again['changed'] is False and all(f['status'] == 'pass' for f in again['findings'])
    line = ns.section('mount')
    assert 'noexec' not in line and 'nosuid' in line and 'size=1024k' not in line
    assert ns.section('stat').split() == ['1777', '0', '0', 'x']


def test_noexec_tmp_needs_an_exec_capable_go_tmpdir(namespace):
    ns = namespace
    ns.sh('umount -R /tmp && mount -t tmpfs -o nosuid,nodev,noexec tmpfs /tmp && keep_checkout && mkdir -p "$W/go-build"')
    go_build = ns.workdir + '/go-build'
    refused = ns.module({'options': ['nosuid', 'nodev', 'noexec']})
    audit_default = ns.module({}, check=True)
    kept = ns.module({'options': ['nosuid', 'nodev', 'noexec'], 'go_tmpdir': go_build})
    ns.mark('mount', MOUNT_LINE)
    ns.run()
    refused, audit_default, kept = ns.result(refused), ns.result(audit_default), ns.result(kept)
    assert refused['failed'] and 'noexec on /tmp makes go test and go run fail' in refused['msg']
    assert by_control(audit_default)['tmp.go_exec']['status'] == 'fail'
    assert not kept.get('failed'), kept.get('msg')
    assert by_control(kept)['tmp.go_exec']['status'] == 'pass'
    assert 'which allows exec' in by_control(kept)['tmp.go_exec']['actual']
    assert 'noexec' in ns.section('mount')


def test_malformed_fstab_is_left_byte_identical(namespace):
    ns = namespace
    fstab = b'# keep me  \nUUID=1\t/\text4 defaults 0 1\n/dev/sdb1 /srv my data ext4 defaults 0 2\n'
    ns.put('/etc/fstab', fstab)
    failed = ns.module({})
    ns.mark('mount', MOUNT_LINE + ' | grep -c " - tmpfs " || true')
    ns.run()
    failed = ns.result(failed)
    assert failed['failed'] and failed['msg'].startswith('/etc/fstab:3: more than six fields')
    assert hashlib.sha256(ns.upper('/etc/fstab')).hexdigest() == hashlib.sha256(fstab).hexdigest()
    assert ns.section('mount').strip() == '0'


def test_remote_tmp_under_tmp_with_and_without_pipelining(namespace):
    ns = namespace
    plain = ns.module({}, ANSIBLE_REMOTE_TMP='/tmp/.ansible-it/tmp', ANSIBLE_PIPELINING='False')
    ns.mark('mount', MOUNT_LINE)
    ns.sh('umount -R /tmp && rm -rf "$W/disk/"* "$W/disk/".[!.]* 2>/dev/null; chmod 1777 /tmp')
    piped = ns.module({}, ANSIBLE_REMOTE_TMP='/tmp/.ansible-it/tmp', ANSIBLE_PIPELINING='True')
    ns.mark('mount2', MOUNT_LINE)
    ns.run()
    assert rcs(ns) == ['rc=0', 'rc=0']
    for index in (plain, piped):
        result = ns.result(index)
        assert not result.get('failed'), result.get('msg')
        assert result['live_action'] == 'mount' and result['changed'] is True
    assert ' - tmpfs ' in ns.section('mount') and ' - tmpfs ' in ns.section('mount2')


def _q(text):
    return "'" + text.replace("'", "'\"'\"'") + "'"


def test_remount_keeps_the_atime_mode_of_the_live_mount(namespace):
    # Debian 13's tmp.mount mounts with strictatime; a size change must not turn it into relatime
    ns = namespace
    ns.sh('umount -R /tmp && mount -t tmpfs -o mode=1777,strictatime,nosuid,nodev,size=50%,nr_inodes=1m tmpfs /tmp && keep_checkout')
    real = ns.module({'size': '25%'})
    ns.mark('mount', MOUNT_LINE)
    ns.run()
    real = ns.result(real)
    assert real['live_action'] == 'remount' and not real.get('failed'), real.get('msg')
    flags = ns.section('mount').split()[5].split(',')
    assert 'relatime' not in flags and 'noatime' not in flags and 'nosuid' in flags
