# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A fake SDK on disk and a fake go command for go_probe's unit tests: the module's real Host works on temp
dirs, and every go command is answered by FakeGo (which writes the binaries a build would write)."""

from __future__ import absolute_import, division, print_function

import json
import os

from ansible_collections.gocompat.baseline.plugins.module_utils import module_base
from ansible_collections.gocompat.baseline.plugins.module_utils.command import Runner

ELF_ARM64 = b'\x7fELF\x02\x01\x01' + b'\x00' * 11 + b'\xb7\x00' + b'\x00' * 44
ELF_AMD64 = b'\x7fELF\x02\x01\x01' + b'\x00' * 11 + b'\x3e\x00' + b'\x00' * 44


class FakeGo(object):
    """Answers the probe's commands like a working go1.27.3; ``override`` maps a check to (rc, output)."""

    def __init__(self, goroot, version='go1.27.3', override=None, toolchain='local'):
        self.goroot, self.version, self.override, self.toolchain = goroot, version, override or {}, toolchain
        self.calls = []

    def __call__(self, argv, env, cwd, data):
        self.calls.append((argv, env, cwd))
        start = next(i for i, a in enumerate(argv) if a.endswith('/bin/go'))
        args = argv[start + 1:]
        name = self.check_of(args, env)
        if name in self.override:
            rc, out = self.override[name]
            return rc, out, ''
        if args[:2] == ['env', 'GOTOOLCHAIN']:
            return 0, self.toolchain + '\n', ''
        if args[:2] == ['env', 'GOROOT']:
            return 0, self.goroot + '\n', ''
        if args[:2] == ['mod', 'verify']:
            return 0, 'all modules verified\n', ''
        if args[:2] == ['version', '-m']:
            return 0, '%s: %s\n\tpath\tgocompat.invalid/probe/cmd/probe\n' % (args[2], self.version), ''
        if args[0] == 'build' and args[1] == '-o':
            with open(args[2], 'wb') as handle:
                handle.write(ELF_ARM64 if env.get('GOARCH') == 'arm64' else ELF_AMD64)
            return 0, '', ''
        if args == ['build', './cgoneeded']:
            return 1, '', 'package gocompat.invalid/probe/cgoneeded: build constraints exclude all Go files in %s\n' % cwd
        if args == ['build', '.']:
            return 1, '', "go: go.mod file not found in current directory or any parent directory; see 'go help modules'\n"
        if args[0] == 'test':
            return 0, 'ok  \tgocompat.invalid/probe/probe/netfs\t1.2s\nok  \tgocompat.invalid/probe/probe/procs\t2.0s\n', ''
        return 2, '', 'unexpected command %r' % (args,)

    @staticmethod
    def check_of(args, env):
        if args[:1] == ['test']:
            return 'race'
        if args[:2] == ['build', '-o']:
            return 'cross_arm64' if env.get('GOARCH') == 'arm64' else 'version_match'
        return {'GOTOOLCHAIN': 'toolchain_local', 'verify': 'mod_verify', './cgoneeded': 'cgo_off',
                '.': 'modules_required'}.get(args[-1], '')


def make_sdk(root, version='go1.27.3', go_env='GOTOOLCHAIN=local\n', marker=True):
    goroot = os.path.join(str(root), version)
    os.makedirs(os.path.join(goroot, 'bin'))
    with open(os.path.join(goroot, 'bin', 'go'), 'w') as handle:
        handle.write('#!/bin/sh\nexit 99\n')
    with open(os.path.join(goroot, 'VERSION'), 'w') as handle:
        handle.write(version + '\ntime 2026-11-01T00:00:00Z\n')
    with open(os.path.join(goroot, 'go.env'), 'w') as handle:
        handle.write(go_env)
    if marker:
        with open(os.path.join(goroot, '.gocompat-sdk.json'), 'w') as handle:
            json.dump({'version': version, 'sha256': 'ab' * 32}, handle)
    return goroot


class Env(object):
    """sdk root, cache and temp dir under ``tmp_path``; ``host`` is the real Host with a FakeGo runner."""

    def __init__(self, tmp_path, **fake):
        self.root = str(tmp_path / 'sdks')
        self.cache = str(tmp_path / 'cache')
        self.tmp = str(tmp_path / 'gotmp')
        os.makedirs(self.tmp)
        self.goroot = make_sdk(self.root)
        self.go = FakeGo(self.goroot, **fake)
        self.host = module_base.Host(runner=Runner(execute=self.go))

    def args(self, **extra):
        args = dict(sdk_root=self.root, cache_dir=self.cache, tmpdir=self.tmp)
        args.update(extra)
        return args
