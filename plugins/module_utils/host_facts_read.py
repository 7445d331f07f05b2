# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_facts' reads: every /proc, /sys and /etc text through a module_base.Host, one login shell through its
Runner. Nothing here fails the module: what cannot be read is reported as unknown (None or empty)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import posixpath

from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
from ansible_collections.gocompat.baseline.plugins.module_utils import host_facts_parse as P
from ansible_collections.gocompat.baseline.plugins.module_utils import systemd_conf
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_decimal, quote
from ansible_collections.gocompat.baseline.plugins.module_utils.tmp_mounts import MountinfoError, mount_at, parse_mountinfo

MOUNTINFO = '/proc/self/mountinfo'
CGROUP = '/proc/self/cgroup'
STATUS = '/proc/self/status'
PID_MAX = '/proc/sys/kernel/pid_max'
THREADS_MAX = '/proc/sys/kernel/threads-max'
PASSWD = '/etc/passwd'
MARKER_NAME = '.gocompat-sdk.json'  # go_sdk_io.MARKER_NAME (read only here: that module also writes)
USER_GOENV = '.config/go/env'
LOGIN_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
LOGIN_TIMEOUT = 5
MAX_SLICES = 200
MAX_USERS = 500


def text(host, path, limit=1 << 20):
    try:
        return host.read_text(path, limit=limit)
    except (EnvironmentError, ValueError):
        return None


def _int(host, path):
    value = P.first_line(text(host, path, 64))
    return int(value) if is_decimal(value) and len(value) <= 12 else None


def _listdir(host, path):
    try:
        return host.listdir(path)
    except (EnvironmentError, ValueError):
        return []


def gather(host, sdk_root):
    """Every fact of host_facts as one dict (the ``gocompat`` fact)."""
    detected = host_detect.on_host(host)
    try:
        mounts = parse_mountinfo(text(host, MOUNTINFO) or '')
    except MountinfoError:
        mounts = []
    version, evidence = P.cgroup_layout(mounts)
    mode, filters = P.parse_seccomp(text(host, STATUS, 1 << 16))
    facts = {
        'wsl': detected['wsl'],
        'wsl_version': detected['wsl_version'],
        'kernel_release': detected['kernel_release'],
        'systemd_pid1': detected['systemd_pid1'],
        'pid1': detected['pid1'],
        'cgroup': {'version': version, 'evidence': evidence},
        'seccomp': {'mode': mode, 'name': P.SECCOMP_MODES.get(mode, 'unknown'), 'filters': filters},
        'tmp': P.tmp_fact(mount_at(mounts, '/tmp')),
        'sdks': read_sdks(host, sdk_root),
    }
    facts['pids_max'] = read_pids(host, version, detected['systemd_installed'])
    facts['login_env'], facts['login_env_error'] = login_env(host)
    facts['user_goenv'] = read_user_goenv(host)
    return facts, detected


def read_sdks(host, root):
    """[{version, goroot, sha256}] of the SDKs under ``root`` that carry go_sdk_install's marker."""
    sdks = []
    for name in _listdir(host, root):
        goroot = posixpath.join(root, name)
        if not name.startswith('go') or host.kind(goroot) != 'dir':
            continue
        try:
            marker = json.loads(text(host, posixpath.join(goroot, MARKER_NAME), 1 << 16) or 'null')
        except ValueError:
            continue
        if isinstance(marker, dict) and marker.get('version') == name:
            sha = marker.get('sha256')
            sdks.append({'version': name, 'goroot': goroot, 'sha256': sha if isinstance(sha, str) else ''})
    return sdks


def _cgroup_base(version):
    return '/sys/fs/cgroup' if version == 'v2' else '/sys/fs/cgroup/pids'


