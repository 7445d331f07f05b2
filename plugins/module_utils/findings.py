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


def summarize(findings):
    """Count findings per status; every status is present so callers can index blindly."""
    counts = dict((status, 0) for status in STATUSES)
    for finding in findings:
        counts[finding['status']] += 1
    return counts
