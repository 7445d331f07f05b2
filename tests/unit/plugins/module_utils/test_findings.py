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


def test_contract_accepts_a_complete_finding():
    assert F.contract_problems(F.make_finding('kernel.pid_max', 'fail', '>= 1', 'live 0', '/proc/sys', 'raise it')) == []


@pytest.mark.parametrize('change, problem', [
    ({'status': 'broken'}, "unknown status 'broken'"),
    ({'remediation': ''}, 'fail kernel.pid_max has no remediation'),
    ({'actual': 5}, 'actual is int, not a string'),
    ({'control': ''}, 'no control id'),
])
def test_contract_names_what_is_wrong(change, problem):
    finding = dict(F.make_finding('kernel.pid_max', 'fail', '>= 1', 'live 0', '/proc/sys', 'raise it'), **change)
    assert problem in F.contract_problems(finding)


def test_contract_wants_exactly_the_six_fields():
    finding = F.make_finding('x', 'pass')
    del finding['source']
    assert F.contract_problems(finding)[0].startswith('fields')
