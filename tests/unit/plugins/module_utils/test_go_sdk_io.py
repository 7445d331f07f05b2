"""File-system helpers of go_sdk_install (download-and-hash, lock, markers, removal), on temp dirs.
Archive extraction is tested in test_archive.py."""

import io
import os
import socket
import threading

import pytest

from harness.local_exec import local_runner

from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io as sdk_io


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


class Endless(object):
    """A hostile mirror: a body that never ends. Counts what was read."""

    def __init__(self):
        self.read_bytes = 0

    def read(self, size=-1):
        size = size if size and size > 0 else 1 << 20
        self.read_bytes += size
        return b'x' * size


def test_copy_and_hash_stops_at_the_expected_size_and_says_larger(tmp_path):
    source = Endless()
    with pytest.raises(sdk_io.GoSdkError, match='larger than the index says: more than 100 bytes') as caught:
        sdk_io.copy_and_hash(source, str(tmp_path / 'a'), expected_size=100)
    assert 'truncated' not in str(caught.value)
    assert source.read_bytes == 101 and os.path.getsize(str(tmp_path / 'a')) == 101, 'stops at size + 1'


def test_copy_and_hash_without_a_size_stops_at_the_limit(tmp_path):
    source = Endless()
    with pytest.raises(sdk_io.GoSdkError, match='larger than the 5000 bytes allowed'):
        sdk_io.copy_and_hash(source, str(tmp_path / 'a'), limit=5000)
    assert source.read_bytes == 5001


class Failing(object):
    def __init__(self, exc):
        self.exc = exc
        self.calls = 0

    def read(self, size=-1):
        self.calls += 1
        if self.calls > 1:
            raise self.exc
        return b'x' * 10


def test_a_network_timeout_is_named_as_such_not_as_a_storage_failure(tmp_path):
    with pytest.raises(sdk_io.DownloadError) as caught:
        sdk_io.copy_and_hash(Failing(socket.timeout('timed out')), str(tmp_path / 'a'), expected_size=100,
                             what='download of http://mirror/go.tar.gz')
    message = str(caught.value)
    assert 'download of http://mirror/go.tar.gz failed after 10 bytes: timed out' in message
    assert 'cannot store' not in message and str(tmp_path) not in message
    with pytest.raises(sdk_io.DownloadError, match='network error: .*reset'):
        sdk_io.copy_and_hash(Failing(ConnectionResetError(104, 'Connection reset by peer')), str(tmp_path / 'b'))


def test_copy_and_hash_short_body_is_truncated_and_a_full_disk_stays_an_os_error(tmp_path, monkeypatch):
    with pytest.raises(sdk_io.GoSdkError, match='truncated download: got 3 bytes, the index says 4'):
        sdk_io.copy_and_hash(io.BytesIO(b'abc'), str(tmp_path / 'a'), expected_size=4)
    digest, size = sdk_io.copy_and_hash(io.BytesIO(b'abcd'), str(tmp_path / 'b'), expected_size=4)
    assert size == 4 and digest == sdk_io.sha256_file(str(tmp_path / 'b'))


def test_markers_are_written_durably(tmp_path, monkeypatch):
    synced = []
    real = os.fsync

    def fsync(fd):
        synced.append(fd)
        return real(fd)
    monkeypatch.setattr(os, 'fsync', fsync)
    sdk_io.write_marker(str(tmp_path), {'version': 'go1.27.3'})
    assert len(synced) >= 2, 'the file and its directory are synced'
    assert sdk_io.read_marker(str(tmp_path)) == {'version': 'go1.27.3'}
    assert sorted(os.listdir(str(tmp_path))) == [sdk_io.MARKER_NAME], 'no temporary file left'


def test_a_lock_path_that_is_a_directory_is_one_clean_error(tmp_path):
    os.mkdir(str(tmp_path / sdk_io.LOCK_NAME))
    with pytest.raises(sdk_io.GoSdkError, match='cannot open the install lock .*Is a directory'):
        sdk_io.InstallLock(str(tmp_path)).acquire()


def test_set_aside_and_put_back_undo_a_removal(tmp_path):
    goroot = tmp_path / 'go1.27.3'
    goroot.mkdir()
    (goroot / 'VERSION').write_text('go1.27.3')
    doomed = sdk_io.set_aside(str(goroot))
    assert not goroot.exists() and sdk_io.staging_leftovers(str(tmp_path)) == [os.path.basename(doomed)]
    sdk_io.put_back(doomed, str(goroot))
    assert (goroot / 'VERSION').read_text() == 'go1.27.3' and os.listdir(str(tmp_path)) == ['go1.27.3']
    sdk_io.discard(sdk_io.set_aside(str(goroot)))
    assert os.listdir(str(tmp_path)) == []


def test_safe_extract_and_find_gnu_tar_stay_for_the_benchmarks(tmp_path):
    assert sdk_io.find_gnu_tar(local_runner()) is not None, 'GNU tar is on this machine'
    assert sdk_io.find_gnu_tar(local_runner(), [str(tmp_path)]) is None
