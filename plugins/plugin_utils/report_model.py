# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The compliance report's data: task results in, one report dict out.

``Collector`` gets what the callback sees (task results per host, unreachable hosts, failed tasks) and
builds the report that every format renders: hosts x controls with evidence, restarts due, summary counts
and run metadata. Pure: no Ansible objects, so the unit tests drive it with a fake result stream.

Per host and control the latest finding wins (a harden run that fixes a control after an earlier task
found it failing reports ``fixed``); the task that produced it is kept as evidence."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_waivers import (WAIVED, WaiverError, matching_waiver,
                                                                                       parse_waivers, waive)

FORMAT = 'gocompat.baseline.report/1'
TEXT_LIMIT = 4000
STATUSES = ('pass', 'fail', 'fixed', 'skip', 'error', WAIVED)
FIELDS = ('expected', 'actual', 'source', 'remediation')
VERDICT_ACTIONS = frozenset(('assert', 'fail', 'ansible.builtin.assert', 'ansible.builtin.fail'))
# Host states, worst first.
HOST_STATES = ('unreachable', 'failed', 'non_compliant', 'compliant')
# Actions that echo findings (summaries, assertions) rather than produce them: their output would
# overwrite the evidence of the module that found them.
ECHO_ACTIONS = frozenset(('debug', 'set_fact', 'assert', 'fail', 'include_vars', 'set_stats',
                          'ansible.builtin.debug', 'ansible.builtin.set_fact', 'ansible.builtin.assert',
                          'ansible.builtin.fail', 'ansible.builtin.include_vars', 'ansible.builtin.set_stats'))


def text(value, limit=TEXT_LIMIT):
    """Any value from a host as one bounded, printable string (control bytes escaped)."""
    if value is None:
        return ''
    if not isinstance(value, (str, bytes)):
        try:
            value = json.dumps(value, sort_keys=True, default=str)
        except (TypeError, ValueError):
            value = repr(value)
    return quote(value, limit)


def _findings_in(result):
    """The finding lists of a result: its own and, for a loop, each item's."""
    found = []
    if isinstance(result.get('findings'), (list, tuple)):
        found.extend(result['findings'])
    for item in result.get('results') or ():
        if isinstance(item, dict) and isinstance(item.get('findings'), (list, tuple)):
            found.extend(item['findings'])
    return found


# A fact the playbooks set from gocompat_findings at their end: findings that no module task returned (a role
# that decides a control without a module call, such as wsl.host on a host known not to be WSL) reach the
# report through it. They only fill controls no task reported for that host.
SUMMARY_FACT = 'gocompat_report_findings'


# The waivers a host's own variables give (gocompat_waivers from inventory or host vars), set beside the
# findings by the playbooks' summary task: they apply to that host only, so the report and the playbook's
# verdict agree however the waivers were given.
SUMMARY_WAIVERS_FACT = 'gocompat_report_waivers'


def _summary_findings(result):
    facts = result.get('ansible_facts')
    found = facts.get(SUMMARY_FACT) if isinstance(facts, dict) else None
    return list(found) if isinstance(found, (list, tuple)) else []


def _summary_waivers(result):
    """The host-variable waivers in ``result`` (a list, possibly empty), or None when it carries none."""
    facts = result.get('ansible_facts')
    if not isinstance(facts, dict) or SUMMARY_WAIVERS_FACT not in facts:
        return None
    return facts[SUMMARY_WAIVERS_FACT]


def _waiver_key(waiver):
    return (waiver['control'], tuple(waiver['hosts']), waiver['reason'])


def _true(value):
    return value is True or (isinstance(value, str) and value.strip().lower() in ('true', 'yes', '1'))


