# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import json

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F


def test_make_finding_returns_a_plain_json_serialisable_dict():
    finding = F.make_finding('kernel.pid_max', F.FIXED, '>= 4194304', 'live 32768', '/etc/x.conf', 'persist it')
    assert finding == {'control': 'kernel.pid_max', 'status': 'fixed', 'expected': '>= 4194304',
                       'actual': 'live 32768', 'source': '/etc/x.conf', 'remediation': 'persist it'}
    assert json.loads(json.dumps(finding)) == finding


def test_make_finding_defaults_to_empty_texts():
    assert F.make_finding('vm.swappiness', F.PASS) == {
        'control': 'vm.swappiness', 'status': 'pass', 'expected': '', 'actual': '', 'source': '',
        'remediation': ''}


def test_make_finding_rejects_unknown_status():
    with pytest.raises(ValueError, match="unknown finding status 'ok' for control 'kernel.pid_max'"):
        F.make_finding('kernel.pid_max', 'ok')


@pytest.mark.parametrize('control', ['', None])
def test_make_finding_needs_a_control(control):
    with pytest.raises(ValueError, match='needs a control id'):
        F.make_finding(control, F.PASS)


@pytest.mark.parametrize('needs_change, check_mode, status', [
    (False, False, 'pass'), (False, True, 'pass'), (True, True, 'fail'), (True, False, 'fixed'),
])
def test_status_for_change(needs_change, check_mode, status):
    assert F.status_for_change(needs_change, check_mode) == status


def test_summarize_counts_every_status_even_absent_ones():
    findings = [F.make_finding('a', F.PASS), F.make_finding('b', F.PASS), F.make_finding('c', F.SKIP)]
    assert F.summarize(findings) == {'pass': 2, 'fail': 0, 'fixed': 0, 'skip': 1, 'error': 0}
    assert F.summarize([]) == dict((s, 0) for s in F.STATUSES)
