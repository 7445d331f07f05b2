# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report's pure parts (aggregation, waivers, JSON/JUnit/HTML rendering, escaping) and the callback
itself, driven by a fake result stream."""

from __future__ import absolute_import, division, print_function

import json
import os
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
import yaml
from ansible import constants as C
from hypothesis import given, settings, strategies as st

from ansible_collections.gocompat.baseline.plugins.callback import gocompat_report
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_model import Collector
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_render import (
    render_html, render_json, render_junit, render_markdown)
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_waivers import (
    WaiverError, matching_waiver, parse_waivers, waive)


def finding(control, status, actual='a', expected='e', remediation='r', source=''):
    return dict(control=control, status=status, expected=expected, actual=actual, source=source,
                remediation=remediation)


def fleet(waivers=()):
    """A run over four hosts: web1 fixed and passing, db1 failing (one waived) with a reboot due, wsl1 with a
    failed task and a WSL restart, gone unreachable."""
    run = Collector(waivers=parse_waivers(list(waivers)), metadata={'started': '2026-12-04T21:00:00+00:00'})
    run.start_playbook('playbooks/audit.yml')
    run.start_play('Audit', check_mode=True)
    run.add_result('web1', 'kernel', {'findings': [finding('kernel.pid_max', 'fail'), finding('user.ns', 'pass')]})
    run.add_result('web1', 'fix kernel', {'changed': True, 'findings': [finding('kernel.pid_max', 'fixed')]})
    run.add_result('web1', 'tmp loop', {'results': [{'findings': [finding('tmp.fstype', 'pass')]},
                                                    {'findings': [finding('tmp.options', 'skip', actual='n/a')]},
                                                    {'skipped': True}]})
    run.add_result('db1', 'kernel', {'reboot_required': True,
                                     'findings': [finding('kernel.pid_max', 'fail', actual='32768'),
                                                  finding('user.ns', 'fail', actual='0'),
                                                  finding('host.cgroup_v2', 'error', actual='v1')]})
    run.add_result('wsl1', 'wsl', {'failed': True, 'msg': 'wsl.conf:3: bad line', 'restart_required': True,
                                   'restart_instruction': 'wsl.exe --shutdown',
                                   'findings': [finding('wsl.boot.systemd', 'fail')]}, failed=True)
    run.add_unreachable('gone', 'kernel', {'unreachable': True, 'msg': 'ssh: connection refused'})
    run.add_result('web1', 'summary', {'findings': [finding('kernel.pid_max', 'pass')]},
                   action='ansible.builtin.debug')
    return run


def test_latest_finding_wins_and_keeps_its_task():
    report = fleet().report()
    record = report['hosts']['web1']['controls']['kernel.pid_max']
    assert (record['status'], record['task'], record['play']) == ('fixed', 'fix kernel', 'Audit')


def test_echo_tasks_do_not_overwrite_evidence():
    # the debug task echoed a `pass` after the fix: the module's `fixed` stays
    assert fleet().report()['hosts']['web1']['controls']['kernel.pid_max']['status'] == 'fixed'


def test_loop_items_are_collected():
    controls = fleet().report()['hosts']['web1']['controls']
    assert controls['tmp.fstype']['task'] == 'tmp loop'
    assert controls['tmp.options']['status'] == 'skip'


def test_host_states_worst_first():
    hosts = fleet().report()['hosts']
    assert {name: host['state'] for name, host in hosts.items()} == {
        'web1': 'compliant', 'db1': 'non_compliant', 'wsl1': 'failed', 'gone': 'unreachable'}
    assert hosts['gone']['unreachable'] == 'ssh: connection refused'
    assert hosts['gone']['unreachable_task'] == 'kernel'
    assert hosts['wsl1']['failed_tasks'] == [{'task': 'wsl', 'play': 'Audit', 'msg': 'wsl.conf:3: bad line'}]


def test_ignored_failure_is_not_a_failed_task():
    run = Collector()
    run.add_result('h', 't', {'failed': True, 'msg': 'boom', 'findings': [finding('c', 'pass')]},
                   failed=True, ignore_errors=True)
    assert run.report()['hosts']['h']['state'] == 'compliant'


def test_restarts_from_results_and_facts():
    run = Collector()
    run.add_result('h', 'sysctl', {'not_applied': {'kernel.pid_max': 'needs a reboot',
                                                   'net.core.somaxconn': 'read-only /proc/sys'}})
    run.add_result('h', 'facts', {'ansible_facts': {'tmp_reboot_required': True, 'wsl_restart_required': False,
                                                    'other': True}})
    run.add_result('h', 'runtime', {'restart_needed': ['docker']})
    restarts = run.report()['hosts']['h']['restarts']
    assert restarts == [
        {'kind': 'reboot', 'detail': 'not applied until a reboot: kernel.pid_max', 'task': 'sysctl'},
        {'kind': 'reboot', 'detail': 'tmp_reboot_required', 'task': 'facts'},
        {'kind': 'service_restart', 'detail': 'docker', 'task': 'runtime'},
    ]


def test_summary_counts_and_junit_totals():
    summary = fleet().report()['summary']
    assert summary['by_status'] == {'pass': 2, 'fail': 3, 'fixed': 1, 'skip': 1, 'error': 1, 'waived': 0}
    assert summary['findings'] == 8
    assert summary['host_states'] == {'unreachable': 1, 'failed': 1, 'non_compliant': 1, 'compliant': 1}
    # 8 host x control cases + 1 failed task + 1 unreachable host
    assert summary['junit'] == {'tests': 10, 'failures': 3, 'errors': 3, 'skipped': 1}
    assert summary['compliant'] is False
    assert summary['controls'] == ['host.cgroup_v2', 'kernel.pid_max', 'tmp.fstype', 'tmp.options', 'user.ns',
                                   'wsl.boot.systemd']


def test_unknown_status_is_an_error_not_a_pass():
    run = Collector()
    run.add_result('h', 't', {'findings': [finding('c', 'ok'), finding('d', 'waived'), 'junk', {'status': 'pass'}]})
    report = run.report()
    assert report['hosts']['h']['controls']['c']['status'] == 'error'
    assert report['hosts']['h']['controls']['d']['status'] == 'error'
    assert "unknown status 'ok'" in report['hosts']['h']['controls']['c']['actual']
    assert len(report['run']['warnings']) == 2
    assert report['summary']['compliant'] is False


def test_no_hosts_is_not_compliant():
    assert Collector().report()['summary']['compliant'] is False


def test_host_text_is_bounded_and_printable():
    run = Collector()
    run.add_result('h\x1b[31m', 't', {'findings': [finding('c', 'fail', actual='x' * 10000 + '\x00')]})
    report = run.report()
    assert list(report['hosts']) == ['h\\x1b[31m']
    assert len(report['hosts']['h\\x1b[31m']['controls']['c']['actual']) == 4000


# Waivers

def test_waiver_makes_fail_waived_never_pass():
    report = fleet([{'control': 'user.*', 'hosts': ['db*'], 'reason': 'legacy host'},
                    {'control': 'probe.*', 'reason': 'unused'}]).report()
    record = report['hosts']['db1']['controls']['user.ns']
    assert (record['status'], record['waived_status'], record['waiver_reason']) == ('waived', 'fail', 'legacy host')
    assert report['hosts']['web1']['controls']['user.ns']['status'] == 'pass'   # pass stays pass
    assert report['hosts']['db1']['state'] == 'non_compliant'                   # other fails remain
    assert [waiver['used'] for waiver in report['summary']['waivers']] == [True, False]
    assert report['summary']['junit']['skipped'] == 2


def test_waived_everything_makes_host_compliant():
    report = fleet([{'control': '*', 'hosts': 'db1', 'reason': 'accepted'}]).report()
    assert report['hosts']['db1']['state'] == 'compliant'
    assert report['hosts']['db1']['counts']['waived'] == 3


@pytest.mark.parametrize('data, message', [
    ('kernel.pid_max', 'expected a list of waivers'),
    ([['control']], 'waiver 1: expected a mapping'),
    ([{'control': 'a', 'reason': 'r', 'host': 'x'}], "unknown key(s) host"),
    ([{'reason': 'r'}], 'waiver 1: control must be a non-empty string'),
    ([{'control': 'a', 'reason': 'r'}, {'control': ' ', 'reason': 'r'}], 'waiver 2: control'),
    ([{'control': 'a'}], 'waiver 1 (a): reason must be a non-empty string'),
    ([{'control': 'a', 'reason': 3}], 'reason must be'),
    ([{'control': 'a', 'reason': 'r', 'hosts': [1]}], 'hosts must be'),
    ([{'control': 'a', 'reason': 'r', 'hosts': {'x': 1}}], 'hosts must be'),
    ({'waivers': 'x'}, 'expected a list'),
])
def test_bad_waivers_name_the_entry(data, message):
    with pytest.raises(WaiverError) as info:
        parse_waivers(data, 'w.yml')
    assert str(info.value).startswith('w.yml')
    assert message in str(info.value)


def test_waiver_forms():
    assert parse_waivers(None) == [] and parse_waivers({'waivers': None}) == []
    waivers = parse_waivers({'waivers': [{'control': ' kernel.* ', 'reason': ' why ', 'hosts': 'db?'}]})
    assert waivers == [{'control': 'kernel.*', 'hosts': ['db?'], 'reason': 'why'}]
    assert matching_waiver(waivers, 'db1', 'kernel.pid_max') is waivers[0]
    assert matching_waiver(waivers, 'db10', 'kernel.pid_max') is None
    assert matching_waiver(waivers, 'db1', 'tmp.fstype') is None
    original = finding('kernel.pid_max', 'error')
    assert waive(original, waivers, 'db1')['status'] == 'waived' and original['status'] == 'error'
    assert waive(finding('kernel.pid_max', 'fixed'), waivers, 'db1')['status'] == 'fixed'


# Rendering

def test_json_round_trips():
    report = fleet().report()
    assert json.loads(render_json(report)) == report


def _junit(report):
    return ET.fromstring(render_junit(report).encode('utf-8'))


def test_junit_one_testcase_per_host_and_control():
    report = fleet([{'control': 'user.ns', 'hosts': ['db1'], 'reason': 'accepted <risk>'}]).report()
    root = _junit(report)
    cases = {(case.get('classname'), case.get('name')): case for case in root.iter('testcase')}
    assert len(cases) == report['summary']['junit']['tests'] == 10
    assert cases[('gocompat.db1', 'kernel.pid_max')].find('failure').get('message') == 'expected e, actual 32768'
    assert cases[('gocompat.db1', 'host.cgroup_v2')].find('error') is not None
    assert cases[('gocompat.db1', 'user.ns')].find('skipped').get('message') == 'waived (fail): accepted <risk>'
    assert cases[('gocompat.web1', 'tmp.options')].find('skipped').get('message') == 'n/a'
    assert cases[('gocompat.gone', 'host.reachable')].find('error').get('type') == 'unreachable'
    assert cases[('gocompat.wsl1', 'task: wsl')].find('error').get('message') == 'wsl.conf:3: bad line'
    passed = cases[('gocompat.web1', 'kernel.pid_max')]
    assert passed.find('failure') is None and 'status: fixed' in passed.find('system-out').text


def test_junit_totals_match_suites_and_cases():
    root = _junit(fleet().report())
    for attr, tag in (('failures', 'failure'), ('errors', 'error'), ('skipped', 'skipped')):
        assert int(root.get(attr)) == len(list(root.iter(tag))) == sum(int(s.get(attr)) for s in root)
    assert int(root.get('tests')) == sum(int(s.get('tests')) for s in root) == len(list(root.iter('testcase')))
    states = {suite.get('name'): suite.find('properties/property[@name="state"]').get('value') for suite in root}
    assert states == {'db1': 'non_compliant', 'gone': 'unreachable', 'web1': 'compliant', 'wsl1': 'failed'}


class _Page(HTMLParser):
    def __init__(self):
        HTMLParser.__init__(self)
        self.tags = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _page(report):
    page = _Page()
    page.feed(render_html(report))
    return page


def test_html_matrix_rows_and_sections():
    page = _page(fleet().report())
    rows = [attrs['data-host'] for tag, attrs in page.tags if tag == 'tr' and attrs.get('class') == 'host']
    assert rows == ['db1', 'gone', 'web1', 'wsl1']
    failed = sorted((attrs['data-host'], attrs['data-control']) for tag, attrs in page.tags
                    if tag == 'tr' and 'failed-control' in attrs.get('class', ''))
    assert failed == [('db1', 'host.cgroup_v2'), ('db1', 'kernel.pid_max'), ('db1', 'user.ns'),
                      ('wsl1', 'wsl.boot.systemd')]
    restarts = [(attrs['data-host'], attrs['class']) for tag, attrs in page.tags
                if tag == 'tr' and attrs.get('class', '').startswith('restart')]
    assert restarts == [('db1', 'restart reboot'), ('wsl1', 'restart wsl_restart')]
    fixed = [attrs['data-host'] for tag, attrs in page.tags if tag == 'tr' and attrs.get('class') == 'fixed']
    assert fixed == ['web1']


def test_html_is_self_contained():
    html = render_html(fleet().report())
    assert not re.search(r'<(script|link|img|iframe|object)\b', html, re.I)
    assert not re.search(r'(src|href)\s*=', html, re.I)
    assert 'url(' not in html


def test_html_escapes_host_text():
    run = Collector(waivers=parse_waivers([{'control': 'w', 'reason': '<b>why</b>'}]))
    evil = '<script>alert(1)</script>"\'&'
    run.add_result('<img src=x>', evil, {'findings': [finding(evil, 'fail', actual=evil, remediation=evil),
                                                      finding('w', 'fail')],
                                         'failed': True, 'msg': evil}, failed=True)
    html = render_html(run.report())
    assert '<script' not in html and '<img' not in html and '<b>' not in html
    assert '&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#x27;&amp;' in html
    assert '&lt;b&gt;why&lt;/b&gt;' in html


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40), st.sampled_from(['pass', 'fail', 'fixed', 'skip', 'error']))
def test_any_host_text_renders_safely(host, text, status):
    run = Collector(waivers=parse_waivers([{'control': '*', 'hosts': ['x*'], 'reason': 'r' + text}]))
    run.add_result(host or 'h', text, {'findings': [finding(text or 'c', status, actual=text, expected=text,
                                                            remediation=text, source=text)],
                                       'restart_needed': [text]})
    run.add_unreachable('x' + host, text, {'msg': text})
    report = run.report()
    json.loads(render_json(report))
    _junit(report)                       # parses: no raw markup, no character XML forbids
    markdown = render_markdown(report)
    assert '<' not in markdown and '\r' not in markdown
    for line in markdown.splitlines():
        if line.startswith('|'):             # one row stays one row with its own number of cells
            assert len(line.replace('\\\\', '').replace('\\|', '').split('|')) in (10, 8, 6, 5)
    page = _page(report)
    allowed = ('html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'p', 'span', 'strong', 'table',
               'thead', 'tbody', 'tr', 'th', 'td', 'pre')
    assert not [tag for tag, attrs in page.tags if tag not in allowed]


# The callback, driven by fake Ansible objects

class _Named(object):
    def __init__(self, name, action='gocompat.baseline.sysctl_guard'):
        self.name = name
        self.action = action

    def get_name(self):
        return self.name


class _Result(object):
    def __init__(self, host, task, result, action='gocompat.baseline.sysctl_guard'):
        self._host = _Named(host)
        self._task = _Named(task, action)
        self._result = result


class _Manager(object):
    def __init__(self, extra_vars):
        self.extra_vars = extra_vars

    def get_vars(self, play=None):
        return dict(self.extra_vars)


class _Play(_Named):
    def __init__(self, name, play_vars=None, extra_vars=None, check_mode=None):
        _Named.__init__(self, name)
        self.vars = play_vars or {}
        self.check_mode = check_mode
        self._manager = _Manager(extra_vars or {})
        self._loader = None

    def get_variable_manager(self):
        return self._manager


class _Stats(object):
    def __init__(self, hosts):
        self.processed = dict((host, 1) for host in hosts)


class _Display(object):
    def __init__(self):
        self.lines = []
        self.verbosity = 0

    def display(self, msg, *args, **kwargs):
        self.lines.append(msg)

    def warning(self, msg, *args, **kwargs):
        self.lines.append('WARNING ' + msg)


def _callback(tmp_path, **direct):
    # what the plugin loader does: register the documented options, name the instance
    name = 'gocompat.baseline.gocompat_report'
    C.config.initialize_plugin_configuration_definitions(
        'callback', name, yaml.safe_load(gocompat_report.DOCUMENTATION)['options'])
    display = _Display()
    callback = gocompat_report.CallbackModule(display=display)
    callback._load_name = name
    options = dict({'output_dir': str(tmp_path / 'out')}, **direct)
    callback.set_options(direct=dict((key, value) for key, value in options.items() if value is not None))
    return callback, display


def test_callback_writes_all_formats(tmp_path):
    callback, display = _callback(tmp_path)
    callback.v2_playbook_on_play_start(_Play('Audit', check_mode=True))
    callback.v2_runner_on_ok(_Result('h1', 'kernel', {'findings': [finding('kernel.pid_max', 'fail')]}))
    callback.v2_runner_on_failed(_Result('h2', 'tmp', {'msg': 'boom', 'findings': [finding('tmp.fstype', 'pass')]}))
    callback.v2_runner_on_unreachable(_Result('h3', 'kernel', {'msg': 'no route'}))
    callback.v2_runner_on_skipped(_Result('h4', 'kernel', {'skipped': True}))
    callback.v2_playbook_on_stats(_Stats(['h1', 'h2', 'h3', 'h4', 'h5']))
    out = tmp_path / 'out'
    assert sorted(os.listdir(str(out))) == ['gocompat-report.html', 'gocompat-report.json', 'gocompat-report.xml']
    report = json.loads((out / 'gocompat-report.json').read_text())
    assert {name: host['state'] for name, host in report['hosts'].items()} == {
        'h1': 'non_compliant', 'h2': 'failed', 'h3': 'unreachable', 'h4': 'compliant', 'h5': 'compliant'}
    assert report['run']['plays'] == [{'name': 'Audit', 'check_mode': True}]
    assert report['run']['ended'] and report['run']['ansible_version']
    assert display.lines[-1].startswith('gocompat report (not compliant): ')


def test_callback_formats_and_unknown_format(tmp_path):
    callback, display = _callback(tmp_path, formats=['junit', 'pdf'])
    callback.v2_playbook_on_play_start(_Play('p'))
    callback.v2_playbook_on_stats(_Stats(['h']))
    assert os.listdir(str(tmp_path / 'out')) == ['gocompat-report.xml']
    assert any('unknown format(s) pdf' in line for line in display.lines)


def test_callback_reads_waivers_from_file_and_variable(tmp_path):
    path = tmp_path / 'waivers.yml'
    path.write_text('- {control: kernel.pid_max, reason: from file}\n')
    callback, display = _callback(tmp_path, waivers_file=str(path), output_dir=None)
    callback.v2_playbook_on_play_start(_Play('p', extra_vars={
        'gocompat_waivers': [{'control': 'tmp.*', 'hosts': ['h1'], 'reason': 'from vars'}],
        'gocompat_report_dir': str(tmp_path / 'elsewhere')}))
    callback.v2_runner_on_ok(_Result('h1', 't', {'findings': [finding('kernel.pid_max', 'fail'),
                                                              finding('tmp.fstype', 'error')]}))
    callback.v2_playbook_on_stats(_Stats(['h1']))
    report = json.loads((tmp_path / 'elsewhere' / 'gocompat-report.json').read_text())
    controls = report['hosts']['h1']['controls']
    assert controls['kernel.pid_max']['waiver_reason'] == 'from file'
    assert controls['tmp.fstype']['waiver_reason'] == 'from vars'
    assert report['summary']['compliant'] is True


@pytest.mark.parametrize('content, message', [
    ('- control: a\n\treason: x\n', 'waivers.yml:2: malformed waivers file'),
    ('- control: a\n', 'waivers.yml: waiver 1 (a): reason must be a non-empty string'),
    (None, 'cannot read waivers file'),
])
def test_callback_bad_waivers_file_is_a_run_error(tmp_path, content, message):
    path = tmp_path / 'waivers.yml'
    if content is not None:
        path.write_text(content)
    callback, display = _callback(tmp_path, waivers_file=str(path))
    callback.v2_playbook_on_play_start(_Play('p'))
    callback.v2_runner_on_ok(_Result('h1', 't', {'findings': [finding('a', 'pass')]}))
    callback.v2_playbook_on_stats(_Stats(['h1']))
    report = json.loads((tmp_path / 'out' / 'gocompat-report.json').read_text())
    assert len(report['run']['errors']) == 1 and message in report['run']['errors'][0]
    assert report['summary']['compliant'] is False
    assert any(message in line for line in display.lines if line.startswith('WARNING'))


def test_callback_unwritable_dir_warns(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    callback, display = _callback(tmp_path, output_dir=str(blocker / 'sub'))
    callback.v2_playbook_on_play_start(_Play('p'))
    callback.v2_playbook_on_stats(_Stats(['h']))
    assert sum('cannot write' in line for line in display.lines) == 3


def test_failed_verdict_on_findings_is_not_a_broken_host():
    run = Collector()
    run.add_result('h', 'kernel', {'findings': [finding('kernel.pid_max', 'fail')]})
    run.add_result('h', 'Fail on non-compliant controls', {'failed': True, 'msg': 'non-compliant: kernel.pid_max'},
                   failed=True, action='ansible.builtin.assert')
    run.add_result('ok', 'kernel', {'findings': [finding('kernel.pid_max', 'pass')]})
    run.add_result('ok', 'Check something', {'failed': True, 'msg': 'assertion failed'}, failed=True,
                   action='ansible.builtin.assert')
    report = run.report()
    assert report['hosts']['h']['state'] == 'non_compliant'
    assert report['hosts']['h']['verdicts'] == [{'task': 'Fail on non-compliant controls', 'play': '',
                                                 'msg': 'non-compliant: kernel.pid_max'}]
    assert report['hosts']['h']['failed_tasks'] == []
    # an assertion that fails on a host without failing findings is a failed task
    assert report['hosts']['ok']['state'] == 'failed'
    assert report['summary']['junit']['errors'] == 1
    assert 'id="verdicts"' in render_html(report)


def test_markdown_summary_and_escaping():
    run = Collector()
    run.add_result('db|1', 't', {'findings': [finding('kernel.pid_max', 'fail', actual='a|b\n# not a heading <b>x</b>',
                                                      remediation='`rm -rf` *now*')]})
    run.add_unreachable('gone', 't', {'msg': 'no route'})
    markdown = render_markdown(run.report())
    assert markdown.startswith('# gocompat.baseline compliance report\n\n**NOT compliant**')
    rows = [line for line in markdown.splitlines() if line.startswith('| db\\|1 |')]
    assert rows == ['| db\\|1 | non\\_compliant | 0 | 0 | 1 | 0 | 0 | 0 |',
                    '| db\\|1 | kernel.pid\\_max | fail | e | a\\|b\\\\x0a\\# not a heading &lt;b&gt;x&lt;/b&gt; '
                    '| \\`rm -rf\\` \\*now\\* |']
    assert '| gone | host.reachable | unreachable |  | no route |  |' in markdown
    # every table row has as many cells as its head
    for line in markdown.splitlines():
        if line.startswith('|'):
            assert len(line.replace('\\|', '').split('|')) in (10, 8, 6)


def test_callback_writes_markdown_when_asked(tmp_path):
    callback, display = _callback(tmp_path, formats=['markdown', 'json'])
    callback.v2_playbook_on_play_start(_Play('p'))
    callback.v2_runner_on_ok(_Result('h1', 'kernel', {'findings': [finding('kernel.pid_max', 'pass')]}))
    callback.v2_playbook_on_stats(_Stats(['h1']))
    assert sorted(os.listdir(str(tmp_path / 'out'))) == ['gocompat-report.json', 'gocompat-report.md']
    assert '**Compliant**' in (tmp_path / 'out' / 'gocompat-report.md').read_text()


def test_the_playbooks_summary_fact_only_fills_controls_no_task_reported():
    collector = Collector()
    collector.add_result('h', 'sysctl', {'findings': [finding('kernel.pid_max', 'fail')]}, action='gocompat.baseline.sysctl_guard')
    summary = {'ansible_facts': {'gocompat_report_findings': [finding('kernel.pid_max', 'pass'),
                                                              finding('wsl.host', 'skip')]}}
    collector.add_result('h', 'Collect every finding for the report', summary, action='ansible.builtin.set_fact')
    controls = collector.report()['hosts']['h']['controls']
    assert controls['kernel.pid_max']['status'] == 'fail' and controls['kernel.pid_max']['task'] == 'sysctl'
    assert controls['wsl.host']['status'] == 'skip' and controls['wsl.host']['task'] == 'Collect every finding for the report'


def _summary_with_waivers(waivers, findings=()):
    return {'ansible_facts': {'gocompat_report_findings': list(findings), 'gocompat_report_waivers': waivers}}


def test_waivers_of_host_variables_apply_to_that_host_only_before_and_after_they_arrive():
    collector = Collector()
    for host in ('a', 'b'):
        collector.add_result(host, 'limits', {'findings': [finding('limits.nofile', 'fail')]}, action='x.y.kernel_limits')
    waivers = [{'control': 'limits.*', 'reason': 'engine cap'}]
    collector.add_result('a', 'Summarise findings', _summary_with_waivers(waivers),
                         action='gocompat.baseline.findings_summary')
    # a finding that arrives after the summary (a later play) is waived too
    collector.add_result('a', 'later', {'findings': [finding('limits.other', 'fail')]}, action='x.y.kernel_limits')
    report = collector.report()
    assert report['hosts']['a']['controls']['limits.nofile']['status'] == 'waived'
    assert report['hosts']['a']['controls']['limits.nofile']['task'] == 'limits'  # the evidence stays the module's
    assert report['hosts']['a']['controls']['limits.other']['status'] == 'waived'
    assert report['hosts']['b']['controls']['limits.nofile']['status'] == 'fail'
    assert report['hosts']['a']['state'] == 'compliant' and report['hosts']['b']['state'] == 'non_compliant'
    assert report['summary']['waivers'] == [{'control': 'limits.*', 'hosts': [], 'reason': 'engine cap', 'used': True,
                                             'from_host_vars': ['a']}]


def test_run_waivers_seen_again_through_host_variables_are_listed_once():
    waiver = {'control': 'probe.*', 'hosts': [], 'reason': 'no gcc'}
    collector = Collector(waivers=[waiver])
    collector.add_result('h', 'probe', {'findings': [finding('probe.race', 'fail')]}, action='x.y.go_probe')
    collector.add_result('h', 'Summarise', _summary_with_waivers([waiver]), action='gocompat.baseline.findings_summary')
    report = collector.report()
    assert report['summary']['waivers'] == [dict(waiver, used=True)]
    assert report['hosts']['h']['controls']['probe.race']['status'] == 'waived'


def test_malformed_waivers_of_host_variables_are_a_run_error_naming_the_host():
    collector = Collector()
    collector.add_result('h', 'probe', {'findings': [finding('probe.race', 'fail')]}, action='x.y.go_probe')
    collector.add_result('h', 'Summarise', _summary_with_waivers([{'control': 'probe.*'}]),
                         action='gocompat.baseline.findings_summary')
    report = collector.report()
    assert report['hosts']['h']['controls']['probe.race']['status'] == 'fail'
    assert any(error.startswith('h: gocompat_waivers: waiver 1') for error in report['run']['errors']), report['run']
    assert report['summary']['compliant'] is False
