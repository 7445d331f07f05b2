# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go release versions: parsing, ordering, what a requested version means, and choosing a release and
its archive from a go.dev-format index (``/dl/?mode=json&include=all``).

Nothing here touches the network or the file system; callers pass the decoded index in.

Spellings: go.dev names releases before Go 1.21 without a patch number for the first release
(``go1.20``, then ``go1.20.1``) and from Go 1.21 on with one (``go1.21.0``); pre-releases are
``go1.27beta1``, ``go1.27rc1``. Order: go1.27beta1 < go1.27rc1 < go1.27.0 < go1.27.1, and ``go1.20`` is the
same release as ``go1.20.0``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
from collections import namedtuple

# No leading zeros: go.dev never writes them, and '1.027' is more likely a typo than a request.
_NUM = r'(0|[1-9][0-9]*)'
_VERSION_RE = re.compile(r'^(?:go)?%s(?:\.%s)?(?:\.%s)?(?:(beta|rc)%s)?\Z' % (_NUM, _NUM, _NUM, _NUM))
_SHA256_RE = re.compile(r'^[0-9a-fA-F]{64}\Z')
_PRE_RANK = {'beta': 0, 'rc': 1, None: 2}

STABLE = 'stable'
KIND_EXACT = 'exact'
KIND_FLOATING = 'floating'
KIND_STABLE = 'stable'

# platform.machine() / `uname -m` -> the arch name in Go archive names and the index.
_GO_ARCH = {
    'x86_64': 'amd64', 'amd64': 'amd64', 'x64': 'amd64',
    'aarch64': 'arm64', 'arm64': 'arm64',
    'i386': '386', 'i486': '386', 'i586': '386', 'i686': '386', 'x86': '386',
    # go.dev ships one 32-bit ARM build, for ARMv6 and newer; armv8l is a 32-bit userland on a 64-bit CPU.
    'armv6l': 'armv6l', 'armv7l': 'armv6l', 'armv8l': 'armv6l',
    'ppc64le': 'ppc64le', 'ppc64': 'ppc64',
    's390x': 's390x',
    'riscv64': 'riscv64',
    'loongarch64': 'loong64', 'loong64': 'loong64',
}


class GoVersion(object):
    """A parsed Go version. ``minor``/``patch`` stay None when not written, which is what tells
    ``1.27`` (a series) from ``1.27.0`` (a release); comparisons treat them as 0."""

    __slots__ = ('major', 'minor', 'patch', 'pre', 'pre_num')

    def __init__(self, major, minor=None, patch=None, pre=None, pre_num=None):
        self.major = major
        self.minor = minor
        self.patch = patch
        self.pre = pre
        self.pre_num = pre_num

    @property
    def key(self):
        """Sort key: beta < rc < release within one major.minor.patch."""
        return (self.major, self.minor or 0, self.patch or 0, _PRE_RANK[self.pre], self.pre_num or 0)

    @property
    def series(self):
        return (self.major, self.minor or 0)

    @property
    def is_prerelease(self):
        return self.pre is not None

    @property
    def name(self):
        """The go.dev spelling of this release: go1.20, go1.20.1, go1.21.0, go1.27rc1."""
        major, minor, patch = self.major, self.minor or 0, self.patch or 0
        text = 'go%d' % major
        if (major, minor, patch) == (1, 0, 0) and not self.pre:
            return text  # Go 1.0 was released as plain 'go1'
        text += '.%d' % minor
        if self.pre:
            return text + ('.%d' % patch if patch else '') + '%s%d' % (self.pre, self.pre_num)
        if patch or (major, minor) >= (1, 21):
            text += '.%d' % patch
        return text

    def __eq__(self, other):
        return isinstance(other, GoVersion) and self.key == other.key

    def __ne__(self, other):
        return not self == other

    def __lt__(self, other):
        return self.key < other.key

    def __le__(self, other):
        return self.key <= other.key

    def __gt__(self, other):
        return self.key > other.key

    def __ge__(self, other):
        return self.key >= other.key

    def __hash__(self):
        return hash(self.key)

    def __str__(self):
        return self.name

    def __repr__(self):
        return 'GoVersion(%r)' % self.name


def parse_version(text):
    """Parse '1.27.3', 'go1.27.3', 'go1.27', 'go1.27rc1', 'go1.27beta2', 'go1'. ValueError otherwise."""
    if not isinstance(text, str):
        raise ValueError('Go version must be a string, got %s %r' % (type(text).__name__, text))
    match = _VERSION_RE.match(text.strip())
    if not match:
        raise ValueError('invalid Go version %r: expected forms like 1.27.3, go1.27.3, 1.27 or go1.27rc1' % text)
    major, minor, patch, pre, pre_num = match.groups()
    if pre and minor is None:
        raise ValueError('invalid Go version %r: a pre-release needs major.minor (go1.27rc1)' % text)
    return GoVersion(int(major),
                     None if minor is None else int(minor),
                     None if patch is None else int(patch),
                     pre,
                     None if pre_num is None else int(pre_num))


