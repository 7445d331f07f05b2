# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy options and host states for wsl_conf: each ends in one clean error line naming the
parameter or the file:line (and the host byte-identical), or in a correct success."""

from __future__ import absolute_import, division, print_function

import os
import socket

import pytest

from harness.rooted_host import RootedHost

CONF = '/etc/wsl.conf'
GOOD = {'boot': {'systemd': True}}


@pytest.fixture(autouse=True)
def _no_wsl_environment(monkeypatch):
    for name in ('WSL_DISTRO_NAME', 'WSL_INTEROP'):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def host(tmp_path):
    h = RootedHost(tmp_path / 'root')
    os.makedirs(h.p('/etc'))
    h.write('/proc/sys/kernel/osrelease', '5.15.167.4-microsoft-standard-WSL2\n')
    h.write('/proc/1/comm', 'init\n')
    h.write(CONF, '# keep me\n[boot]\nsystemd=false\n')
    return h


def expect_failure(run_module, host, params, words):
    before = host.tree()
    for check_mode in (True, False):
        result = run_module('wsl_conf', params, check_mode=check_mode, host=host)
        assert result.failed, result
        for word in words:
            assert word in result['msg'], result['msg']
        assert host.tree() == before


# (id, params, words the one-line message must contain)
REJECTED_OPTIONS = [
    ('path-relative', dict(path='etc/wsl.conf', settings=GOOD), ['path:', 'absolute']),
    ('path-dotdot', dict(path='/etc/../etc/wsl.conf', settings=GOOD), ['path:', 'normalised']),
    ('path-trailing-slash', dict(path='/etc/wsl.conf/', settings=GOOD), ['path:', 'absolute']),
    ('path-newline', dict(path='/etc/wsl.conf\nx', settings=GOOD), ['path:', 'control characters']),
    ('path-escape-char', dict(path='/etc/wsl\x1b.conf', settings=GOOD), ['path:', 'control characters']),
    ('settings-not-a-mapping', dict(settings='boot.systemd=true'), ['settings']),
    ('settings-list', dict(settings=['boot']), ['settings']),
    ('section-not-a-mapping', dict(settings={'boot': 'systemd'}), ['settings.boot', 'expected a mapping']),
    ('unknown-section', dict(settings={'bootz': {'systemd': True}}), ['settings.bootz', 'unknown section']),
    ('unknown-key', dict(settings={'boot': {'systemD2': True}}), ['settings.boot.systemD2', 'unknown key']),
    ('bool-word', dict(settings={'boot': {'systemd': 'sure'}}), ['settings.boot.systemd', 'expected a boolean']),
    ('bool-number', dict(settings={'boot': {'systemd': 2}}), ['settings.boot.systemd', 'expected a boolean']),
    ('string-as-bool', dict(settings={'user': {'default': False}}), ['settings.user.default', 'expected a string']),
    ('string-with-newline', dict(settings={'boot': {'command': 'a\n[interop]\nenabled=false'}}),
     ['settings.boot.command', 'control characters']),
    ('string-with-nul', dict(settings={'boot': {'command': 'a\x00b'}}), ['settings.boot.command']),
    ('string-huge', dict(settings={'boot': {'command': 'x' * 100000}}), ['settings.boot.command', 'more than']),
    ('section-name-injection', dict(settings={'boot]\n[x': {'a': 1}}, strict=False), ['section name']),
    ('key-name-with-equals', dict(settings={'boot': {'systemd=true\nx': 1}}, strict=False), ['key name']),
    ('key-given-twice', dict(settings={'boot': {'systemd': True, 'SYSTEMD': False}}), ['given twice']),
    ('float-unknown', dict(settings={'custom': {'x': 0.5}}, strict=False), ['settings.custom.x']),
    ('wslconfig-bad-size', dict(path='/etc/wslconfig', format='wslconfig', settings={'wsl2': {'memory': '8 lots'}}),
     ['settings.wsl2.memory', 'size']),
    ('wslconfig-wsl-conf-key', dict(path='/etc/wslconfig', format='wslconfig', settings=GOOD),
     ['unknown section [boot] in wslconfig']),
    ('format-unknown', dict(format='ini', settings=GOOD), ['format']),
    ('strict-not-boolean', dict(strict='perhaps', settings=GOOD), ['strict']),
    ('unknown-option', dict(settings=GOOD, mode='0644'), ['mode']),
]


@pytest.mark.parametrize('params,words', [(p, w) for _i, p, w in REJECTED_OPTIONS], ids=[i for i, _p, _w in REJECTED_OPTIONS])
def test_bad_options_fail_cleanly_and_change_nothing(run_module, host, params, words):
    expect_failure(run_module, host, params, words)


# (id, bytes of /etc/wsl.conf, words of the message)
REJECTED_FILES = [
    ('utf16-file', u'[boot]\r\nsystemd=false\r\n'.encode('utf-16'), ['/etc/wsl.conf', 'UTF-16']),
    ('nul-in-value', b'[boot]\ncommand=a\x00b\n', ['/etc/wsl.conf:2', 'NUL']),
    ('latin1-section-name', b'[b\xf6ot]\n', ['/etc/wsl.conf:1', 'section header']),
    ('key-before-section', b'systemd=true\n', ['/etc/wsl.conf:1', 'before any [section]']),
    ('unclosed-quote-after-continuation', b'[boot]\ncommand=a \\\n"b\n', ['/etc/wsl.conf:3', 'quote']),
    ('lone-equals', b'[boot]\n = true\n', ['/etc/wsl.conf:2']),
    ('bad-escape-on-crlf-continuation', b'[boot]\r\ncommand=a \\\r\nb\r\n', ['/etc/wsl.conf:2', 'escape']),
]


@pytest.mark.parametrize('data,words', [(d, w) for _i, d, w in REJECTED_FILES], ids=[i for i, _d, _w in REJECTED_FILES])
def test_files_wsl_cannot_read_fail_with_file_line(run_module, host, data, words):
    with open(host.p(CONF), 'wb') as handle:
        handle.write(data)
    expect_failure(run_module, host, dict(settings=GOOD), words)


def test_huge_file_is_refused_by_size(run_module, host):
    with open(host.p(CONF), 'wb') as handle:
        handle.write(b'# x\n' * 300000)
    expect_failure(run_module, host, dict(settings=GOOD), ['/etc/wsl.conf', 'larger than'])


def test_directory_at_path(run_module, host):
    os.remove(host.p(CONF))
    os.makedirs(host.p(CONF))
    expect_failure(run_module, host, dict(settings=GOOD), ['path:', 'a directory'])


def test_fifo_at_path_is_never_opened(run_module, host):
    os.remove(host.p(CONF))
    os.mkfifo(host.p(CONF))
    expect_failure(run_module, host, dict(settings=GOOD), ['path:', 'not a regular file'])


def test_socket_at_path(run_module, host, tmp_path):
    os.remove(host.p(CONF))
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(host.p(CONF))
        expect_failure(run_module, host, dict(settings=GOOD), ['path:', 'not a regular file'])
    finally:
        sock.close()


def test_dangling_symlink(run_module, host):
    os.remove(host.p(CONF))
    os.symlink('nowhere.conf', host.p(CONF))
    expect_failure(run_module, host, dict(settings=GOOD), ['path:', 'which does not exist'])


def test_symlink_loop(run_module, host):
    os.remove(host.p(CONF))
    os.symlink('wsl.conf', host.p(CONF))
    expect_failure(run_module, host, dict(settings=GOOD), ['path:', 'does not resolve'])


def test_symlink_to_a_directory(run_module, host):
    os.remove(host.p(CONF))
    os.makedirs(host.p('/etc/confdir'))
    os.symlink('confdir', host.p(CONF))
    expect_failure(run_module, host, dict(settings=GOOD), ['path:', 'a directory'])


def test_symlink_out_of_reach_is_refused(run_module, host):
    # under the test root, /dev/null is a path with nothing behind it: refused like any dangling link
    os.remove(host.p(CONF))
    os.symlink('/dev/null', host.p(CONF))
    result = run_module('wsl_conf', dict(settings=GOOD), host=host)
    assert result.failed and result['msg'].startswith('path: /etc/wsl.conf is a symlink to /dev/null')
    assert os.readlink(host.p(CONF)) == '/dev/null'


def test_missing_parent_directory(run_module, host):
    expect_failure(run_module, host, dict(path='/nonexistent/wsl.conf', settings=GOOD), ['does not exist'])


def test_undecodable_bytes_in_comments_and_values_survive_an_edit(run_module, host):
    data = b'# caf\xe9 (latin-1)\n[boot]\ncommand=echo \xff\nsystemd=false\n'
    with open(host.p(CONF), 'wb') as handle:
        handle.write(data)
    result = run_module('wsl_conf', dict(settings=GOOD), host=host)
    assert not result.failed
    with open(host.p(CONF), 'rb') as handle:
        assert handle.read() == data.replace(b'systemd=false', b'systemd=true')


def test_empty_settings_only_report(run_module, host):
    before = host.tree()
    result = run_module('wsl_conf', dict(settings={}), host=host)
    assert result['changed'] is False and result['findings'] == [] and host.tree() == before


def test_quoting_hostile_value_round_trips(run_module, host):
    value = 'echo "a # b" \\ tail '
    result = run_module('wsl_conf', dict(settings={'boot': {'command': value}}), host=host)
    assert not result.failed
    assert host.text(CONF) == '# keep me\n[boot]\nsystemd=false\ncommand="echo \\"a # b\\" \\\\ tail "\n'
    assert run_module('wsl_conf', dict(settings={'boot': {'command': value}}), host=host)['changed'] is False
