# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What kind of host this is: is systemd PID 1 right now, is it installed, can logins get a user manager,
kernel release, WSL. `detect` is pure: it gets two callables (read a file, test a path). `on_host` runs it
through a module's Host; every module that needs to know reads it that way (a few small /proc and /lib
lookups), so no separate detection call is needed before it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_detect

# Debian before the /usr merge keeps systemd in /lib; merged systems have both names.
SYSTEMD_BINARIES = ('/lib/systemd/systemd', '/usr/lib/systemd/systemd')
USER_MANAGER_UNITS = ('/lib/systemd/system/user@.service', '/usr/lib/systemd/system/user@.service')
PID1_COMM = '/proc/1/comm'
OSRELEASE = '/proc/sys/kernel/osrelease'

KEYS = ('systemd_pid1', 'pid1', 'systemd_installed', 'systemd_user_manager', 'kernel_release', 'wsl', 'wsl_version')


def _first_line(text):
    return (text or '').strip().split('\n')[0].strip()


def detect(read, exists, listdir=None, environ=None):
    """``read(path)`` returns the text of a file or None; ``exists(path)`` tells whether a path exists;
    ``listdir(path)`` lists a directory and ``environ`` is the module's environment (both optional: WSL
    evidence from binfmt_misc and the environment). Returns a dict with every key of KEYS; WSL comes from
    wsl_detect, the one WSL detection of the collection."""
    pid1 = _first_line(read(PID1_COMM))
    release = _first_line(read(OSRELEASE))
    systemd_pid1 = pid1 == 'systemd'
    installed = systemd_pid1 or any(exists(p) for p in SYSTEMD_BINARIES)
    wsl = wsl_detect.detect(read, exists, listdir or (lambda path: []), environ or {})
    return {
        'systemd_pid1': systemd_pid1,
        'pid1': pid1,
        'systemd_installed': installed,
        'systemd_user_manager': installed and any(exists(p) for p in USER_MANAGER_UNITS),
        'kernel_release': release,
        'wsl': wsl['is_wsl'],
        # WSL 1 always reports its fixed -Microsoft kernel: any other kernel under WSL is WSL 2
        'wsl_version': (wsl['wsl_version'] or 2) if wsl['is_wsl'] else 0,
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


def on_host(host, environ=None):
    """``detect`` through a module_base.Host and the module's environment (``os.environ`` unless given): an
    unreadable /proc entry means "unknown", never a failure."""
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

    def listdir(path):
        try:
            return host.listdir(path)
        except (EnvironmentError, ValueError):
            return []

    return detect(read_text, exists, listdir, os.environ if environ is None else environ)
