# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Documentation: findings_select.yml and findings_waive.yml (two filters, one file).

from collections.abc import Mapping, Sequence

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.plugin_utils.controller_deps import require
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_waivers import WaiverError, parse_waivers, waive


def _plain(value):
    """Plain Python types: JMESPath functions check exact types, Ansible's strings are subclasses."""
    if isinstance(value, Mapping):
        return dict((_plain(key), _plain(item)) for key, item in value.items())
    if isinstance(value, str):
        return str.__str__(value)   # an exact str: Ansible's subclasses may return themselves from str()
    if isinstance(value, bytes):
        return value.decode('utf-8', 'replace')
    if isinstance(value, Sequence):
        return [_plain(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str.__str__(str(value))


def _findings_list(value, what):
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise AnsibleFilterError('findings_select: %s must be a list of findings, got %s' % (what, type(value).__name__))
    for index, item in enumerate(value):
        if not isinstance(item, Mapping):
            raise AnsibleFilterError('findings_select: %s item %d is %s, not a finding dict'
                                     % (what, index + 1, type(item).__name__))
    return value


def flatten(data, var='gocompat_findings', hosts=None, host=None):
    """The findings of ``data`` as one list of plain dicts, each with a ``host`` where one is known."""
    flat = []
    if isinstance(data, Mapping) or hasattr(data, 'raw_get'):
        names = list(hosts) if hosts is not None else sorted(str(name) for name in data)
        for name in names:
            if name not in data:
                continue
            host_vars = data[name]
            if var not in host_vars:
                continue
            for finding in _findings_list(host_vars[var], '%s of %s' % (var, name)):
                flat.append(dict(_plain(finding), host=_plain(str(name))))
        return flat
    for finding in _findings_list(data, 'the input'):
        record = _plain(finding)
        if host is not None:
            record['host'] = _plain(str(host))
        flat.append(record)
    return flat


def findings_select(data, query=None, var='gocompat_findings', hosts=None, host=None):
    flat = flatten(data, var=var, hosts=hosts, host=host)
    if query is None:
        return flat
    jmespath = require('jmespath', 'findings_select', 'pip install jmespath, or the python3-jmespath package')
    try:
        return jmespath.search(_plain(str(query)), flat)
    except jmespath.exceptions.JMESPathError as exc:
        raise AnsibleFilterError('findings_select: bad query %r: %s' % (str(query), exc))


def findings_waive(findings, waivers, host):
    """``findings`` with the waiver list applied for ``host`` (see the report callback's waivers)."""
    try:
        parsed = parse_waivers(_plain(waivers), 'waivers')
    except WaiverError as exc:
        raise AnsibleFilterError('findings_waive: %s' % exc)
    return [waive(_plain(finding), parsed, str(host)) for finding in _findings_list(findings, 'the input')]


class FilterModule(object):
    def filters(self):
        return {'findings_select': findings_select, 'findings_waive': findings_waive}
