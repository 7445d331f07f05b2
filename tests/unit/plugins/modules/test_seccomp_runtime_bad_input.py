# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy options and runtime files for seccomp_runtime: each ends in one clean error line naming
the parameter or file:line:column (and the host byte-identical), or in a correct success."""

from __future__ import absolute_import, division, print_function

import json
import os

import pytest

from harness.rooted_host import RootedHost

PROFILE = '/etc/gocompat/seccomp/go-tests.json'
DAEMON = '/etc/docker/daemon.json'
CONF = '/etc/containers/containers.conf'
GOOD = dict(profile_path=PROFILE, runtimes=['docker', 'podman', 'kubelet'])


@pytest.fixture
def host(tmp_path):
    h = RootedHost(tmp_path / 'root')
    h.write(PROFILE, json.dumps({'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': []}))
    h.write(DAEMON, '{"debug": true}\n')
    h.write(CONF, '[containers]\n')
    return h


def changes(**params):
    return dict(GOOD, **params)


REJECTED = [
    ('profile-relative', changes(profile_path='go.json'), ['profile_path']),
    ('profile-dotdot', changes(profile_path='/etc/../go.json'), ['profile_path']),
    ('profile-quote', changes(profile_path='/etc/go".json'), ['profile_path']),
    ('profile-backslash', changes(profile_path='/etc/go\\.json'), ['profile_path']),
    ('profile-newline', changes(profile_path='/etc/go\n.json'), ['profile_path']),
    ('runtimes-empty', changes(runtimes=[]), ['runtimes']),
    ('runtimes-unknown', changes(runtimes=['crio']), ['runtimes']),
    ('runtimes-twice', changes(runtimes=['docker', 'docker']), ['runtimes', 'twice']),
    ('runtimes-missing', dict(profile_path=PROFILE), ['runtimes']),
    ('daemon-json-relative', changes(daemon_json='daemon.json'), ['daemon_json']),
    ('containers-conf-dotdot', changes(containers_conf='/etc/containers/../x.conf'), ['containers_conf']),
    ('kubelet-dir-relative', changes(kubelet_dir='kubelet'), ['kubelet_dir']),
    ('kubelet-name-traversal', changes(kubelet_name='../go.json'), ['kubelet_name']),
    ('kubelet-name-not-json', changes(kubelet_name='go.yaml'), ['kubelet_name']),
    ('kubelet-name-empty', changes(kubelet_name=''), ['kubelet_name']),
    ('kubelet-is-profile', changes(kubelet_dir='/etc/gocompat/seccomp'), ['profile_path itself']),
    ('backup-not-boolean', changes(backup='perhaps'), ['backup']),
    ('unknown-option', changes(restart=True), ['restart']),
]

BAD_FILES = [
    ('daemon-trailing-comma', DAEMON, '{"debug": true,}\n', [DAEMON + ':1:16: expected a key', 'left untouched']),
    ('daemon-list', DAEMON, '[]', [DAEMON + ':1:1: expected a JSON object']),
    ('daemon-two-objects', DAEMON, '{}{}', [DAEMON + ':1:3: text after the JSON object']),
    ('daemon-duplicate', DAEMON, '{"a": 1,\n "a": 2}', [DAEMON + ':2:2: duplicate key a']),
    ('daemon-not-utf8', DAEMON, b'{"a": "\xff"}', [DAEMON, 'not UTF-8']),
    ('daemon-deep', DAEMON, '{"a": ' + '[' * 100000 + ']' * 100000 + '}', [DAEMON, 'nested too deeply']),
    ('daemon-huge', DAEMON, '{"a": "' + 'x' * (1 << 20) + '"}', [DAEMON, 'larger than']),
    ('conf-key-twice', CONF, '[containers]\nseccomp_profile = "a"\nseccomp_profile = "b"\n', [CONF + ':3: seccomp_profile is set twice']),
    ('conf-open-string', CONF, 'x = """\n', [CONF, 'never closed']),
    ('conf-nul', CONF, '[containers]\x00\n', [CONF, 'NUL']),
    ('profile-not-json', PROFILE, '{', ['profile_path %s:1:2: not valid JSON' % PROFILE]),
    ('profile-allow-default', PROFILE, '{"defaultAction": "SCMP_ACT_ALLOW"}', ['profile_path %s: $.defaultAction' % PROFILE]),
]


def check_rejected(run_module, host, params, words):
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('seccomp_runtime', params, check_mode=check_mode, host=host)
        assert result.failed, result
        for word in words:
            assert word in result['msg'], result['msg']
        assert host.tree() == before


@pytest.mark.parametrize('params,words', [(p, w) for _i, p, w in REJECTED], ids=[i for i, _p, _w in REJECTED])
def test_bad_options(run_module, host, params, words):
    check_rejected(run_module, host, params, words)


@pytest.mark.parametrize('path,content,words', [(p, c, w) for _i, p, c, w in BAD_FILES], ids=[i for i, _p, _c, _w in BAD_FILES])
def test_bad_files_are_left_untouched(run_module, host, path, content, words):
    with open(host.p(path), 'wb') as handle:
        handle.write(content if isinstance(content, bytes) else content.encode('utf-8'))
    check_rejected(run_module, host, GOOD, words)


@pytest.mark.parametrize('make,words', [
    (lambda h: (os.remove(h.p(DAEMON)), os.mkdir(h.p(DAEMON))), [DAEMON, 'a directory']),
    (lambda h: (os.remove(h.p(DAEMON)), os.mkfifo(h.p(DAEMON))), [DAEMON, 'not a regular file']),
    (lambda h: (os.remove(h.p(CONF)), os.symlink('/etc/passwd', h.p(CONF))), [CONF, 'symlink']),
    (lambda h: (os.remove(h.p(PROFILE)), os.mkdir(h.p(PROFILE))), ['profile_path', 'a directory']),
    (lambda h: (os.remove(h.p(DAEMON)), os.symlink('/dev/zero', h.p(DAEMON))), [DAEMON]),
])
def test_special_files(run_module, host, make, words):
    make(host)
    check_rejected(run_module, host, GOOD, words)


def test_daemon_json_with_unicode_and_crlf_is_kept(run_module, host):
    text = '{\r\n  "label": "h\u00e9llo \u6d4b\u8bd5",\r\n  "debug": true\r\n}\r\n'
    with open(host.p(DAEMON), 'wb') as handle:
        handle.write(text.encode('utf-8'))
    result = run_module('seccomp_runtime', changes(runtimes=['docker']), host=host)
    assert result['changed']
    with open(host.p(DAEMON), 'rb') as handle:
        out = handle.read().decode('utf-8')
    assert out == text.replace('"debug": true', '"debug": true,\r\n  "seccomp-profile": "%s"' % PROFILE)