def _restarts_in(result):
    """What a result says must be restarted: (kind, detail) pairs. Modules return ``reboot_required``,
    ``restart_required`` (+ ``restart_instruction``), ``restart_needed`` (services) and ``not_applied``
    (sysctl keys persisted for the next boot); roles publish ``<role>_reboot_required`` and
    ``wsl_restart_required`` facts."""
    found = []
    for part in [result] + [item for item in (result.get('results') or ()) if isinstance(item, dict)]:
        if _true(part.get('reboot_required')):
            found.append(('reboot', 'reboot_required'))
        if _true(part.get('restart_required')):
            found.append(('wsl_restart', text(part.get('restart_instruction')) or 'restart_required'))
        needed = part.get('restart_needed')
        if isinstance(needed, (list, tuple)) and needed:
            found.append(('service_restart', ', '.join(text(name) for name in needed)))
        not_applied = part.get('not_applied')
        if isinstance(not_applied, dict):
            keys = sorted(text(key) for key, why in not_applied.items() if 'read-only' not in text(why))
            if keys:
                found.append(('reboot', 'not applied until a reboot: ' + ', '.join(keys)))
        facts = part.get('ansible_facts')
        if isinstance(facts, dict):
            for name in sorted(facts):
                if name.endswith('_reboot_required') and _true(facts[name]):
                    found.append(('reboot', text(name)))
                elif name.endswith('_restart_required') and _true(facts[name]):
                    found.append(('wsl_restart' if name.startswith('wsl') else 'service_restart', text(name)))
    return found


def _failure_message(result):
    for key in ('msg', 'message', 'stderr', 'reason'):
        if result.get(key):
            return text(result[key], 1000)
    for item in result.get('results') or ():
        if isinstance(item, dict) and item.get('failed') and item.get('msg'):
            return text(item['msg'], 1000)
    return 'failed'


