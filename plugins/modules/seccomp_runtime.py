#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: seccomp_runtime
short_description: Register a seccomp profile with dockerd, Podman and the kubelet in one call
version_added: 0.3.0
description:
  - Points the container runtimes at a seccomp profile, for example one written by M(gocompat.baseline.seccomp_profile).
  - For dockerd, it sets C(seccomp-profile) in C(daemon.json). The JSON is parsed to check it, and only that member's
    value is replaced, or the member is added after the last one with the file's own indentation. Every other key,
    its order and formatting stay byte for byte. A malformed C(daemon.json) fails with its C(line:column) and is
    left untouched.
  - For Podman, it sets C(seccomp_profile) in the C([containers]) table of C(containers.conf) with a line editor
    that keeps the rest of the TOML byte for byte, comments included.
  - For the kubelet, it copies the profile to C(<kubelet_dir>/<kubelet_name>), where a pod's
    C(securityContext.seccompProfile) of type C(Localhost) finds it as C(profiles/<kubelet_name>).
  - RV(restart_needed) lists the runtimes whose configuration changed, that read it only at start (dockerd) and
    that are running now (the process of C(/run/docker.pid) is alive). Podman reads C(containers.conf) for every
    container, and the kubelet reads a profile when a pod starts.
  - With O(present_only=true), a runtime the host does not have (neither its configuration directory nor its
    program) is skipped with a C(skip) finding.
options:
  profile_path:
    description:
      - The profile file the runtimes are pointed at. It must exist, except in check mode, where a profile not
        written yet is reported as such.
    type: path
    required: true
  runtimes:
    description: Which runtimes to register the profile with.
    type: list
    elements: str
    choices: [docker, podman, kubelet]
    required: true
  daemon_json:
    description: dockerd's configuration file.
    type: path
    default: /etc/docker/daemon.json
  containers_conf:
    description: Podman's (containers-common's) configuration file for the whole host.
    type: path
    default: /etc/containers/containers.conf
  kubelet_dir:
    description: The kubelet's directory of C(Localhost) seccomp profiles.
    type: path
    default: /var/lib/kubelet/seccomp/profiles
  kubelet_name:
    description: File name of the profile in O(kubelet_dir), ending in C(.json).
    type: str
    default: go-tests.json
  present_only:
    description:
      - Register only the runtimes the host has. dockerd counts when C(/etc/docker) (the directory of
        O(daemon_json)) or the C(dockerd) program exists, Podman when the directory of O(containers_conf) or
        C(podman) exists, the kubelet when C(/var/lib/kubelet) or C(kubelet) exists.
    type: bool
    default: false
extends_documentation_fragment:
  - gocompat.baseline.module
  - gocompat.baseline.module.backup
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Point dockerd and Podman at the Go-test profile
  gocompat.baseline.seccomp_runtime:
    profile_path: /etc/gocompat/seccomp/go-tests.json
    runtimes: [docker, podman]
  register: seccomp_runtime

- name: Also offer it to pods as a Localhost profile (profiles/go-tests.json)
  gocompat.baseline.seccomp_runtime:
    profile_path: /etc/gocompat/seccomp/go-tests.json
    runtimes: [kubelet]

- name: Audit only, with the changes it would make
  gocompat.baseline.seccomp_runtime:
    profile_path: /etc/gocompat/seccomp/go-tests.json
    runtimes: [docker, podman, kubelet]
  check_mode: true
  diff: true
'''

RETURN = r'''
changed_files:
  description: Files this call writes (in check mode, would write).
  returned: always
  type: list
  elements: str
  sample: [/etc/docker/daemon.json]
created_dirs:
  description: Directories this call creates (in check mode, would create), outermost first.
  returned: always
  type: list
  elements: str
  sample: [/var/lib/kubelet/seccomp, /var/lib/kubelet/seccomp/profiles]
restart_needed:
  description: Runtimes whose configuration changed, that read it only when they start, and that run now.
  returned: always
  type: list
  elements: str
  sample: [docker]
backup_files:
  description: Backup copy of every replaced file, by path.
  returned: when O(backup=true) and an existing file was replaced
  type: dict
  sample:
    /etc/docker/daemon.json: /etc/docker/daemon.json.1234.2026-12-04@22:00:00~
