# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The report dict (report_model.Collector.report) rendered as JSON, JUnit XML and one self-contained HTML
page. Every text that came from a host is escaped for the format it lands in; the HTML page loads nothing
(inline style, no script, no external asset)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import xml.etree.ElementTree as ET

from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_waivers import WAIVED

FILE_NAMES = {'json': 'gocompat-report.json', 'junit': 'gocompat-report.xml', 'html': 'gocompat-report.html',
              'markdown': 'gocompat-report.md'}

# Characters XML 1.0 cannot carry at all, even escaped.
_XML_BAD = re.compile(u'[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')


def render_json(report):
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=True) + '\n'


def _x(value):
    return _XML_BAD.sub(lambda match: '\\x%02x' % ord(match.group()) if ord(match.group()) < 0x100
                        else '\\u%04x' % ord(match.group()), '%s' % (value,))


def _sub(parent, tag, attrs=None, body=None):
    node = ET.SubElement(parent, tag, dict((key, _x(value)) for key, value in (attrs or {}).items()))
    if body:
        node.text = _x(body)
    return node


def _detail(record):
    lines = ['control: %s' % record['control'], 'status: %s' % record['status']]
    for field in ('expected', 'actual', 'source', 'remediation', 'task', 'play'):
        if record.get(field):
            lines.append('%s: %s' % (field, record[field]))
    if record.get('waiver_reason'):
        lines.append('waived %s: %s' % (record['waived_status'], record['waiver_reason']))
    return '\n'.join(lines)


def render_junit(report):
    """One testsuite per host, one testcase per host x control: fail -> failure, error -> error,
    skip -> skipped, waived -> skipped with the reason. An unreachable host and each failed task add an
    error testcase, so a host that broke down is never green. Totals equal report['summary']['junit']."""
    totals = report['summary']['junit']
    root = ET.Element('testsuites', dict(name='gocompat.baseline', tests=str(totals['tests']),
                                         failures=str(totals['failures']), errors=str(totals['errors']),
                                         skipped=str(totals['skipped'])))
    started = report['run'].get('started', '')
    for name in sorted(report['hosts']):
        host = report['hosts'][name]
        counts = host['counts']
        extra = len(host['failed_tasks']) + (1 if host['unreachable'] else 0)
        attrs = dict(name=name, hostname=name, tests=str(len(host['controls']) + extra), failures=str(counts['fail']),
                     errors=str(counts['error'] + extra), skipped=str(counts['skip'] + counts[WAIVED]))
        if started:
            attrs['timestamp'] = started[:19]   # xs:dateTime without the zone, as the readers expect
        suite = _sub(root, 'testsuite', attrs)
        props = _sub(suite, 'properties')
        _sub(props, 'property', dict(name='state', value=host['state']))
        for restart in host['restarts']:
            _sub(props, 'property', dict(name=restart['kind'], value='%s (%s)' % (restart['detail'], restart['task'])))
        classname = 'gocompat.' + name
        if host['unreachable']:
            case = _sub(suite, 'testcase', dict(classname=classname, name='host.reachable', time='0'))
            _sub(case, 'error', dict(type='unreachable', message=host['unreachable']),
                 'task: %s\n%s' % (host['unreachable_task'], host['unreachable']))
        for failed in host['failed_tasks']:
            case = _sub(suite, 'testcase', dict(classname=classname, name='task: ' + failed['task'], time='0'))
            _sub(case, 'error', dict(type='task_failed', message=failed['msg']),
                 'task: %s\nplay: %s\n%s' % (failed['task'], failed['play'], failed['msg']))
        for control in sorted(host['controls']):
            record = host['controls'][control]
            case = _sub(suite, 'testcase', dict(classname=classname, name=control, time='0'))
            status = record['status']
            if status == 'fail':
                _sub(case, 'failure', dict(type='fail', message='expected %s, actual %s' % (
                    record['expected'], record['actual'])), _detail(record))
            elif status == 'error':
                _sub(case, 'error', dict(type='error', message=record['actual'] or 'error'), _detail(record))
            elif status == 'skip':
                _sub(case, 'skipped', dict(message=record['actual'] or 'not applicable'))
            elif status == WAIVED:
                _sub(case, 'skipped', dict(message='waived (%s): %s' % (record['waived_status'],
                                                                        record['waiver_reason'])))
            else:
                _sub(case, 'system-out', None, _detail(record))
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding='unicode') + '\n'


def _h(value):
    """HTML text or attribute value: markup characters and quotes escaped."""
    return ('%s' % (value,)).replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;') \
        .replace('"', '&quot;').replace("'", '&#x27;')


