# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.gocompat.baseline.plugins.plugin_utils.finding_text import finding_line
# the facts the report callback reads: findings no module task returned, and the waivers of the host's variables
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_model import (SUMMARY_FACT as REPORT_FACT,
                                                                                     SUMMARY_WAIVERS_FACT as WAIVERS_FACT)
from ansible_collections.gocompat.baseline.plugins.plugin_utils.report_waivers import WaiverError, parse_waivers, waive

# The run's custom stats (what set_stats gives: job artifacts in AWX), one entry per host merged across hosts.
STATS_KEY = 'gocompat_compliance'
ARGUMENT_SPEC = {'findings': {'type': 'list', 'elements': 'dict', 'required': True},
                 'waivers': {'type': 'raw'}}


def compliance(findings, waivers, host):
    """A host's verdict in a few fields, small enough for job artifacts: counts per status (waivers applied)
    and the controls that fail or erred."""
    counts, failing = {}, []
    for finding in findings:
        status = waive(finding, waivers, host).get('status')
        counts[status] = counts.get(status, 0) + 1
        if status in ('fail', 'error'):
            failing.append(finding.get('control'))
    return {'compliant': not failing, 'counts': counts, 'failing': sorted(failing)}


class ActionModule(ActionBase):
    """Print one line per finding and hand every finding to the report callback, in one controller-side task
    (no module runs on the host). See plugins/modules/findings_summary.py for the documentation."""

    TRANSFERS_FILES = False
    _requires_connection = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        # raises AnsibleActionFail naming the option when the arguments are wrong
        dummy, args = self.validate_argument_spec(argument_spec=ARGUMENT_SPEC)
        findings = args['findings']
        facts = {REPORT_FACT: findings}
        waivers = []
        if args['waivers'] is not None:
            try:
                waivers = facts[WAIVERS_FACT] = parse_waivers(args['waivers'], 'waivers')
            except WaiverError as exc:
                result.update(failed=True, msg=str(exc))
                return result
        lines = []
        for index, finding in enumerate(findings):
            try:
                lines.append(finding_line(finding))
            except ValueError as exc:
                result.update(failed=True, msg='findings[%d]: %s' % (index, exc))
                return result
        host = (task_vars or {}).get('inventory_hostname', '')
        verdict = compliance(findings, waivers, host)
        # `compliance` is the verdict a later task asserts on (register the result): the waivers are applied once
        result.update(changed=False, msg=lines, ansible_facts=facts, compliance=verdict,
                      ansible_stats={'data': {STATS_KEY: {host: verdict}}, 'per_host': False, 'aggregate': True})
        # shown like debug output at the default verbosity: the summary is the point of the task
        result['_ansible_verbose_always'] = True
        return result
