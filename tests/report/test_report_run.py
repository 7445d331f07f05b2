# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report callback in real ansible-playbook runs: four local hosts (one compliant after a fix, one
failing with a waiver and a reboot due, one whose task fails after a finding and needs a WSL restart, one
unreachable), findings from a test-only module (library/report_findings.py), forks from ansible.cfg.

Checks: the JSON says what each host's tasks returned; the JUnit file validates against junit.xsd and its
counts match the JSON; the HTML page, rendered by headless Chromium, holds one row per host and the failed
controls (a screenshot is kept under $GOCOMPAT_STATE_DIR/report/); the callback is enabled and configured
from ansible.cfg too, in check mode; the findings filters work on real hostvars.

Needs: ansible-core (GOCOMPAT_ANSIBLE_VENV or the running venv), the xmlschema package, Debian's chromium.
"""

import json
import os
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
import xmlschema

from harness.paths import ROOT, ansible_env, ansible_playbook
from harness.playbook import PlaybookRun, default_venv

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ.get('GOCOMPAT_STATE_DIR', '/var/tmp/gocompat-test')) / 'report'
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']
HOSTS = ['db1', 'gone', 'web1', 'wsl1']


def run(workdir, playbook, *args, **env):
    cmd = [ansible_playbook(default_venv()), '-i', str(HERE / 'inventory.yml'), str(HERE / playbook)] + list(args)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(workdir), timeout=300, check=False,
                          env=ansible_env(default_venv(), **env))
    result = PlaybookRun(cmd, proc)
    print(result.explain())
    return result


@pytest.fixture(scope='module')
def report_run(tmp_path_factory):
    """One run with the callback enabled from the environment and waivers from a file."""
    work = tmp_path_factory.mktemp('report')
    out = work / 'out'
    result = run(work, 'playbook.yml', ANSIBLE_CALLBACKS_ENABLED='gocompat.baseline.gocompat_report',
                 GOCOMPAT_REPORT_DIR=str(out), GOCOMPAT_REPORT_WAIVERS=str(HERE / 'waivers.yml'))
    return result, out


@pytest.fixture(scope='module')
def report(report_run):
    return json.loads((report_run[1] / 'gocompat-report.json').read_text())


def test_run_fails_and_writes_three_files(report_run):
    result, out = report_run
    assert result.rc == 4, 'an unreachable host makes ansible-playbook exit 4'
    assert result.recap['gone']['unreachable'] == 1 and result.recap['wsl1']['failed'] == 1
    assert sorted(os.listdir(str(out))) == ['gocompat-report.html', 'gocompat-report.json', 'gocompat-report.xml']
    assert 'gocompat report (not compliant): %s/gocompat-report.json' % out in result.stdout


def test_each_host_gets_its_own_findings(report):
    hosts = report['hosts']
    assert sorted(hosts) == HOSTS
    assert {name: host['state'] for name, host in hosts.items()} == {
        'db1': 'non_compliant', 'gone': 'unreachable', 'web1': 'compliant', 'wsl1': 'failed'}
    assert {name: sorted(host['controls']) for name, host in hosts.items()} == {
        'db1': ['host.cgroup_v2', 'kernel.pid_max', 'tmp.fstype', 'user.max_user_namespaces'],
        'gone': [],
        'web1': ['kernel.pid_max', 'tmp.fstype', 'tmp.options', 'user.max_user_namespaces'],
        'wsl1': ['kernel.pid_max', 'wsl.boot.systemd'],
    }
    assert hosts['db1']['controls']['kernel.pid_max']['actual'] == '<script>alert(1)</script> & "quoted"'
    assert hosts['db1']['controls']['host.cgroup_v2']['actual'] == 'cannot read \\x01mountinfo'


def test_evidence_latest_finding_wins(report):
    web1 = report['hosts']['web1']['controls']
    assert (web1['kernel.pid_max']['status'], web1['kernel.pid_max']['task']) == ('fixed', 'Fix the kernel')
    assert web1['kernel.pid_max']['source'] == '/etc/sysctl.d/90-gocompat.conf'
    assert (web1['tmp.options']['status'], web1['tmp.options']['task']) == ('skip', 'Check the temp dir in a loop')
    wsl1 = report['hosts']['wsl1']
    assert wsl1['controls']['wsl.boot.systemd']['status'] == 'fail'        # from the failed result
    assert wsl1['failed_tasks'] == [{'task': 'Check WSL', 'play': 'Report test',
                                     'msg': 'wsl.conf is malformed at line 3'}]
    assert report['hosts']['gone']['unreachable_task'] == 'Check the kernel'
    assert '127.0.0.1' in report['hosts']['gone']['unreachable']


def test_waivers_and_restarts(report):
    db1 = report['hosts']['db1']
    waived = db1['controls']['user.max_user_namespaces']
    assert (waived['status'], waived['waived_status']) == ('waived', 'fail')
    assert waived['waiver_reason'] == 'legacy DB host, replaced in Q1 <ticket 42>'
    assert report['hosts']['web1']['controls']['user.max_user_namespaces']['status'] == 'pass'
    assert [waiver['used'] for waiver in report['summary']['waivers']] == [True, False]
    assert db1['restarts'] == [{'kind': 'reboot', 'detail': 'reboot_required', 'task': 'Check the kernel'}]
    assert report['hosts']['wsl1']['restarts'] == [
        {'kind': 'wsl_restart', 'detail': 'wsl.exe --shutdown', 'task': 'Check WSL'}]


def test_summary_and_metadata(report):
    summary = report['summary']
    assert summary['by_status'] == {'pass': 3, 'fail': 3, 'fixed': 1, 'skip': 1, 'error': 1, 'waived': 1}
    assert summary['compliant'] is False
    assert report['run']['playbooks'] == [str(HERE / 'playbook.yml')]
    assert report['run']['plays'] == [{'name': 'Report test', 'check_mode': False}]
    assert report['run']['errors'] == [] and report['run']['started'] <= report['run']['ended']


def test_junit_validates_and_counts_match_json(report_run, report):
    path = report_run[1] / 'gocompat-report.xml'
    xmlschema.XMLSchema(str(HERE / 'junit.xsd')).validate(str(path))
    root = ET.parse(str(path)).getroot()
    totals = report['summary']['junit']
    assert {key: int(root.get(key)) for key in totals} == totals
    assert totals == {'tests': 12, 'failures': 3, 'errors': 3, 'skipped': 2}
    assert len(list(root.iter('testcase'))) == totals['tests']
    for suite in root.findall('testsuite'):
        host = report['hosts'][suite.get('name')]
        cases = suite.findall('testcase')
        controls = [case.get('name') for case in cases if not case.get('name').startswith(('task: ', 'host.reachable'))]
        assert sorted(controls) == sorted(host['controls'])
        assert int(suite.get('failures')) == len(suite.findall('testcase/failure')) == host['counts']['fail']
        assert int(suite.get('skipped')) == len(suite.findall('testcase/skipped')) == (
            host['counts']['skip'] + host['counts']['waived'])
        assert int(suite.get('errors')) == len(suite.findall('testcase/error')) == (
            host['counts']['error'] + len(host['failed_tasks']) + (1 if host['unreachable'] else 0))


def test_junit_schema_rejects_a_broken_file(tmp_path):
    # the schema is a real check: a missing test name and a negative count are refused
    broken = tmp_path / 'broken.xml'
    broken.write_text('<testsuites><testsuite name="h" tests="-1" failures="0" errors="0">'
                      '<testcase classname="c"/></testsuite></testsuites>')
    assert not xmlschema.XMLSchema(str(HERE / 'junit.xsd')).is_valid(str(broken))


class _Dom(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self)
        self.elements = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def chromium(*args):
    binary = shutil.which('chromium')
    assert binary, 'Debian chromium is needed (apt-get install chromium)'
    profile = tempfile.mkdtemp(prefix='gocompat-report-chromium-')
    try:
        return subprocess.run([binary] + CHROMIUM_FLAGS + ['--user-data-dir=%s' % profile] + list(args),
                              capture_output=True, timeout=120, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def test_html_in_headless_chromium(report_run, report):
    page = (report_run[1] / 'gocompat-report.html').as_uri()
    dom = _Dom()
    dom.feed(chromium('--dump-dom', page).stdout.decode('utf-8'))
    rows = [attrs for tag, attrs in dom.elements if tag == 'tr' and attrs.get('class') == 'host']
    assert [row['data-host'] for row in rows] == HOSTS
    assert {row['data-host']: row['data-state'] for row in rows} == {
        name: host['state'] for name, host in report['hosts'].items()}
    failed = sorted((attrs['data-host'], attrs['data-control']) for tag, attrs in dom.elements
                    if tag == 'tr' and 'failed-control' in attrs.get('class', ''))
    assert failed == sorted((name, control) for name, host in report['hosts'].items()
                            for control, record in host['controls'].items() if record['status'] in ('fail', 'error'))
    assert failed == [('db1', 'host.cgroup_v2'), ('db1', 'kernel.pid_max'), ('db1', 'tmp.fstype'),
                      ('wsl1', 'wsl.boot.systemd')]
    # the host's text is shown, not run: no script element, the literal text in the page
    assert not [tag for tag, attrs in dom.elements if tag in ('script', 'img', 'link', 'iframe')]
    assert '<script>alert(1)</script> & "quoted"' in ''.join(dom.text)
    STATE.mkdir(parents=True, exist_ok=True)
    shot = STATE / 'gocompat-report.png'
    if shot.exists():
        shot.unlink()
    chromium('--window-size=1400,1100', '--screenshot=%s' % shot, page)
    data = shot.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n' and len(data) > 20000
    shutil.copy(str(report_run[1] / 'gocompat-report.html'), str(STATE / 'gocompat-report.html'))


def test_enabled_from_ansible_cfg_in_check_mode(tmp_path):
    # callbacks_enabled and the [callback_gocompat_report] section of an ansible.cfg; a relative output_dir
    # is relative to that file; only the JSON is asked for
    cfg = tmp_path / 'cfg' / 'ansible.cfg'
    cfg.parent.mkdir()
    cfg.write_text((ROOT / 'ansible.cfg').read_text().replace(
        'collections_path = .build/collections', 'collections_path = %s' % (ROOT / '.build' / 'collections')).replace(
        'inventory = inventory/localhost.yml\n', '') .replace(
        '[defaults]\n', '[defaults]\ncallbacks_enabled = gocompat.baseline.gocompat_report\n') +
        '\n[callback_gocompat_report]\noutput_dir = reports\nformats = json\n')
    result = run(tmp_path, 'playbook.yml', '--check', '--limit', 'web1,db1', ANSIBLE_CONFIG=str(cfg))
    assert result.rc == 0, 'web1 and db1 run their tasks without failure'
    out = cfg.parent / 'reports'
    assert os.listdir(str(out)) == ['gocompat-report.json']
    checked = json.loads((out / 'gocompat-report.json').read_text())
    assert sorted(checked['hosts']) == ['db1', 'web1']
    assert checked['run']['check_mode_cli'] is True and checked['run']['plays'][0]['check_mode'] is True
    assert checked['hosts']['web1']['controls']['kernel.pid_max']['status'] == 'fixed'
    assert checked['hosts']['db1']['controls']['user.max_user_namespaces']['status'] == 'fail'   # no waivers here


def test_findings_filters_on_real_hostvars(tmp_path):
    result = run(tmp_path, 'filters.yml')
    assert result.rc == 0
    assert result.recap['web1']['failed'] == 0 and len(result.recap) == 3
