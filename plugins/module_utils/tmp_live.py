# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Changing the live mount on a path without losing what is under it.

A fresh tmpfs over a directory hides everything in it, including the submounts (WSLg binds /tmp/.X11-unix)
and Ansible's own files: the payload of this very module and the task's remote temp dir when they live in
/tmp ("Module result deserialization failed" on the next step). So the old tree is first bound to a private
place under /run (it stays reachable there), the tmpfs is mounted, and then every submount is bound back and
every directory that must stay (Ansible's, and empty ones such as .ICE-unix) is copied back onto the same
relative path. With nothing left behind the private bind is removed again; with apply_now=always it stays,
and the module says where.

Every command goes through the collection's Runner; ``survey`` reads through the module's Host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch
import os
import posixpath
import stat
import sys

from ansible_collections.gocompat.baseline.plugins.module_utils import tmp_mounts as M
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import PartlyDone

# Names Ansible gives its temp dirs: the controller's per-task dir, the module payload, the module's tmpdir.
ANSIBLE_NAMES = ('ansible-tmp-*', 'ansible_*_payload_*', 'ansible-moduletmp-*', 'ansible-local-*')
SURVEY_LIMIT = 20000


def ansible_dirs(module, path, exists):
    """Directories under ``path`` that this Ansible run needs after the mount: the payload dir of this module,
    the directory of the script that started it, the module's tmpdir if made, the controller's task dirs in
    remote_tmp. Absolute paths that exist."""
    candidates = []
    here = os.path.abspath(__file__)
    while here not in ('/', '') and not os.path.isdir(here):
        here = os.path.dirname(here)
    candidates.append(here)
    if sys.argv and sys.argv[0] and sys.argv[0].startswith('/'):
        candidates.append(os.path.dirname(sys.argv[0]))
    if module is not None:
        made = getattr(module, '_tmpdir', None)
        if made:
            candidates.append(made)
        remote = getattr(module, '_remote_tmp', None)
        if remote:
            remote = os.path.normpath(os.path.expanduser(os.path.expandvars(remote)))
            if M.under(remote, path) and os.path.isdir(remote):
                candidates.extend(posixpath.join(remote, n) for n in sorted(os.listdir(remote))
                                  if any(fnmatch.fnmatch(n, p) for p in ANSIBLE_NAMES))
    found = []
    for candidate in candidates:
        candidate = os.path.normpath(candidate)
        if candidate != path and M.under(candidate, path) and exists(candidate) and candidate not in found:
            found.append(candidate)
    return found


def survey(host, path, mounted, keep):
    """What a tmpfs over ``path`` would hide. ``mounted``: relative mount points of submounts (carried by a
    bind); ``keep``: relative directories copied back. Returns (hidden, empty, kinds): entries that would be
    hidden (first 20), trees of empty directories and symlinks to recreate, and {relative submount: 'dir'|'file'}."""
    hidden, empty = [], []
    kinds = {}
    for rel in mounted:
        try:
            kinds[rel] = 'dir' if stat.S_ISDIR(host.lstat(posixpath.join(path, rel)).st_mode) else 'file'
        except EnvironmentError:
            kinds[rel] = 'dir'
    skip = set(mounted) | set(keep)
    seen = [0]

    def listing(rel):
        names = host.listdir(posixpath.join(path, rel) if rel else path)
        seen[0] += len(names) + 1
        if seen[0] > SURVEY_LIMIT:
            raise _TooMany()
        return names

    def only_dirs(rel):
        """A tree of directories and symlinks only (systemd's PrivateTmp dirs, .ICE-unix): nothing a mount would
        hide, recreated by the copy."""
        for name in listing(rel):
            child = posixpath.join(rel, name)
            try:
                mode = host.lstat(posixpath.join(path, child)).st_mode
                if not stat.S_ISLNK(mode) and (not stat.S_ISDIR(mode) or not only_dirs(child)):
                    return False
            except EnvironmentError:
                return False
        return True

    def walk(rel):
        """Sort the entries of ``rel`` into carried, empty (directory trees to recreate) and hidden."""
        for name in listing(rel):
            child = posixpath.join(rel, name) if rel else name
            if child in skip:
                continue
            if any(s.startswith(child + '/') for s in skip):
                walk(child)
                continue
            try:
                mode = host.lstat(posixpath.join(path, child)).st_mode
            except EnvironmentError:
                continue  # gone meanwhile
            if stat.S_ISLNK(mode) or stat.S_ISDIR(mode) and only_dirs(child):
                empty.append(child)  # a symlink holds no data (WSLg links /tmp/.X11-unix on some versions)
            elif len(hidden) < 20:
                hidden.append(child + ('/' if stat.S_ISDIR(mode) else ''))
    try:
        walk('')
    except _TooMany:
        hidden.append('more than %d entries' % SURVEY_LIMIT)
    except EnvironmentError as exc:
        hidden.append('unreadable: %s' % (exc.strerror or exc))
    return hidden, empty, kinds


class _TooMany(Exception):
    pass


def copies(keep, empty, mounted):
    """Relative directories to copy back, outermost only, none inside a submount (it travels whole)."""
    out = []
    for rel in sorted(set(keep) | set(empty)):
        if any(rel == m or rel.startswith(m + '/') for m in mounted):
            continue
        if any(rel.startswith(o + '/') for o in out):
            continue
        out.append(rel)
    return out


def remount(run, path, options_text):
    run(['mount', '-o', options_text, path])


def set_owner_mode(run, path, mode, uid, gid, previous=None):
    """chown then chmod; when chmod fails, the owner goes back to ``previous`` (uid, gid) before the error."""
    run(['chown', '%d:%d' % (uid, gid), path])
    try:
        run(['chmod', '%04o' % mode, path])
    except Exception:
        if previous is not None:
            run(['chown', '%d:%d' % previous, path], check=False)
        raise


def mount_over(run, path, options_text, stash, copied, mounted, kinds, keep_stash):
    """Mount a tmpfs over ``path`` and carry over ``copied`` (relative dirs) and ``mounted`` (relative
    submounts). On failure it undoes what it did and raises; PartlyDone when even that failed."""
    done = []
    try:
        run(['mkdir', '-p', '-m', '0700', stash])
        run(['mount', '--rbind', path, stash])
        done.append('stash')
        run(['mount', '--make-rprivate', stash])
        run(['mount', '-t', 'tmpfs', '-o', options_text, 'tmpfs', path])
        done.append('tmpfs')
        if copied:
            run(['cp', '-a', '--parents', '--'] + list(copied) + [path], cwd=stash)
        for rel in mounted:
            target = posixpath.join(path, rel)
            if kinds.get(rel) == 'file':
                run(['mkdir', '-p', posixpath.dirname(target)])
                run(['touch', target])
            else:
                run(['mkdir', '-p', target])
            run(['mount', '--rbind', posixpath.join(stash, rel), target])
        if not keep_stash:
            release(run, stash)
    except Exception as exc:
        errors = undo_mount(run, path, stash, done)
        if errors:
            raise PartlyDone('%s; undoing it failed too: %s' % (exc, '; '.join(errors)))
        raise


def release(run, stash):
    run(['umount', '-R', stash])
    run(['rmdir', stash], check=False)


def undo_mount(run, path, stash, done=('stash', 'tmpfs')):
    errors = []
    if 'tmpfs' in done:
        try:
            run(['umount', '-R', path])
        except Exception as exc:  # pylint: disable=broad-except
            errors.append('umount %s: %s' % (path, exc))
    if 'stash' in done:
        try:
            release(run, stash)
        except Exception as exc:  # pylint: disable=broad-except
            errors.append('umount %s: %s' % (stash, exc))
    return errors
