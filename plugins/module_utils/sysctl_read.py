# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The read side of sysctl_guard: which file it may own, the sysctl configuration as the boot sees it,
and which boot mechanism applies it. Every read goes through the module base's Host."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import LEGACY_SYSCTL_CONF, SYSCTL_DIRS
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import (
    OWNED_MARK,
    PROCPS,
    SYSTEMD,
    carries_owned_header,
)

PID1_COMM = '/proc/1/comm'
INIT = '/sbin/init'
SYSCTL_BINARIES = ('/usr/sbin/sysctl', '/sbin/sysctl', '/usr/bin/sysctl', '/bin/sysctl')


def check_owned_path(host, owned_path):
    """Refuse a path the module must not own; return whether it is a symlink (then replaced on a change)."""
    directory = os.path.dirname(owned_path)
    if not host.isdir(directory):
        raise ModuleFailure('path %s: directory %s does not exist' % (quote(owned_path), quote(directory)))
    boot_dirs = set(host.realpath(d) for d in SYSCTL_DIRS if host.isdir(d))
    if host.realpath(directory) not in boot_dirs:
        raise ModuleFailure('path %s is not in a sysctl.d directory the boot reads (%s); refusing to own a file '
                            'there' % (quote(owned_path), ', '.join(SYSCTL_DIRS[:4])))
    if not host.exists(owned_path):
        return False
    is_link = stat.S_ISLNK(host.lstat(owned_path).st_mode)
    if is_link and not host.exists(host.realpath(owned_path)):
        return True  # a dangling link shows nothing at boot: it is replaced when a key must change
    if is_link and host.realpath(owned_path) == '/dev/null':
        raise ModuleFailure('path %s is masked (a link to /dev/null); remove the mask or choose another path'
                            % quote(owned_path))
    try:
        text = host.read_text(owned_path)
    except fileio.FileRefused as exc:
        raise ModuleFailure('path %s: %s; refusing to own it' % (quote(owned_path), quote(exc.reason)))
    if not carries_owned_header(text):
        raise ModuleFailure('path %s%s was not written by sysctl_guard (its first line is not "%s"); refusing '
                            'to take it over: move it away or choose another path; nothing was changed'
                            % (quote(owned_path), ' (a link to %s)' % quote(host.realpath(owned_path)) if is_link
                               else '', OWNED_MARK))
    return is_link


def _read_conf(host, path, warnings):
    """Text of one configuration file as the boot sees it; None when it is skipped (with a warning)."""
    try:
        text = host.read_text(path)
    except fileio.FileRefused as exc:
        if 'not a regular file' in exc.reason:
            warnings.append('skipped %s: it %s (systemd-sysctl and sysctl --system block or fail on it at boot)'
                            % (quote(path), exc.reason))
            return None
        raise ModuleFailure('%s %s; a sysctl file this large cannot be judged' % (quote(path), quote(exc.reason)))
    except EnvironmentError as exc:
        raise ModuleFailure('cannot read %s: %s' % (quote(path), exc.strerror or exc))
    if text is None:
        warnings.append('%s is a dangling symlink; systemd-sysctl skips it' % quote(path))
    return text


def read_tree(host, owned_path, warnings):
    """(listing, contents, realpaths, legacy text) of the sysctl configuration."""
    listing, contents, realpaths = [], {}, {}
    seen_dirs = set()
    for directory in SYSCTL_DIRS:
        if not host.isdir(directory):
            continue
        real_dir = host.realpath(directory)
        if real_dir in seen_dirs:
            continue  # /lib/sysctl.d is /usr/lib/sysctl.d on merged-/usr systems
        seen_dirs.add(real_dir)
        try:
            entries = host.listdir(directory)
        except EnvironmentError as exc:
            raise ModuleFailure('cannot list %s: %s' % (quote(directory), exc.strerror or exc))
        names = []
        for name in entries:
            path = os.path.join(directory, name)
            if not name.endswith('.conf') or name.startswith('.') or host.isdir(path):
                continue
            is_link = stat.S_ISLNK(host.lstat(path).st_mode)
            real = host.realpath(path) if is_link else path
            if real == '/dev/null':
                text = ''  # a mask: the name reads as empty and hides later same-named files
            else:
                text = _read_conf(host, path, warnings)
                if text is None:
                    continue
            names.append(name)
            contents[path] = text
            if is_link:
                realpaths[path] = real
        listing.append((directory, names))
    legacy = _read_conf(host, LEGACY_SYSCTL_CONF, []) if host.exists(LEGACY_SYSCTL_CONF) else None
    return listing, contents, realpaths, legacy


def boot_mechanisms(host, warnings):
    """What sets sysctls at boot here: systemd-sysctl when systemd is the init system (PID 1 now, or what
    /sbin/init starts), else procps' `sysctl --system` when it is installed."""
    try:
        pid1 = (host.read_text(PID1_COMM, limit=4096) or '').strip()
    except (EnvironmentError, ValueError):
        pid1 = ''
    init = os.path.basename(host.realpath(INIT)) if host.exists(INIT) else ''
    if pid1 == 'systemd' or init == 'systemd':
        return (SYSTEMD,)
    if any(host.exists(path) for path in SYSCTL_BINARIES):
        return (PROCPS,)
    warnings.append('neither systemd nor procps sysctl is installed: nothing applies sysctl files at boot; '
                    'judging boot values by the systemd-sysctl rules')
    return (SYSTEMD,)