def version_key(version):
    """Sort key for a version string or GoVersion (sorted(versions, key=version_key))."""
    if not isinstance(version, GoVersion):
        version = parse_version(version)
    return version.key


def canonical_name(version):
    """'1.27.3' -> 'go1.27.3', '1.20.0' -> 'go1.20', '1.21' -> 'go1.21.0' (go.dev spelling)."""
    if not isinstance(version, GoVersion):
        version = parse_version(version)
    return version.name


# --- what was asked for -----------------------------------------------------------------------------

VersionRequest = namedtuple('VersionRequest', ['kind', 'text', 'version', 'series'])
VersionRequest.__doc__ = """A requested version: ``kind`` is exact, floating or stable; ``version`` is the
GoVersion for exact requests, ``series`` the (major, minor) of floating ones."""


def parse_request(request):
    """Classify a requested version.

    - ``stable``: the newest stable release in the index;
    - ``1.27`` / ``go1.27``: floating, the newest stable patch release of Go 1.27 (also for old series:
      ``1.20`` means the newest 1.20.x; ask for ``1.20.0`` to get go1.20 itself);
    - ``1.27.3``, ``go1.27rc1``: exactly that release (pre-releases only when named).
    """
    if isinstance(request, float):
        # YAML reads an unquoted 1.20 as the number 1.2: refuse rather than guess.
        raise ValueError('Go version %r was given as a number; quote it (version: "1.20")' % (request,))
    if not isinstance(request, str) or not request.strip():
        raise ValueError('Go version must be a non-empty string, got %r' % (request,))
    text = request.strip()
    if text.lower() == STABLE:
        return VersionRequest(KIND_STABLE, text, None, None)
    version = parse_version(text)
    if version.minor is None:
        raise ValueError('Go version %r is too vague: give major.minor (1.27) or a release (1.27.3)' % request)
    if version.patch is None and not version.is_prerelease:
        return VersionRequest(KIND_FLOATING, text, None, version.series)
    return VersionRequest(KIND_EXACT, text, version, version.series)


# --- platforms --------------------------------------------------------------------------------------

def go_arch(machine):
    """Go arch name for a platform.machine() / `uname -m` value; ValueError for machines without one."""
    key = (machine or '').strip().lower()
    arch = _GO_ARCH.get(key)
    if arch is None:
        raise ValueError('no Go archive architecture known for machine %r; known machines: %s '
                         '(set the architecture explicitly)'
                         % (machine, ', '.join(sorted(_GO_ARCH))))
    return arch


def archive_filename(version, goos, goarch):
    """The go.dev archive name, for pinned installs that know no index: go1.27.3.linux-amd64.tar.gz."""
    return '%s.%s-%s.%s' % (canonical_name(version), goos, goarch, 'zip' if goos == 'windows' else 'tar.gz')


# --- the index --------------------------------------------------------------------------------------

class IndexFormatError(ValueError):
    """The index is not what go.dev serves; the message says what is wrong and where."""


Release = namedtuple('Release', ['version', 'stable', 'entry', 'position'])
Release.__doc__ = """One index entry: parsed ``version``, whether it counts as ``stable``, the original
``entry`` dict and its ``position`` in the list (0-based, as ``jq '.[N]'`` addresses it)."""


def _where(position, entry=None):
    version = entry.get('version') if isinstance(entry, dict) else None
    if isinstance(version, str) and version:
        return 'index entry %d (%s)' % (position, version)
    return 'index entry %d' % position


def parse_index(data):
    """Validate the structure of a decoded index and return its releases as ``Release`` tuples.

    Files are checked for shape only here; the fields of the one archive chosen are checked by
    ``resolve`` (an odd historical entry must not stop installing a current release)."""
    if not isinstance(data, list):
        raise IndexFormatError('the index is not a JSON list of releases (got %s)' % _json_type(data))
    releases = []
    for position, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise IndexFormatError('%s is not an object (got %s)' % (_where(position), _json_type(entry)))
        raw_version = entry.get('version')
        if raw_version is None or raw_version == '':
            raise IndexFormatError('%s has no version' % _where(position))
        if not isinstance(raw_version, str):
            raise IndexFormatError('%s: version is not a string (got %s)' % (_where(position), _json_type(raw_version)))
        try:
            version = parse_version(raw_version)
        except ValueError:
            raise IndexFormatError('%s: version %r is not a Go version' % (_where(position), raw_version))
        flag = entry.get('stable')
        if flag is not None and not isinstance(flag, bool):
            raise IndexFormatError('%s: stable is not true/false (got %r)' % (_where(position, entry), flag))
        files = entry.get('files')
        if not isinstance(files, list):
            raise IndexFormatError('%s has no files list' % _where(position, entry) if files is None else
                                   '%s: files is not a list (got %s)' % (_where(position, entry), _json_type(files)))
        for number, item in enumerate(files):
            if not isinstance(item, dict):
                raise IndexFormatError('%s file %d is not an object (got %s)'
                                       % (_where(position, entry), number, _json_type(item)))
        # go.dev derives the flag from the name (no beta/rc); a pre-release is never stable here.
        stable = flag is not False and not version.is_prerelease
        releases.append(Release(version, stable, entry, position))
    return releases


