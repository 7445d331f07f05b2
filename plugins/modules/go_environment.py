#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: go_environment
short_description: The Go environment for login shells and systemd managers, in one call
version_added: 0.2.0
description:
  - Renders, checks and writes the files that give Go programs their environment, in one call. A script for
    POSIX login shells (sourced by C(/etc/profile)), an C(environment.d) file for systemd user managers, and a
    system manager drop-in with C(DefaultEnvironment=) for system services.
  - C(GODEBUG) is merged into the C(GODEBUG) a login shell already has. Entries for the keys in O(godebug) are
    replaced and the others are kept. systemd gets exactly O(godebug).
  - Each directory of O(path_prepend) goes in front of C(PATH) once, for login shells and user managers. System
    services keep systemd's C(PATH).
  - A file with nothing to set is removed. Files are written atomically, with owner, mode and SELinux context
    kept. The login script is checked with C(sh -n) before it is written, in check mode too.
  - A file at a managed path that does not start with the managed header, or that is a directory or a
    symbolic link, is refused and nothing is changed.
  - Returns one finding per control, each with its own status. The controls are C(env.godebug.<key>) per
    GODEBUG key, C(env.path), C(env.gotmpdir), C(env.tmpdir), C(env.proxy.http), C(env.proxy.https) and C(env.proxy.no_proxy).
    A setting removed from the options is a finding too, and so is C(env.files) when a managed file differs
    only in its layout.
