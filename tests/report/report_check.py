# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a written report directory, shared by the report tests and usable from any other test (a
molecule verify, a playbook test) as a command:

    python tests/report/report_check.py DIR [--hosts h1,h2] [--screenshot FILE]

- the JUnit file validates against tests/report/junit.xsd and its counts equal the JSON's, per host too;
- the HTML page, rendered by headless Chromium (--dump-dom), has one matrix row per host of the JSON (and
  exactly --hosts when given) and one row per failed control; with --screenshot, a PNG of the page.

Prints one line per problem and exits 1 when there is any. Needs the xmlschema package and Debian's chromium.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import xmlschema

HERE = Path(__file__).resolve().parent
XSD = HERE / 'junit.xsd'
# Headless Chromium as root in a closed network: no sandbox, nothing that reaches out (it would hang).
CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                  '--disable-background-networking', '--disable-component-update', '--disable-sync']


def junit_problems(junit_path, report):
    """What is wrong with the JUnit file: schema errors, then counts that differ from the JSON report."""
    schema = xmlschema.XMLSchema(str(XSD))
    errors = ['%s: %s' % (junit_path, error.reason or error) for error in schema.iter_errors(str(junit_path))]
    if errors:
        return errors
    problems = []
    root = ET.parse(str(junit_path)).getroot()
    totals = report['summary']['junit']
    got = dict((key, int(root.get(key, '-1'))) for key in totals)
    if got != totals:
        problems.append('testsuites totals %s, JSON summary.junit %s' % (got, totals))
    if len(list(root.iter('testcase'))) != totals['tests']:
        problems.append('%d testcases, JSON says %d' % (len(list(root.iter('testcase'))), totals['tests']))
    suites = dict((suite.get('name'), suite) for suite in root.findall('testsuite'))
    if sorted(suites) != sorted(report['hosts']):
        problems.append('testsuites %s, JSON hosts %s' % (sorted(suites), sorted(report['hosts'])))
    for name, host in sorted(report['hosts'].items()):
        suite = suites.get(name)
        if suite is None:
            continue
        extra = len(host['failed_tasks']) + (1 if host['unreachable'] else 0)
        expected = {
            'controls': sorted(host['controls']),
            'failures': host['counts']['fail'],
            'errors': host['counts']['error'] + extra,
            'skipped': host['counts']['skip'] + host['counts']['waived'],
        }
        cases = suite.findall('testcase')
        got = {
            'controls': sorted(case.get('name') for case in cases
                               if case.get('name') != 'host.reachable' and not case.get('name').startswith('task: ')),
            'failures': len(suite.findall('testcase/failure')),
            'errors': len(suite.findall('testcase/error')),
            'skipped': len(suite.findall('testcase/skipped')),
        }
        if got != expected:
            problems.append('host %s: JUnit %s, JSON %s' % (name, got, expected))
        for key in ('failures', 'errors', 'skipped'):
            if int(suite.get(key, '0')) != got[key]:
                problems.append('host %s: testsuite says %s=%s, it holds %d' % (name, key, suite.get(key), got[key]))
    return problems


def chromium(*args):
    """Run headless Chromium with a fresh profile; returns the completed process (stdout bytes)."""
    binary = shutil.which('chromium')
    if not binary:
        raise AssertionError('Debian chromium is needed (apt-get install chromium)')
    profile = tempfile.mkdtemp(prefix='gocompat-report-chromium-')
    try:
        return subprocess.run([binary] + CHROMIUM_FLAGS + ['--user-data-dir=%s' % profile] + list(args),
                              capture_output=True, timeout=120, check=True)
    finally:
        shutil.rmtree(profile, ignore_errors=True)


class Dom(HTMLParser):
    """Start tags with their attributes, and the text, of a page."""

    def __init__(self, markup):
        HTMLParser.__init__(self)
        self.elements = []
        self.text = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def rows(self, css_class):
        return [attrs for tag, attrs in self.elements
                if tag == 'tr' and css_class in attrs.get('class', '').split()]


def rendered_dom(html_path):
    """The DOM of the page after Chromium loaded it."""
    return Dom(chromium('--dump-dom', Path(html_path).resolve().as_uri()).stdout.decode('utf-8'))


def html_problems(html_path, report, hosts=None, screenshot=None):
    """What the rendered page lacks: a matrix row per host (exactly ``hosts`` when given) in the JSON's state,
    a row per failed control; anything a page must not load. Writes ``screenshot`` (PNG) when asked."""
    dom = rendered_dom(html_path)
    problems = []
    rows = dict((row.get('data-host'), row.get('data-state')) for row in dom.rows('host'))
    states = dict((name, host['state']) for name, host in report['hosts'].items())
    if rows != states:
        problems.append('matrix rows %s, JSON host states %s' % (rows, states))
    if hosts is not None and sorted(rows) != sorted(hosts):
        problems.append('matrix rows for %s, expected hosts %s' % (sorted(rows), sorted(hosts)))
    failed = sorted((row.get('data-host'), row.get('data-control')) for row in dom.rows('failed-control'))
    expected = sorted((name, control) for name, host in report['hosts'].items()
                      for control, record in host['controls'].items() if record['status'] in ('fail', 'error'))
    if failed != expected:
        problems.append('failed-control rows %s, JSON fail/error findings %s' % (failed, expected))
    loaded = [tag for tag, attrs in dom.elements if tag in ('script', 'img', 'link', 'iframe', 'object')]
    if loaded:
        problems.append('the page holds elements that run or load something: %s' % loaded)
    if screenshot is not None:
        screenshot = Path(screenshot)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        if screenshot.exists():
            screenshot.unlink()
        chromium('--window-size=1400,1100', '--screenshot=%s' % screenshot.resolve(),
                 Path(html_path).resolve().as_uri())
        data = screenshot.read_bytes() if screenshot.exists() else b''
        if data[:8] != b'\x89PNG\r\n\x1a\n':
            problems.append('no PNG screenshot written to %s' % screenshot)
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('directory', help='the report directory (gocompat-report.json, .xml, .html)')
    parser.add_argument('--hosts', help='comma-separated hosts the report must hold, exactly')
    parser.add_argument('--screenshot', help='write a PNG of the page here')
    args = parser.parse_args(argv)
    directory = Path(args.directory)
    try:
        report = json.loads((directory / 'gocompat-report.json').read_text())
        hosts = [host for host in args.hosts.split(',') if host] if args.hosts else None
        problems = junit_problems(directory / 'gocompat-report.xml', report)
        problems += html_problems(directory / 'gocompat-report.html', report, hosts, args.screenshot)
        if hosts is not None and sorted(report['hosts']) != sorted(hosts):
            problems.append('JSON hosts %s, expected %s' % (sorted(report['hosts']), sorted(hosts)))
    except (OSError, ValueError, KeyError, AssertionError, subprocess.SubprocessError) as exc:
        problems = ['%s: %s' % (type(exc).__name__, exc)]
    for problem in problems:
        print(problem)
    if not problems:
        print('report in %s: JUnit valid, counts match the JSON, %d host rows in the page'
              % (directory, len(report['hosts'])))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
