# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The findings_summary action through ansible-playbook on localhost: the lines it prints, the fact it sets, what
the report callback makes of it, check mode, and bad input."""

from __future__ import absolute_import, division, print_function

import json
import os
import re
import subprocess
import sys

import pytest

from ansible_collections.gocompat.baseline.plugins.action import findings_summary as plugin

PASS = {'control': 'kernel.pid_max', 'status': 'pass', 'expected': '>= 4194304', 'actual': '4194304'}
FIXED = {'control': 'limits.nofile', 'status': 'fixed', 'expected': '16384', 'actual': '1024'}
# a control no module task reports: only the fact brings it to the report
SKIP = {'control': 'wsl.host', 'status': 'skip', 'expected': 'a WSL distribution', 'actual': 'not WSL',
        'source': 'gocompat_host', 'remediation': ''}


def _collections_root():
    root = plugin.__file__  # .../ansible_collections/gocompat/baseline/plugins/action/findings_summary.py
    for dummy in range(6):
        root = os.path.dirname(root)
    return root


def _run(tmp_path, tasks, *options, **env):
    playbook = tmp_path / 'play.yml'
    playbook.write_text(json.dumps([{'hosts': 'all', 'gather_facts': False, 'tasks': tasks}]))
    environment = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=_collections_root(), ANSIBLE_NOCOLOR='1', **env)
    environment.pop('ANSIBLE_CONFIG', None)
    command = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=%s' % sys.executable, str(playbook)] + list(options)
    return subprocess.run(command, env=environment, capture_output=True, text=True, timeout=180, check=False,
                          cwd=str(tmp_path))


def _summary(findings):
    return {'name': 'Summarise', 'gocompat.baseline.findings_summary': {'findings': findings}}


@pytest.mark.parametrize('check', [False, True])
def test_prints_a_line_per_finding_and_sets_the_report_fact(tmp_path, check):
    tasks = [_summary([PASS, FIXED]),
             {'ansible.builtin.assert': {'that': ["ansible_facts.gocompat_report_findings | length == 2",
                                                  "ansible_facts.gocompat_report_findings[1].control == 'limits.nofile'"]}}]
    result = _run(tmp_path, tasks, *(['--check'] if check else []))
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"PASS  kernel.pid_max: 4194304"' in result.stdout
    assert '"FIXED limits.nofile: 1024 (expected 16384)"' in result.stdout
    assert 'changed=0' in result.stdout


def test_the_report_gets_findings_no_module_returned(tmp_path):
    report = tmp_path / 'report'
    result = _run(tmp_path, [_summary([SKIP])], ANSIBLE_CALLBACKS_ENABLED='gocompat.baseline.gocompat_report',
                  GOCOMPAT_REPORT_DIR=str(report), GOCOMPAT_REPORT_FORMATS='json')
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((report / 'gocompat-report.json').read_text())
    assert 'wsl.host' in json.dumps(data), data


@pytest.mark.parametrize('findings, words', [
    ('not-a-list', 'findings'),
    ([PASS, {'control': 'x'}], 'findings[1]: a finding dict is expected'),
    ([PASS, 'text'], 'findings'),
])
def test_bad_input_fails_naming_it(tmp_path, findings, words):
    result = _run(tmp_path, [_summary(findings)])
    assert result.returncode != 0
    out = result.stdout + result.stderr
    assert words in out, out
    assert 'Traceback' not in out


def test_waivers_of_inventory_variables_reach_the_report(tmp_path):
    report = tmp_path / 'report'
    failing = dict(FIXED, status='fail', control='host.cgroup_v2', remediation='boot with cgroup v2')
    task = {'name': 'Summarise', 'gocompat.baseline.findings_summary': {
        'findings': [failing], 'waivers': '{{ gocompat_waivers | default([]) }}'}}
    inventory = tmp_path / 'inventory.yml'
    inventory.write_text(json.dumps({'all': {'hosts': {'localhost': {
        'gocompat_waivers': [{'control': 'host.*', 'reason': 'hybrid cgroups on these VMs'}]}}}}))
    result = _run(tmp_path, [task], '-i', str(inventory), ANSIBLE_CALLBACKS_ENABLED='gocompat.baseline.gocompat_report',
                  GOCOMPAT_REPORT_DIR=str(report), GOCOMPAT_REPORT_FORMATS='json')
    assert result.returncode == 0, result.stdout + result.stderr
    data = json.loads((report / 'gocompat-report.json').read_text())
    control = data['hosts']['localhost']['controls']['host.cgroup_v2']
    assert control['status'] == 'waived' and control['waiver_reason'] == 'hybrid cgroups on these VMs'
    assert data['summary']['compliant'] is True


def test_malformed_waivers_fail_naming_the_entry(tmp_path):
    result = _run(tmp_path, [{'gocompat.baseline.findings_summary': {'findings': [PASS],
                                                                     'waivers': [{'control': 'x.*'}]}}])
    assert result.returncode != 0
    assert 'waivers: waiver 1 (x.*): reason must be a non-empty string' in result.stdout, result.stdout


def test_each_hosts_verdict_goes_into_the_runs_custom_stats(tmp_path):
    failing = dict(FIXED, status='fail', control='limits.nofile', remediation='raise it')
    waived = dict(failing, control='host.cgroup_v2')
    task = {'gocompat.baseline.findings_summary': {
        'findings': [PASS, failing, waived], 'waivers': [{'control': 'host.*', 'reason': 'hybrid cgroups'}]}}
    result = _run(tmp_path, [task], ANSIBLE_SHOW_CUSTOM_STATS='true')
    assert result.returncode == 0, result.stdout + result.stderr
    # the default callback prints the run's custom stats as one line of JSON after "RUN:"
    stats = json.loads(re.search(r'RUN: (\{.*\})', result.stdout).group(1))
    assert stats['gocompat_compliance'] == {'localhost': {
        'compliant': False, 'counts': {'pass': 1, 'fail': 1, 'waived': 1}, 'failing': ['limits.nofile']}}


def test_the_custom_stats_hold_every_host(tmp_path):
    result = _run(tmp_path, [_summary([PASS])], '-i', 'build-01,build-02,', ANSIBLE_SHOW_CUSTOM_STATS='true')
    assert result.returncode == 0, result.stdout + result.stderr
    stats = json.loads(re.search(r'RUN: (\{.*\})', result.stdout).group(1))
    assert sorted(stats['gocompat_compliance']) == ['build-01', 'build-02', 'localhost']
    assert stats['gocompat_compliance']['build-02'] == {'compliant': True, 'counts': {'pass': 1}, 'failing': []}


def test_a_later_task_asserts_on_the_registered_verdict(tmp_path):
    # what audit.yml and verify.yml do: the waivers are applied once, by the summary
    failing = dict(FIXED, status='fail', control='limits.nofile', remediation='raise it')
    waived = dict(failing, control='host.cgroup_v2')
    summary = {'gocompat.baseline.findings_summary': {
        'findings': [PASS, failing, waived], 'waivers': [{'control': 'host.*', 'reason': 'hybrid cgroups'}]},
        'register': 'summary'}
    verdict = {'ansible.builtin.assert': {'that': 'summary.compliance.compliant',
                                          'fail_msg': "non-compliant: {{ summary.compliance.failing | join(', ') }}"}}
    result = _run(tmp_path, [summary, verdict])
    assert result.returncode == 2, result.stdout + result.stderr
    assert 'non-compliant: limits.nofile"' in result.stdout, result.stdout
    summary['gocompat.baseline.findings_summary']['findings'] = [PASS, waived]
    result = _run(tmp_path, [summary, verdict])
    assert result.returncode == 0, result.stdout + result.stderr
