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
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

import report_check

from harness.paths import ROOT, ansible_env, ansible_playbook
from harness.playbook import PlaybookRun, default_venv

HERE = Path(__file__).resolve().parent
STATE = Path(os.environ.get('GOCOMPAT_STATE_DIR', '/var/tmp/gocompat-test')) / 'report'
HOSTS = ['db1', 'gone', 'web1', 'wsl1']


def run(workdir, playbook, *args, **env):
    cmd = [ansible_playbook(default_venv()), '-i', str(HERE / 'inventory.yml'), str(HERE / playbook)] + list(args)
    environ = ansible_env(default_venv(), **env)
    for name in [n for n, value in env.items() if value is None]:
        del environ[name]  # None: not set at all (the pipeline exports GOCOMPAT_REPORT_DIR)
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(workdir), timeout=300, check=False,
                          env=environ)
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
    xmlschema.XMLSchema(str(report_check.XSD)).validate(str(path))
    assert report_check.junit_problems(path, report) == []
    totals = report['summary']['junit']
    assert totals == {'tests': 12, 'failures': 3, 'errors': 3, 'skipped': 2}
    root = ET.parse(str(path)).getroot()
    assert {key: int(root.get(key)) for key in totals} == totals


def test_junit_checks_catch_a_broken_file(tmp_path, report_run, report):
    # the schema and the count comparison are real checks
    broken = tmp_path / 'broken.xml'
    broken.write_text('<testsuites><testsuite name="h" tests="-1" failures="0" errors="0">'
                      '<testcase classname="c"/></testsuite></testsuites>')
    assert len(report_check.junit_problems(broken, report)) >= 2
    edited = tmp_path / 'edited.xml'
    edited.write_text((report_run[1] / 'gocompat-report.xml').read_text().replace(
        '<failure type="fail" message="expected tmpfs, actual ext4">', '<error type="fail" message="x">').replace(
        'run harden with the tmp role\ntask: Check the temp dir in a loop\nplay: Report test</failure>',
        'run harden with the tmp role\ntask: Check the temp dir in a loop\nplay: Report test</error>'))
    problems = report_check.junit_problems(edited, report)
    assert problems and all(problem.startswith(('host db1', 'testsuites totals')) for problem in problems)


def test_html_in_headless_chromium(report_run, report):
    html = report_run[1] / 'gocompat-report.html'
    shot = STATE / 'gocompat-report.png'
    assert report_check.html_problems(html, report, hosts=HOSTS, screenshot=shot) == []
    assert shot.stat().st_size > 20000
    dom = report_check.rendered_dom(html)
    assert [row['data-host'] for row in dom.rows('host')] == HOSTS
    assert sorted((row['data-host'], row['data-control']) for row in dom.rows('failed-control')) == [
        ('db1', 'host.cgroup_v2'), ('db1', 'kernel.pid_max'), ('db1', 'tmp.fstype'), ('wsl1', 'wsl.boot.systemd')]
    # the host's text is shown, not run: no script element, the literal text in the page
    assert '<script>alert(1)</script> & "quoted"' in ''.join(dom.text)
    shutil.copy(str(html), str(STATE / 'gocompat-report.html'))