options:
  godebug:
    description:
      - GODEBUG settings as a dict of key and value. Values are strings or numbers (V(0) or V(1), not booleans)
        without C(,), C(=) or white space.
      - V({}) leaves GODEBUG alone.
    type: dict
    default: {}
  path_prepend:
    description:
      - Absolute directories put in front of C(PATH), in this order, each once.
    type: list
    elements: str
    default: []
  gotmpdir:
    description:
      - C(GOTMPDIR), an absolute path. It should be an existing directory on a file system that allows exec (a
        warning says when it does not exist). An empty string means not set.
    type: str
    default: ''
  tmpdir:
    description:
      - C(TMPDIR), an absolute path, for every program started from a login shell or by systemd. The
        C(t.TempDir) and C(os.MkdirTemp) helpers of Go before 1.26 follow C(TMPDIR), not C(GOTMPDIR); set both
        when C(/tmp) does not allow exec. An empty string means not set.
    type: str
    default: ''
  http_proxy:
    description: Proxy URL for HTTP requests (C(HTTP_PROXY) and C(http_proxy)). An empty string means not set.
    type: str
    default: ''
  https_proxy:
    description: Proxy URL for HTTPS requests (C(HTTPS_PROXY) and C(https_proxy)). An empty string means not set.
    type: str
    default: ''
  no_proxy:
    description:
      - Hosts that bypass the proxy (C(NO_PROXY) and C(no_proxy)), one entry per item, without white space or
        C(,). Duplicates are dropped. The go_env role normalises the entries on the controller with the
        P(gocompat.baseline.no_proxy#filter) filter first.
    type: list
    elements: str
    default: []
  profile_path:
    description: Script for POSIX login shells. It must end in C(.sh), since C(/etc/profile) sources only C(*.sh).
    type: path
    default: /etc/profile.d/gocompat-go.sh
  environment_d_path:
    description: C(environment.d) file for systemd user managers. It must end in C(.conf).
    type: path
    default: /etc/environment.d/90-gocompat-go.conf
  systemd_dropin_path:
    description: System manager drop-in with C(DefaultEnvironment=) for system services. It must end in C(.conf).
    type: path
    default: /etc/systemd/system.conf.d/90-gocompat-go-env.conf
  systemd:
    description:
      - Whether systemd is installed, so its two files are managed. With V(false) they are neither written nor
        removed, and controls cover login shells only.
      - Left out, the module detects whether systemd is installed on the host (the same detection as
        M(gocompat.baseline.host_facts)).
    type: bool
extends_documentation_fragment:
  - gocompat.baseline.module
  - gocompat.baseline.module.backup
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: GODEBUG and the default SDK on PATH, for login shells, user managers and services
  gocompat.baseline.go_environment:
    godebug:
      netdns: go
    path_prepend:
      - /usr/local/go/bin
  register: go_env

- name: Re-execute the system manager when its default environment changed
  ansible.builtin.systemd_service:
    daemon_reexec: true
  when: go_env.manager_changed and go_env.systemd_pid1

- name: Proxies and GOTMPDIR, with backups of the replaced files
  gocompat.baseline.go_environment:
    godebug:
      netdns: go
      http2client: 0
    gotmpdir: /var/tmp/go-build
    https_proxy: http://proxy.corp.example:3128
    no_proxy: [.corp.example, 10.0.0.0/8]
    backup: true

- name: Audit only (check mode), without systemd (WSL without systemd, a container)
  gocompat.baseline.go_environment:
    godebug:
      netdns: go
    systemd: false
  check_mode: true
  diff: true

- name: Nothing to set, so every managed file is removed
  gocompat.baseline.go_environment:
    godebug: {}
'''

RETURN = r'''
files:
  description: Each managed path and what the run does with it (in check mode, what it would do).
  returned: always
  type: dict
  sample:
    /etc/profile.d/gocompat-go.sh: written
    /etc/environment.d/90-gocompat-go.conf: unchanged
    /etc/systemd/system.conf.d/90-gocompat-go-env.conf: removed
manager_changed:
  description:
    - The system manager drop-in was written or removed, so the manager must be re-executed to read it.
  returned: always
  type: bool
  sample: true
systemd_pid1:
  description:
    - Whether systemd is PID 1 on the host now, so a re-execution can apply a changed drop-in (notify the
      C(gocompat systemd manager changed) handler when both this and RV(manager_changed) are true).
  returned: always
  type: bool
  sample: false
backup_files:
  description: Backup copy of each file replaced or removed, when O(backup) is set.
  returned: when a backup was made
  type: dict
  sample:
    /etc/profile.d/gocompat-go.sh: /etc/profile.d/gocompat-go.sh.12345.2026-01-01@10:00:00~
findings:
  description: One finding per control, each with its own status.
  returned: always
  type: list
  elements: dict
  sample:
    - control: env.godebug.netdns
      status: fixed
      expected: netdns=go in GODEBUG of login shells, user managers and system services
      actual: "login shells: not set; user managers: not set; system services: not set"
      source: ""
      remediation: "apply the go_env role (gocompat.baseline.go_environment) without check mode: it rewrites
        /etc/profile.d/gocompat-go.sh"
'''

import os

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils.fileio import FileRefused
from ansible_collections.gocompat.baseline.plugins.module_utils import go_environment_files as G
from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROL_PATTERNS = (r'env\.godebug\.[A-Za-z0-9_.-]+', r'env\.path', r'env\.gotmpdir', r'env\.tmpdir',
                    r'env\.proxy\.(?:http|https|no_proxy)', r'env\.files')

ARGUMENT_SPEC = dict(
    godebug=dict(type='dict', default={}),
    path_prepend=dict(type='list', elements='str', default=[]),
    gotmpdir=dict(type='str', default=''),
    tmpdir=dict(type='str', default=''),
    http_proxy=dict(type='str', default=''),
    https_proxy=dict(type='str', default=''),
    no_proxy=dict(type='list', elements='str', default=[]),
    profile_path=dict(type='path', default='/etc/profile.d/gocompat-go.sh'),
    environment_d_path=dict(type='path', default='/etc/environment.d/90-gocompat-go.conf'),
    systemd_dropin_path=dict(type='path', default='/etc/systemd/system.conf.d/90-gocompat-go-env.conf'),
    systemd=dict(type='bool'),
    backup=dict(type='bool', default=False),
)

PATH_OPTIONS = ((G.PROFILE, 'profile_path', '.sh'), (G.USER_MANAGERS, 'environment_d_path', '.conf'),
                (G.SERVICES, 'systemd_dropin_path', '.conf'))


def validate(params):
    try:
        settings = G.validate_settings(params['godebug'], params['path_prepend'], params['gotmpdir'],
                                       params['http_proxy'], params['https_proxy'], params['no_proxy'],
                                       tmpdir=params['tmpdir'])
    except G.InvalidSetting as exc:
        raise ModuleFailure(str(exc))
    paths = {}
    for consumer, option, suffix in PATH_OPTIONS:
        path = params[option]
        if not path.startswith('/') or G.CONTROL_CHARS.search(path):
            raise ModuleFailure('%s: %s is not an absolute path' % (option, quote(path)))
        if os.path.normpath(path) != path or not os.path.basename(path).endswith(suffix) \
                or os.path.basename(path) == suffix:
            raise ModuleFailure('%s: %s must be a normalised path to a file named *%s' % (option, quote(path), suffix))
        if path in paths.values():
            raise ModuleFailure('%s: %s is also another managed file' % (option, quote(path)))
        paths[consumer] = path
    return dict(settings=settings, paths=paths, systemd=params['systemd'], backup=params['backup'])


def _missing_dirs(host, path):
    """Directories to create before ``path`` can be written, outermost first."""
    missing = host.missing_parents(path)
    existing = os.path.dirname(missing[0] if missing else path)
    if not host.isdir(existing):
        raise ModuleFailure('%s is not a directory, so %s cannot be written there' % (quote(existing), quote(path)))
    return missing


def read(host, options):
    detected = host_detect.on_host(host)
    systemd = detected['systemd_installed'] if options['systemd'] is None else options['systemd']
    # the systemd files are managed only where systemd is (left out: what the host has decides)
    options['consumers'] = [G.PROFILE] + ([G.USER_MANAGERS, G.SERVICES] if systemd else [])
    settings = options['settings']
    # the host rides along for the steps: plan itself only computes
    state = dict(host=host, texts={}, wanted={}, missing={}, refusals=[], warnings=[],
                 systemd_pid1=detected['systemd_pid1'])
    for consumer in options['consumers']:
        path = options['paths'][consumer]
        if host.kind(path) == 'link':
            state['refusals'].append('%s is a symbolic link; remove it so a regular file can be written there'
                                     % quote(path))
            continue
        try:
            text = host.read_text(path)
        except FileRefused as exc:
            state['refusals'].append('%s; move it away or choose another path' % exc)
            continue
        wanted = dict(G.RENDERERS)[consumer](settings)
        state['texts'][consumer], state['wanted'][consumer] = text, wanted
        if text is not None and text.strip() and not G.is_managed(text):
            state['refusals'].append('%s exists but was not written by gocompat.baseline (no managed header); move it '
                                     'away or choose another path' % quote(path))
        if wanted is not None and wanted != text:
            state['missing'][consumer] = _missing_dirs(host, path)
    profile = state['wanted'].get(G.PROFILE)
    if profile is not None and profile != state['texts'].get(G.PROFILE):
        checked = host.run(['/bin/sh', '-n'], data=profile, check=False)
        if checked.rc != 0:
            raise ModuleFailure('profile_path: the login script rendered for %s fails sh -n: %s'
                                % (quote(options['paths'][G.PROFILE]), quote(checked.err.strip() or checked.out)))
    for option in ('gotmpdir', 'tmpdir'):
        directory = settings.options[option]
        if directory and not host.isdir(directory):
            state['warnings'].append('%s %s is not a directory on this host yet; the go command fails until it '
                                     'exists' % (option, quote(directory)))
    return state


def _add_dirs(the_plan, host, directories, created):
    new = [d for d in directories if d not in created]
    created.extend(new)
    the_plan.make_dirs(host, new)


def plan(options, state, check_mode):
    host = state['host']
    the_plan = Plan()
    the_plan.refusals.extend(state['refusals'])
    the_plan.warnings.extend(state['warnings'])
    files, created, changed_paths = {}, [], []
    if not the_plan.refusals:
        for consumer in options['consumers']:
            path, text, wanted = options['paths'][consumer], state['texts'][consumer], state['wanted'][consumer]
            if wanted == text:
                files[path] = 'unchanged' if text is not None else 'absent'
                continue
            changed_paths.append(path)
            if wanted is None:
                files[path] = 'removed'
                the_plan.remove_file(host, path, text, backup=options['backup'])
            else:
                files[path] = 'written'
                _add_dirs(the_plan, host, state['missing'].get(consumer, []), created)
                the_plan.write_file(host, path, text, wanted, backup=options['backup'])
    the_plan.result['files'] = files
    services = options['paths'][G.SERVICES]
    the_plan.result['manager_changed'] = files.get(services) in ('written', 'removed')
    the_plan.result['systemd_pid1'] = state['systemd_pid1']
    add_findings(the_plan, options, state, check_mode, changed_paths)
    return the_plan


def add_findings(the_plan, options, state, check_mode, changed_paths):
    consumers, paths, texts = options['consumers'], options['paths'], state['texts']
    current = dict((c, G.file_state(c, texts.get(c))) for c in consumers)
    refused = bool(the_plan.refusals)
    explained = False
    for control in G.controls(options['settings'], current, consumers):
        differs = control.differs
        explained = explained or differs
        # a refused run changes nothing: what is off stays fail
        status = (F.FAIL if differs else F.PASS) if refused else F.status_for_change(differs, check_mode)
        actual = control.describe_actual() if differs else 'as expected in %s' % G.join_names(list(control.wanted))
        source = ', '.join(paths[c] for c in control.wanted if texts.get(c) is not None)
        the_plan.add_finding(control.control, status, control.expected, actual, source,
                             _remediation(status, changed_paths, refused))
    if changed_paths and not explained:
        # a managed file whose settings are right but whose text is not what this release writes
        status = F.status_for_change(True, check_mode)
        the_plan.add_finding('env.files', status, 'managed files as this release renders them',
                             'layout or comments differ in %s' % ', '.join(changed_paths),
                             ', '.join(paths[c] for c in consumers if paths[c] in changed_paths and texts.get(c) is not None),
                             _remediation(status, changed_paths, refused))


def _remediation(status, paths, refused=False):
    # also on fixed: a rolled-back run turns fixed into fail, and a fail needs its remediation
    if status not in (F.FAIL, F.FIXED):
        return ''
    if refused:
        return 'resolve the refusal in the task error (a foreign file, link or directory at a managed path), then apply again'
    return ('apply the go_env role (gocompat.baseline.go_environment) without check mode: it rewrites %s'
            % ', '.join(paths))


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
