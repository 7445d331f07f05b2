# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fakes the tmpfs_tmp tests share: a host rooted in a test directory with its own mountinfo, meminfo, PID 1
and fstab, and a runner that records the commands instead of mounting (the real mounts are tested in
tests/integration/tmpfs_tmp in private mount namespaces)."""

from __future__ import absolute_import, division, print_function

import os

from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError, CommandResult

from harness.rooted_host import RootedHost

MEM_KIB = 8000000          # 2,000,000 pages of 4 KiB
HALF_KIB = 4000000         # what the kernel makes of size=50%
ROOT_LINE = '1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro'
TRIXIE_UNIT = '''#  SPDX-License-Identifier: LGPL-2.1-or-later
[Unit]
Description=Temporary Directory /tmp
ConditionPathIsSymbolicLink=!/tmp
DefaultDependencies=no
Conflicts=umount.target
Before=local-fs.target umount.target
After=swap.target

[Mount]
What=tmpfs
Where=/tmp
Type=tmpfs
Options=mode=1777,strictatime,nosuid,nodev,size=50%%,nr_inodes=1m

[Install]
WantedBy=local-fs.target
'''


def tmpfs_line(flags='rw,nosuid,nodev,relatime', size_kib=HALF_KIB, extra='', mount_id=30, path='/tmp'):
    return '%d 1 0:%d / %s %s shared:12 - tmpfs tmpfs rw,size=%dk%s,inode64' % (
        mount_id, mount_id, path, flags, size_kib, extra)


class FakeRunner(object):
    """Records argv lists; ``fail_on`` (a word) makes the first command containing it fail."""

    def __init__(self, fail_on=None):
        self.calls = []
        self.fail_on = fail_on

    def __call__(self, argv, timeout=None, env=None, cwd=None, check=True, data=None):
        self.calls.append((list(argv), cwd))
        if self.fail_on and any(self.fail_on == a for a in argv):
            self.fail_on = None
            raise CommandError('%s failed (exit 32): simulated' % ' '.join(argv), 32)
        return CommandResult(argv, 0, '', '')

    def argvs(self):
        return [c[0] for c in self.calls]


def make_host(tmp_path, mounts=(ROOT_LINE,), fstab='# <file system> <mount point> <type> <options> <dump> <pass>\n'
              'UUID=abcd / ext4 errors=remount-ro 0 1\n', pid1='init', tmp_mode=0o1777, runner=None):
    host = RootedHost(tmp_path / 'root')
    host.write('/proc/self/mountinfo', '\n'.join(mounts) + '\n')
    host.write('/proc/meminfo', 'MemTotal:       %d kB\nMemFree:        100 kB\n' % MEM_KIB)
    host.write('/proc/1/comm', pid1 + '\n')
    if fstab is not None:
        host.write('/etc/fstab', fstab)
    os.makedirs(host.p('/tmp'))
    os.chmod(host.p('/tmp'), tmp_mode)
    host._runner = runner if runner is not None else FakeRunner()
    return host


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])
