# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What kind of host this is: is systemd PID 1 right now, is it installed, can logins get a user manager,
kernel release, WSL. `detect` is pure: it gets two callables (read a file, test a path). `on_host` runs it
through a module's Host; every module that needs to know reads it that way (a few small /proc and /lib
lookups), so no separate detection call is needed before it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Debian before the /usr merge keeps systemd in /lib; merged systems have both names.
SYSTEMD_BINARIES = ('/lib/systemd/systemd', '/usr/lib/systemd/systemd')
USER_MANAGER_UNITS = ('/lib/systemd/system/user@.service', '/usr/lib/systemd/system/user@.service')
PID1_COMM = '/proc/1/comm'
OSRELEASE = '/proc/sys/kernel/osrelease'
# Registered by WSL's init for running Windows programs; present on WSL 1 and 2 unless interop is off.
WSL_INTEROP = '/proc/sys/fs/binfmt_misc/WSLInterop'

KEYS = ('systemd_pid1', 'pid1', 'systemd_installed', 'systemd_user_manager', 'kernel_release', 'wsl')


def _first_line(text):
    return (text or '').strip().split('\n')[0].strip()


def detect(read, exists):
    """``read(path)`` returns the text of a file or None; ``exists(path)`` tells whether a path exists.
    Returns a dict with every key of KEYS."""
    pid1 = _first_line(read(PID1_COMM))
    release = _first_line(read(OSRELEASE))
    systemd_pid1 = pid1 == 'systemd'
    installed = systemd_pid1 or any(exists(p) for p in SYSTEMD_BINARIES)
    return {
        'systemd_pid1': systemd_pid1,
        'pid1': pid1,
        'systemd_installed': installed,
        'systemd_user_manager': installed and any(exists(p) for p in USER_MANAGER_UNITS),
        'kernel_release': release,
        'wsl': 'microsoft' in release.lower() or 'wsl' in release.lower() or exists(WSL_INTEROP),
    }


def systemd_finding(facts):
    """(status, expected, actual, remediation) of the informational control ``host.systemd``: whether the
    systemd settings written by the roles take effect now (PID 1) or only when systemd next starts."""
    expected = 'systemd running as PID 1 (systemd drop-ins take effect on this run)'
    if facts['systemd_pid1']:
        return 'pass', expected, 'systemd is PID 1', ''
    if facts['systemd_installed']:
        actual = 'PID 1 is %s; systemd is installed: its drop-ins take effect when it next starts' % (
            facts['pid1'] or 'unknown')
    else:
        actual = 'PID 1 is %s; systemd is not installed: systemd controls do not apply' % (facts['pid1'] or 'unknown')
    return 'skip', expected, actual, ''


def on_host(host):
    """``detect`` through a module_base.Host: an unreadable /proc entry means "unknown", never a failure."""
    def read_text(path):
        try:
            return host.read_text(path, limit=4096)
        except (EnvironmentError, ValueError):
            return None

    def exists(path):
        try:
            host.stat(path)  # follows links: a dangling link to systemd is no systemd
        except EnvironmentError:
            return False
        return True

    return detect(read_text, exists)
