# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_facts' pure side: parsers for the /proc and /etc texts it reads, and the findings of the audit-only
controls (host.cgroup_v2, host.pids_max, host.seccomp, env.user_goenv). No I/O: host_facts_read.py gathers
the texts through a module_base.Host and hands them here."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import is_decimal, quote

# go env keys that a user's `go env -w` file must not override: the managed go.env sets the toolchain
# policy, and a per-user GOFLAGS/GOPROXY/GOTMPDIR/GOCACHE silently changes every build of that user.
OVERRIDE_KEYS = ('GOTOOLCHAIN', 'GOFLAGS', 'GOPROXY', 'GOTMPDIR', 'GOCACHE')
# What a login shell's environment is reduced to: the go command's own variables and what it reads besides.
LOGIN_ENV_KEY = re.compile(r'\A(?:GO[A-Z0-9_]*|CGO_[A-Z0-9_]+|PATH|TMPDIR)\Z')
# Below this many tasks, `go test -race -p=4` of a package that runs many goroutines and children hits EAGAIN.
PIDS_MIN = 4096
SECCOMP_MODES = {0: 'disabled', 1: 'strict', 2: 'filter'}
VALUE_LIMIT = 300
WSL_CMDLINE = 'cgroup_no_v1=all'
SYSTEMD_CMDLINE = 'systemd.unified_cgroup_hierarchy=1'


def first_line(text):
    return (text or '').strip().split('\n')[0].strip()


def cgroup_layout(mounts):
    """(version, evidence) from parsed mountinfo: 'v2' when /sys/fs/cgroup is a cgroup2 mount, 'hybrid' when
    v1 controllers sit next to a cgroup2 mount, 'v1', or 'none' when nothing is mounted there."""
    at = [m for m in mounts if m.mountpoint == '/sys/fs/cgroup' or m.mountpoint.startswith('/sys/fs/cgroup/')]
    top = [m for m in at if m.mountpoint == '/sys/fs/cgroup']
    if top and top[-1].fstype == 'cgroup2':
        return 'v2', '/sys/fs/cgroup is cgroup2fs'
    v1 = sorted(set(m.mountpoint for m in at if m.fstype == 'cgroup'))
    v2 = sorted(set(m.mountpoint for m in at if m.fstype == 'cgroup2'))
    if v1 and v2:
        return 'hybrid', 'cgroup v1 hierarchies (%s) next to cgroup2 at %s' % (
            ', '.join(quote(p, 80) for p in v1[:4]) + (', ...' if len(v1) > 4 else ''), quote(v2[0], 80))
    if v1:
        return 'v1', 'only cgroup v1 hierarchies (%s)' % ', '.join(quote(p, 80) for p in v1[:4])
    return 'none', 'no cgroup file system is mounted at /sys/fs/cgroup'


def own_cgroup(text, v2):
    """This process's cgroup path: the ``0::`` line on v2, the pids controller's line on v1."""
    for line in (text or '').splitlines():
        parts = line.split(':', 2)
        if len(parts) != 3:
            continue
        if v2 and parts[0] == '0' and parts[1] == '':
            return parts[2]
        if not v2 and 'pids' in parts[1].split(','):
            return parts[2]
    return None


def parse_pids_max(text):
    """'max' or a positive int from a pids.max file; None when unreadable or malformed."""
    value = first_line(text)
    if value == 'max':
        return 'max'
    if is_decimal(value) and len(value) <= 12:
        return int(value)
    return None


def tasks_max_value(setting, pid_max, threads_max):
    """A systemd TasksMax= value as a number of tasks: N, P% of the kernel's limit (the smaller of
    kernel.pid_max and kernel.threads-max, as systemd computes it) or 'max' for infinity; None when the
    kernel limit needed for a percentage is unknown."""
    if setting == 'infinity':
        return 'max'
    if setting.endswith('%'):
        limits = [v for v in (pid_max, threads_max) if isinstance(v, int)]
        if not limits:
            return None
        return int(min(limits) * float(setting[:-1]) / 100)
    return int(setting)


def smallest(values):
    numbers = [v for v in values if isinstance(v, int)]
    if numbers:
        return min(numbers)
    return 'max' if any(v == 'max' for v in values) else None


def parse_seccomp(status_text):
    """(mode, filters) from /proc/self/status; (None, None) when the kernel does not say."""
    mode = filters = None
    for line in (status_text or '').splitlines():
        key, _sep, value = line.partition(':')
        value = value.strip()
        if key == 'Seccomp' and is_decimal(value):
            mode = int(value)
        elif key == 'Seccomp_filters' and is_decimal(value):
            filters = int(value)
    return mode, filters


def parse_passwd(text):
    """[(name, uid, home)] for root and regular accounts (uid >= 1000, not nobody's 65534), in file order."""
    users = []
    for line in (text or '').splitlines():
        fields = line.split(':')
        if len(fields) < 7 or not is_decimal(fields[2]) or not fields[5].startswith('/'):
            continue
        uid = int(fields[2])
        if uid == 0 or 1000 <= uid < 65534:
            users.append((fields[0], uid, fields[5]))
    return users


def parse_go_env_settings(text):
    """{KEY: value} of a go env file (``KEY=VALUE`` lines, as `go env -w` writes them; the last one wins)."""
    settings = {}
    for line in (text or '').splitlines():
        line = line.strip()
        if not line or line.startswith('#') or '=' not in line:
            continue
        key, value = line.split('=', 1)
        if re.match(r'\A[A-Z][A-Z0-9_]*\Z', key):
            settings[key] = quote(value, VALUE_LIMIT)
    return settings


