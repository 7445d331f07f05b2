# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""mountinfo parsing (octal escapes, optional fields), the submounts a tmpfs would cover, and tmpfs option
normalisation: sizes as the kernel computes them from a percentage of MemTotal (figures measured on a 6.18
kernel with MemTotal 24683792 kB), counts with suffixes, flags both ways."""

from __future__ import absolute_import, division, print_function

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_mounts as M

MOUNTINFO = '''\
1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro
22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw
30 1 0:30 / /tmp rw,nosuid,nodev shared:12 master:3 propagate_from:2 - tmpfs tmpfs rw,size=4000000k,nr_inodes=1048576,inode64
31 30 0:31 / /tmp/.X11-unix rw,relatime - tmpfs none rw
32 31 0:32 / /tmp/.X11-unix/inner rw,relatime - tmpfs none rw
33 30 8:1 /srv/my\\040dir /tmp/with\\040space\\011tab\\012nl\\134bs rw,relatime shared:1 - ext4 /dev/sda1 rw
34 1 0:34 / /tmpx rw - tmpfs tmpfs rw
'''


def test_parse_fields_escapes_and_optional_fields():
    mounts = M.parse_mountinfo(MOUNTINFO)
    assert [m.mount_id for m in mounts] == [1, 22, 30, 31, 32, 33, 34]
    tmp = mounts[2]
    assert (tmp.mountpoint, tmp.fstype, tmp.source) == ('/tmp', 'tmpfs', 'tmpfs')
    assert tmp.optional == ['shared:12', 'master:3', 'propagate_from:2']
    assert tmp.options == ['rw', 'nosuid', 'nodev']
    assert tmp.super_options == ['rw', 'size=4000000k', 'nr_inodes=1048576', 'inode64']
    assert tmp.all_options() == ['rw', 'nosuid', 'nodev', 'size=4000000k', 'nr_inodes=1048576', 'inode64']
    odd = mounts[5]
    assert odd.mountpoint == '/tmp/with space\ttab\nnl\\bs'
    assert odd.root == '/srv/my dir'
    assert mounts[3].optional == []


def test_escape_round_trip():
    path = '/tmp/a b\tc\nd\\e'
    assert M.escape(path) == '/tmp/a\\040b\\011c\\012d\\134e'
    assert M.unescape(M.escape(path)) == path


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=('Cs',)), min_size=1, max_size=30))
def test_escape_round_trips_any_path(name):
    path = '/tmp/' + name
    assert M.unescape(M.escape(path)) == path
    assert ' ' not in M.escape(path) and '\n' not in M.escape(path)


@pytest.mark.parametrize('line, words', [
    ('1 0 8:1 / / rw,relatime shared:1 ext4 /dev/sda1 rw', 'line 1 has no " - "'),
    ('x 0 8:1 / / rw - ext4 /dev/sda1 rw', 'line 1 does not start with two mount ids'),
    ('1 0 8:1 / - ext4', 'line 1'),
])
def test_malformed_mountinfo_names_the_line(line, words):
    with pytest.raises(M.MountinfoError) as err:
        M.parse_mountinfo(line + '\n')
    assert words in str(err.value)


def test_mount_at_covering_and_submounts():
    mounts = M.parse_mountinfo(MOUNTINFO)
    assert M.mount_at(mounts, '/tmp').mount_id == 30
    assert M.mount_at(mounts, '/var/tmp') is None
    assert M.covering(mounts, '/var/tmp').mount_id == 1
    assert M.covering(mounts, '/tmpx/a').mount_id == 34
    assert M.covering(mounts, '/tmp/a').mount_id == 30
    # nested mounts travel with their parent submount; /tmpx is not under /tmp
    assert M.submounts(mounts, '/tmp') == ['.X11-unix', 'with space\ttab\nnl\\bs']


def test_submounts_of_a_plain_directory_hang_off_the_root_mount():
    text = '1 0 8:1 / / rw - ext4 /dev/sda1 rw\n40 1 0:40 / /tmp/.X11-unix rw - tmpfs none rw\n'
    assert M.submounts(M.parse_mountinfo(text), '/tmp') == ['.X11-unix']


def test_hidden_mounts_under_a_newer_tmpfs_are_not_submounts():
    # /tmp/.X11-unix of the disk /tmp stays hidden under a tmpfs mounted later: only the tmpfs' children count
    text = ('1 0 8:1 / / rw - ext4 /dev/sda1 rw\n40 1 0:40 / /tmp/.X11-unix rw - tmpfs none rw\n'
            '41 1 0:41 / /tmp rw - tmpfs tmpfs rw\n42 41 0:40 / /tmp/.X11-unix rw - tmpfs none rw\n')
    mounts = M.parse_mountinfo(text)
    assert M.mount_at(mounts, '/tmp').mount_id == 41
    assert M.submounts(mounts, '/tmp') == ['.X11-unix']


@pytest.mark.parametrize('percent, kib', [(50, 12341896), (37, 9133004), (1, 246840), (100, 24683792)])
def test_percent_sizes_as_the_kernel_computes_them(percent, kib):
    # measured: mount -t tmpfs -o size=<percent>% with MemTotal 24683792 kB shows size=<kib>k
    assert M.percent_bytes(percent, 24683792) == kib * 1024


@pytest.mark.parametrize('text, kib', [('3g', 3145728), ('1000000', 980), ('1023k', 1024), ('2M', 2048)])
def test_byte_sizes_round_up_to_pages(text, kib):
    assert M.size_bytes(M.parse_size(text), None) == kib * 1024


@pytest.mark.parametrize('text, parsed', [
    ('50%', ('percent', 50)), ('100%', ('percent', 100)), ('2g', ('bytes', 2 << 30)), ('512K', ('bytes', 512 << 10)),
    ('0', ('bytes', 0)), ('0%', None), ('101%', None), ('5g%', None), ('-1', None), ('1.5g', None), ('', None),
    ('50 %', None), ('1x', None)])
def test_parse_size(text, parsed):
    assert M.parse_size(text) == parsed


@pytest.mark.parametrize('text, count', [('1m', 1 << 20), ('1048576', 1048576), ('10k', 10240), ('1%', None), ('a', None)])
def test_parse_count(text, count):
    assert M.parse_count(text) == count


def test_meminfo():
    assert M.meminfo_total_kib('MemTotal:       24683792 kB\nMemFree: 1 kB\n') == 24683792
    assert M.meminfo_total_kib('MemFree: 1 kB\n') is None


DESIRED = {'size': ('percent', 50), 'nr_inodes': None, 'options': ['nosuid', 'nodev']}


def test_option_drift_normalises_sizes_and_defaults():
    mem = 8000000
    # the kernel leaves size= out of mountinfo when it is the 50% default
    assert M.option_drift(DESIRED, ['rw', 'nosuid', 'nodev', 'relatime'], ['rw', 'inode64'], mem) == []
    assert M.option_drift(DESIRED, ['rw', 'nosuid', 'nodev'], ['rw', 'size=4000000k'], mem) == []
    # 1% of tolerance for MemTotal moving a little
    assert M.option_drift(DESIRED, ['rw', 'nosuid', 'nodev'], ['rw', 'size=3990000k'], mem) == []
    assert M.option_drift(DESIRED, ['rw', 'nosuid', 'nodev'], ['rw', 'size=2000000k'], mem) == [
        'size=2000000k instead of 50% of RAM (4000000k)'.replace('2000000k', '2000000k')]


def test_option_drift_flags_both_ways_and_atime():
    mem = 8000000
    drift = M.option_drift(DESIRED, ['rw', 'nodev', 'noexec'], ['rw'], mem)
    assert drift == ['nosuid missing', 'noexec set']
    wanted = dict(DESIRED, options=['nosuid', 'nodev', 'strictatime'])
    assert M.option_drift(wanted, ['rw', 'nosuid', 'nodev', 'relatime'], ['rw'], mem) == ['relatime instead of strictatime']
    assert M.option_drift(wanted, ['rw', 'nosuid', 'nodev'], ['rw'], mem) == []


def test_option_drift_inodes_and_unlimited():
    mem = 8000000
    wanted = dict(DESIRED, size=('bytes', 0), nr_inodes=1 << 20)
    assert M.option_drift(wanted, ['nosuid', 'nodev'], ['size=0k', 'nr_inodes=1048576'], mem) == []
    assert M.option_drift(wanted, ['nosuid', 'nodev'], ['size=0k', 'nr_inodes=2048'], mem) == ['nr_inodes=2048 instead of 1048576']
    # nr_inodes left out of mountinfo is the kernel default, half the RAM pages
    assert M.option_drift(dict(wanted, nr_inodes=1000000), ['nosuid', 'nodev'], ['size=0k'], mem) == []


def test_unknown_memtotal_is_reported_not_guessed():
    assert M.option_drift(DESIRED, ['nosuid', 'nodev'], ['rw'], None) == ['size unknown (MemTotal unreadable)']
