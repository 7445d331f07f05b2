# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_probe through the run_module harness with a fake go command (go_probe_env.FakeGo): the seven checks,
their findings and causes, the temp dir and cache handling, cleanup and check mode."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from go_probe_env import Env, make_sdk

CHECKS = ('race', 'cross_arm64', 'mod_verify', 'version_match', 'toolchain_local', 'cgo_off', 'modules_required')


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


def finding(result, control):
    return next(f for f in result['findings'] if f['control'] == control)


def test_a_working_sdk_passes_every_check_and_leaves_no_work_dir(run_module, tmp_path):
    env = Env(tmp_path)
    result = run_module('go_probe', env.args(), host=env.host)
    assert result['changed'] is False
    assert statuses(result) == dict(('probe.%s.1.27.3' % c, 'pass') for c in CHECKS)
    probe = result['probes'][0]
    assert (probe['version'], probe['goroot'], probe['gotmpdir']) == ('go1.27.3', env.goroot, env.tmp)
    assert probe['checks']['cross_arm64']['actual'] == 'ELF e_machine 183 (AArch64)'
    assert probe['checks']['race']['actual'] == 'go test -race passed (2 packages)'
    assert os.listdir(env.tmp) == []  # the fresh directory is gone
    assert os.path.isdir(os.path.join(env.cache, 'go1.27.3'))


def test_the_probe_environment_is_pinned(run_module, tmp_path):
    env = Env(tmp_path)
    run_module('go_probe', env.args(), host=env.host)
    for argv, environ, cwd in env.go.calls:
        assert environ['GOTOOLCHAIN'] == 'local' and environ['GOPROXY'] == 'off' and environ['GOFLAGS'] == '-mod=mod'
        assert environ['GOCACHE'] == os.path.join(env.cache, 'go1.27.3', 'build') and environ['GOENV'] == 'off'
        assert environ['GOTMPDIR'] == env.tmp and environ['GOROOT'] == ''
        assert cwd.startswith(env.tmp + '/gocompat-probe-')
    race = next(a for a, _e, _c in env.go.calls if 'test' in a)
    assert race[race.index('test'):] == ['test', '-race', '-count=1', '-p=4', './probe/...']
    toolchain = next(a for a, _e, _c in env.go.calls if 'GOTOOLCHAIN' in a)
    assert toolchain[-5:-2] == ['-u', 'GOTOOLCHAIN', os.path.join(env.goroot, 'bin', 'go')]


def test_check_mode_runs_the_same_checks(run_module, tmp_path):
    env = Env(tmp_path)
    real = run_module('go_probe', env.args(), host=env.host)
    calls = len(env.go.calls)
    check = run_module('go_probe', env.args(), check_mode=True, host=env.host)
    assert statuses(check) == statuses(real) and check['changed'] is False
    assert len(env.go.calls) == 2 * calls


def test_race_without_gcc_names_the_cause(run_module, tmp_path, monkeypatch):
    env = Env(tmp_path, override={'race': (1, 'go: -race requires cgo; enable cgo by setting CGO_ENABLED=1\n')})
    monkeypatch.setattr(type(env.host.run), 'which', lambda self, name: None if name == 'gcc' else '/usr/bin/' + name)
    result = run_module('go_probe', env.args(), host=env.host)
    found = finding(result, 'probe.race.1.27.3')
    assert found['status'] == 'fail' and 'requires cgo' in found['actual']
    assert found['remediation'].startswith('likely cause: gcc not installed')
    assert statuses(result)['probe.cross_arm64.1.27.3'] == 'pass'


def test_noexec_temp_dir_is_named(run_module, tmp_path):
    env = Env(tmp_path, override={'race': (1, 'fork/exec /x/go-build1/b001/procs.test: permission denied\nFAIL\n')})
    result = run_module('go_probe', env.args(), host=env.host)
    found = finding(result, 'probe.race.1.27.3')
    assert found['status'] == 'fail' and 'permission denied' in found['actual']
    assert 'permission denied executing from %s' % env.tmp in found['remediation']


def test_a_cgo_package_that_builds_without_cgo_fails_the_check(run_module, tmp_path):
    env = Env(tmp_path, override={'cgo_off': (0, '')})
    found = finding(run_module('go_probe', env.args(), host=env.host), 'probe.cgo_off.1.27.3')
    assert found['status'] == 'fail' and 'did not refuse' in found['actual']


