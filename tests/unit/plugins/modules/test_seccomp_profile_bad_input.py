# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy options and base files for seccomp_profile: each ends in one clean error line naming the
parameter, the file or the JSON path (and the host byte-identical), or in a correct success."""

from __future__ import absolute_import, division, print_function

import json
import os

import pytest

from harness.rooted_host import RootedHost

PATH = '/etc/gocompat/seccomp/go-tests.json'
BASE = '/usr/share/containers/seccomp.json'
GOOD_BASE = {'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,
             'syscalls': [{'names': ['read', 'write', 'exit_group'], 'action': 'SCMP_ACT_ALLOW'}]}


@pytest.fixture
def host(tmp_path):
    h = RootedHost(tmp_path / 'root')
    h.write(PATH, '{"old": "profile"}\n')
    h.write(BASE, json.dumps(GOOD_BASE))
    return h


def base_args(**extra):
    args = dict(path=PATH, base='file', base_path=BASE)
    args.update(extra)
    return args


# (id, params, words the one-line message must contain)
REJECTED = [
    ('path-relative', dict(path='seccomp/go.json'), ['path', 'absolute']),
    ('path-not-json', dict(path='/etc/gocompat/seccomp/go.conf'), ['path', '.json']),
    ('path-dotdot', dict(path='/etc/gocompat/../shadow.json'), ['path', '..']),
    ('path-double-slash', dict(path='/etc//gocompat/go.json'), ['path']),
    ('path-hidden', dict(path='/etc/gocompat/.go.json'), ['path', 'hidden']),
    ('path-newline', dict(path='/etc/gocompat/go\n.json'), ['path']),
    # ansible-core 2.21 refuses a NUL in a string option itself, before the module runs
    ('path-nul', dict(path='/etc/gocompat/go\x00.json'), [('path must not contain NUL', 'Failed to log to syslog (embedded null')]),
    ('path-empty', dict(path=''), ['path']),
    ('base-file-without-path', dict(path=PATH, base='file'), ['base_path']),
    ('base-path-with-builtin', dict(path=PATH, base_path=BASE), ['base_path', 'base=file']),
    ('base-path-relative', base_args(base_path='seccomp.json'), ['base_path', 'absolute']),
    ('base-unknown-choice', dict(path=PATH, base='docker'), ['base']),
    ('arches-empty', dict(path=PATH, arches=[]), ['arches']),
    ('arches-unknown', dict(path=PATH, arches=['riscv64']), ['arches']),
    ('arches-twice', dict(path=PATH, arches=['amd64', 'amd64']), ['arches', 'twice']),
    ('default-allow', dict(path=PATH, default_action='allow'), ['default_action=allow', 'deny-by-default']),
    ('default-log', dict(path=PATH, default_action='log'), ['default_action=log', 'deny-by-default']),
    ('default-errno-zero', dict(path=PATH, default_errno=0), ['default_errno', '1..4095']),
    ('default-errno-huge', dict(path=PATH, default_errno=70000), ['default_errno']),
    ('default-errno-with-kill', dict(path=PATH, default_action='kill_process', default_errno=1),
     ['default_errno', 'kill_process']),
    ('default-errno-word', dict(path=PATH, default_errno='EPERM'), ['default_errno']),
    ('switch-not-boolean', dict(path=PATH, ptrace='sometimes'), ['ptrace']),
    ('clone3-unknown', dict(path=PATH, clone3='eperm'), ['clone3']),
    ('format-unknown', dict(path=PATH, format='yaml'), ['format']),
    ('extra-allow-bad-name', dict(path=PATH, extra_allow=['read; rm -rf /']), ['extra_allow[0]', 'not a syscall name']),
    ('extra-allow-unknown', dict(path=PATH, extra_allow=['io_uring_setupp']), ['io_uring_setupp', 'libseccomp']),
    ('extra-allow-twice', dict(path=PATH, extra_allow=['acct', 'acct']), ['extra_allow[1]', 'twice']),
    ('extra-both', dict(path=PATH, extra_allow=['acct'], extra_deny=['acct']), ['extra_allow and extra_deny', 'acct']),
    ('extra-deny-switch', dict(path=PATH, extra_deny=['rseq']), ['extra_deny', 'rseq=True']),
    ('extra-allow-switch', dict(path=PATH, extra_allow=['clone3']), ['extra_allow', 'clone3']),
    ('extra-huge-list', dict(path=PATH, extra_allow=['read'] * 1001), ['extra_allow', 'at most 1000']),
    ('unknown-option', dict(path=PATH, seccomp='on'), ['seccomp']),
]

# (id, content of the base file (bytes), words)
BAD_BASES = [
    ('base-not-json', b'{"defaultAction": ', ['%s:1:19: not valid JSON' % BASE]),
    ('base-not-utf8', b'{"defaultAction": "SCMP_ACT_ERRNO\xff"}', [BASE, 'not UTF-8']),
    ('base-empty', b'', [BASE, 'not valid JSON']),
    ('base-list', b'[]', [BASE, '$: expected a JSON object, got a list']),
    ('base-duplicate-key', b'{"defaultAction": "SCMP_ACT_ERRNO", "defaultAction": "SCMP_ACT_ALLOW"}',
     [BASE, 'duplicate key defaultAction']),
    ('base-nan', b'{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": NaN}', [BASE, 'NaN is not JSON']),
    ('base-deep', b'{"defaultAction": "SCMP_ACT_ERRNO", "x": ' + b'[' * 100000 + b']' * 100000 + b'}',
     [BASE, 'nested too deeply']),
    ('base-allow-default', json.dumps(dict(GOOD_BASE, defaultAction='SCMP_ACT_ALLOW')).encode(),
     [BASE, '$.defaultAction: SCMP_ACT_ALLOW runs every syscall']),
    ('base-wrong-type', json.dumps(dict(GOOD_BASE, syscalls=[{'names': 'read', 'action': 'SCMP_ACT_ALLOW'}])).encode(),
     [BASE, '$.syscalls[0].names: expected a list of strings, got a string']),
    ('base-unknown-name', json.dumps(dict(GOOD_BASE, syscalls=[{'names': ['raed'], 'action': 'SCMP_ACT_ALLOW'}])).encode(),
     ['the profile to write', 'raed is not a syscall name libseccomp knows']),
    ('base-contradiction', json.dumps(dict(GOOD_BASE, syscalls=[
        {'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}, {'names': ['read'], 'action': 'SCMP_ACT_KILL'}])).encode(),
     [BASE, '$.syscalls[1].names[0]: contradicting rule for read']),
    ('base-huge', b'{"defaultAction": "SCMP_ACT_ERRNO", "x": "' + b'a' * (1 << 20) + b'"}', [BASE, 'larger than']),
    ('base-oci-caps', json.dumps(dict(GOOD_BASE, syscalls=[
        {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}}])).encode(),
     ['$.syscalls[0].includes.caps: the OCI form has no capability conditions']),
]


def check_rejected(run_module, host, params, words):
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('seccomp_profile', params, check_mode=check_mode, host=host)
        assert result.failed, result
        for word in words:  # a tuple: one of its words
            assert any(w in result['msg'] for w in (word if isinstance(word, tuple) else (word,))), result['msg']
        assert host.tree() == before


@pytest.mark.parametrize('params,words', [(p, w) for _i, p, w in REJECTED], ids=[i for i, _p, _w in REJECTED])
def test_bad_options_fail_cleanly_and_change_nothing(run_module, host, params, words):
    check_rejected(run_module, host, params, words)


@pytest.mark.parametrize('content,words', [(c, w) for _i, c, w in BAD_BASES], ids=[i for i, _c, _w in BAD_BASES])
def test_bad_base_files_fail_cleanly_and_change_nothing(run_module, host, content, words):
    with open(host.p(BASE), 'wb') as handle:
        handle.write(content)
    params = base_args(format='oci') if 'caps' in content.decode('utf-8', 'replace') else base_args()
    check_rejected(run_module, host, params, words)


@pytest.mark.parametrize('make,words', [
    (lambda h: os.remove(h.p(BASE)), [BASE, 'does not exist']),
    (lambda h: (os.remove(h.p(BASE)), os.mkdir(h.p(BASE))), [BASE, 'a directory']),
    (lambda h: (os.remove(h.p(BASE)), os.mkfifo(h.p(BASE))), [BASE, 'not a regular file']),
    (lambda h: (os.remove(h.p(BASE)), os.symlink('/dev/zero', h.p(BASE))), [BASE, 'character device']),
    (lambda h: (os.remove(h.p(BASE)), os.symlink('nowhere.json', h.p(BASE))), [BASE, 'symlink to nothing']),
])
def test_special_base_files(run_module, host, make, words):
    make(host)
    check_rejected(run_module, host, base_args(), words)


def test_a_path_under_a_file_fails_cleanly(run_module, host):
    check_rejected(run_module, host, dict(path=PATH + '/x.json'), [PATH])


def test_symlinked_base_is_read(run_module, host):
    os.rename(host.p(BASE), host.p('/usr/share/containers/real.json'))
    os.symlink('real.json', host.p(BASE))
    result = run_module('seccomp_profile', base_args(), host=host)
    assert result['changed'] and json.loads(host.text(PATH))['syscalls'][0]['names'] == ['exit_group', 'read', 'write']


def test_unicode_and_crlf_base_is_fine(run_module, host):
    text = json.dumps(dict(GOOD_BASE, syscalls=[dict(GOOD_BASE['syscalls'][0], comment='für Go — 测试')]),
                      ensure_ascii=False, indent=1).replace('\n', '\r\n')
    with open(host.p(BASE), 'wb') as handle:
        handle.write(text.encode('utf-8'))
    result = run_module('seccomp_profile', base_args(), host=host)
    assert result['changed']
    written = host.text(PATH)
    assert '\\u00fcr Go' in written and written.isascii() and '\r' not in written