class Collector(object):
    """Accumulates a run. Methods mirror what a callback sees; ``report()`` returns the report dict."""

    def __init__(self, waivers=(), metadata=None):
        self.waivers = list(waivers)
        self.metadata = dict(metadata or {})
        self.errors = []
        self.warnings = []
        self.plays = []
        self.playbooks = []
        self._hosts = {}
        self._order = []
        self._play = ''

    def add_error(self, message):
        self.errors.append(text(message, 1000))

    def start_playbook(self, name):
        self.playbooks.append(text(name, 500))

    def start_play(self, name, check_mode=False):
        self._play = text(name, 500)
        self.plays.append({'name': self._play, 'check_mode': bool(check_mode)})

    def host(self, name):
        name = text(name, 500)
        if name not in self._hosts:
            self._hosts[name] = {'controls': {}, 'failed_tasks': [], 'unreachable': '', 'unreachable_task': '',
                                 'restarts': [], 'verdicts': [], 'waivers': []}
            self._order.append(name)
        return self._hosts[name]

    def add_result(self, host, task, result, failed=False, ignore_errors=False, action=''):
        """A task result (ok, changed or failed; loops included) of ``host``."""
        entry = self.host(host)
        if not isinstance(result, dict):
            return
        task = text(task, 500)
        if failed and not ignore_errors:
            failure = {'task': task, 'play': self._play, 'msg': _failure_message(result)}
            if action in VERDICT_ACTIONS and any(record['status'] in ('fail', 'error')
                                                 for record in entry['controls'].values()):
                # the playbook's own verdict on findings already in the report (audit.yml's assert): the
                # host is non-compliant, not broken
                entry['verdicts'].append(failure)
            else:
                entry['failed_tasks'].append(failure)
        if action not in ECHO_ACTIONS:
            for finding in _findings_in(result):
                self._add_finding(entry, host, task, finding)
        host_waivers = _summary_waivers(result)
        if host_waivers is not None:
            self._set_host_waivers(entry, host, host_waivers)
        for finding in _summary_findings(result):
            if isinstance(finding, dict) and finding.get('control') not in entry['controls']:
                self._add_finding(entry, host, task, finding)
        for kind, detail in _restarts_in(result):
            restart = {'kind': kind, 'detail': detail, 'task': task}
            if restart not in entry['restarts']:
                entry['restarts'].append(restart)

    def add_unreachable(self, host, task, result):
        entry = self.host(host)
        message = _failure_message(result) if isinstance(result, dict) else 'unreachable'
        entry['unreachable'] = message
        entry['unreachable_task'] = text(task, 500)

    def _set_host_waivers(self, entry, host, waivers):
        try:
            entry['waivers'] = parse_waivers(waivers, '%s: gocompat_waivers' % text(host, 200))
        except WaiverError as exc:
            self.add_error(str(exc))
            return
        # findings already collected for this host get them too
        for control, record in list(entry['controls'].items()):
            entry['controls'][control] = waive(record, entry['waivers'], text(host, 500))

    def _add_finding(self, entry, host, task, finding):
        if not isinstance(finding, dict) or not finding.get('control'):
            self.warnings.append('%s: ignored a finding without a control id in task %s: %s'
                                 % (text(host, 200), task, text(finding, 300)))
            return
        record = {'control': text(finding['control'], 200), 'status': text(finding.get('status'), 50)}
        for field in FIELDS:
            record[field] = text(finding.get(field))
        if record['status'] not in STATUSES or record['status'] == WAIVED:
            # a status outside the contract is reported as an error, never as compliant
            record['actual'] = 'unknown status %r; %s' % (record['status'], record['actual'])
            record['status'] = 'error'
            if not record['remediation']:
                record['remediation'] = 'fix the module that returned this finding'
        record = waive(record, self.waivers + entry['waivers'], text(host, 500))
        record.update(task=task, play=self._play)
        entry['controls'][record['control']] = record

    @staticmethod
    def _waiver_entry(waiver, used, carried):
        entry = dict(waiver, used=_waiver_key(waiver) in used)
        if _waiver_key(waiver) in carried:
            entry['from_host_vars'] = sorted(carried[_waiver_key(waiver)])
        return entry

    def report(self):
        """The report dict (see docs/report.md)."""
        hosts = {}
        by_status = dict((status, 0) for status in STATUSES)
        host_states = dict((state, 0) for state in HOST_STATES)
        controls = set()
        used_waivers = set()
        # every waiver once: the run's own, then those of host variables, each with the hosts that carried it
        waivers, carried = list(self.waivers), {}
        run_keys = set(_waiver_key(waiver) for waiver in self.waivers)
        for name in self._order:
            for waiver in self._hosts[name]['waivers']:
                key = _waiver_key(waiver)
                if key in run_keys:
                    continue  # the run's own list, seen again through the host's variables (extra vars)
                if key not in carried:
                    waivers.append(waiver)
                carried.setdefault(key, []).append(name)
        junit = {'tests': 0, 'failures': 0, 'errors': 0, 'skipped': 0}
        for name in sorted(self._order):
            entry = self._hosts[name]
            counts = dict((status, 0) for status in STATUSES)
            for control, record in entry['controls'].items():
                counts[record['status']] += 1
                controls.add(control)
                if record['status'] == WAIVED:
                    waiver = matching_waiver(self.waivers + entry['waivers'], name, control)
                    if waiver is not None:
                        used_waivers.add(_waiver_key(waiver))
            if entry['unreachable']:
                state = 'unreachable'
            elif entry['failed_tasks']:
                state = 'failed'
            elif counts['fail'] or counts['error']:
                state = 'non_compliant'
            else:
                state = 'compliant'
            host_states[state] += 1
            for status in STATUSES:
                by_status[status] += counts[status]
            junit['tests'] += len(entry['controls']) + len(entry['failed_tasks']) + (1 if entry['unreachable'] else 0)
            junit['failures'] += counts['fail']
            junit['errors'] += counts['error'] + len(entry['failed_tasks']) + (1 if entry['unreachable'] else 0)
            junit['skipped'] += counts['skip'] + counts[WAIVED]
            hosts[name] = {
                'state': state,
                'unreachable': entry['unreachable'],
                'unreachable_task': entry['unreachable_task'],
                'failed_tasks': list(entry['failed_tasks']),
                'restarts': list(entry['restarts']),
                'verdicts': list(entry['verdicts']),
                'counts': counts,
                'controls': dict((control, entry['controls'][control]) for control in sorted(entry['controls'])),
            }
        return {
            'format': FORMAT,
            'run': dict(self.metadata, playbooks=list(self.playbooks), plays=list(self.plays),
                        errors=list(self.errors), warnings=list(self.warnings)),
            'summary': {
                'hosts': len(hosts),
                'host_states': host_states,
                'controls': sorted(controls),
                'findings': sum(by_status.values()),
                'by_status': by_status,
                'junit': junit,
                'compliant': bool(hosts) and host_states['compliant'] == len(hosts) and not self.errors,
                'waivers': [self._waiver_entry(waiver, used_waivers, carried) for waiver in waivers],
            },
            'hosts': hosts,
        }