def parse_env_output(text):
    """The Go-related variables of `env` output (see LOGIN_ENV_KEY), values quoted and bounded."""
    found = {}
    for line in (text or '').splitlines():
        key, sep, value = line.partition('=')
        if sep and LOGIN_ENV_KEY.match(key):
            found[key] = quote(value, VALUE_LIMIT)
    return found


def tmp_fact(mount):
    """The /tmp mount as facts: on its own mount or not, file system, source and options."""
    if mount is None:
        return {'mounted': False, 'fstype': '', 'source': '', 'options': [], 'noexec': False}
    options = mount.all_options()
    return {'mounted': True, 'fstype': mount.fstype, 'source': quote(mount.source, 200),
            'options': [quote(o, 100) for o in options], 'noexec': 'noexec' in mount.options}


# --- findings: (status, expected, actual, source, remediation) ---------------------------------------

def cgroup_finding(cgroup, wsl):
    expected = 'the unified cgroup v2 hierarchy (cgroup2fs at /sys/fs/cgroup)'
    version, evidence = cgroup['version'], cgroup['evidence']
    if version == 'v2':
        return 'pass', expected, evidence, '/proc/self/mountinfo', ''
    if version == 'none':
        return 'skip', expected, evidence + ' (a chroot or a container without /sys/fs/cgroup)', '/proc/self/mountinfo', ''
    if wsl:
        remediation = ('on Windows, add %s to kernelCommandLine under [wsl2] in %%UserProfile%%\\.wslconfig, then '
                       'run wsl.exe --shutdown (reboot of the WSL VM)' % WSL_CMDLINE)
    else:
        remediation = ('boot with the unified hierarchy: add %s to GRUB_CMDLINE_LINUX in /etc/default/grub, run '
                       'update-grub and reboot (systemd 256 and later support nothing else)' % SYSTEMD_CMDLINE)
    return 'fail', expected, evidence, '/proc/self/mountinfo', remediation


def pids_finding(pids):
    """host.pids_max: every task limit that applies to a login session, a service and this process (the
    container's own limit) must allow PIDS_MIN tasks."""
    expected = 'at least %d tasks for a login session, a service and this process (pids.max, TasksMax)' % PIDS_MIN
    parts, low, sources = [], [], []
    for key, what in (('login', 'login session'), ('service', 'service'), ('process', 'this process')):
        value = pids[key]
        where = pids[key + '_source']
        if where:
            sources.append(where.split(' ')[0])
        if value is None:
            parts.append('%s: unknown' % what)
            continue
        parts.append('%s: %s (%s)' % (what, value, where))
        if isinstance(value, int) and value < PIDS_MIN:
            low.append(key)
    actual = '; '.join(parts)
    source = ', '.join(sorted(set(s for s in sources if s.startswith('/'))))
    if not low:
        known = [k for k in ('login', 'service', 'process') if pids[k] is not None]
        return ('pass' if known else 'skip'), expected, actual, source, ''
    fixes = []
    if 'login' in low:
        fixes.append('raise TasksMax of user-.slice (kernel role: kernel_systemd_user_tasks_max), then log in again')
    if 'service' in low:
        fixes.append('raise DefaultTasksMax (kernel role: kernel_systemd_default_tasks_max), then systemctl daemon-reexec '
                     'and restart the services')
    if 'process' in low:
        fixes.append('start the container with a larger task limit (docker/podman run --pids-limit 8192, or '
                     'pids.limit in the pod spec)')
    return 'fail', expected, actual, source, '; '.join(fixes)


def seccomp_finding(mode, filters):
    expected = 'no seccomp filter on the processes that run Go tests, or the Go-test profile of the seccomp role'
    source = '/proc/self/status'
    if mode is None:
        return 'skip', expected, 'the kernel does not report a seccomp mode (built without seccomp)', source, ''
    name = SECCOMP_MODES.get(mode, 'unknown mode %d' % mode)
    if mode == 0:
        return 'pass', expected, 'Seccomp: 0 (disabled)', source, ''
    actual = 'Seccomp: %d (%s), %s filter(s)' % (mode, name, filters if filters is not None else 'unknown')
    remediation = ('this runs under a seccomp filter that cannot be inspected from inside: run the container with the '
                   'Go-test profile of the seccomp role (docker run --security-opt seccomp=/etc/gocompat/seccomp/'
                   'go-tests.json), then confirm with go_probe (probe.race); waive host.seccomp once the probe passes')
    return 'fail', expected, actual, source, remediation


def user_goenv_finding(entries):
    """env.user_goenv: per-user go env files that override a managed key."""
    expected = 'no per-user go env file ($HOME/.config/go/env) overrides %s' % ', '.join(OVERRIDE_KEYS)
    offending = [e for e in entries if e['overrides']]
    sources = ', '.join(e['path'] for e in offending) or ', '.join(e['path'] for e in entries)
    if not offending:
        actual = ('%d user go env file(s), none overrides a managed key' % len(entries)) if entries else \
            'no user has a go env file'
        return 'pass', expected, actual, sources, ''
    actual = '; '.join('%s: %s' % (e['user'], ', '.join('%s=%s' % (k, e['settings'][k]) for k in e['overrides']))
                       for e in offending)
    remediation = '; '.join('as %s run: go env -u %s' % (e['user'], ' '.join(e['overrides'])) for e in offending)
    return 'fail', expected, quote(actual, 1000), sources, remediation
