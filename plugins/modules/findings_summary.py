#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: findings_summary
short_description: Print one line per finding and hand every finding to the report
version_added: 0.3.0
description:
  - Runs on the controller only, as an action plugin; nothing is sent to the host. It prints one line per finding
    (the status in capitals, the control and the state before the run, then the expected state unless the
    control passed or does not apply) and sets the host fact C(gocompat_report_findings) to the findings.
  - The C(gocompat.baseline.gocompat_report) callback takes findings from every task result; through this fact
    it also gets the findings that no module task returned (a role that decides a control without a module call).
  - Adds the host's verdict to the run's custom stats (what C(ansible.builtin.set_stats) gives), under
    C(gocompat_compliance), merged across hosts, with C(compliant), C(counts) and C(failing) per host and the
    waivers applied. AWX and
    Automation Platform keep them as the job's artifacts; C(ANSIBLE_SHOW_CUSTOM_STATS=true) prints them.
  - The playbooks end with one call of it over C(gocompat_findings), the findings of every role, so a run spends
    one task on its summary.
options:
  findings:
    description:
      - The findings, each a dict with at least C(control), C(status), C(actual) and C(expected), as the modules
        of this collection return them.
    type: list
    elements: dict
    required: true
  waivers:
    description:
      - Accepted deviations of this host, C({control, hosts, reason}) each (the form of C(gocompat_waivers)). They
        do not change the printed lines; they are set as the host fact C(gocompat_report_waivers), and the report
        callback applies them to this host's findings, so waivers kept in inventory or host variables count in
        the report as they do in the playbook's verdict.
      - A malformed list fails the task, naming the entry.
    type: raw
extends_documentation_fragment:
  - gocompat.baseline.module.controller_action
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Summarise every finding of the play's roles
  gocompat.baseline.findings_summary:
    findings: "{{ gocompat_findings }}"

- name: Summarise, with the waivers this host's variables give
  gocompat.baseline.findings_summary:
    findings: "{{ gocompat_findings }}"
    waivers: "{{ gocompat_waivers | default([]) }}"

- name: Summarise the probe alone
  gocompat.baseline.findings_summary:
    findings: "{{ probe_findings }}"
  register: probe_summary

- name: Fail when a probe check fails (the waivers counted)
  ansible.builtin.assert:
    that: probe_summary.compliance.compliant
    fail_msg: "failed: {{ probe_summary.compliance.failing | join(', ') }}"
'''

RETURN = r'''
msg:
  description: One line per finding, in the order given.
  returned: success
  type: list
  elements: str
  sample: ["PASS  kernel.pid_max: 4194304", "FIXED limits.nofile: 1024 (expected 16384)"]
compliance:
  description:
    - The host's verdict, the waivers applied, for a later task to assert on (register the result; the
      playbooks fail on C(compliant=false), naming C(failing)).
    - C(compliant) is false when a control has the status C(fail) or C(error); C(counts) counts the findings per
      status; C(failing) lists those controls, sorted.
  returned: success
  type: dict
  sample: {compliant: false, counts: {pass: 40, fail: 1}, failing: [limits.nofile]}
ansible_stats:
  description: The host's verdict for the run's custom stats (job artifacts in AWX).
  returned: success
  type: dict
  sample: {data: {gocompat_compliance: {build-01: {compliant: false, counts: {pass: 40, fail: 1},
                                                   failing: [limits.nofile]}}},
           per_host: false, aggregate: true}
ansible_facts:
  description: The findings, for later tasks and for the report callback.
  returned: success
  type: dict
  contains:
    gocompat_report_findings:
      description: The findings as given.
      type: list
      elements: dict
      sample: [{control: kernel.pid_max, status: pass, expected: '>= 4194304', actual: '4194304'}]
    gocompat_report_waivers:
      description: The waivers given in O(waivers), checked, each with a C(hosts) list (empty for every host).
      returned: when O(waivers) is given
      type: list
      elements: dict
      sample: [{control: host.cgroup_v2, hosts: [], reason: the build VMs boot with hybrid cgroups}]
'''
