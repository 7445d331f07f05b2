#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: go_probe
short_description: Prove with a real Go build and test run that each installed SDK works on this host
version_added: 0.3.0
description:
  - For each SDK (the ones go_sdk_install put under O(sdk_root), or O(sdks)), copies a small embedded Go module into
    a fresh directory under the go command's temp dir and runs seven checks with C(GOTOOLCHAIN=local),
    C(GOPROXY=off), C(GOFLAGS=-mod=mod), no user go env, and a private C(GOCACHE) and C(GOPATH) under O(cache_dir).
  - C(race) runs C(go test -race -count=1 -p=4) on tests that exec a child process, create temp dirs
    (C(os.MkdirTemp) and C(t.TempDir)), resolve and dial localhost, open 900 files and run 10000 goroutines.
  - C(cross_arm64) builds with C(GOOS=linux GOARCH=arm64 CGO_ENABLED=0) and checks the ELF machine (183, AArch64).
  - C(mod_verify) runs C(go mod verify). C(version_match) compares C(go version -m) of a built binary with the SDK's
    version and C(go env GOROOT) with its directory. C(toolchain_local) checks that C(go env GOTOOLCHAIN) is
    V(local) without the probe's own setting, so from the SDK's C(go.env).
  - C(cgo_off) builds a package that needs cgo with C(CGO_ENABLED=0) and C(modules_required) builds outside a module
    with C(GO111MODULE=on); both must fail, with the declared message, and any other outcome fails the check.
  - The go command's temp dir is O(tmpdir), else C(GOTMPDIR) of the SDK's C(go.env), else C(GOTMPDIR) or C(TMPDIR) of
    the module's environment, else C(/tmp). The fresh directory is removed after the checks, whatever they gave;
    a directory a killed run left there (its process gone, older than 10 minutes) is removed by the next run.
  - A failed check reports the first error lines and the likely cause (noexec temp dir, gcc not installed for
    C(-race), a seccomp filter, the task limit, a timeout). Nothing is installed; C(-race) without gcc fails.
  - It changes nothing the collection manages, so check mode runs the same checks. It writes its build cache under
    O(cache_dir), in check mode too, so a later run is fast.
options:
  sdks:
    description:
      - SDKs to probe instead of the ones found under O(sdk_root). Each is a GOROOT path (the directory with C(bin/go)),
        or a dict with C(goroot) and C(version), the version the SDK must report such as V(go1.27.3).
      - Without a version, it comes from go_sdk_install's marker, else the C(VERSION) file of the GOROOT.
    type: list
    elements: raw
    default: []
  sdk_root:
    description: Directory where go_sdk_install keeps the SDKs; used when O(sdks) is empty.
    type: path
    default: /usr/local/lib/go
  cache_dir:
    description:
      - Directory for the probe's build and module caches, one subdirectory per SDK version, kept between runs.
    type: path
    default: /var/cache/gocompat-probe
  tmpdir:
    description: The go command's temp dir for the probe. Empty means the one the go command would use.
    type: path
    default: ''
  timeout:
    description: Seconds each check may run (a cold cache builds the race-enabled standard library once).
    type: int
    default: 600
extends_documentation_fragment:
  - gocompat.baseline.module
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Probe every SDK go_sdk_install put on the host
  gocompat.baseline.go_probe:
  register: probe

- name: Probe one SDK that was installed by hand, with its expected version, and another by its GOROOT
  gocompat.baseline.go_probe:
    sdks:
      - goroot: /usr/local/go
        version: go1.27.3
      - /opt/go1.26.5

- name: Same checks in check mode (only the cache dir is written)
  gocompat.baseline.go_probe:
    cache_dir: /var/cache/gocompat-probe
    timeout: 300
  check_mode: true
'''

RETURN = r'''
probes:
  description: Per SDK, the checks and what they gave.
  returned: always
  type: list
  elements: dict
  sample:
    - version: go1.27.3
      goroot: /usr/local/lib/go/go1.27.3
      gotmpdir: /tmp
      gotmpdir_source: default
      cache: /var/cache/gocompat-probe/go1.27.3
      checks:
        race: {ok: true, actual: "go test -race passed: ...", lines: [], cause: "", seconds: 4.2}
        cross_arm64: {ok: true, actual: ELF e_machine 183 (AArch64), lines: [], cause: "", seconds: 0.4}