def _json_type(value):
    if value is None:
        return 'null'
    if isinstance(value, bool):
        return 'true/false'
    return {dict: 'an object', list: 'a list', str: 'a string', int: 'a number', float: 'a number'}.get(
        type(value), type(value).__name__)


def nearest_versions(releases, wanted, count=5):
    """Names of the stable releases closest to ``wanted`` (a GoVersion or a (major, minor) series),
    newest first: releases of the same series first, then the neighbours of where it would sort."""
    pool = sorted(set(r.version for r in releases if r.stable), reverse=True)
    if isinstance(wanted, tuple):
        series, key = wanted, (wanted[0], wanted[1], float('inf'))
    else:
        series, key = wanted.series, wanted.key
    picked = [v for v in pool if v.series == series][:count]
    if len(picked) < count:
        # Position where ``wanted`` would go in the newest-first pool; neighbours by distance to it.
        slot = next((i for i, v in enumerate(pool) if v.key < key), len(pool)) - 0.5
        others = sorted((abs(i - slot), i) for i, v in enumerate(pool) if v.series != series)
        picked.extend(pool[i] for _distance, i in others[:count - len(picked)])
        picked.sort(reverse=True)
    return [v.name for v in picked]


def select_release(releases, request):
    """The release ``request`` (a VersionRequest) names among ``releases``; ValueError when none."""
    if request.kind == KIND_EXACT:
        matches = [r for r in releases if r.version == request.version]
        if matches:
            return matches[0]
        near = nearest_versions(releases, request.version)
        raise ValueError('%s is not in the index; nearest available: %s'
                         % (request.version.name, ', '.join(near) or 'none (the index lists no stable release)'))
    candidates = [r for r in releases if r.stable]
    if request.kind == KIND_FLOATING:
        candidates = [r for r in candidates if r.version.series == request.series]
    if candidates:
        return max(candidates, key=lambda r: r.version.key)
    if request.kind == KIND_STABLE:
        raise ValueError('the index lists no stable Go release')
    pre = sorted((r.version for r in releases if r.version.series == request.series), reverse=True)
    if pre:
        raise ValueError('the index has only pre-releases of Go %d.%d (%s); name one exactly to install it'
                         % (request.series + (', '.join(v.name for v in pre[:5]),)))
    near = nearest_versions(releases, request.series)
    raise ValueError('no Go %d.%d release in the index; nearest available: %s'
                     % (request.series + (', '.join(near) or 'none',)))


def select_archive(release, goos, goarch):
    """The ``kind: archive`` file of ``release`` for goos/goarch, with its fields checked."""
    files = release.entry['files']
    archives = [(number, item) for number, item in enumerate(files)
                if item.get('kind') == 'archive' and item.get('os') == goos and item.get('arch') == goarch]
    if not archives:
        have = sorted(set('%s/%s' % (item.get('os'), item.get('arch')) for item in files
                          if item.get('kind') == 'archive'))
        raise ValueError('%s has no archive for %s/%s in the index (archives for: %s)'
                         % (release.version.name, goos, goarch, ', '.join(have) or 'none'))
    number, item = archives[0]
    _check_file(release, number, item)
    return item


def _check_file(release, number, item):
    where = '%s file %d' % (_where(release.position, release.entry), number)
    filename = item.get('filename')
    if not isinstance(filename, str) or not filename:
        raise IndexFormatError('%s has no filename' % where)
    where = '%s (%s)' % (where, filename)
    if '/' in filename or '\\' in filename or filename in ('.', '..'):
        raise IndexFormatError('%s: filename must be a plain file name' % where)
    sha256 = item.get('sha256')
    if not sha256:
        raise IndexFormatError('%s has no sha256' % where)
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        raise IndexFormatError('%s: sha256 %r is not 64 hex digits' % (where, sha256))
    size = item.get('size')
    if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size <= 0):
        raise IndexFormatError('%s: size %r is not a positive number of bytes' % (where, size))
    file_version = item.get('version')
    if file_version is not None:
        try:
            same = parse_version(file_version) == release.version
        except ValueError:
            same = False
        if not same:
            raise IndexFormatError('%s: version %r differs from its release %s'
                                   % (where, file_version, release.version.name))


def resolve(index, request, goos, goarch):
    """Choose the release and archive to install.

    ``index`` is the decoded JSON list, ``request`` a string ('1.27.3', '1.27', 'stable') or a
    VersionRequest. Returns ``(release_entry, file_entry)``, the dicts as found in the index.
    A floating request takes the newest patch even when only an older one has an archive for this
    platform: the fleet then fails loudly instead of drifting to different patch levels."""
    if not isinstance(request, VersionRequest):
        request = parse_request(request)
    release = select_release(parse_index(index), request)
    return release.entry, select_archive(release, goos, goarch)
