# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The write without owner and mode for the Windows drive, and its step: fallback only on EPERM, undo."""

from __future__ import absolute_import, division, print_function

import errno
import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import module_base, wsl_winfile


def test_replace_writes_bytes_and_leaves_no_temp_file(tmp_path):
    target = tmp_path / 'x.conf'
    target.write_bytes(b'old')
    wsl_winfile.replace(str(target), u'\ufeffnew\r\n\udcff')
    assert target.read_bytes() == b'\xef\xbb\xbfnew\r\n\xff'
    assert os.listdir(str(tmp_path)) == ['x.conf']


def test_replace_failure_keeps_the_file(tmp_path, monkeypatch):
    target = tmp_path / 'x.conf'
    target.write_bytes(b'old')

    def broken(src, dst):
        raise OSError(errno.EIO, 'I/O error', src)
    monkeypatch.setattr(os, 'rename', broken)
    with pytest.raises(OSError):
        wsl_winfile.replace(str(target), 'new')
    assert target.read_bytes() == b'old' and os.listdir(str(tmp_path)) == ['x.conf']


class FakeHost(object):
    def __init__(self, error):
        self.error = error
        self.plain = []
        self.removed = []

    def write_text(self, path, text):
        raise OSError(self.error, os.strerror(self.error), path)

    def write_text_plain(self, path, text):
        self.plain.append((path, text))

    def remove(self, path):
        self.removed.append(path)


def test_step_falls_back_on_eperm_and_undoes_the_same_way():
    host = FakeHost(errno.EPERM)
    plan = module_base.Plan()
    step = wsl_winfile.plan_write(plan, host, '/mnt/c/u/.wslconfig', 'old', 'new')
    step.do()
    step.undo()
    assert host.plain == [('/mnt/c/u/.wslconfig', 'new'), ('/mnt/c/u/.wslconfig', 'old')]
    assert plan.diffs[0]['before'] == 'old' and plan.diffs[0]['after'] == 'new'
    created = wsl_winfile.plan_write(module_base.Plan(), host, '/mnt/c/u/.wslconfig', None, 'new')
    created.do()
    created.undo()
    assert host.removed == ['/mnt/c/u/.wslconfig']


def test_step_does_not_fall_back_on_other_errors():
    host = FakeHost(errno.EACCES)
    step = wsl_winfile.plan_write(module_base.Plan(), host, '/mnt/c/u/.wslconfig', 'old', 'new')
    with pytest.raises(OSError):
        step.do()
    assert host.plain == []
