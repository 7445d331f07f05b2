# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile or clumsy input to go_environment: each case ends in one clean error line that names the
option or the path, with every file byte-identical, or in a correct success. The run_module fixture
already fails any traceback or multi-line message."""

from __future__ import absolute_import, division, print_function

import hashlib
import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_environment_files as G


@pytest.fixture
def tree(tmp_path):
    """A host-like tree with a managed login script already written by an earlier run."""
    paths = dict(profile_path=str(tmp_path / 'profile.d' / 'gocompat-go.sh'),
                 environment_d_path=str(tmp_path / 'environment.d' / '90-gocompat-go.conf'),
                 systemd_dropin_path=str(tmp_path / 'system.conf.d' / '90-gocompat-go-env.conf'))
    os.mkdir(str(tmp_path / 'profile.d'))
    with open(paths['profile_path'], 'w') as handle:
        handle.write(G.HEADER + '# an earlier version\n')
    return tmp_path, paths


def fingerprint(root):
    found = {}
    for directory, dirs, files in os.walk(str(root)):
        for name in dirs + files:
            path = os.path.join(directory, name)
            st = os.lstat(path)
            if os.path.islink(path):
                found[path] = ('link', os.readlink(path))
            elif os.path.isfile(path):
                with open(path, 'rb') as handle:
                    found[path] = (st.st_mode, hashlib.sha256(handle.read()).hexdigest())
            else:
                found[path] = (st.st_mode,)
    return found


def params(paths, **extra):
    base = dict(paths, godebug={'netdns': 'go'}, path_prepend=['/usr/local/go/bin'])
    base.update(extra)
    return base


def fails(run_module, tree, needle, check_mode=False, **extra):
    root, paths = tree
    before = fingerprint(root)
    result = run_module('go_environment', params(paths, **extra), check_mode=check_mode)
    assert result.failed, result
    needles = needle if isinstance(needle, tuple) else (needle,)
    assert any(n in result['msg'] for n in needles), result['msg']
    assert fingerprint(root) == before
    return result


# --- GODEBUG -------------------------------------------------------------------------------------

@pytest.mark.parametrize('value, needle', [
    (True, 'godebug.netdns must be a string or a number (write 0 or 1, not true or false), not bool'),
    (None, 'godebug.netdns must be a string or a number (write 0 or 1, not true or false), not null'),
    (['go'], 'not list'),
    ({'a': 1}, 'not dict'),
    ('go,cgo', "godebug.netdns='go,cgo': a value cannot be empty or contain"),
    ('go=1', "godebug.netdns='go=1'"),
    ('go cgo', "godebug.netdns='go cgo'"),
    ('', "godebug.netdns='': a value cannot be empty"),
])
def test_godebug_values(run_module, tree, value, needle):
    fails(run_module, tree, needle, check_mode=True, godebug={'netdns': value})
    fails(run_module, tree, needle, godebug={'netdns': value})


@pytest.mark.parametrize('key', ['net dns', '', 'netdns\n', 'GODEBUG=x', u'n\u00e9tdns'])
def test_godebug_keys(run_module, tree, key):
    fails(run_module, tree, 'godebug key', godebug={key: 'go'})


def test_godebug_as_a_key_value_string_is_accepted(run_module, tree):
    root, paths = tree
    result = run_module('go_environment', params(paths, godebug='netdns=go, http2client=0'))
    assert not result.failed
    assert [f['control'] for f in result['findings']][:2] == ['env.godebug.netdns', 'env.godebug.http2client']


def test_godebug_that_is_no_mapping(run_module, tree):
    fails(run_module, tree, 'godebug', godebug=5)


def test_many_godebug_keys_are_fine(run_module, tree):
    root, paths = tree
    many = dict(('key%03d' % i, i) for i in range(200))
    result = run_module('go_environment', params(paths, godebug=many))
    assert len(result['findings']) == 201 and not result.failed


# --- PATH and GOTMPDIR ---------------------------------------------------------------------------

@pytest.mark.parametrize('entry, needle', [
    ('usr/local/go/bin', "path_prepend: 'usr/local/go/bin' is not an absolute path"),
    ('/a:/b', 'contains ":", the PATH separator'),
    ('/usr/local/go/bin\n', 'path_prepend contains a control character'),
    ('', "path_prepend: '' is not an absolute path"),
])
def test_path_entries(run_module, tree, entry, needle):
    fails(run_module, tree, needle, path_prepend=[entry])


def test_path_as_a_comma_string_is_two_directories(run_module, tree):
    root, paths = tree
    result = run_module('go_environment', params(paths, path_prepend='/opt/go/bin,/usr/local/go/bin'))
    assert result['findings'][1]['expected'].startswith('/opt/go/bin:/usr/local/go/bin first on PATH')


@pytest.mark.parametrize('value, needle', [
    ('var/tmp/go', "gotmpdir: 'var/tmp/go' is not an absolute path"),
    # ansible-core 2.21 refuses a NUL in a top-level string option itself, before the module runs: it
    # cannot log the invocation to syslog
    ('/var/tmp/go\x00x', ('gotmpdir contains a control character', 'Failed to log to syslog (embedded null')),
    ('/var/tmp:/x', 'gotmpdir'),
])
def test_gotmpdir(run_module, tree, value, needle):
    fails(run_module, tree, needle, gotmpdir=value)


def test_a_missing_gotmpdir_is_a_warning_not_an_error(run_module, tree):
    root, paths = tree
    result = run_module('go_environment', params(paths, gotmpdir=str(root / 'nope')), check_mode=True)
    assert not result.failed
    assert 'is not a directory on this host yet' in result['warnings'][0]


# --- proxies -------------------------------------------------------------------------------------

@pytest.mark.parametrize('option, value, needle', [
    ('http_proxy', 'http://proxy example:3128', "http_proxy: 'http://proxy example:3128' contains white space"),
    ('https_proxy', 'http://proxy:3128\nX=1', 'https_proxy contains a control character'),
    ('no_proxy', ['.corp', ''], 'no_proxy: an entry is empty'),
    ('no_proxy', ['a b'], "no_proxy: 'a b' contains white space"),
    ('no_proxy', [{'host': 'x'}], 'no_proxy'),
])
def test_proxies(run_module, tree, option, value, needle):
    fails(run_module, tree, needle, **{option: value})


def test_no_proxy_entries_are_deduplicated(run_module, tree):
    root, paths = tree
    result = run_module('go_environment', params(paths, no_proxy=['.corp', '.corp', '10.0.0.0/8']))
    assert "NO_PROXY=.corp,10.0.0.0/8\n" in open(paths['profile_path']).read()
    assert not result.failed


# --- paths ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('option, value, needle', [
    ('profile_path', 'profile.d/x.sh', 'profile_path'),
    ('profile_path', '/etc/profile.d/gocompat-go', 'must be a normalised path to a file named *.sh'),
    ('profile_path', '/etc/profile.d/../gocompat.sh', 'must be a normalised path'),
    ('environment_d_path', '/etc/environment.d/90-go', 'environment_d_path'),
    ('systemd_dropin_path', '/etc/systemd/system.conf.d/.conf', 'named *.conf'),
])
def test_path_options(run_module, tree, option, value, needle):
    fails(run_module, tree, needle, **{option: value})


def test_two_options_naming_one_file(run_module, tree):
    root, paths = tree
    fails(run_module, tree, 'systemd_dropin_path', systemd_dropin_path=paths['environment_d_path'])


def test_a_directory_at_a_managed_path_is_refused(run_module, tree):
    root, paths = tree
    os.makedirs(paths['environment_d_path'])
    result = fails(run_module, tree, 'is a directory, not a regular file; move it away')
    assert result['msg'].endswith('nothing was changed')


def test_a_symlink_at_a_managed_path_is_refused(run_module, tree):
    root, paths = tree
    os.mkdir(os.path.dirname(paths['systemd_dropin_path']))
    os.symlink('/dev/null', paths['systemd_dropin_path'])
    fails(run_module, tree, 'is a symbolic link; remove it')


def test_a_foreign_file_is_refused_in_check_mode_too(run_module, tree):
    root, paths = tree
    os.mkdir(os.path.dirname(paths['environment_d_path']))
    with open(paths['environment_d_path'], 'w') as handle:
        handle.write('PATH="/opt/mine:${PATH}"\n')
    result = fails(run_module, tree, 'was not written by gocompat.baseline (no managed header)', check_mode=True)
    assert all(f['status'] in ('fail', 'pass') for f in result['findings'])
    fails(run_module, tree, 'was not written by gocompat.baseline')


def test_an_empty_file_at_a_managed_path_is_replaced(run_module, tree):
    root, paths = tree
    os.mkdir(os.path.dirname(paths['environment_d_path']))
    open(paths['environment_d_path'], 'w').close()
    result = run_module('go_environment', params(paths))
    assert result['files'][paths['environment_d_path']] == 'written'


def test_a_fifo_at_a_managed_path_is_refused_without_blocking(run_module, tree):
    root, paths = tree
    os.mkdir(os.path.dirname(paths['systemd_dropin_path']))
    os.mkfifo(paths['systemd_dropin_path'])
    fails(run_module, tree, 'is a FIFO')


def test_a_huge_file_is_refused(run_module, tree):
    root, paths = tree
    with open(paths['profile_path'], 'w') as handle:
        handle.write(G.HEADER + '#' * (2 << 20))
    fails(run_module, tree, 'larger than the')


def test_a_regular_file_where_a_directory_must_be(run_module, tree):
    root, paths = tree
    with open(str(root / 'environment.d'), 'w') as handle:
        handle.write('not a directory')
    fails(run_module, tree, 'environment.d is not a directory, so')


def test_undecodable_bytes_in_a_managed_file_are_replaced_cleanly(run_module, tree):
    root, paths = tree
    with open(paths['profile_path'], 'wb') as handle:
        handle.write(G.HEADER.encode() + b'GODEBUG=\xff\xfe\n')
    result = run_module('go_environment', params(paths), diff=True)
    assert result['files'][paths['profile_path']] == 'written'
    assert b'\xff' not in open(paths['profile_path'], 'rb').read()


# --- the argument spec ---------------------------------------------------------------------------

def test_an_unknown_option(run_module, tree):
    fails(run_module, tree, 'godebugs', godebugs={'netdns': 'go'})


def test_systemd_not_a_boolean(run_module, tree):
    fails(run_module, tree, 'systemd', systemd='maybe')
