# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""fstab parsing and edits that keep every other byte, mount-unit names and drop-ins, and what the next boot
mounts: an fstab line wins over tmp.mount, Debian 13's shipped tmp.mount is compliant."""

from __future__ import absolute_import, division, print_function

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_fstab as T

FSTAB = ('# /etc/fstab: static file system information.\n'
         '#\n'
         'UUID=1234-abcd\t/\text4\terrors=remount-ro 0       1   \n'
         '/dev/sdb1  /srv/my\\040data  ext4  defaults,nofail  0  2\n'
         '\n'
         'tmpfs /tmp tmpfs defaults,noexec 0 0\n'
         '# trailing comment with spaces   \n'
         'proc /proc proc defaults')
DEBIAN13 = ('[Unit]\nDescription=Temporary Directory /tmp\n[Mount]\nWhat=tmpfs\nWhere=/tmp\nType=tmpfs\n'
            'Options=mode=1777,strictatime,nosuid,nodev,size=50%%,nr_inodes=1m\n[Install]\nWantedBy=local-fs.target\n')
DESIRED = {'size': ('percent', 50), 'nr_inodes': None, 'options': ['nosuid', 'nodev'], 'mode': 0o1777, 'uid': 0, 'gid': 0}
UNIT = '/usr/lib/systemd/system/tmp.mount'


def test_parse_entries_with_escapes_and_no_final_newline():
    entries = T.parse(FSTAB)
    assert [(e.number, e.path, e.fstype) for e in entries] == [
        (3, '/', 'ext4'), (4, '/srv/my data', 'ext4'), (6, '/tmp', 'tmpfs'), (8, '/proc', 'proc')]
    assert entries[2].options == ['defaults', 'noexec']
    assert not entries[2].managed


@pytest.mark.parametrize('bad, words', [
    ('/dev/sda1 /\n', 'needs at least'),
    ('/dev/sda1 /a ext4 defaults 0 1 extra\n', 'more than six fields'),
    ('/dev/sda1 /a ext4 defaults zero 1\n', 'must be numbers'),
    ('/dev/sda1 relative ext4 defaults 0 1\n', 'not an absolute path'),
])
def test_malformed_lines_name_file_and_line(bad, words):
    with pytest.raises(T.FstabError) as err:
        T.parse('# ok\n' + bad)
    assert str(err.value).startswith('/etc/fstab:2: ') and words in str(err.value)


def test_replace_keeps_every_other_byte():
    entry = T.entries_for(T.parse(FSTAB), '/tmp')[0]
    line = T.render_line('/tmp', 'nosuid,nodev,size=50%,mode=1777')
    after = T.with_line(FSTAB, entry, line)
    before_lines, after_lines = FSTAB.splitlines(True), after.splitlines(True)
    assert after_lines[:5] == before_lines[:5] and after_lines[7:] == before_lines[6:]
    assert after_lines[5:7] == [T.MARK + '\n', 'tmpfs\t/tmp\ttmpfs\tnosuid,nodev,size=50%,mode=1777\t0\t0\n']
    # our own line is replaced in place without a second mark, and removal takes the mark along
    again = T.with_line(after, T.entries_for(T.parse(after), '/tmp')[0], T.render_line('/tmp', 'size=1g'))
    assert again.count(T.MARK) == 1 and 'size=1g' in again
    removed = T.without_line(again, T.entries_for(T.parse(again), '/tmp')[0])
    assert removed == ''.join(before_lines[:5] + before_lines[6:])


def test_append_adds_the_missing_final_newline_only():
    after = T.with_line(FSTAB, None, T.render_line('/var/tmp', 'size=1g'))
    assert after.startswith(FSTAB + '\n' + T.MARK + '\n')
    assert after.endswith('tmpfs\t/var/tmp\ttmpfs\tsize=1g\t0\t0\n')
    assert T.with_line('', None, 'x\n') == T.MARK + '\nx\n'


def test_crlf_files_keep_crlf():
    text = 'UUID=1 / ext4 defaults 0 1\r\n'
    after = T.with_line(text, None, T.render_line('/tmp', 'size=1g'))
    assert after == text + T.MARK + '\r\n' + 'tmpfs\t/tmp\ttmpfs\tsize=1g\t0\t0\r\n'


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(['# c \n', '\n', '  \t\n', 'UUID=x / ext4 defaults 0 1\n', '/dev/a\t/srv\\040x\txfs\tdefaults\n',
                                 'none /proc proc defaults 0 0   \n']), max_size=8))
