# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import os
import stat

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio


def mode_of(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def leftovers(directory):
    return sorted(name for name in os.listdir(str(directory)) if name.endswith('.tmp'))


def test_read_text_of_missing_file_is_none(tmp_path):
    assert fileio.read_text(str(tmp_path / 'absent.conf')) is None


def test_read_text_below_a_regular_file_is_none(tmp_path):
    (tmp_path / 'file').write_text('x')
    assert fileio.read_text(str(tmp_path / 'file' / 'child.conf')) is None


def test_read_text_of_dangling_symlink_is_none(tmp_path):
    os.symlink(str(tmp_path / 'nowhere.conf'), str(tmp_path / 'link.conf'))
    assert fileio.read_text(str(tmp_path / 'link.conf')) is None


def test_read_text_of_dev_null_link_is_empty(tmp_path):
    os.symlink('/dev/null', str(tmp_path / 'masked.conf'))
    assert fileio.read_text(str(tmp_path / 'masked.conf')) == ''


def test_read_text_of_directory_raises(tmp_path):
    with pytest.raises(OSError):
        fileio.read_text(str(tmp_path))


def test_read_text_keeps_undecodable_bytes_and_crlf(tmp_path):
    raw = b'kernel.hostname = caf\xe9\r\nvm.swappiness = 10\r\n'
    (tmp_path / 'latin1.conf').write_bytes(raw)
    text = fileio.read_text(str(tmp_path / 'latin1.conf'))
    assert '\r\n' in text
    assert fileio.encode_text(text) == raw


def test_atomic_write_creates_a_new_file_with_default_mode(tmp_path):
    path = str(tmp_path / 'new.conf')
    fileio.atomic_write(path, 'a = 1\n')
    assert open(path).read() == 'a = 1\n'
    assert mode_of(path) == 0o644
    assert leftovers(tmp_path) == []


def test_atomic_write_honours_another_default_mode(tmp_path):
    path = str(tmp_path / 'new.conf')
    fileio.atomic_write(path, 'a = 1\n', default_mode=0o600)
    assert mode_of(path) == 0o600


def test_atomic_write_keeps_the_mode_and_owner_of_an_existing_file(tmp_path):
    path = str(tmp_path / 'existing.conf')
    with open(path, 'w') as handle:
        handle.write('old\n')
    os.chmod(path, 0o640)
    before = os.stat(path)
    fileio.atomic_write(path, 'new\n')
    after = os.stat(path)
    assert open(path).read() == 'new\n'
    assert mode_of(path) == 0o640
    assert (after.st_uid, after.st_gid) == (before.st_uid, before.st_gid)
    assert after.st_ino != before.st_ino  # replaced by rename, not rewritten in place


def test_atomic_write_replaces_a_symlink_and_leaves_its_target_alone(tmp_path):
    target = tmp_path / 'shared' / 'baseline.conf'
    target.parent.mkdir()
    target.write_bytes(b'kernel.pid_max = 32768\n')
    os.chmod(str(target), 0o600)
    link = str(tmp_path / '90-owned.conf')
    os.symlink(str(target), link)
    fileio.atomic_write(link, 'kernel.pid_max = 4194304\n')
    assert not os.path.islink(link)
    assert open(link).read() == 'kernel.pid_max = 4194304\n'
    assert mode_of(link) == 0o644  # the link's target mode is not copied
    assert target.read_bytes() == b'kernel.pid_max = 32768\n'
    assert mode_of(str(target)) == 0o600


def test_atomic_write_keeps_original_byte_identical_when_prepare_fails(tmp_path):
    path = str(tmp_path / 'existing.conf')
    original = b'# keep me\r\nvm.swappiness = 10\r\n'
    with open(path, 'wb') as handle:
        handle.write(original)
    os.chmod(path, 0o600)
    seen = []

    def prepare(tmp_path_):
        seen.append(tmp_path_)
        assert os.path.exists(tmp_path_)
        assert os.path.dirname(tmp_path_) == os.path.dirname(path)  # same file system, so rename is atomic
        raise OSError(95, 'setting the SELinux context failed')

    with pytest.raises(OSError, match='SELinux'):
        fileio.atomic_write(path, 'replaced\n', prepare=prepare)
    assert len(seen) == 1
    assert not os.path.exists(seen[0])
    assert leftovers(tmp_path) == []
    with open(path, 'rb') as handle:
        assert handle.read() == original
    assert mode_of(path) == 0o600


def test_atomic_write_cleans_up_on_keyboard_interrupt(tmp_path):
    path = str(tmp_path / 'x.conf')

    def prepare(_tmp):
        raise KeyboardInterrupt()

    with pytest.raises(KeyboardInterrupt):
        fileio.atomic_write(path, 'x\n', prepare=prepare)
    assert os.listdir(str(tmp_path)) == []


def test_atomic_write_prepare_sees_the_final_content_and_mode(tmp_path):
    path = str(tmp_path / 'x.conf')
    observed = {}

    def prepare(tmp):
        observed['text'] = open(tmp).read()
        observed['mode'] = mode_of(tmp)

    fileio.atomic_write(path, 'x = 1\n', prepare=prepare)
    assert observed == {'text': 'x = 1\n', 'mode': 0o644}


def test_atomic_write_into_missing_directory_raises_and_creates_nothing(tmp_path):
    with pytest.raises(OSError):
        fileio.atomic_write(str(tmp_path / 'missing' / 'x.conf'), 'x\n')
    assert os.listdir(str(tmp_path)) == []


def test_is_symlink(tmp_path):
    (tmp_path / 'file').write_text('x')
    os.symlink(str(tmp_path / 'file'), str(tmp_path / 'link'))
    os.symlink(str(tmp_path / 'gone'), str(tmp_path / 'dangling'))
    assert fileio.is_symlink(str(tmp_path / 'link'))
    assert fileio.is_symlink(str(tmp_path / 'dangling'))
    assert not fileio.is_symlink(str(tmp_path / 'file'))
    assert not fileio.is_symlink(str(tmp_path / 'absent'))


def test_remove_file_tolerates_missing_file_but_not_other_errors(tmp_path):
    (tmp_path / 'x').write_text('x')
    fileio.remove_file(str(tmp_path / 'x'))
    assert not (tmp_path / 'x').exists()
    fileio.remove_file(str(tmp_path / 'x'))  # already gone: fine
    (tmp_path / 'dir').mkdir()
    with pytest.raises(OSError):
        fileio.remove_file(str(tmp_path / 'dir'))


# --- bounded reads, symlink switch, markers ---

def test_read_regular_follows_links_and_bounds_the_size(tmp_path):
    target = tmp_path / 'real.conf'
    target.write_bytes(b'a = 1\n')
    link = tmp_path / 'link.conf'
    link.symlink_to(target)
    assert fileio.read_regular(str(link)) == b'a = 1\n'
    assert fileio.read_regular(str(tmp_path / 'missing')) is None
    with pytest.raises(fileio.FileRefused) as info:
        fileio.read_regular(str(target), limit=3)
    assert 'is 6 bytes, larger than the 3 bytes allowed' in str(info.value)


@pytest.mark.parametrize('make, kind', [
    (os.mkfifo, 'a FIFO'),
    (os.mkdir, 'a directory'),
])
def test_read_regular_refuses_special_files(tmp_path, make, kind):
    path = str(tmp_path / 'x.conf')
    make(path)
    with pytest.raises(fileio.FileRefused) as info:
        fileio.read_regular(path)
    assert str(info.value) == '%s: is %s, not a regular file' % (path, kind)


def test_read_regular_refuses_a_device():
    with pytest.raises(fileio.FileRefused) as info:
        fileio.read_regular('/dev/zero')
    assert 'a character device' in str(info.value)


def test_atomic_symlink_replaces_links_but_never_a_file_or_directory(tmp_path):
    link = str(tmp_path / 'go')
    fileio.atomic_symlink('/a', link)
    fileio.atomic_symlink('/b', link)
    assert os.readlink(link) == '/b'
    for make in (lambda p: open(p, 'w').close(), os.mkdir):
        path = str(tmp_path / ('other%d' % len(os.listdir(str(tmp_path)))))
        make(path)
        with pytest.raises(fileio.FileRefused) as info:
            fileio.atomic_symlink('/a', path)
        assert 'not a symlink; move it away first' in str(info.value)
        assert not os.path.islink(path)


def test_json_markers_round_trip_and_bad_ones_read_as_none(tmp_path):
    path = str(tmp_path / 'marker.json')
    fileio.write_json(path, {'version': 'go1.27.3'})
    assert fileio.read_json(path) == {'version': 'go1.27.3'}
    for content in ('[1]', '{broken', '\xff'):
        with open(path, 'w') as handle:
            handle.write(content)
        assert fileio.read_json(path) is None
    assert fileio.read_json(str(tmp_path / 'absent')) is None
    assert [n for n in os.listdir(str(tmp_path)) if n.endswith('.tmp')] == []


def test_atomic_write_without_attributes_never_calls_chmod_or_chown(tmp_path, monkeypatch):
    # a Windows drive under WSL without DrvFs metadata: chmod and chown fail with EPERM there
    target = tmp_path / 'wslconfig'
    target.write_text('old\n')

    def refused(*_args):
        raise OSError(1, 'Operation not permitted')

    monkeypatch.setattr(os, 'chmod', refused)
    monkeypatch.setattr(os, 'chown', refused)
    with pytest.raises(OSError):
        fileio.atomic_write(str(target), 'new\n')
    assert target.read_text() == 'old\n' and os.listdir(str(tmp_path)) == ['wslconfig']
    fileio.atomic_write(str(target), 'new\n', keep_attributes=False)
    assert target.read_text() == 'new\n' and os.listdir(str(tmp_path)) == ['wslconfig']
