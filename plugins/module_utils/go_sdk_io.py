# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""File-system side of Go SDK installs: hashing, safe archive extraction, the install lock, atomic
symlinks and the per-SDK marker. No Ansible imports, so it is unit-tested on temp dirs."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import subprocess
import tarfile
import time
import zlib

MARKER_NAME = '.gocompat-sdk.json'
STAGING_PREFIX = '.staging-'
LOCK_NAME = '.gocompat-sdk.lock'
CHUNK = 1 << 20


class GoSdkError(Exception):
    """An install problem to report in one line (never a traceback)."""


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def copy_and_hash(source, dest_path, expected_size=None):
    """Stream a readable ``source`` into ``dest_path``, hashing on the way. Returns (sha256, size).
    A short read against ``expected_size`` (a truncated download) is an error."""
    digest = hashlib.sha256()
    size = 0
    with open(dest_path, 'wb') as out:
        for block in iter(lambda: source.read(CHUNK), b''):
            digest.update(block)
            out.write(block)
            size += len(block)
    if expected_size is not None and size != expected_size:
        raise GoSdkError('truncated download: got %d bytes, the index says %d' % (size, expected_size))
    return digest.hexdigest(), size


def verify_sha256(actual, expected, what):
    if actual.lower() != expected.lower():
        raise GoSdkError('checksum mismatch for %s: sha256 %s, expected %s' % (what, actual, expected))


