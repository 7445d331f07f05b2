# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy options and host states for tmpfs_tmp: each ends in one clean error line naming the
parameter or file:line (host byte-identical, no mount command run), or in a correct success."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from tmpfs_tmp_env import ROOT_LINE, by_control, make_host, tmpfs_line

MARK = '# gocompat.baseline tmpfs_tmp: the next line is managed\n'
LINE = 'tmpfs\t/tmp\ttmpfs\tnosuid,nodev,size=50%,mode=1777\t0\t0\n'

# (id, params, words the one-line message must contain)
REJECTED = [
    ('path-relative', dict(path='tmp'), ['path']),
    ('path-dotdot', dict(path='/var/../tmp'), ['path=/var/../tmp', 'normalised']),
    ('path-trailing-slash', dict(path='/tmp/'), ['path']),
    ('path-double-slash', dict(path='//tmp'), ['path']),
    ('path-root', dict(path='/'), ['path=/', 'system directory']),
    ('path-proc', dict(path='/proc'), ['system directory']),
    ('path-run', dict(path='/run'), ['system directory']),
    ('path-newline', dict(path='/tmp\nx'), ['path=', 'control characters']),
    # ansible-core 2.21 refuses a NUL in a string option itself before the module runs (it cannot log it)
    ('path-nul', dict(path='/tmp\x00x'), [('control characters', 'Failed to log to syslog (embedded null')]),
    ('path-escape-sequence', dict(path='/tmp/\x1b[2J'), ['path=/tmp/\\x1b[2J', 'control characters']),
    ('path-huge', dict(path='/' + 'a' * 5000), ['path is 5001 characters']),
    ('size-word', dict(size='big'), ['size=big']),
    ('size-zero-percent', dict(size='0%'), ['size=0%']),
    ('size-over-100-percent', dict(size='150%'), ['size=150%']),
    ('size-negative', dict(size='-1g'), ['size=-1g']),
    ('size-fraction', dict(size='1.5g'), ['size=1.5g']),
    ('size-injection', dict(size='50%,exec'), ['size=50%,exec']),
    ('nr-inodes-percent', dict(nr_inodes='10%'), ['nr_inodes=10%']),
    ('nr-inodes-zero', dict(nr_inodes='0'), ['nr_inodes=0']),
    ('mode-not-octal', dict(mode='1799'), ['mode=1799']),
    ('mode-symbolic', dict(mode='a+rwxt'), ['mode=a+rwxt']),
    ('mode-too-long', dict(mode='017777'), ['mode=017777']),
    ('uid-negative', dict(uid=-1), ['uid=-1']),
    ('uid-too-large', dict(uid=2 ** 32), ['uid=4294967296']),
    ('gid-boolean', dict(gid=True), ['gid']),
    ('uid-word', dict(uid='root'), ['uid']),
    ('option-unknown', dict(options=['nosuid', 'exec-everything']), ['options: exec-everything']),
    ('option-size-inside', dict(options=['nosuid', 'size=1g']), ['give size with the size option']),
    ('option-mode-inside', dict(options=['mode=0777']), ['give mode with the mode option']),
    ('option-two-atimes', dict(options=['noatime', 'strictatime']), ['choose one of']),
    ('option-comma-joined', dict(options=['nosuid,exec']), ['options: nosuid,exec']),
    ('noexec-without-go-tmpdir', dict(options=['nosuid', 'nodev', 'noexec']), ['noexec', 'go_tmpdir', 'GOTMPDIR']),
    ('go-tmpdir-under-path', dict(options=['noexec'], go_tmpdir='/tmp/go'), ['go_tmpdir=/tmp/go is under path=/tmp']),
    ('go-tmpdir-relative', dict(options=['noexec'], go_tmpdir='go-build'), ['go_tmpdir']),
    ('persist-unknown', dict(persist='boot'), ['persist']),
    ('apply-now-unknown', dict(apply_now='later'), ['apply_now']),
    ('dropin-traversal', dict(dropin_name='../../x.conf'), ['dropin_name']),
    ('dropin-not-conf', dict(dropin_name='x.service'), ['dropin_name']),
    ('unknown-option', dict(sizes='50%'), ['sizes']),
    ('options-not-a-list-of-strings', dict(options=[{'a': 1}]), ['options']),
]


@pytest.mark.parametrize('params,words', [(p, w) for _i, p, w in REJECTED], ids=[i for i, _p, _w in REJECTED])
def test_bad_options_fail_cleanly_and_change_nothing(run_module, tmp_path, params, words):
    host = make_host(tmp_path)
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('tmpfs_tmp', params, check_mode=check_mode, host=host)
        assert result.failed, result
        for word in words:
            assert any(w in result['msg'] for w in (word if isinstance(word, tuple) else (word,))), result['msg']
        assert host.tree() == before and host._runner.calls == []


