# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import sys

import pytest

from ansible.errors import AnsibleFilterError
from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.gocompat.baseline.plugins.filter import findings_select as plugin
from ansible_collections.gocompat.baseline.plugins.filter.findings_select import findings_select, findings_waive


def finding(control, status):
    return dict(control=control, status=status, expected='e', actual='a', source='', remediation='r')


HOSTVARS = {
    'web1': {'gocompat_findings': [finding('kernel.pid_max', 'pass'), finding('tmp.fstype', 'fail')]},
    'db1': {'gocompat_findings': [finding('kernel.pid_max', 'fail'), finding('tmp.fstype', 'error')],
            'mine': [finding('x', 'fail')]},
    'new1': {'ansible_host': '127.0.0.1'},
}


def test_registered_filters():
    assert plugin.FilterModule().filters() == {'findings_select': findings_select, 'findings_waive': findings_waive}


def test_every_failed_control_across_hosts():
    assert findings_select(HOSTVARS, "[?status=='fail'].[host, control]") == [
        ['db1', 'kernel.pid_max'], ['web1', 'tmp.fstype']]


def test_no_query_returns_the_flat_list_with_hosts():
    flat = findings_select(HOSTVARS)
    assert [(item['host'], item['control']) for item in flat] == [
        ('db1', 'kernel.pid_max'), ('db1', 'tmp.fstype'), ('web1', 'kernel.pid_max'), ('web1', 'tmp.fstype')]
    assert HOSTVARS['db1']['gocompat_findings'][0] == finding('kernel.pid_max', 'fail')   # input untouched


def test_hosts_and_var_narrow_the_input():
    assert findings_select(HOSTVARS, '[].control', hosts=['web1', 'absent']) == ['kernel.pid_max', 'tmp.fstype']
    assert findings_select(HOSTVARS, '[].[host, control]', var='mine') == [['db1', 'x']]


def test_list_input_and_host_argument():
    result = findings_select([finding('a', 'fail'), finding('b', 'pass')], "[?status!='pass']", host='h')
    assert result == [dict(finding('a', 'fail'), host='h')]
    assert findings_select([finding('a', 'fail')], '[0].host') is None


def test_unsafe_strings_work_with_jmespath_functions():
    # Ansible hands filters its own str subclasses; jmespath's functions check exact types
    data = wrap_var({'h': {'gocompat_findings': [finding('kernel.pid_max', 'fail'), finding('tmp.fstype', 'fail')]}})
    assert findings_select(data, "[?starts_with(control, 'kernel.')].control") == ['kernel.pid_max']
    assert findings_select(data, "length([?contains(['fail', 'error'], status)])") == 2


def test_grouping_by_control():
    counts = findings_select(HOSTVARS, "[?status!='pass'] | [?control=='tmp.fstype'].host")
    assert counts == ['db1', 'web1']


@pytest.mark.parametrize('data, message', [
    ('text', 'the input must be a list of findings, got str'),
    (42, 'the input must be a list of findings, got int'),
    (['x'], 'the input item 1 is str, not a finding dict'),
    ({'h': {'gocompat_findings': 'fail'}}, 'gocompat_findings of h must be a list of findings'),
    ({'h': {'gocompat_findings': [finding('a', 'pass'), 3]}}, 'gocompat_findings of h item 2 is int'),
])
def test_bad_input_is_one_clear_error(data, message):
    with pytest.raises(AnsibleFilterError) as info:
        findings_select(data, '[]')
    assert message in str(info.value)


def test_bad_query_names_the_query():
    with pytest.raises(AnsibleFilterError) as info:
        findings_select(HOSTVARS, '[?status==')
    assert "bad query '[?status=='" in str(info.value)


def test_missing_jmespath_names_the_package(monkeypatch):
    monkeypatch.setitem(sys.modules, 'jmespath', None)   # what an import of a missing package raises
    assert len(findings_select(HOSTVARS)) == 4          # no query: no jmespath needed
    with pytest.raises(AnsibleFilterError) as info:
        findings_select(HOSTVARS, '[]')
    assert 'needs the jmespath Python library' in str(info.value)


def test_waive_applies_to_this_host_only():
    waivers = [{'control': 'kernel.*', 'hosts': ['db*'], 'reason': 'legacy'}]
    findings = [finding('kernel.pid_max', 'fail'), finding('kernel.nofile', 'pass'), finding('tmp.fstype', 'fail')]
    waived = findings_waive(findings, waivers, 'db1')
    assert [item['status'] for item in waived] == ['waived', 'pass', 'fail']
    assert (waived[0]['waived_status'], waived[0]['waiver_reason']) == ('fail', 'legacy')
    assert [item['status'] for item in findings_waive(findings, waivers, 'web1')] == ['fail', 'pass', 'fail']
    assert findings_waive(findings, {'waivers': []}, 'db1') == findings
    assert findings_waive(findings, None, 'db1') == findings


@pytest.mark.parametrize('waivers, message', [
    ([{'control': 'kernel.*'}], 'findings_waive: waivers: waiver 1 (kernel.*): reason must be a non-empty string'),
    ('kernel.*', 'findings_waive: waivers: expected a list of waivers'),
    ([{'control': 'a', 'reason': 'r', 'until': '2027'}], 'unknown key(s) until'),
])
def test_waive_bad_waivers(waivers, message):
    with pytest.raises(AnsibleFilterError) as info:
        findings_waive([finding('a', 'fail')], waivers, 'h')
    assert message in str(info.value)
