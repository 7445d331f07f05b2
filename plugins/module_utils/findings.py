# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Findings: the one record every module returns per control it checks.

A finding is a plain dict so it survives JSON round trips between module, callback and report:
``{control, status, expected, actual, source, remediation}``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

PASS = 'pass'
FAIL = 'fail'
FIXED = 'fixed'
SKIP = 'skip'
ERROR = 'error'

STATUSES = (PASS, FAIL, FIXED, SKIP, ERROR)


def make_finding(control, status, expected='', actual='', source='', remediation=''):
    """Return a finding dict; rejects unknown statuses and empty control ids early."""
    if status not in STATUSES:
        raise ValueError('unknown finding status %r for control %r' % (status, control))
    if not control:
        raise ValueError('a finding needs a control id')
    return {
        'control': control,
        'status': status,
        'expected': expected,
        'actual': actual,
        'source': source,
        'remediation': remediation,
    }


def status_for_change(needs_change, check_mode):
    """Status of a non-compliant control: ``fail`` when only predicted, ``fixed`` when changed."""
    if not needs_change:
        return PASS
    return FAIL if check_mode else FIXED


FIELDS = ('control', 'status', 'expected', 'actual', 'source', 'remediation')


def contract_problems(finding):
    """What is wrong with ``finding`` under the collection's contract (empty when nothing): every field
    present and a string, a known status, a control id, and a remediation on every fail or error."""
    if not isinstance(finding, dict):
        return ['not a dict: %r' % (finding,)]
    problems = []
    if sorted(finding) != sorted(FIELDS):
        problems.append('fields %s, expected %s' % (sorted(finding), sorted(FIELDS)))
    for name in FIELDS:
        if name in finding and not isinstance(finding[name], str):
            problems.append('%s is %s, not a string' % (name, type(finding[name]).__name__))
    if finding.get('status') not in STATUSES:
        problems.append('unknown status %r' % (finding.get('status'),))
    if not finding.get('control'):
        problems.append('no control id')
    if finding.get('status') in (FAIL, ERROR) and not finding.get('remediation'):
        problems.append('%s %s has no remediation' % (finding.get('status'), finding.get('control')))
    return problems
