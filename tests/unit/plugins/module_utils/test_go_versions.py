# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import copy
import json
import os
import random

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_versions as gv
from ansible_collections.gocompat.baseline.plugins.module_utils.go_versions import (
    GoVersion,
    IndexFormatError,
    KIND_EXACT,
    KIND_FLOATING,
    KIND_STABLE,
    archive_filename,
    canonical_name,
    go_arch,
    nearest_versions,
    parse_index,
    parse_request,
    parse_version,
    resolve,
    version_key,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

PLATFORMS = (('linux', 'amd64'), ('linux', 'arm64'), ('linux', 'armv6l'), ('darwin', 'arm64'), ('windows', 'amd64'))


def sha(seed):
    return ('%02x' % (sum(ord(c) for c in seed) % 256)) * 32


def files_for(version, platforms=PLATFORMS):
    """File entries as go.dev lists them: a source tarball, archives, and installers."""
    files = [{'filename': '%s.src.tar.gz' % version, 'os': '', 'arch': '', 'version': version,
              'sha256': sha(version + 'src'), 'size': 30000000, 'kind': 'source'}]
    for goos, goarch in platforms:
        ext = 'zip' if goos == 'windows' else 'tar.gz'
        files.append({'filename': '%s.%s-%s.%s' % (version, goos, goarch, ext), 'os': goos, 'arch': goarch,
                      'version': version, 'sha256': sha(version + goos + goarch), 'size': 70000000,
                      'kind': 'archive'})
        if goos in ('windows', 'darwin'):
            files.append({'filename': '%s.%s-%s.%s' % (version, goos, goarch, 'msi' if goos == 'windows' else 'pkg'),
                          'os': goos, 'arch': goarch, 'version': version, 'sha256': sha(version + 'installer'),
                          'size': 70000000, 'kind': 'installer'})
    return files


def release(version, stable=None, platforms=PLATFORMS):
    if stable is None:
        stable = 'rc' not in version and 'beta' not in version
    return {'version': version, 'stable': stable, 'files': files_for(version, platforms)}


def make_index(*versions):
    """Newest first, like go.dev; versions may be strings or ready release dicts."""
    entries = [v if isinstance(v, dict) else release(v) for v in versions]
    return sorted(entries, key=lambda entry: version_key(entry['version']), reverse=True)


INDEX = make_index('go1.28rc1', 'go1.28beta1', 'go1.27.3', 'go1.27.2', 'go1.27.1', 'go1.27.0', 'go1.27rc2',
                   'go1.27rc1', 'go1.26.6', 'go1.26.5', 'go1.24.11', 'go1.21.13', 'go1.21.0', 'go1.21rc2',
                   'go1.20.14', 'go1.20.1', 'go1.20')


def test_code_under_test_comes_from_this_checkout():
    assert os.path.realpath(gv.__file__) == os.path.join(
        os.path.realpath(REPO_ROOT), 'plugins', 'module_utils', 'go_versions.py')


# --- parsing ------------------------------------------------------------------------------------

@pytest.mark.parametrize('text, fields', [
    ('1.27.3', (1, 27, 3, None, None)),
    ('go1.27.3', (1, 27, 3, None, None)),
    ('go1.27', (1, 27, None, None, None)),
    ('1.27', (1, 27, None, None, None)),
    ('go1.27rc1', (1, 27, None, 'rc', 1)),
    ('go1.27beta2', (1, 27, None, 'beta', 2)),
    ('go1.21.0', (1, 21, 0, None, None)),
    ('go1.20', (1, 20, None, None, None)),
    ('go1.9.2rc2', (1, 9, 2, 'rc', 2)),
    ('go1', (1, None, None, None, None)),
    ('  go1.27.3\n', (1, 27, 3, None, None)),
    ('go1.100.20', (1, 100, 20, None, None)),
])
def test_parse_version(text, fields):
    version = parse_version(text)
    assert (version.major, version.minor, version.patch, version.pre, version.pre_num) == fields


@pytest.mark.parametrize('text', [
    '', 'go', 'v1.27.3', '1.', '1.27.', '1.27.3.4', '1.027', '01.27', 'go1.27rc', 'go1.27-rc1', 'go1.27 rc1',
    'go1.27alpha1', 'go1rc1', 'go 1.27', 'golang1.27', '1.27.3-linux', 'stable', u'1.\u0662\u0667',
])
def test_parse_version_rejects(text):
    with pytest.raises(ValueError) as err:
        parse_version(text)
    assert repr(text) in str(err.value)


@pytest.mark.parametrize('value', [None, 1.27, 127, ['1.27']])
def test_parse_version_rejects_non_strings(value):
    with pytest.raises(ValueError, match='must be a string'):
        parse_version(value)


def test_sort_order_pre_releases_before_the_release_and_patches_after():
    ordered = ['go1', 'go1.9.2rc2', 'go1.9.2', 'go1.20rc1', 'go1.20', 'go1.20.1', 'go1.21rc2', 'go1.21.0',
               'go1.21.13', 'go1.26.5', 'go1.26.6', 'go1.27beta1', 'go1.27beta2', 'go1.27rc1', 'go1.27rc2',
               'go1.27.0', 'go1.27.1', 'go1.27.3', 'go1.27.10', 'go1.28rc1']
    shuffled = list(ordered)
    random.Random(7).shuffle(shuffled)
    assert sorted(shuffled, key=version_key) == ordered
    assert [v.name for v in sorted(parse_version(v) for v in shuffled)] == ordered


def test_numeric_not_lexical_order():
    assert version_key('go1.27.10') > version_key('go1.27.9')
    assert version_key('go1.100.0') > version_key('go1.99.99')


def test_go1_20_is_go1_20_0_and_go1_27_is_go1_27_0():
    assert version_key('go1.20') == version_key('go1.20.0')
    assert parse_version('go1.20') == parse_version('1.20.0')
    assert hash(parse_version('go1.20')) == hash(parse_version('go1.20.0'))
    assert len({parse_version('go1.20'), parse_version('1.20.0')}) == 1
    # as releases they compare equal; what tells them apart is the request (see parse_request)
    assert version_key('go1.27') == version_key('go1.27.0')
    assert parse_version('go1.27rc1') < parse_version('go1.27') <= parse_version('go1.27.0') < parse_version('go1.27.1')


def test_comparisons():
    a, b = parse_version('go1.27rc1'), parse_version('go1.27.0')
    assert a < b and a <= b and b > a and b >= a and a != b
    assert (a == b) is False
    assert parse_version('1.27.0') != 'go1.27.0'  # never equal to a plain string


@pytest.mark.parametrize('text, name', [
    ('1.27.3', 'go1.27.3'),
    ('go1.27.3', 'go1.27.3'),
    ('1.21', 'go1.21.0'),
    ('1.21.0', 'go1.21.0'),
    ('1.20.0', 'go1.20'),
    ('1.20', 'go1.20'),
    ('1.20.1', 'go1.20.1'),
    ('1.27rc1', 'go1.27rc1'),
    ('go1.27beta2', 'go1.27beta2'),
    ('go1.9.2rc2', 'go1.9.2rc2'),
    ('go1', 'go1'),
    ('1.0.0', 'go1'),
    ('go1.0.1', 'go1.0.1'),
])
def test_canonical_name_follows_go_dev_spelling(text, name):
    assert canonical_name(text) == name
    assert str(parse_version(text)) == name
    assert canonical_name(parse_version(text)) == name


def test_repr_is_readable():
    assert repr(parse_version('1.27.3')) == "GoVersion('go1.27.3')"


# --- requests -----------------------------------------------------------------------------------

@pytest.mark.parametrize('text, kind, series, name', [
    ('stable', KIND_STABLE, None, None),
    (' Stable ', KIND_STABLE, None, None),
    ('1.27', KIND_FLOATING, (1, 27), None),
    ('go1.27', KIND_FLOATING, (1, 27), None),
    ('1.20', KIND_FLOATING, (1, 20), None),
    ('1.27.3', KIND_EXACT, (1, 27), 'go1.27.3'),
    ('go1.27.0', KIND_EXACT, (1, 27), 'go1.27.0'),
    ('1.20.0', KIND_EXACT, (1, 20), 'go1.20'),
    ('go1.27rc1', KIND_EXACT, (1, 27), 'go1.27rc1'),
    ('1.28beta1', KIND_EXACT, (1, 28), 'go1.28beta1'),
])
def test_parse_request(text, kind, series, name):
    request = parse_request(text)
    assert request.kind == kind
    assert request.series == series
    assert (request.version.name if request.version else None) == name


def test_go1_27_and_go1_27_0_are_different_requests():
    assert parse_request('go1.27').kind == KIND_FLOATING
    assert parse_request('go1.27.0').kind == KIND_EXACT


@pytest.mark.parametrize('value, message', [
    (1.2, 'given as a number; quote it'),
    (1.27, 'given as a number; quote it'),
    ('', 'non-empty string'),
    ('   ', 'non-empty string'),
    (None, 'non-empty string'),
    (True, 'non-empty string'),
    (127, 'non-empty string'),
    ('1', 'too vague'),
    ('go1', 'too vague'),
    ('latest', 'invalid Go version'),
    ('1.27.x', 'invalid Go version'),
    ('>=1.27', 'invalid Go version'),
])
def test_parse_request_rejects(value, message):
    with pytest.raises(ValueError, match=message):
        parse_request(value)


# --- choosing a release -------------------------------------------------------------------------

@pytest.mark.parametrize('request_, version', [
    ('1.27.3', 'go1.27.3'),
    ('go1.27.1', 'go1.27.1'),
    ('1.27', 'go1.27.3'),
    ('1.26', 'go1.26.6'),
    ('1.24', 'go1.24.11'),
    ('1.21', 'go1.21.13'),
    ('1.21.0', 'go1.21.0'),
    ('1.20', 'go1.20.14'),
    ('1.20.0', 'go1.20'),
    ('go1.20', 'go1.20.14'),
    ('stable', 'go1.27.3'),
    ('go1.27rc2', 'go1.27rc2'),
    ('go1.28rc1', 'go1.28rc1'),
    ('1.28beta1', 'go1.28beta1'),
])
def test_resolve_linux_amd64(request_, version):
    entry, archive = resolve(INDEX, request_, 'linux', 'amd64')
    assert entry['version'] == version
    assert archive['filename'] == '%s.linux-amd64.tar.gz' % version
    assert archive['kind'] == 'archive'
    assert archive['sha256'] == sha(version + 'linuxamd64')


def test_resolve_returns_the_index_dicts_themselves():
    entry, archive = resolve(INDEX, '1.27', 'linux', 'amd64')
    assert entry is next(e for e in INDEX if e['version'] == 'go1.27.3')
    assert archive in entry['files']


def test_resolve_accepts_a_parsed_request():
    entry, _archive = resolve(INDEX, parse_request('1.26'), 'linux', 'amd64')
    assert entry['version'] == 'go1.26.6'


def test_floating_follows_the_index_when_it_gains_a_patch():
    before = make_index('go1.27.2', 'go1.27.1', 'go1.26.5')
    assert resolve(before, '1.27', 'linux', 'amd64')[0]['version'] == 'go1.27.2'
    assert resolve(before, '1.26', 'linux', 'amd64')[0]['version'] == 'go1.26.5'
    after = make_index('go1.27.3', 'go1.27.2', 'go1.27.1', 'go1.26.6', 'go1.26.5')
    assert resolve(after, '1.27', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    assert resolve(after, '1.26', 'linux', 'amd64')[0]['version'] == 'go1.26.6'
    # exact requests do not move
    assert resolve(after, '1.27.2', 'linux', 'amd64')[0]['version'] == 'go1.27.2'


def test_floating_and_stable_skip_pre_releases():
    index = make_index('go1.28rc2', 'go1.28rc1', 'go1.28beta1', 'go1.27.3')
    assert resolve(index, 'stable', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    assert resolve(index, '1.27', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    with pytest.raises(ValueError) as err:
        resolve(index, '1.28', 'linux', 'amd64')
    assert str(err.value) == ('the index has only pre-releases of Go 1.28 (go1.28rc2, go1.28rc1, go1.28beta1); '
                              'name one exactly to install it')
    assert resolve(index, 'go1.28rc2', 'linux', 'amd64')[0]['version'] == 'go1.28rc2'


def test_the_first_release_of_a_series_beats_its_release_candidates():
    index = make_index('go1.28.0', 'go1.28rc2', 'go1.28rc1', 'go1.27.3')
    assert resolve(index, '1.28', 'linux', 'amd64')[0]['version'] == 'go1.28.0'
    assert resolve(index, 'stable', 'linux', 'amd64')[0]['version'] == 'go1.28.0'


def test_a_release_the_index_marks_unstable_is_not_floated_to():
    index = make_index(release('go1.27.4', stable=False), 'go1.27.3')
    assert resolve(index, '1.27', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    assert resolve(index, 'stable', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    assert resolve(index, '1.27.4', 'linux', 'amd64')[0]['version'] == 'go1.27.4'


def test_a_pre_release_marked_stable_is_still_a_pre_release():
    index = make_index(release('go1.28rc1', stable=True), 'go1.27.3')
    assert resolve(index, 'stable', 'linux', 'amd64')[0]['version'] == 'go1.27.3'


def test_a_missing_stable_flag_is_derived_from_the_name():
    index = make_index('go1.28rc1', 'go1.27.3')
    for entry in index:
        del entry['stable']
    assert resolve(index, 'stable', 'linux', 'amd64')[0]['version'] == 'go1.27.3'


def test_index_order_does_not_matter():
    shuffled = list(INDEX)
    random.Random(3).shuffle(shuffled)
    assert resolve(shuffled, '1.27', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    assert resolve(shuffled, 'stable', 'linux', 'amd64')[0]['version'] == 'go1.27.3'


def test_versions_without_the_go_prefix_in_the_index_are_understood():
    index = [{'version': '1.27.3', 'stable': True, 'files': files_for('go1.27.3')}]
    for item in index[0]['files']:
        item['version'] = '1.27.3'
    assert resolve(index, '1.27', 'linux', 'amd64')[0]['version'] == '1.27.3'


@pytest.mark.parametrize('goos, goarch, filename', [
    ('linux', 'amd64', 'go1.27.3.linux-amd64.tar.gz'),
    ('linux', 'arm64', 'go1.27.3.linux-arm64.tar.gz'),
    ('linux', 'armv6l', 'go1.27.3.linux-armv6l.tar.gz'),
    ('darwin', 'arm64', 'go1.27.3.darwin-arm64.tar.gz'),
    ('windows', 'amd64', 'go1.27.3.windows-amd64.zip'),
])
def test_archive_per_os_and_arch_never_an_installer_or_source(goos, goarch, filename):
    _entry, archive = resolve(INDEX, '1.27.3', goos, goarch)
    assert archive['filename'] == filename
    assert (archive['os'], archive['arch'], archive['kind']) == (goos, goarch, 'archive')


def test_no_archive_for_this_platform():
    with pytest.raises(ValueError) as err:
        resolve(INDEX, '1.27', 'linux', 's390x')
    assert str(err.value) == ('go1.27.3 has no archive for linux/s390x in the index (archives for: darwin/arm64, '
                              'linux/amd64, linux/arm64, linux/armv6l, windows/amd64)')


def test_only_an_installer_is_not_an_archive():
    index = [{'version': 'go1.27.3', 'stable': True,
              'files': [f for f in files_for('go1.27.3') if f['kind'] != 'archive']}]
    with pytest.raises(ValueError, match=r'go1\.27\.3 has no archive for windows/amd64 .*archives for: none'):
        resolve(index, '1.27.3', 'windows', 'amd64')


def test_floating_does_not_fall_back_to_an_older_patch_for_a_missing_platform():
    index = make_index(release('go1.27.3', platforms=(('linux', 'amd64'),)), 'go1.27.2')
    with pytest.raises(ValueError, match='go1.27.3 has no archive for linux/arm64'):
        resolve(index, '1.27', 'linux', 'arm64')
    assert resolve(index, '1.27.2', 'linux', 'arm64')[0]['version'] == 'go1.27.2'


def test_unknown_exact_version_lists_the_nearest():
    with pytest.raises(ValueError) as err:
        resolve(INDEX, '1.27.9', 'linux', 'amd64')
    assert str(err.value) == ('go1.27.9 is not in the index; nearest available: '
                              'go1.27.3, go1.27.2, go1.27.1, go1.27.0, go1.26.6')


def test_unknown_series_lists_its_neighbours():
    with pytest.raises(ValueError) as err:
        resolve(INDEX, '1.25', 'linux', 'amd64')
    message = str(err.value)
    assert message.startswith('no Go 1.25 release in the index; nearest available: ')
    assert 'go1.26.5' in message and 'go1.24.11' in message
    assert 'rc' not in message and 'beta' not in message


def test_unknown_newer_series():
    with pytest.raises(ValueError, match=r'^no Go 1\.30 release in the index; nearest available: go1\.27\.3, '):
        resolve(INDEX, '1.30', 'linux', 'amd64')


def test_unknown_version_in_an_empty_index():
    with pytest.raises(ValueError, match=r'^go1\.27\.3 is not in the index; nearest available: none'):
        resolve([], '1.27.3', 'linux', 'amd64')
    with pytest.raises(ValueError, match='^no Go 1.27 release in the index; nearest available: none$'):
        resolve([], '1.27', 'linux', 'amd64')
    with pytest.raises(ValueError, match='^the index lists no stable Go release$'):
        resolve(make_index('go1.28rc1'), 'stable', 'linux', 'amd64')


def test_nearest_versions():
    releases = parse_index(INDEX)
    assert nearest_versions(releases, parse_version('1.26.7'), count=3) == ['go1.27.0', 'go1.26.6', 'go1.26.5']
    assert nearest_versions(releases, (1, 22), count=2) == ['go1.24.11', 'go1.21.13']
    assert nearest_versions(releases, (1, 19), count=2) == ['go1.20.1', 'go1.20']
    assert nearest_versions([], (1, 27)) == []


def test_an_odd_historical_entry_does_not_block_other_releases():
    old = {'version': 'go1.2.2', 'stable': True,
           'files': [{'filename': 'go1.2.2.linux-amd64.tar.gz', 'os': 'linux', 'arch': 'amd64', 'kind': 'archive',
                      'version': 'go1.2.2', 'sha256': '', 'size': 0}]}
    index = make_index('go1.27.3', old)
    assert resolve(index, '1.27', 'linux', 'amd64')[0]['version'] == 'go1.27.3'
    with pytest.raises(IndexFormatError, match='has no sha256'):
        resolve(index, '1.2.2', 'linux', 'amd64')


def test_resolve_the_json_a_mirror_serves():
    text = json.dumps([
        {'files': [{'arch': 'amd64', 'filename': 'go1.27.3.linux-amd64.tar.gz', 'kind': 'archive', 'os': 'linux',
                    'sha256': 'ab' * 32, 'size': 77818683, 'version': 'go1.27.3'}],
         'stable': True, 'version': 'go1.27.3'},
        {'files': [{'arch': 'amd64', 'filename': 'go1.26.6.linux-amd64.tar.gz', 'kind': 'archive', 'os': 'linux',
                    'sha256': 'cd' * 32, 'size': 73627199, 'version': 'go1.26.6'}],
         'stable': True, 'version': 'go1.26.6'},
    ], indent=1)
    entry, archive = resolve(json.loads(text), '1.26', 'linux', go_arch('x86_64'))
    assert (entry['version'], archive['sha256'], archive['size']) == ('go1.26.6', 'cd' * 32, 73627199)


# --- malformed indexes --------------------------------------------------------------------------

def _broken(position, change):
    index = copy.deepcopy(INDEX)
    change(index[position])
    return index


def _archive(entry):
    return next(f for f in entry['files'] if f['kind'] == 'archive' and f['os'] == 'linux' and f['arch'] == 'amd64')


@pytest.mark.parametrize('index, message', [
    ({'version': 'go1.27.3'}, 'the index is not a JSON list of releases (got an object)'),
    ('<html>', 'the index is not a JSON list of releases (got a string)'),
    (None, 'the index is not a JSON list of releases (got null)'),
    ([['go1.27.3']], 'index entry 0 is not an object (got a list)'),
    (_broken(3, lambda e: e.pop('version')), 'index entry 3 has no version'),
    (_broken(3, lambda e: e.update(version='')), 'index entry 3 has no version'),
    (_broken(3, lambda e: e.update(version=1.27)), 'index entry 3: version is not a string (got a number)'),
    (_broken(3, lambda e: e.update(version='go1.27.x')), "index entry 3: version 'go1.27.x' is not a Go version"),
    (_broken(2, lambda e: e.update(stable='yes')), "index entry 2 (go1.27.3): stable is not true/false (got 'yes')"),
    (_broken(2, lambda e: e.pop('files')), 'index entry 2 (go1.27.3) has no files list'),
    (_broken(2, lambda e: e.update(files={})), 'index entry 2 (go1.27.3): files is not a list (got an object)'),
    (_broken(5, lambda e: e['files'].append('x')), 'index entry 5 (go1.27.0) file 8 is not an object (got a string)'),
])
def test_malformed_index_says_what_and_where(index, message):
    with pytest.raises(IndexFormatError) as err:
        resolve(index, '1.27', 'linux', 'amd64')
    assert str(err.value) == message
    assert isinstance(err.value, ValueError)


@pytest.mark.parametrize('change, message', [
    (lambda f: f.pop('sha256'), 'has no sha256'),
    (lambda f: f.update(sha256=''), 'has no sha256'),
    (lambda f: f.update(sha256='abc'), "sha256 'abc' is not 64 hex digits"),
    (lambda f: f.update(sha256='g' * 64), 'is not 64 hex digits'),
    (lambda f: f.update(sha256='ab' * 32 + '\n'), 'is not 64 hex digits'),
    (lambda f: f.update(sha256=['ab' * 32]), 'is not 64 hex digits'),
    (lambda f: f.update(size=0), 'size 0 is not a positive number of bytes'),
    (lambda f: f.update(size='70MB'), "size '70MB' is not a positive number of bytes"),
    (lambda f: f.update(size=True), 'size True is not a positive number of bytes'),
    (lambda f: f.update(version='go1.27.2'), "version 'go1.27.2' differs from its release go1.27.3"),
    (lambda f: f.update(version='junk'), "version 'junk' differs from its release go1.27.3"),
    (lambda f: f.update(filename='../../etc/passwd'), 'filename must be a plain file name'),
    (lambda f: f.update(filename='..'), 'filename must be a plain file name'),
])
def test_malformed_archive_entry(change, message):
    index = copy.deepcopy(INDEX)
    change(_archive(index[2]))
    with pytest.raises(IndexFormatError) as err:
        resolve(index, '1.27', 'linux', 'amd64')
    assert str(err.value).startswith('index entry 2 (go1.27.3) file 1 (')
    assert message in str(err.value)


def test_archive_entry_without_filename():
    index = copy.deepcopy(INDEX)
    del _archive(index[2])['filename']
    with pytest.raises(IndexFormatError, match=r'^index entry 2 \(go1\.27\.3\) file 1 has no filename$'):
        resolve(index, '1.27', 'linux', 'amd64')


def test_size_and_file_version_are_optional_and_uppercase_sha256_is_fine():
    index = copy.deepcopy(INDEX)
    archive = _archive(index[2])
    del archive['size'], archive['version']
    archive['sha256'] = archive['sha256'].upper()
    assert resolve(index, '1.27', 'linux', 'amd64')[1] is archive


def test_resolve_does_not_modify_the_index():
    index = copy.deepcopy(INDEX)
    resolve(index, '1.27', 'linux', 'amd64')
    assert index == INDEX


def test_parse_index_positions_and_stability():
    releases = parse_index(INDEX)
    assert [r.position for r in releases] == list(range(len(INDEX)))
    assert [r.version.name for r in releases if not r.stable] == ['go1.28rc1', 'go1.28beta1', 'go1.27rc2',
                                                                  'go1.27rc1', 'go1.21rc2']


# --- platforms ----------------------------------------------------------------------------------

@pytest.mark.parametrize('machine, arch', [
    ('x86_64', 'amd64'), ('amd64', 'amd64'), ('AMD64', 'amd64'), (' x86_64\n', 'amd64'),
    ('aarch64', 'arm64'), ('arm64', 'arm64'),
    ('i386', '386'), ('i686', '386'), ('i586', '386'),
    ('armv6l', 'armv6l'), ('armv7l', 'armv6l'), ('armv8l', 'armv6l'),
    ('ppc64le', 'ppc64le'), ('s390x', 's390x'), ('riscv64', 'riscv64'),
    ('loongarch64', 'loong64'),
])
def test_go_arch(machine, arch):
    assert go_arch(machine) == arch


@pytest.mark.parametrize('machine', ['mips', 'mips64', 'sparc64', 'armv5tel', 'ia64', '', None])
def test_go_arch_unknown_machine(machine):
    with pytest.raises(ValueError) as err:
        go_arch(machine)
    message = str(err.value)
    assert message.startswith('no Go archive architecture known for machine %r' % (machine,))
    assert 'x86_64' in message and 'aarch64' in message and 'set the architecture explicitly' in message


@pytest.mark.parametrize('version, goos, goarch, filename', [
    ('1.27.3', 'linux', 'amd64', 'go1.27.3.linux-amd64.tar.gz'),
    ('go1.21.0', 'linux', 'arm64', 'go1.21.0.linux-arm64.tar.gz'),
    ('1.20.0', 'linux', 'armv6l', 'go1.20.linux-armv6l.tar.gz'),
    ('1.27rc1', 'windows', 'amd64', 'go1.27rc1.windows-amd64.zip'),
    (GoVersion(1, 26, 5), 'darwin', 'arm64', 'go1.26.5.darwin-arm64.tar.gz'),
])
def test_archive_filename(version, goos, goarch, filename):
    assert archive_filename(version, goos, goarch) == filename