_STYLE = '''
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1d1d1f}
table{border-collapse:collapse;margin:.5em 0 1.5em}
th,td{border:1px solid #c8c8cc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f2f2f5}
thead th{vertical-align:bottom}
td.s{text-align:center;font-weight:600;white-space:nowrap}
.pass{background:#dff3e1}.fixed{background:#d7e9fb}.fail{background:#fbd9d7}.error{background:#f4b4ae}
.skip{background:#eeeeee;color:#555}.waived{background:#fff1c2}.none{color:#aaa}
.unreachable,.failed{background:#f4b4ae}.non_compliant{background:#fbd9d7}.compliant{background:#dff3e1}
pre{margin:0;white-space:pre-wrap;word-break:break-word;max-width:48em}
.summary span{display:inline-block;margin-right:1em}
th.v{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap;vertical-align:bottom;font-weight:500}
'''
_MARK = {'pass': 'PASS', 'fixed': 'FIXED', 'fail': 'FAIL', 'error': 'ERROR', 'skip': 'skip', WAIVED: 'WAIVED'}


def _table(rows, head, table_id, vertical=0):
    """A table; the head cells from index ``vertical`` on are written upwards (many control ids)."""
    if not rows:
        return '<p class="none" id="%s">None.</p>' % table_id
    out = ['<table id="%s"><thead><tr>' % table_id]
    out.extend('<th%s>%s</th>' % (' class="v"' if vertical and index >= vertical else '', _h(cell))
               for index, cell in enumerate(head))
    out.append('</tr></thead><tbody>')
    out.extend(rows)
    out.append('</tbody></table>')
    return ''.join(out)


def _cells(values):
    return ''.join('<td><pre>%s</pre></td>' % _h(value) for value in values)


def render_html(report):
    run, summary, hosts = report['run'], report['summary'], report['hosts']
    controls = summary['controls']
    out = ['<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
           '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'">',
           '<title>gocompat.baseline compliance report</title><style>%s</style></head><body>' % _STYLE,
           '<h1>gocompat.baseline compliance report</h1>']
    verdict = 'compliant' if summary['compliant'] else 'NOT compliant'
    out.append('<p class="summary" id="summary" data-compliant="%s"><span><strong>%s</strong></span>' % (
        'true' if summary['compliant'] else 'false', _h(verdict)))
    for state, count in sorted(summary['host_states'].items()):
        out.append('<span>%s hosts: %d</span>' % (_h(state.replace('_', ' ')), count))
    for status, count in sorted(summary['by_status'].items()):
        out.append('<span>%s: %d</span>' % (_h(status), count))
    out.append('</p><p>Playbooks: %s. Started %s, ended %s. Check mode: %s. ansible-core %s.</p>' % (
        _h(', '.join(run.get('playbooks') or []) or '-'), _h(run.get('started', '')), _h(run.get('ended', '')),
        _h(', '.join(sorted(set('yes' if play['check_mode'] else 'no' for play in run.get('plays', [])))) or '-'),
        _h(run.get('ansible_version', ''))))
    for error in run.get('errors', []):
        out.append('<p class="error run-error">%s</p>' % _h(error))

    out.append('<h2>Hosts &times; controls</h2>')
    rows = []
    for name in sorted(hosts):
        host = hosts[name]
        cells = ['<th scope="row">%s</th><td class="s %s">%s</td>' % (
            _h(name), _h(host['state']), _h(host['state'].replace('_', ' ')))]
        for control in controls:
            record = host['controls'].get(control)
            if record is None:
                cells.append('<td class="s none" data-control="%s">-</td>' % _h(control))
                continue
            tip = '%s: expected %s, actual %s' % (record['status'], record['expected'], record['actual'])
            cells.append('<td class="s %s" data-control="%s" title="%s">%s</td>' % (
                _h(record['status']), _h(control), _h(tip), _h(_MARK.get(record['status'], record['status']))))
        rows.append('<tr class="host" data-host="%s" data-state="%s">%s</tr>' % (
            _h(name), _h(host['state']), ''.join(cells)))
    out.append(_table(rows, ['host', 'state'] + controls, 'matrix', vertical=2))

    out.append('<h2>What failed and why</h2>')
    rows = []
    for name in sorted(hosts):
        for control, record in sorted(hosts[name]['controls'].items()):
            if record['status'] in ('fail', 'error'):
                rows.append('<tr class="failed-control %s" data-host="%s" data-control="%s"><td>%s</td><td>%s</td>'
                            '<td class="s %s">%s</td>%s</tr>' % (
                                _h(record['status']), _h(name), _h(control), _h(name), _h(control),
                                _h(record['status']), _h(record['status']),
                                _cells([record['expected'], record['actual'], record['remediation'], record['task']])))
    out.append(_table(rows, ['host', 'control', 'status', 'expected', 'actual', 'remediation', 'task'], 'failures'))

    out.append('<h2>Hosts that did not finish</h2>')
    rows = []
    for name in sorted(hosts):
        host = hosts[name]
        if host['unreachable']:
            rows.append('<tr class="unreachable" data-host="%s"><td>%s</td><td>unreachable</td>%s</tr>' % (
                _h(name), _h(name), _cells([host['unreachable_task'], host['unreachable']])))
        for failed in host['failed_tasks']:
            rows.append('<tr class="failed" data-host="%s"><td>%s</td><td>task failed</td>%s</tr>' % (
                _h(name), _h(name), _cells([failed['task'], failed['msg']])))
    out.append(_table(rows, ['host', 'what', 'task', 'message'], 'broken'))

    verdicts = ['<tr class="verdict" data-host="%s"><td>%s</td>%s</tr>' % (
        _h(name), _h(name), _cells([verdict['task'], verdict['msg']]))
        for name in sorted(hosts) for verdict in hosts[name].get('verdicts', [])]
    if verdicts:
        out.append('<h2>Playbook verdicts</h2>')
        out.append(_table(verdicts, ['host', 'task', 'message'], 'verdicts'))

    out.append('<h2>What was fixed</h2>')
    rows = ['<tr class="fixed" data-host="%s"><td>%s</td><td>%s</td>%s</tr>' % (
        _h(name), _h(name), _h(control), _cells([record['actual'], record['expected'], record['task']]))
        for name in sorted(hosts) for control, record in sorted(hosts[name]['controls'].items())
        if record['status'] == 'fixed']
    out.append(_table(rows, ['host', 'control', 'was', 'now', 'task'], 'fixed'))

    out.append('<h2>Needs a reboot or a restart</h2>')
    rows = ['<tr class="restart %s" data-host="%s"><td>%s</td><td>%s</td>%s</tr>' % (
        _h(restart['kind']), _h(name), _h(name), _h(restart['kind'].replace('_', ' ')),
        _cells([restart['detail'], restart['task']]))
        for name in sorted(hosts) for restart in hosts[name]['restarts']]
    out.append(_table(rows, ['host', 'what', 'why', 'task'], 'restarts'))

    out.append('<h2>Waived</h2>')
    rows = ['<tr class="waived" data-host="%s"><td>%s</td><td>%s</td>%s</tr>' % (
        _h(name), _h(name), _h(control), _cells([record['waived_status'], record['waiver_reason'], record['actual']]))
        for name in sorted(hosts) for control, record in sorted(hosts[name]['controls'].items())
        if record['status'] == WAIVED]
    out.append(_table(rows, ['host', 'control', 'would be', 'reason', 'actual'], 'waived'))
    unused = [waiver for waiver in summary.get('waivers', []) if not waiver['used']]
    if unused:
        out.append('<p>Waivers that matched nothing: %s</p>' % _h('; '.join(
            '%s on %s' % (waiver['control'], ', '.join(waiver['hosts']) or 'all hosts') for waiver in unused)))
    out.append('</body></html>\n')
    return ''.join(out)


