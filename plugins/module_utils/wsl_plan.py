# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What wsl_conf does with one file: the requested settings applied to the parsed file (the value WSL
reads is the first of duplicates), the findings per setting, and the restart contract. Pure."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_ini, wsl_schema
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

FORMATS = ('wsl.conf', 'wslconfig')
CONTROL_PREFIX = {'wsl.conf': 'wsl.conf', 'wslconfig': 'wsl.wslconfig'}
# WSL applies wsl.conf when the distribution starts and .wslconfig when its VM starts; both only after every
# instance has stopped (WSL waits about 8 seconds after the last one exits before it stops the VM).
WAIT_SECONDS = 8


def control_id(fmt, section, key):
    return '%s.%s.%s' % (CONTROL_PREFIX[fmt], section, key)


def restart_instruction(fmt, path, distro):
    """The exact instruction an administrator follows for ``path`` to take effect."""
    if fmt == 'wslconfig':
        return ('%s is read when the WSL 2 VM starts: run "wsl.exe --shutdown" from Windows (PowerShell or cmd), '
                'then start the distribution again' % path)
    terminate = 'wsl.exe --terminate %s' % distro if distro else 'wsl.exe --terminate <distribution>'
    return ('%s is read when the distribution starts: run "wsl.exe --shutdown" from Windows (PowerShell or cmd), or '
            'close every shell of this distribution (or run "%s") and wait about %d seconds before starting it '
            'again' % (path, terminate, WAIT_SECONDS))


def _shown(entry):
    return '%s=%s' % (entry.key, quote(entry.value, 120))


def apply(document, wanted, fmt, check_mode):
    """Apply ``wanted`` [(section, key, kind, text or None)] to ``document`` (changed in place).

    Returns (changes, findings): ``changes`` lists 'section.key' strings that differ, ``findings`` are
    (control, status, expected, actual, source, remediation) tuples; ``source`` is filled by the caller."""
    changes = []
    found = []
    path = document.path
    for section, key, kind, text in wanted:
        entry = document.get(section, key)
        control = control_id(fmt, section, key)
        actual = ('%s (%s:%d)' % (_shown(entry), path, entry.lineno)) if entry is not None else '%s not set' % key
        if text is None:
            expected = '%s not set' % key
            needs = bool(document.keys(section, key))
            if needs:
                document.remove(section, key)
        else:
            expected = '%s=%s in [%s]' % (key, quote(text, 120), section)
            needs = entry is None or not wsl_schema.same(kind, entry.value, text)
            if needs and entry is not None:
                encoded = wsl_ini.encode(text, quoted=entry.quoted and kind == 'str')
                document.set_value(entry, encoded)
            elif needs:
                document.add(section, key, wsl_ini.encode(text), section_name=_section_spelling(document, section))
        if needs:
            changes.append('%s.%s' % (section, key))
        status = F.status_for_change(needs, check_mode)
        remediation = 'write %s in [%s] of %s (gocompat.baseline.wsl role, or this module without check mode)' % (
            'without %s' % key if text is None else '%s=%s' % (key, quote(text, 120)), section, path) \
            if status == F.FAIL else ''
        found.append((control, status, expected, actual, remediation))
    return changes, found


def _section_spelling(document, section):
    """A key added to an existing section goes under the file's spelling of it."""
    for entry in document.sections():
        if entry.section.lower() == section.lower():
            return entry.section
    return section


def systemd_finding(detected, in_force_after):
    """(status, expected, actual, remediation) of ``wsl.systemd``: is systemd PID 1 now, and can it be.

    ``in_force_after``: boot.systemd is true in /etc/wsl.conf once this run is done."""
    expected = 'systemd as PID 1 of the distribution ([boot] systemd=true, WSL 2)'
    pid1 = 'systemd is PID 1' if detected['systemd_pid1'] else 'PID 1 is %s' % (detected['pid1'] or 'unknown')
    if not detected['is_wsl']:
        return (F.SKIP, expected, 'not a WSL host (%s); the setting takes effect when this system boots under WSL 2'
                % pid1, '')
    if detected['wsl_version'] == 1:
        return (F.FAIL, expected, 'WSL 1: WSL 1 has no systemd support whatever wsl.conf says; %s' % pid1,
                'convert the distribution to WSL 2 from Windows: wsl.exe --set-version %s 2'
                % (detected['distro'] or '<distribution>'))
    if detected['systemd_pid1']:
        return F.PASS, expected, pid1, ''
    if not in_force_after:
        return F.FAIL, expected, pid1, 'set [boot] systemd=true in /etc/wsl.conf, then restart WSL'
    return (F.FAIL, expected, '%s; [boot] systemd=true is in the file but WSL has not restarted since' % pid1,
            restart_instruction('wsl.conf', '/etc/wsl.conf', detected['distro']))
