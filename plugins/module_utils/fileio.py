# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Small file helpers shared by the modules: read-if-present and an atomic replace that keeps the
owner and mode of the file it replaces (and never writes through a symlink)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno
import os
import stat
import tempfile


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


def atomic_write(path, text, default_mode=0o644, prepare=None):
    """Replace ``path`` with ``text`` by writing a temp file in the same directory and renaming it.

    An existing regular file keeps its mode and owner; a symlink at ``path`` is replaced by a regular
    file (its target is left alone). ``prepare(tmp_path)`` runs before the rename, e.g. to set an
    SELinux context. On any error the temp file is removed and ``path`` is untouched.
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