@pytest.mark.parametrize('fstab, where', [
    ('# ok\n/dev/sda1 /\n', '/etc/fstab:2: a mount line needs at least'),
    ('UUID=1 / ext4 defaults 0 1\n/dev/sdb /srv my data ext4 defaults 0 2\n', '/etc/fstab:2: more than six fields'),
    ('\n\n\ntmpfs /tmp tmpfs size=1g x y\n', '/etc/fstab:4: dump and pass fields must be numbers'),
], ids=['too-few-fields', 'unescaped-space', 'bad-pass'])
def test_malformed_fstab_fails_with_file_and_line_and_stays_byte_identical(run_module, tmp_path, fstab, where):
    host = make_host(tmp_path, fstab=fstab)
    before = host.tree()
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result.failed and result['msg'].startswith(where)
    assert host.tree() == before and host._runner.calls == []


@pytest.mark.parametrize('make, words', [
    (lambda h: (os.rmdir(h.p('/tmp')), os.symlink('/var/tmp', h.p('/tmp'))), 'path=/tmp is a symlink'),
    (lambda h: os.rmdir(h.p('/tmp')), 'path=/tmp is missing'),
    (lambda h: (os.rmdir(h.p('/tmp')), h.write('/tmp', 'x')), 'path=/tmp is not a directory'),
    (lambda h: (os.remove(h.p('/etc/fstab')), os.mkfifo(h.p('/etc/fstab'))), '/etc/fstab is not a readable regular file'),
    (lambda h: h.write('/proc/self/mountinfo', 'garbage line\n'), '/proc/self/mountinfo: mountinfo line 1'),
    (lambda h: (os.makedirs(h.p('/etc/systemd/system/tmp.mount.d/90-gocompat-baseline.conf'))), 'a dir without the'),
    (lambda h: h.write('/etc/systemd/system/tmp.mount.d/90-gocompat-baseline.conf', '[Mount]\nOptions=size=1g\n'),
     'not written by this module'),
    (lambda h: h.write('/etc/fstab', 'tmpfs /tmp tmpfs size=1g 0 0\ntmpfs /tmp tmpfs size=2g 0 0\n'),
     '/etc/fstab has 2 lines for /tmp (lines 1, 2)'),
], ids=['path-symlink', 'path-missing', 'path-file', 'fstab-fifo', 'mountinfo-garbage', 'dropin-is-dir',
        'dropin-foreign', 'fstab-duplicate'])
def test_odd_host_states_are_refused_cleanly(run_module, tmp_path, make, words):
    host = make_host(tmp_path)
    make(host)
    before = host.tree()
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result.failed and words in result['msg'], result['msg']
    assert host.tree() == before and host._runner.calls == []


def test_huge_fstab_is_refused_naming_it(run_module, tmp_path):
    host = make_host(tmp_path, fstab='#' * (20 << 20) + '\n')
    before = host.tree()
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result.failed and '/etc/fstab' in result['msg']
    assert host.tree() == before


def test_fstab_with_non_utf8_bytes_and_escapes_is_kept_byte_identical(run_module, tmp_path):
    host = make_host(tmp_path, fstab=None)
    raw = b'# caf\xe9 \xff\n/dev/sdb1\t/srv/my\\040data  ext4 defaults   \n'
    os.makedirs(host.p('/etc'))
    with open(host.p('/etc/fstab'), 'wb') as handle:
        handle.write(raw)
    result = run_module('tmpfs_tmp', {'apply_now': 'never'}, host=host)
    assert not result.failed
    with open(host.p('/etc/fstab'), 'rb') as handle:
        assert handle.read() == raw + MARK.encode() + LINE.encode()


def test_path_with_a_space_is_escaped_in_fstab(run_module, tmp_path):
    host = make_host(tmp_path)
    os.makedirs(host.p('/srv/build tmp'))
    result = run_module('tmpfs_tmp', {'path': '/srv/build tmp', 'apply_now': 'never'}, host=host)
    assert not result.failed
    assert 'tmpfs\t/srv/build\\040tmp\ttmpfs\t' in host.text('/etc/fstab')
    assert run_module('tmpfs_tmp', {'path': '/srv/build tmp', 'apply_now': 'never'}, host=host)['changed'] is False


def test_unreadable_meminfo_reports_the_size_as_unknown(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), fstab=MARK + LINE)
    os.remove(host.p('/proc/meminfo'))
    result = run_module('tmpfs_tmp', {}, check_mode=True, host=host)
    assert not result.failed
    assert 'size unknown' in by_control(result)['tmp.options']['actual']


def test_names_with_control_characters_in_tmp_are_quoted(run_module, tmp_path):
    host = make_host(tmp_path)
    host.write('/tmp/evil\nname\x1b[2J', 'x')
    result = run_module('tmpfs_tmp', {}, host=host)
    assert not result.failed and result['live_action'] == 'defer-hidden'
    assert all('\n' not in w and '\x1b' not in w for w in result['warnings'])
    assert '\n' not in by_control(result)['tmp.fstype']['remediation']


def test_mode_given_as_yaml_integer_is_read_as_octal_digits(run_module, tmp_path):
    host = make_host(tmp_path, mounts=(ROOT_LINE, tmpfs_line()), fstab=MARK + LINE)
    result = run_module('tmpfs_tmp', {'mode': 1777}, host=host)
    assert not result.failed and result['changed'] is False
