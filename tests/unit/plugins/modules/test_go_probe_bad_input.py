# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_probe's hostile and clumsy inputs: each ends in one clean error line naming the option (nothing run, no
work dir left) or in a correct answer."""

from __future__ import absolute_import, division, print_function

import json
import os

import pytest

from go_probe_env import Env

BAD = [
    ('sdk-root-relative', dict(sdk_root='usr/local/lib/go'), 'sdk_root'),
    ('sdk-root-nul', dict(sdk_root='/usr/\x00go'), 'sdk_root'),
    ('cache-relative', dict(cache_dir='cache'), 'cache_dir'),
    ('cache-root', dict(cache_dir='/'), 'cache_dir'),
    ('cache-newline', dict(cache_dir='/var/cache/x\ny'), 'cache_dir'),
    ('tmpdir-relative', dict(tmpdir='tmp'), 'tmpdir'),
    ('timeout-zero', dict(timeout=0), 'timeout'),
    ('timeout-negative', dict(timeout=-5), 'timeout'),
    ('timeout-huge', dict(timeout=10 ** 9), 'timeout'),
    ('timeout-word', dict(timeout='soon'), 'timeout'),
    ('sdks-a-number', dict(sdks=[5]), 'sdks[0]'),
    ('sdks-a-list', dict(sdks=[['/usr/local/go']]), 'sdks[0]'),
    ('sdks-path-without-go', dict(sdks=['/usr/local/nothing-here']), 'sdks[0].goroot'),
    ('sdks-version-a-number', dict(sdks=[{'goroot': '/usr/local/go', 'version': 1.27}]), 'sdks[0].version'),
    ('sdks-goroot-missing', dict(sdks=[{'version': 'go1.27.3'}]), 'sdks[0].goroot'),
    ('sdks-goroot-relative', dict(sdks=[{'goroot': 'go'}]), 'sdks[0].goroot'),
    ('sdks-unknown-key', dict(sdks=[{'goroot': '/usr/local/go', 'arch': 'arm64'}]), 'arch'),
    ('sdks-version-without-go', dict(sdks=[{'goroot': '/usr/local/go', 'version': '1.27.3'}]), 'sdks[0].version'),
    ('sdks-version-shell', dict(sdks=[{'goroot': '/usr/local/go', 'version': 'go1;rm -rf /'}]), 'sdks[0].version'),
    ('sdks-version-path', dict(sdks=[{'goroot': '/usr/local/go', 'version': 'go1/../../etc'}]), 'sdks[0].version'),
    ('sdks-goroot-without-go', dict(sdks=[{'goroot': '/nonexistent/sdk'}]), 'has no bin/go'),
    ('unknown-option', dict(checks=['race']), 'checks'),
    ('unknown-option-gcc', dict(install_gcc=True), 'install_gcc'),
]


@pytest.mark.parametrize('extra,named', [(e, n) for _i, e, n in BAD], ids=[i for i, _e, _n in BAD])
def test_bad_options_are_one_line_naming_the_option(run_module, tmp_path, extra, named):
    env = Env(tmp_path)
    result = run_module('go_probe', env.args(**extra), host=env.host)
    # ansible-core 2.21 refuses a NUL itself (it cannot log the call); its msg_to_log names the parameter
    assert result.failed and named in result['msg'] + result.get('msg_to_log', ''), result['msg']
    assert env.go.calls == [] and os.listdir(env.tmp) == []


def write(path, content):
    with open(path, 'w') as handle:
        handle.write(content)


def marker_garbage(env):
    write(os.path.join(env.goroot, '.gocompat-sdk.json'), '{not json')


def marker_wrong_version(env):
    write(os.path.join(env.goroot, '.gocompat-sdk.json'), json.dumps({'version': 'go1.0'}))


def go_env_fifo(env):
    os.remove(os.path.join(env.goroot, 'go.env'))
    os.mkfifo(os.path.join(env.goroot, 'go.env'))


def go_env_relative_tmpdir(env):
    write(os.path.join(env.goroot, 'go.env'), 'GOTMPDIR=../../etc\n')


def cache_is_a_file(env):
    os.makedirs(env.cache)
    write(os.path.join(env.cache, 'go1.27.3'), 'x')


STATES = [
    # not ours: the SDK is not listed, nothing runs
    ('marker-not-json', marker_garbage, lambda r: [f['control'] for f in r['findings']] == ['probe.sdk']),
    ('marker-other-version', marker_wrong_version, lambda r: [f['control'] for f in r['findings']] == ['probe.sdk']),
    # a FIFO go.env is not read (never blocks) and a relative GOTMPDIR in it is ignored
    ('go-env-fifo', go_env_fifo, lambda r: r['probes'][0]['gotmpdir'] == '/tmp' or 'TMPDIR' in r['probes'][0]['gotmpdir_source']),
    ('go-env-relative-gotmpdir', go_env_relative_tmpdir, lambda r: r['probes'][0]['gotmpdir'].startswith('/')),
]


@pytest.mark.parametrize('make,check', [(m, c) for _i, m, c in STATES], ids=[i for i, _m, _c in STATES])
def test_hostile_sdk_states(run_module, tmp_path, make, check):
    env = Env(tmp_path)
    make(env)
    result = run_module('go_probe', env.args(tmpdir=''), host=env.host)
    assert not result.failed, result['msg']
    assert check(result), result


def test_a_file_where_the_cache_goes_is_one_line(run_module, tmp_path):
    env = Env(tmp_path)
    cache_is_a_file(env)
    result = run_module('go_probe', env.args(), host=env.host)
    assert result.failed and 'cache_dir' in result['msg'] and os.listdir(env.tmp) == []


def test_hostile_go_output_is_quoted(run_module, tmp_path):
    env = Env(tmp_path, override={'race': (1, '\x1b]0;owned\x07--- FAIL: TestX\n\xff\n')})
    result = run_module('go_probe', env.args(), host=env.host)
    found = next(f for f in result['findings'] if f['control'] == 'probe.race.1.27.3')
    assert '\x1b' not in found['actual'] and '\\x1b' in found['actual'] and '\n' not in found['actual']