def test_round_trip_and_edit_touch_only_the_tmp_line(lines):
    text = ''.join(lines)
    assert ''.join(T.split_lines(text)) == text
    after = T.with_line(text, None, T.render_line('/tmp', 'size=1g'))
    assert after.startswith(text)
    entry = T.entries_for(T.parse(after), '/tmp')[0]
    assert T.without_line(after, entry) == text


@pytest.mark.parametrize('path, name', [('/tmp', 'tmp.mount'), ('/var/tmp', 'var-tmp.mount'), ('/srv/a-b', 'srv-a\\x2db.mount'),
                                        ('/srv/a b', 'srv-a\\x20b.mount'), ('/srv/.x', 'srv-.x.mount'), ('/.x', '\\x2ex.mount')])
def test_unit_names_like_systemd_escape(path, name):
    assert T.unit_name(path) == name


def test_dropin_escapes_percent():
    text = T.render_dropin('nosuid,nodev,size=50%,mode=1777')
    assert text.splitlines() == [T.HEADER, '[Mount]', 'What=tmpfs', 'Type=tmpfs', 'Options=nosuid,nodev,size=50%%,mode=1777']


def unit(files, enabled=True, masked=False):
    return {'files': files, 'enabled': enabled, 'masked': masked}


def test_debian13_default_unit_is_compliant():
    boot = T.boot_state([], True, unit([(UNIT, DEBIAN13)]))
    assert boot.via == 'systemd' and boot.fstype == 'tmpfs'
    assert boot.options == ['mode=1777', 'strictatime', 'nosuid', 'nodev', 'size=50%', 'nr_inodes=1m']
    assert boot.where == UNIT + ':7'
    assert T.persisted_drift(DESIRED, boot, 8000000) == []
    assert T.persisted_drift(dict(DESIRED, size=('percent', 25)), boot, 8000000) == ['size=50% instead of 25%']


def test_an_fstab_line_wins_over_tmp_mount():
    entry = T.entries_for(T.parse(FSTAB), '/tmp')
    boot = T.boot_state(entry, True, unit([(UNIT, DEBIAN13)]))
    assert boot.via == 'fstab' and boot.where == '/etc/fstab:6'
    assert T.persisted_drift(DESIRED, boot, 8000000) == ['nosuid missing', 'nodev missing', 'noexec set']


def test_dropins_override_and_unit_states():
    dropin = ('/etc/systemd/system/tmp.mount.d/90-x.conf', T.render_dropin('nosuid,nodev,size=2g,mode=1777'))
    boot = T.boot_state([], True, unit([(UNIT, DEBIAN13), dropin]))
    assert boot.options == ['nosuid', 'nodev', 'size=2g', 'mode=1777'] and boot.where == dropin[0] + ':5'
    assert T.boot_state([], True, unit([(UNIT, DEBIAN13)], enabled=False)).via == 'none'
    assert T.boot_state([], True, unit([(UNIT, '')], masked=True)).via == 'none'
    assert T.boot_state([], False, unit([(UNIT, DEBIAN13)])).via == 'none'  # no systemd at boot: fstab only
    noauto = T.parse('tmpfs /tmp tmpfs noauto,size=1g 0 0\n')
    assert T.boot_state(noauto, False, None).via == 'none'


@pytest.mark.parametrize('options, problems', [
    ('nosuid,nodev', []),                                    # size defaults to 50%, mode to 1777
    ('nosuid,nodev,size=4000000k,mode=01777', []),          # bytes equal to 50% of 8000000 kB
    ('nosuid,nodev,mode=0777', ['mode=0777 instead of 1777']),
    ('nosuid,nodev,uid=1000', ['uid=1000 instead of 0']),
    ('nosuid,nodev,size=x', ['size=x is invalid']),
])
def test_persisted_options_normalised(options, problems):
    boot = T.Boot('fstab', 'tmpfs', options.split(','), '/etc/fstab:1')
    assert T.persisted_drift(DESIRED, boot, 8000000) == problems


def test_wrong_type_at_boot():
    assert T.persisted_drift(DESIRED, T.Boot('fstab', 'ext4', ['defaults'], 'x'), 1) == ['type ext4 instead of tmpfs']