def _m(value):
    """Markdown table cell text: no line breaks, no cell separators, no markup or inline HTML."""
    text = ' '.join(('%s' % (value,)).split())
    text = text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
    for char in '\\`*_[]|#!~':
        text = text.replace(char, '\\' + char)
    return text


def _md_table(head, rows):
    if not rows:
        return ['None.', '']
    lines = ['| %s |' % ' | '.join(_m(cell) for cell in head), '|%s' % ('---|' * len(head))]
    lines.extend('| %s |' % ' | '.join(_m(cell) for cell in row) for row in rows)
    return lines + ['']


def render_markdown(report):
    """A short summary for CI job pages: verdict, one line per host, then what failed and what is due."""
    summary, hosts = report['summary'], report['hosts']
    lines = ['# gocompat.baseline compliance report', '',
             '**%s**: %s.' % ('Compliant' if summary['compliant'] else 'NOT compliant', _m(', '.join(
                 '%s %d' % (status, count) for status, count in sorted(summary['by_status'].items())))), '']
    lines.extend('Run error: %s' % _m(error) for error in report['run'].get('errors', []))
    lines += ['## Hosts', '']
    lines += _md_table(['host', 'state', 'pass', 'fixed', 'fail', 'error', 'skip', 'waived'], [
        [name, hosts[name]['state']] + [hosts[name]['counts'][key] for key in
                                        ('pass', 'fixed', 'fail', 'error', 'skip', WAIVED)]
        for name in sorted(hosts)])
    lines += ['## What failed and why', '']
    lines += _md_table(['host', 'control', 'status', 'expected', 'actual', 'remediation'], [
        [name, control, record['status'], record['expected'], record['actual'], record['remediation']]
        for name in sorted(hosts) for control, record in sorted(hosts[name]['controls'].items())
        if record['status'] in ('fail', 'error')] + [
        [name, 'task: ' + failed['task'], 'failed', '', failed['msg'], '']
        for name in sorted(hosts) for failed in hosts[name]['failed_tasks']] + [
        [name, 'host.reachable', 'unreachable', '', hosts[name]['unreachable'], '']
        for name in sorted(hosts) if hosts[name]['unreachable']])
    lines += ['## Needs a reboot or a restart', '']
    lines += _md_table(['host', 'what', 'why', 'task'], [
        [name, restart['kind'].replace('_', ' '), restart['detail'], restart['task']]
        for name in sorted(hosts) for restart in hosts[name]['restarts']])
    lines += ['## Waived', '']
    lines += _md_table(['host', 'control', 'would be', 'reason'], [
        [name, control, record['waived_status'], record['waiver_reason']]
        for name in sorted(hosts) for control, record in sorted(hosts[name]['controls'].items())
        if record['status'] == WAIVED])
    return '\n'.join(lines)


RENDERERS = {'json': render_json, 'junit': render_junit, 'html': render_html, 'markdown': render_markdown}
