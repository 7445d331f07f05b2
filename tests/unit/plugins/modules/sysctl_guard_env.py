# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake host root for sysctl_guard unit tests: sysctl.d directories, /etc/sysctl.conf, /proc/sys, PID 1
and /sbin/init all live under a temporary directory, so no test can reach the real ones."""

from __future__ import absolute_import, division, print_function

import hashlib
import os
import stat

import pytest

from harness import trees

from ansible_collections.gocompat.baseline.plugins.modules import sysctl_guard as guard
from ansible_collections.gocompat.baseline.plugins.module_utils import sysctl_plan
from ansible_collections.gocompat.baseline.plugins.module_utils import sysctl_read
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import proc_path
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import OWNED_HEADER
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import render_owned_file


def owned_text(*pairs):
    return render_owned_file(list(pairs), OWNED_HEADER)


class Env(object):
    def __init__(self, root):
        self.root = str(root)
        self.etc_d = self.p('etc/sysctl.d')
        self.run_d = self.p('run/sysctl.d')
        self.local_d = self.p('usr/local/lib/sysctl.d')
        self.usr_d = self.p('usr/lib/sysctl.d')
        self.lib_d = self.p('lib/sysctl.d')
        self.legacy = self.p('etc/sysctl.conf')
        self.proc = self.p('proc/sys')
        self.owned = os.path.join(self.etc_d, '90-gocompat-baseline.conf')

    def p(self, relative):
        return os.path.join(self.root, relative)

    def write(self, path, text, mode=None):
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        with open(path, 'wb') as handle:
            handle.write(text if isinstance(text, bytes) else text.encode('utf-8'))
        if mode is not None:
            os.chmod(path, mode)
        return path

    def read(self, path):
        with open(path, 'rb') as handle:
            return handle.read().decode('utf-8', 'surrogateescape')

    def set_live(self, key, value):
        return self.write(proc_path(key, self.proc), '%s\n' % value)

    def live(self, key):
        with open(proc_path(key, self.proc)) as handle:
            return handle.read()

    def fingerprint(self):
        """{relative path: sha256 + mode, or link target} of everything under the root but /proc."""
        out = {}
        for path, rel, st in trees.walk(self.root):
            if stat.S_ISLNK(st.st_mode):
                out[rel] = 'link -> %s' % os.readlink(path)
            elif stat.S_ISREG(st.st_mode):
                with open(path, 'rb') as handle:
                    out[rel] = '%s %o' % (hashlib.sha256(handle.read()).hexdigest(), st.st_mode)
            elif not stat.S_ISDIR(st.st_mode):
                out[rel] = 'special'
        return out

    def params(self, settings, **kwargs):
        params = dict(settings=settings, path=self.owned)
        params.update(kwargs)
        return params


def item(key, value, compare='eq', required=False):
    return {'key': key, 'value': value, 'compare': compare, 'required': required}


@pytest.fixture
def env(tmp_path, monkeypatch):
    e = Env(tmp_path / 'root')
    for directory in (e.etc_d, e.run_d, e.local_d, e.usr_d, e.proc):
        os.makedirs(directory)
    os.makedirs(e.p('lib'))
    os.symlink(e.usr_d, e.lib_d)  # merged /usr
    e.write(e.p('proc/1/comm'), 'systemd\n')
    monkeypatch.setattr(sysctl_read, 'SYSCTL_DIRS', (e.etc_d, e.run_d, e.local_d, e.usr_d, e.lib_d))
    monkeypatch.setattr(sysctl_read, 'LEGACY_SYSCTL_CONF', e.legacy)
    monkeypatch.setattr(guard, 'LEGACY_SYSCTL_CONF', e.legacy)
    monkeypatch.setattr(guard, 'PROC_SYS', e.proc)
    monkeypatch.setattr(sysctl_read, 'PID1_COMM', e.p('proc/1/comm'))
    monkeypatch.setattr(sysctl_read, 'INIT', e.p('sbin/init'))
    monkeypatch.setattr(sysctl_read, 'SYSCTL_BINARIES', (e.p('sbin/sysctl'),))
    monkeypatch.setattr(sysctl_plan, 'ETC_SYSCTL_D', e.etc_d)
    monkeypatch.setattr(sysctl_plan, '_NOT_EDITABLE', (e.root + '/run/', e.root + '/usr/', e.root + '/lib/'))
    monkeypatch.setattr(guard, 'mount_read_only', lambda path: False)
    return e