def find_gnu_tar(path_dirs=None):
    """Path of a GNU tar that can run gzip, or None (busybox or BSD tar, or no gzip: extract in Python)."""
    search = path_dirs if path_dirs is not None else os.environ.get('PATH', '/usr/bin:/bin').split(os.pathsep)
    found = {}
    for name in ('tar', 'gzip'):
        for directory in search:
            candidate = os.path.join(directory, name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                found[name] = candidate
                break
    if len(found) != 2:
        return None
    try:
        proc = subprocess.Popen([found['tar'], '--version'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=_c_locale())
        out, _err = proc.communicate()
    except OSError:
        return None
    return found['tar'] if proc.returncode == 0 and b'GNU tar' in out.split(b'\n', 1)[0] else None


def _c_locale():
    env = dict(os.environ)
    env['LC_ALL'] = 'C'
    return env


def safe_extract(archive_path, dest_dir, top='go', gnu_tar=None):
    """Extract a go.dev-style tar.gz into the empty ``dest_dir``. Every member must live under ``top/``;
    absolute paths, '..', device files, fifos, setuid/setgid files and links that leave the tree are
    refused. With ``gnu_tar`` (a path from find_gnu_tar) GNU tar extracts, twice as fast as tarfile, and
    the tree is checked afterwards; otherwise tarfile checks each member before writing it. Either way
    a refused or damaged archive leaves ``dest_dir`` empty again."""
    if os.listdir(dest_dir):
        raise GoSdkError('%s is not empty' % dest_dir)
    try:
        if gnu_tar:
            _extract_with_gnu_tar(gnu_tar, archive_path, dest_dir)
            check_extracted_tree(dest_dir, top)
        else:
            _extract_with_tarfile(archive_path, dest_dir, top)
        if not os.path.isfile(os.path.join(dest_dir, top, 'bin', 'go')):
            raise GoSdkError('%s has no %s/bin/go' % (archive_path, top))
    except BaseException:
        _empty_dir(dest_dir)
        raise


def _empty_dir(path):
    """Best effort: the error that led here is the one to report."""
    for name in os.listdir(path):
        entry = os.path.join(path, name)
        try:
            if os.path.isdir(entry) and not os.path.islink(entry):
                shutil.rmtree(entry, ignore_errors=True)
            else:
                os.unlink(entry)
        except OSError:
            pass


def _extract_with_gnu_tar(tar, archive_path, dest_dir):
    # -p: modes exactly as archived, whatever the umask; --no-same-owner: files belong to the installer.
    # GNU tar itself refuses members with '..', strips a leading '/', and creates symlinks only after
    # every file, so no member is written through a link; check_extracted_tree covers the rest.
    cmd = [tar, '-x', '-z', '-p', '--no-same-owner', '-f', archive_path, '-C', dest_dir]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_c_locale())
    _out, err = proc.communicate()
    if proc.returncode == 0:
        return
    lines = [line for line in err.decode('utf-8', 'replace').splitlines() if line.strip()]
    message = '; '.join(lines[:3]) or 'exit status %d' % proc.returncode
    if any('No space left on device' in line for line in lines):
        raise OSError(errno.ENOSPC, 'No space left on device (%s)' % message)
    if any("contains '..'" in line for line in lines):
        raise GoSdkError('unsafe path in archive %s: %s' % (archive_path, message))
    if any('not in gzip format' in line or 'does not look like a tar archive' in line for line in lines):
        raise GoSdkError('%s is not a readable tar.gz archive: %s' % (archive_path, message))
    raise GoSdkError('%s is damaged or could not be extracted: %s' % (archive_path, message))


def _extract_with_tarfile(archive_path, dest_dir, top):
    """One pass over the stream: each member is checked, then written."""
    try:
        tar = tarfile.open(archive_path, 'r|gz')
    except (tarfile.TarError, IOError, OSError, EOFError, zlib.error) as exc:
        raise GoSdkError('%s is not a readable tar.gz archive: %s' % (archive_path, exc))
    uid, gid = os.getuid(), os.getgid()
    count = 0
    with tar:
        try:
            for member in tar:
                _check_member(member, top)
                # owned by the installer, by number: no passwd/group lookup per file
                member.uid, member.gid, member.uname, member.gname = uid, gid, '', ''
                tar.extract(member, dest_dir, set_attrs=True, numeric_owner=True, **_extract_kwargs())
                count += 1
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise GoSdkError('%s is damaged: %s' % (archive_path, exc))
    if not count:
        raise GoSdkError('%s is empty' % archive_path)


def _extract_kwargs():
    # Python 3.12+ warns without an explicit filter; each member is checked before extraction.
    return {'filter': 'fully_trusted'} if hasattr(tarfile, 'fully_trusted_filter') else {}


def _check_member(member, top):
    name = member.name.rstrip('/')
    parts = name.split('/')
    if name.startswith('/') or '..' in parts or parts[0] != top:
        raise GoSdkError('unsafe path in archive: %r' % member.name)
    if member.isdev() or member.isfifo():
        raise GoSdkError('device or fifo in archive: %r' % name)
    if member.isfile() and member.mode & (stat.S_ISUID | stat.S_ISGID):
        raise GoSdkError('setuid or setgid file in archive: %r' % name)
    if member.issym() or member.islnk():
        target = member.linkname
        base = os.path.dirname(name) if member.issym() else ''
        resolved = os.path.normpath(os.path.join(base, target))
        if target.startswith('/') or resolved.split('/')[0] != top:
            raise GoSdkError('link leaving the SDK in archive: %r -> %r' % (name, target))


def check_extracted_tree(dest_dir, top):
    """The checks of _check_member, on a tree already extracted (by GNU tar)."""
    strays = sorted(set(os.listdir(dest_dir)) - set([top]))
    if strays:
        raise GoSdkError('unsafe path in archive: %s outside %s/' % (', '.join(strays), top))
    base = os.path.realpath(os.path.join(dest_dir, top))
    for directory, dirs, files in os.walk(os.path.join(dest_dir, top)):
        for name in dirs + files:
            path = os.path.join(directory, name)
            mode = os.lstat(path).st_mode
            shown = os.path.relpath(path, dest_dir)
            if stat.S_ISLNK(mode):
                resolved = os.path.realpath(path)
                if resolved != base and not resolved.startswith(base + os.sep):
                    raise GoSdkError('link leaving the SDK in archive: %r -> %r' % (shown, os.readlink(path)))
            elif stat.S_ISREG(mode):
                if mode & (stat.S_ISUID | stat.S_ISGID):
                    raise GoSdkError('setuid or setgid file in archive: %r' % shown)
            elif not stat.S_ISDIR(mode):
                raise GoSdkError('device or fifo in archive: %r' % shown)


class InstallLock(object):
    """An exclusive flock on ``<root>/.gocompat-sdk.lock``: one install at a time per root."""

    def __init__(self, root, timeout=300):
        self.path = os.path.join(root, LOCK_NAME)
        self.timeout = timeout
        self.handle = None

    def __enter__(self):
        self.handle = open(self.path, 'a')
        deadline = time.time() + self.timeout
        while True:
            try:
                fcntl.flock(self.handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return self
            except (IOError, OSError) as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.time() > deadline:
                    self.handle.close()
                    raise GoSdkError('another install holds %s for more than %d s' % (self.path, self.timeout))
                time.sleep(0.2)

    def __exit__(self, *exc_info):
        fcntl.flock(self.handle, fcntl.LOCK_UN)
        self.handle.close()
        return False


def atomic_symlink(target, link_path):
    """Point ``link_path`` at ``target`` with one rename, so readers see the old or the new link."""
    tmp_path = '%s.%d.tmp' % (link_path, os.getpid())
    if os.path.lexists(tmp_path):
        os.unlink(tmp_path)
    os.symlink(target, tmp_path)
    try:
        os.rename(tmp_path, link_path)
    except OSError:
        os.unlink(tmp_path)
        raise


def read_link(path):
    try:
        return os.readlink(path)
    except OSError:
        return None


def read_marker(goroot):
    try:
        with open(os.path.join(goroot, MARKER_NAME)) as handle:
            data = json.load(handle)
    except (IOError, OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_marker(goroot, data):
    path = os.path.join(goroot, MARKER_NAME)
    with open(path + '.tmp', 'w') as handle:
        json.dump(data, handle, sort_keys=True)
    os.rename(path + '.tmp', path)


def clear_staging(root):
    """Remove what a killed run left behind: staging dirs are never taken for installed SDKs."""
    removed = []
    for name in os.listdir(root):
        if name.startswith(STAGING_PREFIX):
            shutil.rmtree(os.path.join(root, name), ignore_errors=True)
            removed.append(name)
    return removed


def installed_sdks(root):
    """{version name: goroot} for every SDK under ``root`` that carries our marker (complete installs)."""
    found = {}
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