def read_pids(host, version, systemd_installed):
    """The task limits a login session, a service and this process get: live pids.max where the cgroup
    exists, else what systemd's configuration gives (TasksMax of user-.slice, DefaultTasksMax)."""
    pid_max, threads_max = _int(host, PID_MAX), _int(host, THREADS_MAX)
    out = {'kernel_pid_max': pid_max, 'kernel_threads_max': threads_max}
    base = _cgroup_base(version)
    kernel = smallest_kernel(pid_max, threads_max)
    # login: the smallest live user-UID.slice limit, else the configured one
    slices = [n for n in _listdir(host, base + '/user.slice') if n.startswith('user-') and n.endswith('.slice')]
    live = [(P.parse_pids_max(text(host, '%s/user.slice/%s/pids.max' % (base, n), 64)), n) for n in slices[:MAX_SLICES]]
    live = [(v, n) for v, n in live if v is not None]
    if live and version != 'none':
        value = P.smallest([v for v, _n in live])
        names = [n for v, n in live if v == value]
        out['login'], out['login_source'] = value, '%s/user.slice/%s/pids.max' % (base, names[0])
    elif systemd_installed:
        out['login'], out['login_source'] = _configured(
            host, systemd_conf.unit_dropin_dirs('user-.slice'), 'Slice', 'TasksMax', '33%', pid_max, threads_max)
    else:
        out['login'], out['login_source'] = kernel
    if systemd_installed:
        out['service'], out['service_source'] = _configured(
            host, systemd_conf.manager_dropin_dirs('system.conf'), 'Manager', 'DefaultTasksMax', '15%', pid_max,
            threads_max, main=systemd_conf.manager_main('system.conf'))
    else:
        out['service'], out['service_source'] = kernel
    own = P.own_cgroup(text(host, CGROUP, 1 << 16), version == 'v2')
    value = None
    if own is not None and version != 'none':
        path = posixpath.normpath(base + '/' + own.lstrip('/')) + '/pids.max'
        value = P.parse_pids_max(text(host, path, 64)) if path.startswith(base + '/') else None
        if value is not None:
            out['process'], out['process_source'] = value, path
    if value is None:
        out['process'], out['process_source'] = kernel
    return out


def smallest_kernel(pid_max, threads_max):
    value = P.smallest([v for v in (pid_max, threads_max) if v is not None])
    return value, ('%s, %s' % (PID_MAX, THREADS_MAX)) if value is not None else ''


def _configured(host, dirs, section, key, default, pid_max, threads_max, main=None):
    files = []
    if main:
        for path in main:
            content = text(host, path)
            if content is not None:
                files.append((path, content))
                break
    tree = {}
    for directory in dirs:
        names = [n for n in _listdir(host, directory) if n.endswith('.conf')]
        tree[directory] = dict((n, text(host, posixpath.join(directory, n)) or '') for n in names)
    files.extend(systemd_conf.dropin_order(dirs, tree))
    setting, where = systemd_conf.assignment(files, section, key, systemd_conf.valid_tasks_max)
    if setting is None:
        setting, where = default, 'systemd default'
    value = P.tasks_max_value(setting, pid_max, threads_max)
    return value, '%s %s=%s' % (where, key, setting)


def login_env(host):
    """The Go environment a fresh login shell of root gets (/etc/profile and /etc/profile.d, no home
    profile): ``sh -l`` run with an empty environment. Returns (variables, error or '')."""
    argv = ['env', '-i', 'HOME=/nonexistent', 'PATH=' + LOGIN_PATH, 'sh', '-l', '-c', 'env']
    try:
        result = host.run(argv, timeout=LOGIN_TIMEOUT, check=True)
    except CommandError as exc:
        return {}, quote(str(exc), 400)
    return P.parse_env_output(result.out), ''


def read_user_goenv(host):
    """[{user, uid, path, settings, overrides}] for each root or regular user with a go env file."""
    entries = []
    for name, uid, home in P.parse_passwd(text(host, PASSWD))[:MAX_USERS]:
        path = posixpath.join(home, USER_GOENV)
        if host.kind(path) != 'file':  # never follow a user's symlink as root
            continue
        settings = P.parse_go_env_settings(text(host, path, 1 << 16))
        overrides = [k for k in P.OVERRIDE_KEYS if k in settings]
        entries.append({'user': quote(name, 64), 'uid': uid, 'path': quote(path, 300), 'settings': settings,
                        'overrides': overrides})
    return entries
