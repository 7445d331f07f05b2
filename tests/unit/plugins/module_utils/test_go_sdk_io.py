"""File-system helpers of go_sdk_install, on temp dirs."""

import io
import os
import tarfile
import threading

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io as sdk_io


def make_tar(path, members):
    """members: [(name, kind, data_or_target)] with kind file, suid, dir, symlink, hardlink, fifo."""
    with tarfile.open(path, 'w:gz') as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind in ('file', 'suid'):
                data = payload.encode()
                info.size = len(data)
                info.mode = 0o755 if name.endswith('/go') else 0o644
                if kind == 'suid':
                    info.mode |= 0o4000
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
                         'fifo': tarfile.FIFOTYPE}[kind]
            info.mode = 0o755
            if kind in ('symlink', 'hardlink'):
                info.linkname = payload
            tar.addfile(info)
    return str(path)


GOOD = [('go', 'dir', None), ('go/bin', 'dir', None), ('go/bin/go', 'file', '#!/bin/sh\n'),
        ('go/VERSION', 'file', 'go1.27.3\n')]

GNU_TAR = sdk_io.find_gnu_tar()


@pytest.fixture(params=['gnu-tar', 'tarfile'])
def engine(request):
    """Both extraction paths get every test. This machine has GNU tar: its absence is a failure, not a skip."""
    if request.param == 'gnu-tar':
        assert GNU_TAR, 'GNU tar and gzip are needed on this machine'
        return GNU_TAR
    return None


def test_find_gnu_tar_needs_gnu_tar_and_gzip(tmp_path):
    assert sdk_io.find_gnu_tar([str(tmp_path)]) is None
    fake = tmp_path / 'tar'
    fake.write_text('#!/bin/sh\necho "tar (busybox) 1.36"\n')
    fake.chmod(0o755)
    (tmp_path / 'gzip').symlink_to('/bin/true')
    assert sdk_io.find_gnu_tar([str(tmp_path)]) is None, 'a tar that is not GNU tar'
    gnu_dir = os.path.dirname(GNU_TAR)
    assert sdk_io.find_gnu_tar([gnu_dir]) == GNU_TAR
    (tmp_path / 'gnu').mkdir()
    (tmp_path / 'gnu' / 'tar').symlink_to(GNU_TAR)
    assert sdk_io.find_gnu_tar([str(tmp_path / 'gnu')]) is None, 'no gzip next to it or on the path given'


def test_safe_extract_keeps_modes(tmp_path, engine):
    archive = make_tar(tmp_path / 'ok.tar.gz', GOOD + [('go/lib', 'symlink', 'bin'),
                                                       ('go/up', 'symlink', '../go/bin/go'),
                                                       ('go/bin/gofmt', 'hardlink', 'go/bin/go')])
    dest = tmp_path / 'out'
    dest.mkdir()
    old_umask = os.umask(0o077)
    try:
        sdk_io.safe_extract(archive, str(dest), gnu_tar=engine)
    finally:
        os.umask(old_umask)
    assert os.stat(str(dest / 'go' / 'bin' / 'go')).st_mode & 0o777 == 0o755, 'the umask does not apply'
    assert os.stat(str(dest / 'go' / 'VERSION')).st_mode & 0o777 == 0o644
    assert os.stat(str(dest / 'go' / 'VERSION')).st_uid == os.getuid()
    assert os.readlink(str(dest / 'go' / 'lib')) == 'bin'
    assert os.path.samefile(str(dest / 'go' / 'up'), str(dest / 'go' / 'bin' / 'go'))
    assert os.path.samefile(str(dest / 'go' / 'bin' / 'gofmt'), str(dest / 'go' / 'bin' / 'go'))


@pytest.mark.parametrize('member, message', [
    (('../evil', 'file', 'x'), 'unsafe path'),
    (('/etc/evil', 'file', 'x'), 'unsafe path'),
    (('other/file', 'file', 'x'), 'unsafe path'),
    (('go/../../evil', 'file', 'x'), 'unsafe path'),
    (('go/link', 'symlink', '/etc/passwd'), 'link leaving the SDK'),
    (('go/link', 'symlink', '../../etc'), 'link leaving the SDK'),
    (('go/fifo', 'fifo', None), 'device or fifo'),
    (('go/bin/su', 'suid', 'x'), 'setuid or setgid'),
], ids=['dotdot', 'absolute', 'outside-top', 'dotdot-inside', 'abs-link', 'rel-link', 'fifo', 'setuid'])
def test_safe_extract_refuses_members_leaving_the_tree(tmp_path, member, message, engine):
    archive = make_tar(tmp_path / 'bad.tar.gz', GOOD + [member])
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(sdk_io.GoSdkError, match=message):
        sdk_io.safe_extract(archive, str(dest), gnu_tar=engine)
    assert os.listdir(str(dest)) == [], 'nothing is left from a refused archive'