findings:
  description:
    - One per runtime asked for, C(seccomp.docker), C(seccomp.podman), C(seccomp.kubelet); C(actual) is the setting
      before the run.
  returned: always
  type: list
  elements: dict
  sample:
    - control: seccomp.docker
      status: fixed
      expected: seccomp-profile = "/etc/gocompat/seccomp/go-tests.json" in /etc/docker/daemon.json
      actual: not set
      source: /etc/docker/daemon.json
      remediation: ""
'''

import posixpath
import re

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_plan as P
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_runtime_conf as C
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_decimal
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROL_PATTERNS = (r'seccomp\.(docker|podman|kubelet)',)

ARGUMENT_SPEC = dict(
    profile_path=dict(type='path', required=True),
    runtimes=dict(type='list', elements='str', choices=['docker', 'podman', 'kubelet'], required=True),
    daemon_json=dict(type='path', default='/etc/docker/daemon.json'),
    containers_conf=dict(type='path', default='/etc/containers/containers.conf'),
    kubelet_dir=dict(type='path', default='/var/lib/kubelet/seccomp/profiles'),
    kubelet_name=dict(type='str', default='go-tests.json'),
    present_only=dict(type='bool', default=False),
    backup=dict(type='bool', default=False),
)
DOCKER_PIDFILES = ('/run/docker.pid', '/var/run/docker.pid')
PROGRAMS = {'docker': 'dockerd', 'podman': 'podman', 'kubelet': 'kubelet'}
ORDER = ('docker', 'podman', 'kubelet')
NAME = re.compile(r'\A[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,200}\.json\Z')
_KIND_WORDS = {'link': 'a symlink', 'dir': 'a directory', 'other': 'not a regular file'}


def _abs(params, name):
    value = params.get(name)
    if not value or not value.startswith('/') or value != posixpath.normpath(value) or \
            any(c in value for c in '\x00\n\r"\\') or '/../' in value + '/':
        raise ModuleFailure('%s must be a plain absolute path without .., quotes, backslashes or line breaks: %s'
                            % (name, quote(value or '', 100)))
    return value


def validate(params):
    if not params.get('runtimes'):
        raise ModuleFailure('runtimes must name at least one of docker, podman, kubelet')
    if len(set(params['runtimes'])) != len(params['runtimes']):
        raise ModuleFailure('runtimes lists a runtime twice: %s' % ', '.join(params['runtimes']))
    options = dict((name, _abs(params, name)) for name in ('profile_path', 'daemon_json', 'containers_conf', 'kubelet_dir'))
    if not NAME.match(params.get('kubelet_name') or ''):
        raise ModuleFailure('kubelet_name must be a file name ending in .json (letters, digits, ._@+-): %s'
                            % quote(params.get('kubelet_name') or '', 100))
    options.update(runtimes=[r for r in ORDER if r in params['runtimes']], backup=bool(params['backup']),
                   present_only=bool(params['present_only']),
                   kubelet_path=posixpath.join(options['kubelet_dir'], params['kubelet_name']))
    if options['kubelet_path'] == options['profile_path'] and 'kubelet' in options['runtimes']:
        raise ModuleFailure('kubelet_dir/kubelet_name is profile_path itself; nothing to copy')
    return options


def _file(host, path, what):
    kind = host.kind(path)
    if kind in ('dir', 'other') or (kind == 'link' and host.kind(host.realpath(path)) != 'file'):
        raise ModuleFailure('%s %s is %s, not a file this module edits' % (what, path, _KIND_WORDS.get(kind, kind)))
    if kind == 'link':
        raise ModuleFailure('%s %s is a symlink; point the runtime at the file itself or remove the link' % (what, path))
    return host.read_text(path) if kind == 'file' else None


def read(host, options):
    state = {'host': host, 'texts': {}, 'missing_dirs': {}}
    profile_kind = host.kind(options['profile_path'])
    if profile_kind not in ('file', 'absent', 'link'):
        raise ModuleFailure('profile_path %s is %s' % (options['profile_path'], _KIND_WORDS[profile_kind]))
    state['profile'] = host.read_text(options['profile_path']) if profile_kind != 'absent' else None
    if state['profile'] is not None:
        # a runtime pointed at a broken profile refuses to start containers (dockerd refuses to start)
        try:
            profile = P.parse(state['profile'], 'profile_path ' + options['profile_path'])
        except V.ProfileError as exc:
            raise ModuleFailure(str(exc))
        try:
            V.check(profile)
        except V.ProfileError as exc:
            raise ModuleFailure('profile_path %s: %s' % (options['profile_path'], exc))
    paths = {'docker': options['daemon_json'], 'podman': options['containers_conf'], 'kubelet': options['kubelet_path']}
    what = {'docker': 'daemon_json', 'podman': 'containers_conf', 'kubelet': 'kubelet profile'}
    marks = {'docker': posixpath.dirname(options['daemon_json']), 'podman': posixpath.dirname(options['containers_conf']),
             'kubelet': '/var/lib/kubelet'}
    state['absent'] = [r for r in options['runtimes'] if options['present_only'] and not host.isdir(marks[r])
                       and not host.run.which(PROGRAMS[r])]
    state['docker_running'] = 'docker' in options['runtimes'] and _docker_running(host)
    for runtime in options['runtimes']:
        if runtime in state['absent']:
            continue
        path = paths[runtime]
        state['texts'][runtime] = (path, _file(host, path, what[runtime]))
        state['missing_dirs'][runtime] = host.missing_parents(path)
    return state


def _docker_running(host):
    for pidfile in DOCKER_PIDFILES:
        try:
            pid = (host.read_text(pidfile, limit=64) or '').strip()
        except (EnvironmentError, ValueError):
            continue
        if is_decimal(pid) and host.isdir('/proc/%s' % pid):
            return True
    return False


def _wanted(runtime, options, state, before):
    path = state['texts'][runtime][0]
    try:
        if runtime == 'docker':
            current = C.daemon_json_value(before, path)
            return C.set_daemon_json(before, path, options['profile_path']), \
                'not set' if current is None else 'seccomp-profile = %s' % quote(str(current), 120)
        if runtime == 'podman':
            current = C.containers_conf_value(before, path)
            return C.set_containers_conf(before, path, options['profile_path']), \
                'not set' if current is None else 'seccomp_profile = %s' % quote(current, 120)
    except C.ConfError as exc:
        raise ModuleFailure('%s; it was left untouched' % exc)
    actual = 'absent' if before is None else ('a copy of the profile' if before == state['profile'] else 'another profile')
    return state['profile'], actual


EXPECTED = {'docker': 'seccomp-profile = "%s" in %s', 'podman': 'seccomp_profile = "%s" in [containers] of %s',
            'kubelet': 'a copy of %s at %s'}
# What to change, by runtime (the profile path, the runtime's file)
FIX = {'docker': 'set seccomp-profile to %s in %s', 'podman': 'set seccomp_profile to %s in [containers] of %s',
       'kubelet': 'copy %s to %s'}


def plan(options, state, check_mode):
    if state['profile'] is None and not check_mode:
        raise ModuleFailure('profile_path %s does not exist; write it first (gocompat.baseline.seccomp_profile)'
                            % options['profile_path'])
    the_plan = Plan()
    host = state['host']
    changed, created, restart = [], [], []
    for runtime in options['runtimes']:
        if runtime in state['absent']:
            the_plan.add_finding('seccomp.%s' % runtime, F.SKIP, EXPECTED[runtime] % (options['profile_path'], '-'),
                                 'not installed or configured on this host')
            continue
        path, before = state['texts'][runtime]
        after, actual = _wanted(runtime, options, state, before)
        expected = EXPECTED[runtime] % (options['profile_path'], path)
        if after is None:  # the kubelet copy of a profile this run has not written yet (check mode of a role)
            the_plan.add_finding('seccomp.%s' % runtime, F.FAIL, expected, actual, path if before is not None else '',
                                 'write %s, then copy it to %s' % (options['profile_path'], path))
            the_plan.add_step('copy %s to %s' % (options['profile_path'], path), lambda: None)
            changed.append(path)
            continue
        change = after != before
        status = F.status_for_change(change, check_mode)
        the_plan.add_finding('seccomp.%s' % runtime, status, expected, actual, path if before is not None else '',
                             '%s (gocompat.baseline.seccomp role, or this module without check mode)'
                             % (FIX[runtime] % (options['profile_path'], path)) if status == F.FAIL else '')
        if not change:
            continue
        dirs = [d for d in state['missing_dirs'][runtime] if d not in created]
        the_plan.make_dirs(host, dirs)
        created.extend(dirs)
        the_plan.write_file(host, path, before, after, backup=options['backup'])
        changed.append(path)
        if runtime == 'docker' and state['docker_running']:
            restart.append('docker')
    the_plan.result.update(changed_files=changed, created_dirs=created, restart_needed=restart)
    return the_plan


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
