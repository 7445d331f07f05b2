# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one file utility of the collection: bounded reads of regular files only, an atomic replace that
keeps the owner and mode of the file it replaces (and never writes through a symlink), an atomic symlink
switch, JSON markers written the same durable way, and snapshot/restore for rollbacks."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import json
import os
import stat
import tempfile

# Configuration files are small; a bound keeps a hostile multi-gigabyte file from eating the host's memory.
DEFAULT_READ_LIMIT = 1 << 20


class FileRefused(ValueError):
    """A path that is not what it must be (not a regular file, too large); ``path`` names it."""

    def __init__(self, path, reason):
        super(FileRefused, self).__init__('%s: %s' % (path, reason))
        self.path = path
        self.reason = reason


def _kind(mode):
    for test, name in ((stat.S_ISDIR, 'a directory'), (stat.S_ISFIFO, 'a FIFO'), (stat.S_ISSOCK, 'a socket'),
                       (stat.S_ISCHR, 'a character device'), (stat.S_ISBLK, 'a block device')):
        if test(mode):
            return name
    return 'not a regular file'


def read_regular(path, limit=DEFAULT_READ_LIMIT):
    """Bytes of the regular file at ``path`` (symlinks followed), or None when nothing is there.

    Raises FileRefused for anything but a regular file (a FIFO would block the read forever, a device
    could be endless) and for files larger than ``limit`` bytes; OSError for other failures."""
    try:
        st = os.stat(path)
    except (IOError, OSError) as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused(path, 'is %s, not a regular file' % _kind(st.st_mode))
    if st.st_size > limit:
        raise FileRefused(path, 'is %d bytes, larger than the %d bytes allowed' % (st.st_size, limit))
    # O_NONBLOCK: if the path was swapped for a FIFO after the stat, open and read return at once
    fd = os.open(path, os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_CLOEXEC', 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise FileRefused(path, 'is %s, not a regular file' % _kind(os.fstat(fd).st_mode))
        chunks, size = [], 0
        while size <= limit:
            block = os.read(fd, min(1 << 16, limit + 1 - size))
            if not block:
                break
            chunks.append(block)
            size += len(block)
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(path, 'grew past the %d bytes allowed while it was read' % limit)
    return b''.join(chunks)


def read_regular_text(path, limit=DEFAULT_READ_LIMIT):
    """``read_regular`` decoded as UTF-8; undecodable bytes are kept as surrogates (quote them before
    they reach a message: safe_text.quote)."""
    data = read_regular(path, limit)
    return None if data is None else data.decode('utf-8', 'surrogateescape')


def read_text(path):
    """Content of ``path`` as text (UTF-8, undecodable bytes kept as surrogates), or None if missing."""
    try:
        with open(path, 'rb') as handle:
            data = handle.read()
    except (IOError, OSError) as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None
        raise
    return data.decode('utf-8', 'surrogateescape')


def encode_text(text):
    return text.encode('utf-8', 'surrogateescape')


def is_symlink(path):
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False


def atomic_write(path, text, default_mode=0o644, prepare=None, keep_attributes=True):
    """Replace ``path`` with ``text`` by writing a temp file in the same directory and renaming it.

    An existing regular file keeps its mode and owner; a symlink at ``path`` is replaced by a regular
    file (its target is left alone). ``prepare(tmp_path)`` runs before the rename, e.g. to set an
    SELinux context. With ``keep_attributes=False`` neither mode nor owner is set: for file systems
    without Unix owners (a Windows drive under WSL mounted without DrvFs ``metadata``), where chmod and
    chown fail with EPERM. On any error the temp file is removed and ``path`` is untouched.
    """
    directory = os.path.dirname(path) or '.'
    mode, uid, gid = default_mode, 0, 0
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode):
            mode, uid, gid = stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid
    except OSError:
        pass
    fd, tmp_path = tempfile.mkstemp(prefix='.%s.' % os.path.basename(path), suffix='.tmp', dir=directory)
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(encode_text(text))
            handle.flush()
            os.fsync(handle.fileno())
        if keep_attributes:
            os.chmod(tmp_path, mode)
            if os.geteuid() == 0:
                os.chown(tmp_path, uid, gid)
        if prepare is not None:
            prepare(tmp_path)
        os.rename(tmp_path, path)
    except BaseException:
        try:
            os.unlink(tmp_path)
        except OSError:
            pass
        raise
    _fsync_dir(directory)


def atomic_symlink(target, link_path):
    """Point ``link_path`` at ``target`` with one rename, so readers see the old or the new link.
    Only an absent path or a symlink is replaced: a file or directory there raises FileRefused."""
    try:
        st = os.lstat(link_path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise
    else:
        if not stat.S_ISLNK(st.st_mode):
            raise FileRefused(link_path, 'is %s, not a symlink; move it away first' % (
                'a regular file' if stat.S_ISREG(st.st_mode) else _kind(st.st_mode)))
    tmp_path = '%s.%d.tmp' % (link_path, os.getpid())
    if os.path.lexists(tmp_path):
        os.unlink(tmp_path)
    os.symlink(target, tmp_path)
    try:
        os.rename(tmp_path, link_path)
    except OSError:
        os.unlink(tmp_path)
        raise
    _fsync_dir(os.path.dirname(link_path) or '.')


def read_link(path):
    """Target of the symlink at ``path``, or None when it is absent or not a link."""
    try:
        return os.readlink(path)
    except OSError:
        return None


def write_json(path, data, default_mode=0o644):
    """A JSON marker, written as durably as any other file (fsync of file and directory, then rename)."""
    atomic_write(path, json.dumps(data, sort_keys=True) + '\n', default_mode=default_mode)


def read_json(path, limit=DEFAULT_READ_LIMIT):
    """The JSON object at ``path``; None when absent, unreadable, not an object or not JSON."""
    try:
        data = read_regular(path, limit)
        value = json.loads(data.decode('utf-8')) if data is not None else None
    except (IOError, OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def snapshot(path):
    """What is at ``path`` now, enough to put it back: ('absent',), ('link', target) or
    ('file', text, mode, uid, gid)."""
    try:
        st = os.lstat(path)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return ('absent',)
        raise
    if stat.S_ISLNK(st.st_mode):
        return ('link', os.readlink(path))
    return ('file', read_text(path), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)


def restore(path, saved):
    """Put back what ``snapshot`` saw, atomically for files and links."""
    kind = saved[0]
    if kind == 'absent':
        remove_file(path)
    elif kind == 'link':
        tmp_path = '%s.%d.restore' % (path, os.getpid())
        remove_file(tmp_path)
        os.symlink(saved[1], tmp_path)
        os.rename(tmp_path, path)
    else:
        text, mode, uid, gid = saved[1:]

        def keep_attributes(tmp_path):
            os.chmod(tmp_path, mode)
            if os.geteuid() == 0:
                os.chown(tmp_path, uid, gid)
        atomic_write(path, text, prepare=keep_attributes)


def remove_file(path):
    try:
        os.unlink(path)
    except OSError as exc:
        if exc.errno != errno.ENOENT:
            raise


def _fsync_dir(directory):
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
