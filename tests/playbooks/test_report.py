"""The report of a real audit.yml run over two containers at once (forks): one report covers both hosts,
each with its own findings (systemd as PID 1 on one, no init on the other); the JUnit file's counts are the
JSON's, host by host; and tests/report/report_check.py (run by the checkout's dev venv, which has xmlschema)
validates the JUnit file against tests/report/junit.xsd and renders the HTML page in headless Chromium, one
row per host, with a screenshot kept under $GOCOMPAT_STATE_DIR/report."""

import json
import os
import subprocess
import xml.etree.ElementTree as ET

from harness.paths import ROOT

NET_ONLY = [{'key': 'net.core.somaxconn', 'value': 65535, 'compare': 'min'}]


def test_audit_of_two_hosts_writes_one_report_with_each_hosts_findings(container, run_playbook, play_vars, tmp_path):
    hosts = [container('bookworm', systemd=True), container('trixie', systemd=False)]
    out = tmp_path / 'report'
    # the callback is enabled by the checkout's ansible.cfg; gocompat_report_dir sends this run's report here
    extra = dict(play_vars, kernel_sysctl_policy=NET_ONLY, gocompat_report_dir=str(out),
                 gocompat_waivers=[{'control': 'host.cgroup_v2', 'hosts': [hosts[1].name],
                                    'reason': 'the test VM boots with hybrid cgroups'}])
    audit = run_playbook('audit.yml', hosts, extra_vars=extra, tags=['host', 'kernel', 'go_env', 'seccomp', 'tmp', 'wsl'])
    assert audit.rc != 0, audit.explain()

    report = json.loads((out / 'gocompat-report.json').read_text())
    assert sorted(report['hosts']) == sorted(h.name for h in hosts)
    systemd_host, plain_host = (report['hosts'][h.name] for h in hosts)
    for host in (systemd_host, plain_host):
        assert host['state'] == 'non_compliant', host['state']
        assert host['controls']['limits.nofile']['status'] == 'fail'
        assert host['controls']['seccomp.profile']['status'] == 'fail'
        assert host['controls']['wsl.host']['status'] == 'skip'
    # each host its own: the informational systemd control differs, and only one host has the waiver
    assert systemd_host['controls']['host.systemd']['status'] == 'pass'
    assert plain_host['controls']['host.systemd']['status'] == 'skip'
    assert plain_host['controls']['host.cgroup_v2']['status'] == 'waived'
    assert systemd_host['controls']['host.cgroup_v2']['status'] != 'waived'

    junit = ET.parse(str(out / 'gocompat-report.xml')).getroot()
    totals = report['summary']['junit']
    assert dict((key, int(junit.get(key))) for key in totals) == totals
    suites = dict((suite.get('name'), suite) for suite in junit.findall('testsuite'))
    assert sorted(suites) == sorted(report['hosts'])
    for name, host in report['hosts'].items():
        cases = suites[name].findall('testcase')
        assert len(cases) == len(host['controls']) + len(host['failed_tasks'])
        assert len([c for c in cases if c.find('failure') is not None]) == host['counts']['fail']
    html = (out / 'gocompat-report.html').read_text()
    assert all(h.name in html for h in hosts) and '<script' not in html

    shots = os.path.join(os.environ.get('GOCOMPAT_STATE_DIR', '/var/tmp/gocompat-test'), 'report')
    os.makedirs(shots, exist_ok=True)
    checked = subprocess.run([str(ROOT / '.venv' / 'bin' / 'python'), str(ROOT / 'tests' / 'report' / 'report_check.py'),
                              str(out), '--hosts', ','.join(h.name for h in hosts),
                              '--screenshot', os.path.join(shots, 'audit-two-containers.png')],
                             capture_output=True, text=True, timeout=300, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
