# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A real module_base.Host whose absolute paths live under a test directory: the module code runs unchanged
(atomic writes, snapshots, backups) against a fake /etc and /proc built by the test."""

from __future__ import absolute_import, division, print_function

import os
import stat

from ansible_collections.gocompat.baseline.plugins.module_utils import module_base

from . import trees


class RootedHost(module_base.Host):

    def __init__(self, root, module=None):
        super(RootedHost, self).__init__(module=module)
        self.root = str(root)

    def p(self, path):
        return self.root + path

    def write(self, path, text):
        """Test helper: put a file at ``path`` (parents created)."""
        real = self.p(path)
        if not os.path.isdir(os.path.dirname(real)):
            os.makedirs(os.path.dirname(real))
        with open(real, 'w') as handle:
            handle.write(text)

    def text(self, path):
        with open(self.p(path)) as handle:
            return handle.read()

    def tree(self):
        """{relative path: content or link target or 'dir'} of everything under the root."""
        found = {}
        for real, rel, st in trees.walk(self.root):
            key = '/' + rel
            if stat.S_ISLNK(st.st_mode):
                found[key] = '-> ' + os.readlink(real)
            elif stat.S_ISDIR(st.st_mode):
                found[key] = 'dir %o' % (st.st_mode & 0o7777)
            elif not stat.S_ISREG(st.st_mode):
                found[key] = 'special %o' % st.st_mode
            else:
                with open(real, 'rb') as handle:
                    found[key] = (handle.read(), st.st_mode & 0o7777)
        return found

    def read_text(self, path, limit=None):
        return super(RootedHost, self).read_text(self.p(path), limit)

    def read_bytes(self, path, limit=None):
        return super(RootedHost, self).read_bytes(self.p(path), limit)

    def listdir(self, path):
        return super(RootedHost, self).listdir(self.p(path))

    def lstat(self, path):
        return super(RootedHost, self).lstat(self.p(path))

    def stat(self, path):
        return super(RootedHost, self).stat(self.p(path))

    def exists(self, path):
        return super(RootedHost, self).exists(self.p(path))

    def isdir(self, path):
        return super(RootedHost, self).isdir(self.p(path))

    def readlink(self, path):
        return super(RootedHost, self).readlink(self.p(path))

    def realpath(self, path):
        real = os.path.realpath(self.p(path))
        return real[len(self.root):] if real.startswith(self.root + '/') else real

    def write_text(self, path, text, default_mode=0o644):
        return super(RootedHost, self).write_text(self.p(path), text, default_mode)

    def symlink(self, target, path):
        return super(RootedHost, self).symlink(target, self.p(path))

    def remove(self, path):
        return super(RootedHost, self).remove(self.p(path))

    def snapshot(self, path):
        return super(RootedHost, self).snapshot(self.p(path))

    def restore(self, path, saved):
        return super(RootedHost, self).restore(self.p(path), saved)

    def backup(self, path):
        return super(RootedHost, self).backup(self.p(path))

    def mkdir(self, path, mode=0o755):
        super(RootedHost, self).mkdir(self.p(path), mode)

    def rmdir(self, path):
        super(RootedHost, self).rmdir(self.p(path))
