#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: wsl_conf
short_description: Settings in /etc/wsl.conf or .wslconfig, edited in place, with WSL detection and the restart contract
version_added: 0.3.0
description:
  - Sets, checks or removes keys of C(/etc/wsl.conf) (per distribution) or of C(.wslconfig) (the WSL 2 VM, in the
    Windows user's profile, reached through the mounted Windows drive) and reports one finding per key.
  - Edits the file in place. Comments (C(#) and C(;)), blank lines, order, spacing, quoting, inline comments, CRLF
    or mixed line endings and a UTF-8 BOM (files edited from Windows have them) survive; only the lines of the
    keys that change are touched. A new key goes at the end of its section (before the section's trailing blank
    and comment lines); a missing section is appended. Writes are atomic.
  - Reads the file the way WSL does. Names match in any case; a repeated section adds to the same section; of a
    repeated key the first one counts (WSL ignores the later ones with a warning). This module changes the first
    one and warns about the others; removing a key removes every line of it.
  - A line WSL cannot read (a malformed section header, a key without C(=), an unclosed quote, an unknown escape,
    a NUL byte) fails the task with C(file:line), and the file stays byte-identical.
  - Detects from the live host whether it is a WSL distribution, WSL 1 or WSL 2 (kernel release,
    C(/proc/version), C(WSLInterop) entries in binfmt_misc, C(WSL_DISTRO_NAME) and C(WSL_INTEROP) in the
    environment of the module or of PID 1) and whether systemd is PID 1 now. Works on a host that is not WSL,
    for example while building a WSL image; the role decides whether to run it.
  - When the file changes on a WSL host, RV(restart_required) is true and RV(restart_instruction) says exactly
    what to do. A warning is given when C(boot.systemd) is asked on WSL 1, which has no systemd support.
options:
  settings:
    description:
      - "Mapping of section to key to value, for example C({boot: {systemd: true}, network: {generateResolvConf: false}})."
      - Booleans are written C(true) or C(false), the way WSL reads them. A value of V(null) removes the key.
      - Keys left out are not managed.
    type: dict
    default: {}
  path:
    description:
      - The file to edit. A symlink is followed to the regular file WSL reads through it.
      - For O(format=wslconfig), the C(.wslconfig) file in the Windows user's profile, for example
        C(/mnt/c/Users/me/.wslconfig); its directory must exist (the Windows drive mounted).
    type: path
    default: /etc/wsl.conf
  format:
    description:
      - V(wsl.conf) knows the documented sections C(automount), C(network), C(interop), C(user), C(boot),
        C(gpu) and C(time); V(wslconfig) knows C(wsl2) and C(experimental).
    type: str
    choices: [wsl.conf, wslconfig]
    default: wsl.conf
  strict:
    description:
      - Reject sections and keys that the chosen O(format) does not document, and values of the wrong type, naming
        them. With V(false), unknown names are written as given (the type of the value decides how).
    type: bool
    default: true
  only_on_wsl:
    description:
      - On a host that is not a WSL distribution, read and change nothing and return one C(wsl.host) finding
        C(skip) with the detection's evidence. The C(gocompat.baseline.wsl) role uses it when it does not know
        yet whether the host is WSL, so that the detection and the edit cost one call.
    type: bool
    default: false
extends_documentation_fragment:
  - gocompat.baseline.module
  - gocompat.baseline.module.backup
notes:
  - WSL reads C(/etc/wsl.conf) when the distribution starts and C(.wslconfig) when the WSL 2 VM starts. This module
    never restarts WSL (it runs inside it); follow RV(restart_instruction).
  - C(boot.systemd) needs WSL 0.67.6 or later and WSL 2.
  - On a Windows drive mounted without the DrvFs C(metadata) option, files have no Unix owner or mode and
    C(chmod) fails there; C(.wslconfig) is then replaced without them (Windows ACLs apply).
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: systemd as PID 1 of this WSL distribution
  gocompat.baseline.wsl_conf:
    settings:
      boot:
        systemd: true
  register: wsl

- name: Tell the administrator what to do
  ansible.builtin.debug:
    msg: "{{ wsl.restart_instruction }}"
  when: wsl.restart_required

- name: Audit only, with the lines that would change
  gocompat.baseline.wsl_conf:
    settings:
      boot:
        systemd: true
      network:
        generateResolvConf: false
  check_mode: true
  diff: true

- name: Remove a key, keep a backup, allow a key this module does not know
  gocompat.baseline.wsl_conf:
    settings:
      boot:
        command: null
      custom:
        feature: true
    strict: false
    backup: true

- name: Only where this is a WSL distribution (elsewhere one skip finding)
  gocompat.baseline.wsl_conf:
    settings:
      boot:
        systemd: true
    only_on_wsl: true

- name: The Windows side (.wslconfig) through the mounted C drive
  gocompat.baseline.wsl_conf:
    path: /mnt/c/Users/dev/.wslconfig
    format: wslconfig
    settings:
      wsl2:
        memory: 8GB
        processors: 4
        kernelCommandLine: cgroup_no_v1=all
'''

RETURN = r'''
path:
  description: The file read and written (a symlink at O(path) resolved to its target).
  returned: always
  type: str
  sample: /etc/wsl.conf
changed_keys:
  description: C(section.key) of every setting this call changes (in check mode, would change).
  returned: always
  type: list
  elements: str
  sample:
    - boot.systemd
restart_required:
  description:
    - True on a WSL host when the file changes (in check mode, would change), or when C(boot.systemd=true) is
      already in the file but systemd is not PID 1 yet. False on a host that is not WSL.
  returned: always
  type: bool
  sample: true
restart_instruction:
  description: What to do for the settings to take effect; empty when no restart is needed.
  returned: always
  type: str
  sample: >-
    /etc/wsl.conf is read when the distribution starts: run "wsl.exe --shutdown" from Windows (PowerShell or cmd),
    or close every shell of this distribution (or run "wsl.exe --terminate Debian") and wait about 8 seconds before
    starting it again
is_wsl:
  description: Whether this host is a WSL distribution.
  returned: always
  type: bool
  sample: true
wsl_version:
  description: 1 or 2, or null when the host is not WSL or the version cannot be told.
  returned: always
  type: int
  sample: 2
systemd_pid1:
  description: Whether systemd is PID 1 now.
  returned: always
  type: bool
  sample: false
distro:
  description: The WSL distribution name (C(WSL_DISTRO_NAME)), empty when unknown.
  returned: always
  type: str
  sample: Debian
evidence:
  description: What the WSL detection is based on.
  returned: always
  type: list
  elements: str
  sample:
    - WSL 2 kernel release 5.15.167.4-microsoft-standard-WSL2
    - /proc/sys/fs/binfmt_misc/WSLInterop
backup_files:
  description: Backup copy of the replaced file, by path.
  returned: when O(backup=true) and an existing file was replaced
  type: dict
  sample:
    /etc/wsl.conf: /etc/wsl.conf.1234.2026-12-04@22:00:00~
findings:
  description:
    - One per requested key, C(wsl.conf.<section>.<key>) (C(wsl.wslconfig.<section>.<key>) for O(format=wslconfig)),
      with C(actual) the value WSL reads now and its C(file:line).
    - With O(only_on_wsl=true) on a host that is not WSL, only C(wsl.host) (C(skip)).
    - C(wsl.systemd) when C(boot.systemd=true) is asked - C(pass) when systemd is PID 1, C(fail) with the
      restart instruction (or, on WSL 1, the conversion to WSL 2) when it is not, C(skip) on a host that is not WSL.
  returned: always
  type: list
  elements: dict
  sample:
    - control: wsl.conf.boot.systemd
      status: fail
      expected: systemd=true in [boot]
      actual: systemd=false (/etc/wsl.conf:2)
      source: /etc/wsl.conf
      remediation: write systemd=true in [boot] of /etc/wsl.conf (gocompat.baseline.wsl role, or this module without check mode)
'''

import os
import posixpath

from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_detect, wsl_ini, wsl_plan, wsl_schema, wsl_winfile
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CONTROL_PATTERNS = (r'wsl\.conf\.[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*',
                    r'wsl\.wslconfig\.[A-Za-z][A-Za-z0-9]*\.[A-Za-z][A-Za-z0-9]*', r'wsl\.systemd',
                    r'wsl\.host', r'wsl\.hosts')  # wsl.hosts: the role's /etc/hosts block (not this module)

ARGUMENT_SPEC = dict(
    settings=dict(type='dict', default={}),
    path=dict(type='path', default='/etc/wsl.conf'),
    format=dict(type='str', choices=list(wsl_plan.FORMATS), default='wsl.conf'),
    strict=dict(type='bool', default=True),
    backup=dict(type='bool', default=False),
    only_on_wsl=dict(type='bool', default=False),
)
DETECT_LIMIT = 1 << 16
_KIND_WORDS = {'dir': 'a directory', 'other': 'not a regular file (a FIFO, socket or device)',
               'link': 'a symlink that does not resolve (a loop)'}


def validate(params):
    path = params['path']
    if not path or not path.startswith('/') or path.endswith('/'):
        raise ModuleFailure('path: %s is not an absolute file path' % quote(path))
    if any(c in path for c in '\x00\n\r') or not all(quote(c) == c for c in path):
        raise ModuleFailure('path: %s holds control characters' % quote(path))
    if '..' in path.split('/') or posixpath.normpath(path) != path:
        raise ModuleFailure('path: %s is not a normalised path (no "..", "." or "//")' % quote(path))
    fmt = params['format']
    try:
        wanted = wsl_schema.check_settings(params['settings'] or {}, wsl_schema.SCHEMAS[fmt], params['strict'], fmt)
    except wsl_schema.Invalid as exc:
        raise ModuleFailure(str(exc))
    return {'path': path, 'format': fmt, 'wanted': wanted, 'backup': params['backup'],
            'only_on_wsl': params['only_on_wsl']}


def _detect(host):
    return wsl_detect.detect(lambda p: host.read_text(p, limit=DETECT_LIMIT), host.exists, host.listdir,
                             dict(os.environ))


def _target(host, path):
    """The regular file to read and write for ``path`` (a symlink followed), and whether it exists."""
    kind = host.kind(path)
    if kind == 'link':
        real = host.realpath(path)
        real_kind = host.kind(real)
        if real_kind == 'absent':
            raise ModuleFailure('path: %s is a symlink to %s, which does not exist' % (quote(path), quote(real)))
        if real_kind != 'file':
            raise ModuleFailure('path: %s is a symlink to %s, which is %s' % (quote(path), quote(real), _KIND_WORDS[real_kind]))
        return real, True
    if kind in ('dir', 'other'):
        raise ModuleFailure('path: %s is %s' % (quote(path), _KIND_WORDS[kind]))
    directory = posixpath.dirname(path)
    if kind == 'absent' and not host.isdir(directory):
        raise ModuleFailure('path: the directory %s does not exist (for .wslconfig: is the Windows drive mounted?)'
                            % quote(directory))
    return path, kind == 'file'


def read(host, options):
    detected = _detect(host)
    if options['only_on_wsl'] and not detected['is_wsl']:
        return {'detected': detected, 'skip': True, 'target': options['path']}
    target, exists = _target(host, options['path'])
    text = None
    if exists:
        data = host.read_bytes(target)
        if data[:2] in (b'\xff\xfe', b'\xfe\xff'):
            raise ModuleFailure('%s: UTF-16 text; WSL reads UTF-8 (save the file as UTF-8)' % quote(target))
        text = data.decode('utf-8', 'surrogateescape')
    try:
        document = wsl_ini.parse(text or '', quote(target))
    except wsl_ini.IniError as exc:
        raise ModuleFailure(str(exc))
    return {'host': host, 'target': target, 'text': text, 'document': document, 'detected': detected, 'skip': False}


def _result(the_plan, target, detected, changes, instruction):
    the_plan.result.update(path=target, changed_keys=changes, restart_required=bool(instruction),
                           restart_instruction=instruction, is_wsl=detected['is_wsl'],
                           wsl_version=detected['wsl_version'], systemd_pid1=detected['systemd_pid1'],
                           distro=quote(detected['distro']), evidence=[quote(e) for e in detected['evidence']])


def plan(options, state, check_mode):
    the_plan = Plan()
    fmt = options['format']
    detected, target = state['detected'], state['target']
    if state['skip']:
        evidence = '; '.join(detected['evidence']) or 'no kernel, interop or environment sign of WSL'
        the_plan.add_finding('wsl.host', 'skip', 'a WSL distribution', 'not a WSL distribution (%s)' % quote(evidence))
        _result(the_plan, target, detected, [], '')
        return the_plan
    document = state['document']
    the_plan.warnings.extend(document.duplicates())
    the_plan.warnings.extend(wsl_schema.file_problems(document, wsl_schema.SCHEMAS[fmt], fmt))
    changes, found = wsl_plan.apply(document, options['wanted'], fmt, check_mode)
    source = target if state['text'] is not None else ''
    for control, status, expected, actual, remediation in found:
        the_plan.add_finding(control, status, expected, actual, source, remediation)
    wants_systemd = fmt == 'wsl.conf' and ('boot', 'systemd', 'bool', 'true') in options['wanted']
    if wants_systemd:
        the_plan.add_finding('wsl.systemd', *_systemd(detected))
        if detected['wsl_version'] == 1:
            the_plan.warnings.append('boot.systemd is asked on WSL 1, which cannot run systemd as PID 1; it takes '
                                     'effect only once the distribution is converted to WSL 2')
    after = document.render()
    if changes and after != (state['text'] or '') and fmt == 'wslconfig':
        # the Windows drive may have no Unix owner and mode (DrvFs without metadata)
        wsl_winfile.plan_write(the_plan, state['host'], target, state['text'], after, backup=options['backup'])
    elif changes and after != (state['text'] or ''):
        the_plan.write_file(state['host'], target, state['text'], after, backup=options['backup'])
    pending = wants_systemd and detected['wsl_version'] != 1 and not detected['systemd_pid1']
    restart = detected['is_wsl'] and bool(changes or pending)
    instruction = wsl_plan.restart_instruction(fmt, target, detected['distro']) if restart else ''
    if restart:
        the_plan.warnings.append('restart required: ' + instruction)
    _result(the_plan, target, detected, changes, instruction)
    return the_plan


def _systemd(detected):
    status, expected, actual, remediation = wsl_plan.systemd_finding(detected, True)
    return status, expected, actual, wsl_detect.PID1_COMM if detected['pid1'] else '', remediation


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