def test_report_check_command(report_run, tmp_path):
    out = report_run[1]
    ok = subprocess.run([sys.executable, str(HERE / 'report_check.py'), str(out), '--hosts', ','.join(HOSTS)],
                        capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert 'JUnit valid, counts match the JSON, 4 host rows in the page' in ok.stdout
    wrong = subprocess.run([sys.executable, str(HERE / 'report_check.py'), str(out), '--hosts', 'db1,web1'],
                           capture_output=True, text=True, check=False)
    assert wrong.returncode == 1 and "expected hosts ['db1', 'web1']" in wrong.stdout
    # a page that lost a host row is caught
    copy = tmp_path / 'copy'
    shutil.copytree(str(out), str(copy))
    page = copy / 'gocompat-report.html'
    page.write_text(page.read_text().replace('<tr class="host" data-host="web1"', '<tr class="gone" data-host="web1"'))
    lost = subprocess.run([sys.executable, str(HERE / 'report_check.py'), str(copy)],
                          capture_output=True, text=True, check=False)
    assert lost.returncode == 1 and lost.stdout.startswith('matrix rows')


def test_enabled_from_ansible_cfg_in_check_mode(tmp_path):
    # the checkout's ansible.cfg enables the callback in [defaults] and sets it up in [callback_gocompat_report];
    # a copy of it elsewhere, asking for the JSON only: a relative output_dir is relative to that file
    text = (ROOT / 'ansible.cfg').read_text()
    assert 'callbacks_enabled = gocompat.baseline.gocompat_report\n' in text
    assert '\n[callback_gocompat_report]\n' in text and 'output_dir = gocompat-report\n' in text
    cfg = tmp_path / 'cfg' / 'ansible.cfg'
    cfg.parent.mkdir()
    cfg.write_text(text.replace(
        'collections_path = .build/collections', 'collections_path = %s' % (ROOT / '.build' / 'collections')).replace(
        'inventory = inventory/localhost.yml\n', '').replace(
        'output_dir = gocompat-report\n', 'output_dir = reports\nformats = json\n'))
    result = run(tmp_path, 'playbook.yml', '--check', '--limit', 'web1,db1', ANSIBLE_CONFIG=str(cfg),
                 GOCOMPAT_REPORT_DIR=None)
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


def test_options_from_variables(tmp_path):
    # extra vars and a templated play variable override the environment; waivers come from gocompat_waivers
    out = tmp_path / 'from-vars'
    extra = tmp_path / 'vars.json'
    extra.write_text(json.dumps({'gocompat_report_dir': str(out), 'report_formats': ['json', 'markdown'],
                                 'gocompat_waivers': [{'control': 'kernel.*', 'hosts': ['db1'],
                                                       'reason': 'from a variable'}]}))
    result = run(tmp_path, 'with_vars.yml', '--limit', 'db1,web1', '-e', '@%s' % extra,
                 ANSIBLE_CALLBACKS_ENABLED='gocompat.baseline.gocompat_report',
                 GOCOMPAT_REPORT_DIR=str(tmp_path / 'from-env'))
    assert result.rc == 0
    assert not (tmp_path / 'from-env').exists()
    assert sorted(os.listdir(str(out))) == ['gocompat-report.json', 'gocompat-report.md']
    written = json.loads((out / 'gocompat-report.json').read_text())
    pid_max = written['hosts']['db1']['controls']['kernel.pid_max']
    assert (pid_max['status'], pid_max['waiver_reason']) == ('waived', 'from a variable')
    assert written['hosts']['db1']['controls']['user.max_user_namespaces']['status'] == 'fail'
    assert written['run']['errors'] == []


def test_many_hosts_at_once(tmp_path):
    # twelve local hosts with twelve forks: one report, each host with its own findings
    names = ['node%02d' % number for number in range(1, 13)]
    inventory = tmp_path / 'many.ini'
    inventory.write_text('[all]\n%s\n[all:vars]\nansible_connection=local\n'
                         'ansible_python_interpreter={{ ansible_playbook_python }}\n' % '\n'.join(names))
    out = tmp_path / 'out'
    cmd = [ansible_playbook(default_venv()), '-i', str(inventory), '--forks', '12', str(HERE / 'many.yml')]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=str(tmp_path), timeout=300, check=False,
                          env=ansible_env(default_venv(), ANSIBLE_CALLBACKS_ENABLED='gocompat.baseline.gocompat_report',
                                          GOCOMPAT_REPORT_DIR=str(out)))
    print(PlaybookRun(cmd, proc).explain())
    assert proc.returncode == 0
    written = json.loads((out / 'gocompat-report.json').read_text())
    assert sorted(written['hosts']) == names
    for name, host in written['hosts'].items():
        assert {control: record['actual'] for control, record in host['controls'].items()} == {
            'kernel.pid_max': name, 'tmp.item1': name + '/1', 'tmp.item2': name + '/2'}
        assert host['state'] == ('non_compliant' if int(name[-1]) % 2 else 'compliant')
    assert written['summary']['junit'] == {'tests': 36, 'failures': 6, 'errors': 0, 'skipped': 0}
    assert report_check.junit_problems(out / 'gocompat-report.xml', written) == []