def test_a_link_then_a_file_through_it_writes_nothing_outside(tmp_path, engine):
    outside = tmp_path / 'outside'
    outside.mkdir()
    archive = make_tar(tmp_path / 'bad.tar.gz', GOOD + [('go/escape', 'symlink', str(outside)),
                                                        ('go/escape/planted', 'file', 'x')])
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(sdk_io.GoSdkError):
        sdk_io.safe_extract(archive, str(dest), gnu_tar=engine)
    assert os.listdir(str(outside)) == [] and os.listdir(str(dest)) == []


def test_safe_extract_names_a_damaged_or_foreign_archive(tmp_path, engine):
    junk = tmp_path / 'junk.tar.gz'
    junk.write_bytes(b'not an archive')
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(sdk_io.GoSdkError, match='not a readable tar.gz'):
        sdk_io.safe_extract(str(junk), str(dest), gnu_tar=engine)
    no_go = make_tar(tmp_path / 'nogo.tar.gz', [('go', 'dir', None), ('go/README', 'file', 'x')])
    with pytest.raises(sdk_io.GoSdkError, match='has no go/bin/go'):
        sdk_io.safe_extract(no_go, str(dest), gnu_tar=engine)
    good = make_tar(tmp_path / 'ok.tar.gz', GOOD + [('go/pad', 'file', os.urandom(1 << 16).hex())])
    with open(good, 'rb') as handle:
        data = handle.read()
    cut = tmp_path / 'cut.tar.gz'
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(sdk_io.GoSdkError, match='damaged'):
        sdk_io.safe_extract(str(cut), str(dest), gnu_tar=engine)
    assert os.listdir(str(dest)) == []


def test_safe_extract_wants_an_empty_destination(tmp_path, engine):
    archive = make_tar(tmp_path / 'ok.tar.gz', GOOD)
    (tmp_path / 'out').mkdir()
    (tmp_path / 'out' / 'mine').write_text('x')
    with pytest.raises(sdk_io.GoSdkError, match='not empty'):
        sdk_io.safe_extract(archive, str(tmp_path / 'out'), gnu_tar=engine)
    assert (tmp_path / 'out' / 'mine').read_text() == 'x'


def test_copy_and_hash_detects_truncation(tmp_path):
    source = io.BytesIO(b'x' * 100)
    digest, size = sdk_io.copy_and_hash(source, str(tmp_path / 'a'), expected_size=100)
    assert size == 100 and digest == sdk_io.sha256_file(str(tmp_path / 'a'))
    with pytest.raises(sdk_io.GoSdkError, match='truncated download: got 10 bytes, the index says 100'):
        sdk_io.copy_and_hash(io.BytesIO(b'x' * 10), str(tmp_path / 'b'), expected_size=100)


def test_verify_sha256_names_both_sums():
    sdk_io.verify_sha256('AB' * 32, 'ab' * 32, 'x')
    with pytest.raises(sdk_io.GoSdkError, match='checksum mismatch for f: sha256 %s, expected %s' % ('a' * 64, 'b' * 64)):
        sdk_io.verify_sha256('a' * 64, 'b' * 64, 'f')


def test_atomic_symlink_replaces_a_link_in_one_step(tmp_path):
    link = str(tmp_path / 'go')
    sdk_io.atomic_symlink('/sdks/go1.26.5', link)
    sdk_io.atomic_symlink('/sdks/go1.27.3', link)
    assert os.readlink(link) == '/sdks/go1.27.3'
    assert os.listdir(str(tmp_path)) == ['go'], 'no temporary link left behind'


def test_installed_sdks_needs_a_matching_marker(tmp_path):
    root = str(tmp_path)
    for name in ('go1.27.3', 'go1.26.5', 'go1.21.13'):
        os.mkdir(os.path.join(root, name))
    sdk_io.write_marker(os.path.join(root, 'go1.27.3'), {'version': 'go1.27.3', 'sha256': 'x'})
    sdk_io.write_marker(os.path.join(root, 'go1.26.5'), {'version': 'go1.99.0'})
    os.mkdir(os.path.join(root, '.staging-go1.21.13.abc'))
    assert sdk_io.installed_sdks(root) == {'go1.27.3': os.path.join(root, 'go1.27.3')}
    assert sdk_io.clear_staging(root) == ['.staging-go1.21.13.abc']
    assert not os.path.exists(os.path.join(root, '.staging-go1.21.13.abc'))


def test_install_lock_serialises_and_times_out(tmp_path):
    root = str(tmp_path)
    with sdk_io.InstallLock(root):
        with pytest.raises(sdk_io.GoSdkError, match='another install holds'):
            # a second open file description on the same lock file, as a concurrent run has
            result = []
            thread = threading.Thread(target=lambda: result.append(_try_lock(root)))
            thread.start()
            thread.join()
            raise result[0]
    with sdk_io.InstallLock(root, timeout=0):
        pass


def _try_lock(root):
    try:
        with sdk_io.InstallLock(root, timeout=0.3):
            return AssertionError('the lock was taken twice')
    except sdk_io.GoSdkError as exc:
        return exc
