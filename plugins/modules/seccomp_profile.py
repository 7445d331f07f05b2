#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: seccomp_profile
short_description: A deny-by-default seccomp profile that Go tests (threads, -race, namespaces) run under
version_added: 0.3.0
description:
  - Writes a seccomp profile in the Docker/moby JSON form (C(defaultAction), C(defaultErrnoRet), C(archMap),
    C(syscalls) with C(names), C(action), C(errnoRet), C(args), C(includes), C(comment)), which Docker,
    containerd/CRI (Kubernetes C(Localhost) profiles) and Podman load; or, with O(format=oci), the OCI
    runtime-spec C(linux.seccomp) form.
  - The base is the collection's own deny-by-default profile (about 340 syscalls in documented groups, for
    amd64 and arm64), or, with O(base=file), an existing profile on the host such as the one containers-common
    ships, which is patched.
  - Adds what Go test binaries need, each switchable. C(clone3) answers ENOSYS, so glibc 2.34+ falls back to
    C(clone) instead of failing to start threads on EPERM. C(personality) is allowed for the usual personas and
    C(ADDR_NO_RANDOMIZE), which the race detector sets when it re-executes itself.
  - Validates the whole profile before writing it, including a base file. Checked are the JSON structure and
    field types, the known actions, operators and architectures, duplicate or contradicting rules, and syscall
    names known to libseccomp (its Python binding, else C(scmp_sys_resolver), else the collection's table).
    A base file that fails names its JSON path. Nothing is written then.
  - The default action is never widened to allow. O(default_action=allow) and O(default_action=log) are
    refused with a message, and so is a base file with such a default.
  - The output is deterministic (names sorted in each rule, fixed key order, two-space indent, trailing
    newline), so re-runs are idempotent and diffs are readable.
options:
  path:
    description:
      - Where the profile is written. The file name must end in C(.json); missing parent directories are created.
      - A symlink, directory or special file at this path is refused.
    type: path
    required: true
  base:
    description:
      - V(builtin) starts from the collection's deny-by-default profile; V(file) patches the profile at O(base_path).
    type: str
    choices: [builtin, file]
    default: builtin
  base_path:
    description:
      - The profile to patch with O(base=file), for example C(/usr/share/containers/seccomp.json). It may be O(path)
        itself (patching in place is idempotent).
      - Rules for the names this call manages are taken out of the base; its other rules and its C(archMap) are kept.
    type: path
  arches:
    description:
      - Architectures of the profile. V(amd64) adds C(SCMP_ARCH_X86_64) with C(SCMP_ARCH_X86) and C(SCMP_ARCH_X32);
        V(arm64) adds C(SCMP_ARCH_AARCH64) with C(SCMP_ARCH_ARM).
      - Left out, the built-in base has both; a base file keeps its own and gets the listed ones added.
    type: list
    elements: str
    choices: [amd64, arm64]
  default_action:
    description:
      - What a syscall outside the profile gets. Left out, C(SCMP_ACT_ERRNO) for the built-in base and the base
        file's own action for O(base=file).
      - V(allow) and V(log) are refused, because they would run every unlisted syscall.
    type: str
    choices: [errno, kill_process, kill_thread, trap, log, allow]
  default_errno:
    description:
      - The errno of the default action V(errno) (C(defaultErrnoRet)); 1 (EPERM) for the built-in base.
    type: int
  clone:
    description: Allow C(clone), with namespace flags too.
    type: bool
    default: true
  clone3:
    description:
      - V(enosys) answers C(clone3) with ENOSYS (errno 38), so glibc falls back to C(clone); V(allow) lets it run;
        V(unmanaged) leaves it to the base.
    type: str
    choices: [enosys, allow, unmanaged]
    default: enosys
  namespaces:
    description: Allow C(unshare) and C(setns).
    type: bool
    default: true
  personality:
    description:
      - Allow C(personality) for PER_LINUX, PER_LINUX32, UNAME26, their combination, C(ADDR_NO_RANDOMIZE)
        (0x0040000) and the query 0xffffffff.
    type: bool
    default: true
  ptrace:
    description: Allow C(ptrace), C(process_vm_readv), C(process_vm_writev) and C(kcmp), for debuggers.
    type: bool
    default: true
  memfd_create:
    description: Allow C(memfd_create).
    type: bool
    default: true
  pidfd:
    description: Allow C(pidfd_open), C(pidfd_send_signal) and C(pidfd_getfd).
    type: bool
    default: true
  copy_file_range:
    description: Allow C(copy_file_range).
    type: bool
    default: true
  rseq:
    description: Allow C(rseq).
    type: bool
    default: true
  extra_allow:
    description: More syscall names to allow without conditions.
    type: list
    elements: str
    default: []
  extra_deny:
    description: Syscall names to deny with EPERM, taken out of every rule of the base.
    type: list
    elements: str
    default: []
  format:
    description:
      - V(docker) writes the Docker/moby form, which Docker, Podman and containerd read. V(oci) writes the OCI
        C(linux.seccomp) form, without comments, capability or kernel conditions.
    type: str
    choices: [docker, oci]
    default: docker
extends_documentation_fragment:
  - gocompat.baseline.module
  - gocompat.baseline.module.backup
notes:
  - Runtimes read a profile when a container starts; running containers keep theirs. Register the file with
    the runtimes (the C(gocompat.baseline.seccomp) role does that).
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: The built-in deny-by-default profile with every Go-test switch on
  gocompat.baseline.seccomp_profile:
    path: /etc/gocompat/seccomp/go-tests.json

- name: Patch the profile containers-common ships, amd64 only, without ptrace
  gocompat.baseline.seccomp_profile:
    path: /etc/containers/seccomp-go-tests.json
    base: file
    base_path: /usr/share/containers/seccomp.json
    arches: [amd64]
    ptrace: false

- name: A kubelet Localhost profile in the OCI form, with an extra allow and deny
  gocompat.baseline.seccomp_profile:
    path: /var/lib/kubelet/seccomp/profiles/go-tests.json
    format: oci
    extra_allow: [io_uring_setup, io_uring_enter, io_uring_register]
    extra_deny: [userfaultfd]

- name: Audit only (check mode), with the diff
  gocompat.baseline.seccomp_profile:
    path: /etc/gocompat/seccomp/go-tests.json
  check_mode: true
  diff: true
'''

RETURN = r'''
path:
  description: The profile file.
  returned: always
  type: str
  sample: /etc/gocompat/seccomp/go-tests.json
format:
  description: The form written, V(docker) or V(oci).
  returned: always
  type: str
  sample: docker
name_check:
  description: What checked the syscall names, C(python3-seccomp), C(scmp_sys_resolver) or C(table).
  returned: always
  type: str
  sample: python3-seccomp
allowed_syscalls:
  description: How many syscall names the profile allows without conditions.
  returned: always
  type: int
  sample: 360
changed_files:
  description: The files this call writes (in check mode, would write).
  returned: always
  type: list
  elements: str
  sample: [/etc/gocompat/seccomp/go-tests.json]
created_dirs:
  description: Directories this call creates (in check mode, would create), outermost first.
  returned: always
  type: list
  elements: str
  sample: [/etc/gocompat/seccomp]
backup_files:
  description: Backup copy of the replaced file, by path.
  returned: when O(backup=true) and an existing file was replaced
  type: dict
  sample:
    /etc/gocompat/seccomp/go-tests.json: /etc/gocompat/seccomp/go-tests.json.1234.2026-12-04@22:00:00~
findings:
  description:
    - One, C(seccomp.profile). C(actual) describes the file before the run (absent, other content, or the wanted one).
  returned: always
  type: list
  elements: dict
  sample:
    - control: seccomp.profile
      status: fail
      expected: "SCMP_ACT_ERRNO by default; clone3 -> ENOSYS; personality incl. ADDR_NO_RANDOMIZE; allowed: clone,
        namespaces, ptrace, memfd_create, pidfd, copy_file_range, rseq; 360 syscalls allowed unconditionally"
      actual: absent
      source: ""
      remediation: write /etc/gocompat/seccomp/go-tests.json (gocompat.baseline.seccomp role, or this module without check mode)
'''

import posixpath

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_build as B
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_plan as P
from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure, Plan, run_module

CONTROL_PATTERNS = (r'seccomp\.profile',)

ARGUMENT_SPEC = dict(
    path=dict(type='path', required=True),
    base=dict(type='str', choices=['builtin', 'file'], default='builtin'),
    base_path=dict(type='path'),
    arches=dict(type='list', elements='str', choices=['amd64', 'arm64']),
    default_action=dict(type='str', choices=['errno', 'kill_process', 'kill_thread', 'trap', 'log', 'allow']),
    default_errno=dict(type='int'),
    clone=dict(type='bool', default=True),
    clone3=dict(type='str', choices=['enosys', 'allow', 'unmanaged'], default='enosys'),
    namespaces=dict(type='bool', default=True),
    personality=dict(type='bool', default=True),
    ptrace=dict(type='bool', default=True),
    memfd_create=dict(type='bool', default=True),
    pidfd=dict(type='bool', default=True),
    copy_file_range=dict(type='bool', default=True),
    rseq=dict(type='bool', default=True),
    extra_allow=dict(type='list', elements='str', default=[]),
    extra_deny=dict(type='list', elements='str', default=[]),
    format=dict(type='str', choices=['docker', 'oci'], default='docker'),
    backup=dict(type='bool', default=False),
)

_KIND_WORDS = {'link': 'a symlink', 'dir': 'a directory', 'other': 'not a regular file'}


def validate(params):
    try:
        return P.check_options(params)
    except P.Invalid as exc:
        raise ModuleFailure(str(exc))


def read(host, options):
    state = {'host': host, 'kind': host.kind(options['path']), 'text': None, 'base_text': None}
    if state['kind'] == 'file':
        state['text'] = host.read_text(options['path'])
    if options['base'] == 'file':
        where = options['base_path']
        kind = host.kind(where)
        if kind == 'absent':
            raise ModuleFailure('base_path %s does not exist' % where)
        if kind in ('dir', 'other'):
            raise ModuleFailure('base_path %s is %s, not a profile file' % (where, _KIND_WORDS[kind]))
        state['base_text'] = host.read_text(where)  # a symlink is followed; read_text refuses special files
        if state['base_text'] is None:
            raise ModuleFailure('base_path %s is a symlink to nothing' % where)
    state['missing_dirs'] = host.missing_parents(options['path'])
    parent = posixpath.dirname(state['missing_dirs'][0] if state['missing_dirs'] else options['path'])
    state['parent_kind'] = host.kind(parent)
    state['names'] = V.NameCheck(host.run)
    try:
        state['profile'], state['wanted'] = P.wanted(options, state['base_text'], state['names'])
    except V.ProfileError as exc:
        raise ModuleFailure(str(exc))
    return state


def plan(options, state, check_mode):
    the_plan = Plan()
    path = options['path']
    kind, before, after = state['kind'], state['text'], state['wanted']
    if kind not in ('absent', 'file'):
        the_plan.refusals.append('path %s is %s; move it away or choose another path' % (path, _KIND_WORDS[kind]))
    elif state['parent_kind'] not in ('dir', 'link'):
        the_plan.refusals.append('path %s cannot be written: %s is not a directory' % (path, posixpath.dirname(path)))
    change = before != after
    if before is None:
        actual = 'absent' if kind == 'absent' else _KIND_WORDS[kind]
    else:
        actual = 'the wanted profile' if not change else 'a different profile (%d lines, %d wanted)' % (
            len(before.splitlines()), len(after.splitlines()))
    status = F.status_for_change(change, check_mode)
    the_plan.add_finding('seccomp.profile', status, P.summary(options, state['profile']), actual,
                         path if kind == 'file' else '',
                         'write %s (gocompat.baseline.seccomp role, or this module without check mode)' % path
                         if status == F.FAIL else '')
    created = state['missing_dirs'] if change else []
    if change and not the_plan.refusals:
        the_plan.make_dirs(state['host'], created)
        the_plan.write_file(state['host'], path, before, after, backup=options['backup'])
    the_plan.result.update(path=path, format=options['format'], name_check=state['names'].source,
                           allowed_syscalls=len(B.allowed_names(state['profile'])),
                           changed_files=[path] if change else [], created_dirs=created)
    return the_plan


def main():
    run_module(ARGUMENT_SPEC, validate, read, plan)


if __name__ == '__main__':
    main()
