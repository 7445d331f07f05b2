# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Writing a file on the Windows drive (.wslconfig under /mnt/c/Users/<user>).

DrvFs mounted without the ``metadata`` option has no Unix owner or mode: chmod and chown fail with EPERM
there, so the collection's atomic write (which keeps owner and mode) cannot replace a file on it. Windows ACLs
decide who may read the file, so the write here is the same temp-file-and-rename, without chmod and chown;
it is used only when the normal write was refused with EPERM (nothing was changed by that attempt)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import errno

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio


def replace(path, text):
    """Atomically replace ``path`` with ``text``, owner and mode left to the file system."""
    fileio.atomic_write(path, text, keep_attributes=False)


def _plain(host):
    """The host's write without owner and mode: a host may provide ``write_text_plain`` (tests rooted in a
    directory do); the real host writes the path as it is."""
    return getattr(host, 'write_text_plain', replace)


def plan_write(the_plan, host, path, before, after, backup=False):
    """Like Plan.write_file, but a write refused with EPERM (DrvFs without metadata) is retried without
    owner and mode; the undo puts the old text back the same way, or removes a file this run created."""
    the_plan.add_diff(path, before, after, before_header=path if before is not None else '%s (absent)' % path)
    saved = {}

    def do():
        if backup and before is not None:
            the_plan.result.setdefault('backup_files', {})[path] = host.backup(path)
        try:
            host.write_text(path, after)
            saved['plain'] = False
        except OSError as exc:
            if exc.errno != errno.EPERM:
                raise
            _plain(host)(path, after)
            saved['plain'] = True

    def undo():
        if before is None:
            host.remove(path)
        elif saved.get('plain'):
            _plain(host)(path, before)
        else:
            host.write_text(path, before)
    return the_plan.add_step('write %s' % path, do, undo)
