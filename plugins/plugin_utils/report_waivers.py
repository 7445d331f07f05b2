# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Waivers: accepted deviations. A waiver is ``{control, hosts (optional), reason}``; ``control`` and each
host entry are shell-style patterns (``kernel.*``, ``wsl-*``). A waiver turns a ``fail`` or ``error`` finding
into ``waived`` (never into ``pass``); it leaves compliant, fixed and skipped findings alone.

Pure code, shared by the report callback and the findings filters (controller side)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fnmatch

WAIVED = 'waived'
WAIVABLE = ('fail', 'error')
_KEYS = ('control', 'hosts', 'reason')


class WaiverError(ValueError):
    """A waiver list that cannot be used; the message names where (file, entry) and what."""


def _text(value):
    return isinstance(value, str) and value.strip() != ''


def parse_waivers(data, origin='waivers'):
    """Check and normalise a waiver list. ``data`` is a list of mappings, a mapping with a ``waivers`` list,
    or None (no waivers). Returns a list of ``{control, hosts, reason}`` with ``hosts`` a list (empty: every
    host). Raises WaiverError naming ``origin`` and the entry."""
    if data is None:
        return []
    if isinstance(data, dict) and set(data) == {'waivers'}:
        data = data['waivers']
        if data is None:
            return []
    if not isinstance(data, (list, tuple)):
        raise WaiverError('%s: expected a list of waivers (or a mapping with a waivers list), got %s'
                          % (origin, type(data).__name__))
    waivers = []
    for index, entry in enumerate(data):
        where = '%s: waiver %d' % (origin, index + 1)
        if not isinstance(entry, dict):
            raise WaiverError('%s: expected a mapping with control and reason, got %s' % (where, type(entry).__name__))
        unknown = sorted(str(key) for key in entry if key not in _KEYS)
        if unknown:
            raise WaiverError('%s: unknown key(s) %s (allowed: control, hosts, reason)' % (where, ', '.join(unknown)))
        if not _text(entry.get('control')):
            raise WaiverError('%s: control must be a non-empty string (a control id or pattern)' % where)
        if not _text(entry.get('reason')):
            raise WaiverError('%s (%s): reason must be a non-empty string' % (where, entry['control']))
        hosts = entry.get('hosts')
        if hosts is None:
            hosts = []
        elif isinstance(hosts, str):
            hosts = [hosts]
        if not isinstance(hosts, (list, tuple)) or not all(_text(host) for host in hosts):
            raise WaiverError('%s (%s): hosts must be a host name or pattern, or a list of them'
                              % (where, entry['control']))
        waivers.append({'control': str(entry['control']).strip(), 'hosts': [str(host).strip() for host in hosts],
                        'reason': str(entry['reason']).strip()})
    return waivers


def matching_waiver(waivers, host, control):
    """The first waiver covering ``control`` on ``host``, or None."""
    for waiver in waivers:
        if not fnmatch.fnmatchcase(control, waiver['control']):
            continue
        if not waiver['hosts'] or any(fnmatch.fnmatchcase(host, pattern) for pattern in waiver['hosts']):
            return waiver
    return None


def waive(finding, waivers, host):
    """``finding`` with a matching waiver applied: a copy with status ``waived``, the original status in
    ``waived_status`` and the waiver's reason in ``waiver_reason``; otherwise ``finding`` itself."""
    if finding.get('status') not in WAIVABLE:
        return finding
    waiver = matching_waiver(waivers, host, str(finding.get('control', '')))
    if waiver is None:
        return finding
    waived = dict(finding)
    waived.update(status=WAIVED, waived_status=finding['status'], waiver_reason=waiver['reason'])
    return waived
