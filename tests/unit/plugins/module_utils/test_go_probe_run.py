# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_probe_run as R
from ansible_collections.gocompat.baseline.plugins.module_utils import go_probe_source as SRC


def test_go_tmpdir_order():
    assert R.go_tmpdir('GOTMPDIR=/var/tmp/go\n', {'TMPDIR': '/x'}) == ('/var/tmp/go', 'GOTMPDIR in go.env')
    assert R.go_tmpdir('GOTMPDIR=relative\n', {'TMPDIR': '/x'}) == ('/x', 'TMPDIR of the environment')
    assert R.go_tmpdir('', {'GOTMPDIR': '/g', 'TMPDIR': '/x'}) == ('/g', 'GOTMPDIR of the environment')
    assert R.go_tmpdir(None, {}) == ('/tmp', 'default')


def test_elf_machine():
    head = b'\x7fELF\x02\x01\x01' + b'\x00' * 11 + b'\xb7\x00' + b'\x00' * 8
    assert R.elf_machine(head) == 183
    assert R.elf_machine(head[:10]) is None and R.elf_machine(b'MZ' + head[2:]) is None
    big = b'\x7fELF\x02\x02\x01' + b'\x00' * 11 + b'\x00\x16' + b'\x00' * 8
    assert R.elf_machine(big) == 22


def test_error_lines_skip_noise_and_quote():
    out = '=== RUN   TestX\nok  \tpkg\t1s\n\n--- FAIL: TestY\n\x1b[31mred\nPASS\n' + 'x\n' * 20
    lines = R.error_lines(out)
    assert lines[:2] == ['--- FAIL: TestY', '\\x1b[31mred'] and len(lines) == R.FIRST_LINES


@pytest.mark.parametrize('out,context,cause', [
    ('fork/exec /tmp/go-build1/a.test: permission denied', {'noexec': '/tmp'}, 'noexec temp dir'),
    ('go: -race requires cgo; enable cgo by setting CGO_ENABLED=1', {'gcc': False}, 'gcc not installed'),
    ('cgo: C compiler "gcc" not found', {'gcc': True}, 'the C compiler failed'),
    ('runtime: failed to create new OS thread (have 12 already; errno=11)\nresource temporarily unavailable', {},
     'task limit'),
    ('fork/exec /proc/self/exe: operation not permitted', {'seccomp': 2}, 'seccomp filter (Seccomp: 2)'),
    ('open f900: too many open files', {}, 'open-file limit'),
    ('x did not finish within 5 s', {'timeout': 5}, 'timed out after 5 s'),
    ('go: downloading go1.28.0 (linux/amd64)', {}, 'another toolchain'),
    ('something odd', {}, 'see the first error lines'),
])
def test_likely_cause(out, context, cause):
    full = dict({'gotmpdir': '/tmp', 'noexec': '', 'gcc': True, 'seccomp': 0, 'timeout': 60}, **context)
    assert cause in R.likely_cause(out, full)


def test_expected_failure_judgement():
    ctx = {'gotmpdir': '/tmp', 'timeout': 1}
    assert R.judge_expected_failure(1, 'go: go.mod file not found', ('go.mod file not found',), ctx, 'x').ok
    assert not R.judge_expected_failure(0, '', ('go.mod file not found',), ctx, 'x').ok
    assert not R.judge_expected_failure(None, 'timed out', ('go.mod file not found',), ctx, 'x').ok
    assert not R.judge_expected_failure(1, 'other', ('go.mod file not found',), ctx, 'x').ok


def test_the_embedded_module_is_complete():
    assert SRC.FILES['go.mod'].startswith('module gocompat.invalid/probe\n')
    assert 'import "C"' in SRC.FILES['cgoneeded/cgo.go']
    assert 'os.MkdirTemp' in SRC.FILES['probe/netfs/netfs_test.go'] and 't.TempDir()' in SRC.FILES['probe/netfs/netfs_test.go']
    assert 'exec.Command' in SRC.FILES['probe/procs/procs_test.go']
    assert 'package main' in SRC.NOMOD_MAIN


def test_only_stale_work_dirs_of_dead_probes_are_found(tmp_path):
    import os
    import time
    from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import Host
    old = time.time() - 3600
    dead = tmp_path / 'gocompat-probe-999999999-0123abcd'
    alive = tmp_path / ('gocompat-probe-%d-0123abcd' % os.getpid())
    young = tmp_path / 'gocompat-probe-999999998-0123abcd'
    other = tmp_path / 'gocompat-probe-999999997-notours'
    for path in (dead, alive, young, other):
        path.mkdir()
    for path in (dead, alive, other):
        os.utime(str(path), (old, old))
    (tmp_path / 'gocompat-probe-999999996-0123abcd').write_text('a file, not ours')
    assert R.stale_workspaces(Host(), str(tmp_path)) == [str(dead)]
    assert R.stale_workspaces(Host(), str(tmp_path / 'missing')) == []