def test_an_unexpected_failure_is_not_the_declared_one(run_module, tmp_path):
    env = Env(tmp_path, override={'modules_required': (2, 'go: cannot write to cache: no space left on device\n')})
    found = finding(run_module('go_probe', env.args(), host=env.host), 'probe.modules_required.1.27.3')
    assert found['status'] == 'fail' and 'another way than declared' in found['actual']
    assert 'no space left' in found['actual']


def test_a_toolchain_that_is_not_local_fails(run_module, tmp_path):
    env = Env(tmp_path, toolchain='auto')
    found = finding(run_module('go_probe', env.args(), host=env.host), 'probe.toolchain_local.1.27.3')
    assert found['status'] == 'fail' and found['actual'] == 'GOTOOLCHAIN=auto' and 'go.env' in found['remediation']


def test_a_binary_of_another_version_fails_version_match(run_module, tmp_path):
    env = Env(tmp_path, version='go1.26.5')
    found = finding(run_module('go_probe', env.args(), host=env.host), 'probe.version_match.1.27.3')
    assert found['status'] == 'fail' and 'the binary says go1.26.5, the SDK is go1.27.3' in found['actual']


def test_a_wrong_cross_target_fails(run_module, tmp_path):
    env = Env(tmp_path)
    original = env.go.__class__.__call__

    def amd64_only(self, argv, environ, cwd, data):
        return original(self, argv, dict(environ, GOARCH='amd64'), cwd, data)
    env.go.__class__ = type('AmdGo', (env.go.__class__,), {'__call__': amd64_only})
    found = finding(run_module('go_probe', env.args(), host=env.host), 'probe.cross_arm64.1.27.3')
    assert found['status'] == 'fail' and 'e_machine is 62' in found['actual']


def test_a_timeout_is_a_failure_with_its_cause(run_module, tmp_path):
    env = Env(tmp_path, override={'race': (124, '')})
    found = finding(run_module('go_probe', env.args(timeout=7), host=env.host), 'probe.race.1.27.3')
    assert found['status'] == 'fail' and 'timed out after 7 s' in found['remediation']


def test_no_sdk_is_a_skip(run_module, tmp_path):
    env = Env(tmp_path)
    result = run_module('go_probe', env.args(sdk_root=str(tmp_path / 'none')), host=env.host)
    assert [(f['control'], f['status']) for f in result['findings']] == [('probe.sdk', 'skip')]
    assert result['probes'] == [] and env.go.calls == []


def test_explicit_sdks_take_their_version_from_the_version_file(run_module, tmp_path):
    env = Env(tmp_path)
    other = make_sdk(tmp_path / 'manual', version='go1.27.3', marker=False)
    result = run_module('go_probe', env.args(sdks=[{'goroot': other}]), host=env.host)
    assert [p['goroot'] for p in result['probes']] == [other]
    assert result['probes'][0]['version'] == 'go1.27.3'


def test_go_tmpdir_from_go_env(run_module, tmp_path):
    env = Env(tmp_path)
    gotmp = str(tmp_path / 'from-go-env')
    os.makedirs(gotmp)
    with open(os.path.join(env.goroot, 'go.env'), 'a') as handle:
        handle.write('GOTMPDIR=%s\n' % gotmp)
    result = run_module('go_probe', env.args(tmpdir=''), host=env.host)
    assert (result['probes'][0]['gotmpdir'], result['probes'][0]['gotmpdir_source']) == (gotmp, 'GOTMPDIR in go.env')


def test_a_missing_go_temp_dir_fails_every_check(run_module, tmp_path):
    env = Env(tmp_path)
    result = run_module('go_probe', env.args(tmpdir=str(tmp_path / 'missing')), host=env.host)
    assert set(statuses(result).values()) == {'fail'} and env.go.calls == []
    assert 'does not exist' in result['findings'][0]['remediation']


@pytest.mark.parametrize('version', ['go1.26.5', 'go1.27.3'])
def test_two_sdks_get_their_own_controls_and_caches(run_module, tmp_path, version):
    env = Env(tmp_path)
    make_sdk(env.root, version='go1.26.5')
    result = run_module('go_probe', env.args(), host=env.host)
    short = version[2:]
    assert statuses(result)['probe.race.%s' % short] in ('pass', 'fail')
    assert os.path.isdir(os.path.join(env.cache, version))


def test_a_work_dir_left_by_a_killed_run_is_removed(run_module, tmp_path):
    env = Env(tmp_path)
    left = os.path.join(env.tmp, 'gocompat-probe-999999999-0123abcd')
    os.makedirs(os.path.join(left, 'mod'))
    os.utime(left, (1, 1))
    run_module('go_probe', env.args(), host=env.host)
    assert os.listdir(env.tmp) == []
