# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File-system side of Go SDK installs: bounded download-and-hash, the install lock, the per-SDK marker
(written durably through fileio), staging leftovers and removal that can be undone. No Ansible
imports, so it is unit-tested on temp dirs. Archive extraction is plugins/module_utils/archive.py."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import os
import shutil
import socket
import tempfile
import time

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure

MARKER_NAME = '.gocompat-sdk.json'
STAGING_PREFIX = '.staging-'
LOCK_NAME = '.gocompat-sdk.lock'
CHUNK = 1 << 20
# Without a size from the index, a download stops here: go.dev archives are about 70-100 MB.
MAX_ARCHIVE_BYTES = 1 << 30


class GoSdkError(ModuleFailure):
    """An install problem to report in one line (never a traceback)."""


class DownloadError(GoSdkError):
    """The network failed (timeout, reset, bad status) while an archive was read."""


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def describe_network_error(exc):
    if isinstance(exc, socket.timeout) or 'timed out' in str(exc):
        return 'timed out'
    reason = getattr(exc, 'reason', None) or getattr(exc, 'strerror', None) or str(exc) or type(exc).__name__
    return 'network error: %s' % reason


def copy_and_hash(source, dest_path, expected_size=None, limit=MAX_ARCHIVE_BYTES, what=None):
    """Stream a readable ``source`` into ``dest_path``, hashing on the way. Returns (sha256, size).

    Reading stops at ``expected_size`` + 1 bytes (or ``limit`` + 1 without a size), so a broken or
    hostile mirror can never fill the staging file system. A short body is "truncated", a long one
    "larger than"; a read that fails is a DownloadError naming the network cause, while a failing write
    (a full disk) stays an OSError."""
    what = what or 'download'
    bound = expected_size if expected_size is not None else limit
    digest = hashlib.sha256()
    size = 0
    with open(dest_path, 'wb') as out:
        while size <= bound:
            try:
                block = source.read(min(CHUNK, bound + 1 - size))
            except Exception as exc:  # pylint: disable=broad-except
                raise DownloadError('%s failed after %d bytes: %s' % (what, size, describe_network_error(exc)))
            if not block:
                break
            digest.update(block)
            out.write(block)
            size += len(block)
    if size > bound:
        if expected_size is not None:
            raise GoSdkError('%s is larger than the index says: more than %d bytes' % (what, expected_size))
        raise GoSdkError('%s is larger than the %d bytes allowed for an archive' % (what, limit))
    if expected_size is not None and size != expected_size:
        raise GoSdkError('truncated download: got %d bytes, the index says %d (%s)' % (size, expected_size, what))
    return digest.hexdigest(), size


def verify_sha256(actual, expected, what):
    if actual.lower() != expected.lower():
        raise GoSdkError('checksum mismatch for %s: sha256 %s, expected %s' % (what, actual, expected))


def find_gnu_tar(runner, path_dirs=None):
    """Path of a GNU tar that can run gzip, or None. Kept for callers outside the module (benchmarks);
    the module uses archive.find_gnu_tar with its own runner and get_bin_path."""
    search = path_dirs if path_dirs is not None else os.environ.get('PATH', '/usr/bin:/bin').split(os.pathsep)

    def which(name):
        for directory in search:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate
        return None
    from ansible_collections.gocompat.baseline.plugins.module_utils import archive
    return archive.find_gnu_tar(runner, which)


def safe_extract(archive_path, dest_dir, runner, top='go', gnu_tar=None):
    """archive.extract_tar, for callers outside a module (benchmarks)."""
    from ansible_collections.gocompat.baseline.plugins.module_utils import archive
    archive.extract_tar(archive_path, dest_dir, runner, gnu_tar, top)


class InstallLock(object):
    """An exclusive flock on ``<root>/.gocompat-sdk.lock``: one install at a time per root.
    Usable as a context manager or with acquire()/release() around the apply steps."""

    def __init__(self, root, timeout=300):
        self.path = os.path.join(root, LOCK_NAME)
        self.timeout = timeout
        self.handle = None

    def acquire(self):
        if self.handle is not None:
            return self
        try:
            handle = open(self.path, 'a')
        except (IOError, OSError) as exc:
            raise GoSdkError('cannot open the install lock %s: %s' % (self.path, exc.strerror or exc))
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.handle = handle
                return self
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    handle.close()
                    raise
                if time.time() > deadline:
                    handle.close()
                    raise GoSdkError('another install holds %s for more than %d s' % (self.path, self.timeout))
                time.sleep(0.2)

    def release(self):
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc_info):
        self.release()
        return False


def read_marker(goroot):
    return fileio.read_json(os.path.join(goroot, MARKER_NAME))


def write_marker(goroot, data):
    """Durable (fsync of file and directory): a lost marker would make the SDK invisible, and the next
    install would then fail to rename into the non-empty directory."""
    fileio.write_json(os.path.join(goroot, MARKER_NAME), data)


def staging_leftovers(root, names=None):
    """Names under ``root`` that a killed run left behind (staging and removal directories)."""
    if names is None:
        try:
            names = os.listdir(root)
        except OSError:
            return []
    return sorted(name for name in names if name.startswith(STAGING_PREFIX))


def clear_staging(root):
    """Remove what a killed run left behind: staging dirs are never taken for installed SDKs."""
    removed = staging_leftovers(root)
    for name in removed:
        shutil.rmtree(os.path.join(root, name), ignore_errors=True)
    return removed


def installed_sdks(root, names=None):
    """{version name: goroot} for every SDK under ``root`` that carries our marker (complete installs)."""
    found = {}
    if names is None:
        try:
            names = os.listdir(root)
        except OSError:
            return found
    for name in names:
        goroot = os.path.join(root, name)
        if name.startswith('go') and os.path.isdir(goroot) and not os.path.islink(goroot):
            marker = read_marker(goroot)
            if marker and marker.get('version') == name:
                found[name] = goroot
    return found


def set_aside(goroot):
    """First half of a removal: rename the SDK into a removal directory next to it (atomic: it
    disappears at once). Returns the directory, for ``put_back`` (undo) or ``discard``."""
    doomed = tempfile.mkdtemp(prefix=STAGING_PREFIX + 'remove.', dir=os.path.dirname(goroot))
    os.rename(goroot, os.path.join(doomed, 'sdk'))
    return doomed


def put_back(doomed, goroot):
    os.rename(os.path.join(doomed, 'sdk'), goroot)
    os.rmdir(doomed)


def discard(doomed):
    shutil.rmtree(doomed, ignore_errors=True)