findings:
  description:
    - One finding per check and SDK, C(probe.<check>.<version>) such as C(probe.race.1.27.3), C(pass) or C(fail) with
      the first error lines in C(actual) and the likely cause in C(remediation). C(probe.sdk) is C(skip) when
      there is no SDK to probe.
  returned: always
  type: list
  elements: dict
  sample:
    - control: probe.race.1.27.3
      status: fail
      expected: go test -race -count=1 -p=4 passes (exec of a child, temp dirs, localhost, many files and goroutines)
      actual: "go test -race failed (exit 1): go: -race requires cgo; enable cgo by setting CGO_ENABLED=1"
      source: /usr/local/lib/go/go1.27.3
      remediation: "likely cause: gcc not installed (-race needs cgo); install gcc (apt-get install gcc)"
'''

import json
import os
import posixpath

from ansible_collections.gocompat.baseline.plugins.module_utils import go_probe_run as R
from ansible_collections.gocompat.baseline.plugins.module_utils import host_facts_parse as HP
from ansible_collections.gocompat.baseline.plugins.module_utils import host_facts_read
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote
from ansible_collections.gocompat.baseline.plugins.module_utils.tmp_mounts import MountinfoError, covering, parse_mountinfo

CONTROL_PATTERNS = (r'probe\.(?:race|cross_arm64|mod_verify|version_match|toolchain_local|cgo_off|modules_required)'
                    r'\.[A-Za-z0-9_.+-]+', r'probe\.sdk')

ARGUMENT_SPEC = dict(
    sdks=dict(type='list', elements='raw', default=[]),
    sdk_root=dict(type='path', default='/usr/local/lib/go'),
    cache_dir=dict(type='path', default='/var/cache/gocompat-probe'),
    tmpdir=dict(type='path', default=''),
    timeout=dict(type='int', default=600),
)

HINTS = (
    ('noexec', 'run the tmp role (tmp_go_tmpdir) or point GOTMPDIR at a directory on a file system that allows exec'),
    ('gcc', 'install gcc (apt-get install gcc) where -race must work; nothing is installed by the probe'),
    ('task limit', 'raise the task limits with the kernel role (see host.pids_max), then log in again'),
    ('seccomp', 'run the container with the seccomp role\'s Go-test profile'),
    ('open-file', 'raise the open-file limit with the kernel role (kernel_nofile_soft)'),
    ('toolchain', 'set GOTOOLCHAIN=local in the SDK go.env with the go_sdk role (go_sdk_install)'),
    ('timed out', 'rerun with a larger timeout on an idle host; a cold cache builds the race standard library once'),
    ('localhost', 'keep the loopback entries of /etc/hosts (wsl role) and hosts: files in /etc/nsswitch.conf'),
)


def _absolute(name, value):
    if not value or not os.path.isabs(value) or '\x00' in value or '\n' in value:
        raise ModuleFailure('%s: %s is not an absolute path' % (name, quote(value or "''")))
    return posixpath.normpath(value)


def validate(params):
    options = {'sdk_root': _absolute('sdk_root', params['sdk_root']),
               'cache_dir': _absolute('cache_dir', params['cache_dir']),
               'tmpdir': _absolute('tmpdir', params['tmpdir']) if params['tmpdir'] else '',
               'sdks': []}
    if not 0 < params['timeout'] <= 86400:
        raise ModuleFailure('timeout: %d is not between 1 and 86400 seconds' % params['timeout'])
    options['timeout'] = params['timeout']
    if options['cache_dir'] == '/':
        raise ModuleFailure('cache_dir: / cannot hold the probe cache; give a directory of its own')
    for index, sdk in enumerate(params['sdks']):
        if isinstance(sdk, str):
            sdk = {'goroot': sdk}
        if not isinstance(sdk, dict):
            raise ModuleFailure('sdks[%d]: give a GOROOT path or a dict with goroot and version' % index)
        unknown = sorted(str(k) for k in sdk if k not in ('goroot', 'version'))
        if unknown:
            raise ModuleFailure('sdks[%d]: unknown key %s (goroot, version)' % (index, quote(', '.join(unknown))))
        if not isinstance(sdk.get('goroot'), str):
            raise ModuleFailure('sdks[%d].goroot: required, a GOROOT path' % index)
        goroot = _absolute('sdks[%d].goroot' % index, sdk['goroot'])
        version = sdk.get('version') or ''
        if not isinstance(version, str):
            raise ModuleFailure('sdks[%d].version: %s is not a string' % (index, quote(repr(version))))
        if version and (not version.startswith('go') or not all(c.isalnum() or c in '.+-_' for c in version)
                        or len(version) > 64):
            raise ModuleFailure('sdks[%d].version: %s is not a Go version name such as go1.27.3' % (index, quote(version)))
        options['sdks'].append({'goroot': goroot, 'version': version})
    return options


def _sdks(host, options):
    if not options['sdks']:
        return host_facts_read.read_sdks(host, options['sdk_root'])
    found = []
    for index, sdk in enumerate(options['sdks']):
        goroot = sdk['goroot']
        if host.kind(posixpath.join(goroot, 'bin', 'go')) not in ('file', 'link'):
            raise ModuleFailure('sdks[%d].goroot: %s has no bin/go' % (index, goroot))
        version = sdk['version']
        if not version:
            try:
                marker = json.loads(host_facts_read.text(host, posixpath.join(goroot, host_facts_read.MARKER_NAME)) or 'null')
            except ValueError:
                marker = None
            version = marker.get('version', '') if isinstance(marker, dict) else ''
            version = version or HP.first_line(host_facts_read.text(host, posixpath.join(goroot, 'VERSION'), 4096))
        if not version:
            raise ModuleFailure('sdks[%d].version: not given, and %s has no marker and no VERSION file' % (index, goroot))
        found.append({'version': quote(version, 64), 'goroot': goroot})
    return found


def _context(host, gotmpdir, timeout, gcc, seccomp):
    try:
        mount = covering(parse_mountinfo(host_facts_read.text(host, host_facts_read.MOUNTINFO) or ''), gotmpdir)
    except MountinfoError:
        mount = None
    noexec = mount.mountpoint if mount is not None and 'noexec' in mount.options else ''
    return {'gotmpdir': gotmpdir, 'noexec': noexec, 'gcc': gcc, 'seccomp': seccomp, 'timeout': timeout}


def _cache(host, cache_dir, version):
    path = posixpath.join(cache_dir, version)
    for directory in host.missing_parents(posixpath.join(path, 'x')):
        host.mkdir(directory, 0o755)
    if not host.isdir(path):
        raise ModuleFailure('cache_dir: %s is not a directory' % path)
    return path


def read(host, options):
    run = host.run
    gcc = run.which('gcc') is not None
    seccomp, _filters = HP.parse_seccomp(host_facts_read.text(host, host_facts_read.STATUS, 1 << 16))
    probes = []
    for sdk in _sdks(host, options):
        go_env_text = host_facts_read.text(host, posixpath.join(sdk['goroot'], 'go.env'), 1 << 16)
        if options['tmpdir']:
            gotmpdir, source = options['tmpdir'], 'tmpdir option'
        else:
            gotmpdir, source = R.go_tmpdir(go_env_text, os.environ)
        entry = dict(sdk, gotmpdir=gotmpdir, gotmpdir_source=source, cache='', checks={})
        probes.append(entry)
        if not host.isdir(gotmpdir):
            outcome = R.Outcome(False, 'the go temp dir %s (%s) is not a directory' % (quote(gotmpdir), source), [],
                                'GOTMPDIR names a directory that does not exist')
            entry['checks'] = dict((name, outcome.as_dict()) for name in R.CHECKS)
            continue
        entry['cache'] = _cache(host, options['cache_dir'], sdk['version'])
        context = _context(host, gotmpdir, options['timeout'], gcc, seccomp)
        outcomes = R.probe_sdk(run, host, sdk, entry['cache'], gotmpdir, options['timeout'], context)
        entry['checks'] = dict((name, outcomes[name].as_dict()) for name in R.CHECKS)
    return {'probes': probes}


def remediation(cause):
    for key, hint in HINTS:
        if key in cause:
            return 'likely cause: %s; %s' % (cause, hint)
    return 'likely cause: %s; fix it and rerun gocompat.baseline.go_probe' % (cause or 'see actual')


def plan(options, state, check_mode):
    the_plan = Plan()
    if not state['probes']:
        where = 'sdks' if options['sdks'] else options['sdk_root']
        the_plan.add_finding('probe.sdk', 'skip', 'an installed Go SDK to probe', 'no SDK under %s' % where,
                             options['sdk_root'], '')
    for probe in state['probes']:
        version = probe['version'][2:] if probe['version'].startswith('go') else probe['version']
        for name in R.CHECKS:
            check = probe['checks'][name]
            actual = check['actual'] + (': ' + ' | '.join(check['lines']) if check['lines'] else '')
            if check['ok']:
                the_plan.add_finding('probe.%s.%s' % (name, version), 'pass', R.EXPECTED[name], actual, probe['goroot'])
            else:
                the_plan.add_finding('probe.%s.%s' % (name, version), 'fail', R.EXPECTED[name], quote(actual, 1500),
                                     probe['goroot'], remediation(check['cause']))
    the_plan.result['probes'] = state['probes']
    return the_plan


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
