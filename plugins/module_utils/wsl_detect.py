# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Is this host a WSL distribution, WSL 1 or WSL 2, and is systemd PID 1 now. Pure: it gets callables to
read a file, test a path and list a directory, and the module's environment, so tests fake a host (or a
container fakes WSL with files bind-mounted over /proc). Files, not uname(): the kernel release in
/proc/sys/kernel/osrelease is what uname reports.

Evidence, strongest first:
  - kernel release: WSL 2 kernels end in ``-microsoft-standard-WSL2`` (older ones ``-microsoft-standard``);
    WSL 1 reports a fixed release ending in ``-Microsoft`` (e.g. ``4.4.0-19041-Microsoft``);
  - /proc/version names ``Microsoft@Microsoft.com`` on WSL 1 and ``microsoft-standard`` on WSL 2;
  - ``WSLInterop`` / ``WSLInterop-late`` in /proc/sys/fs/binfmt_misc (absent when interop is off);
  - ``WSL_DISTRO_NAME`` and ``WSL_INTEROP`` in the environment, of the module or of PID 1 (WSL 2 sets
    WSL_INTEROP only: WSL 1 has no interop socket).
A container on a WSL 2 kernel (Docker Desktop) shows only the kernel: with a container marker and no
other evidence it is not a WSL distribution, and wsl.conf means nothing there."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

OSRELEASE = '/proc/sys/kernel/osrelease'
PROC_VERSION = '/proc/version'
BINFMT_DIR = '/proc/sys/fs/binfmt_misc'
PID1_ENVIRON = '/proc/1/environ'
PID1_COMM = '/proc/1/comm'
CONTAINER_MARKERS = ('/.dockerenv', '/run/.containerenv')
ENV_KEYS = ('WSL_DISTRO_NAME', 'WSL_INTEROP')

KEYS = ('is_wsl', 'wsl_version', 'distro', 'systemd_pid1', 'pid1', 'kernel_release', 'evidence')

_WSL2_KERNEL = re.compile(r'microsoft-standard|WSL2', re.IGNORECASE)
_WSL1_KERNEL = re.compile(r'-Microsoft\Z')


def _safe(call, *args):
    try:
        return call(*args)
    except (EnvironmentError, ValueError):  # unreadable /proc/1/* without privileges, a refused file
        return None


def _first_line(text):
    return (text or '').strip().split('\n')[0].strip()


def parse_environ(data):
    """/proc/PID/environ (NUL-separated bytes or text) -> dict of the WSL keys found."""
    if data is None:
        return {}
    if isinstance(data, bytes):
        data = data.decode('utf-8', 'replace')
    found = {}
    for item in data.split('\x00'):
        name, sep, value = item.partition('=')
        if sep and name in ENV_KEYS:
            found[name] = value
    return found


def detect(read, exists, listdir, environ):
    """``read(path)`` -> text or None, ``exists(path)`` -> bool, ``listdir(path)`` -> names,
    ``environ`` -> the module's environment. Returns a dict with every key of KEYS."""
    release = _first_line(_safe(read, OSRELEASE))
    version_text = _first_line(_safe(read, PROC_VERSION))
    pid1 = _first_line(_safe(read, PID1_COMM))
    evidence = []
    kernel_version = None
    if _WSL1_KERNEL.search(release) or 'Microsoft@Microsoft.com' in version_text:
        kernel_version = 1
        evidence.append('WSL 1 kernel release %s' % (release or version_text[:80]))
    elif _WSL2_KERNEL.search(release) or 'microsoft-standard' in version_text.lower():
        kernel_version = 2
        evidence.append('WSL 2 kernel release %s' % (release or version_text[:80]))
    names = _safe(listdir, BINFMT_DIR) or []
    interop = sorted(n for n in names if n.startswith('WSLInterop'))
    evidence.extend('%s/%s' % (BINFMT_DIR, n) for n in interop)
    env = dict((k, environ[k]) for k in ENV_KEYS if environ.get(k))
    for key, value in sorted(parse_environ(_safe(read, PID1_ENVIRON)).items()):
        env.setdefault(key, value)
    evidence.extend('%s=%s' % (k, env[k]) for k in ENV_KEYS if k in env)
    container = [m for m in CONTAINER_MARKERS if _safe(exists, m)]
    other = bool(interop or env)
    is_wsl = other or (kernel_version is not None and not container)
    if kernel_version is not None and container and not other:
        evidence.append('container (%s) on a WSL kernel: not a WSL distribution' % container[0])
    version = None
    if is_wsl:
        version = kernel_version or (2 if 'WSL_INTEROP' in env else None)
    return {
        'is_wsl': is_wsl,
        'wsl_version': version,
        'distro': env.get('WSL_DISTRO_NAME', ''),
        'systemd_pid1': pid1 == 'systemd',
        'pid1': pid1,
        'kernel_release': release,
        'evidence': evidence,
    }
