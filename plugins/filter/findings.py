# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: finding_line
short_description: One readable line for a finding
version_added: 0.1.0
description:
  - Formats a finding dict, as returned in C(findings) by this collection's modules, as
    C(STATUS control, actual value, expected value) on one line.
positional: _input
options:
  _input:
    description: A finding dict.
    type: dict
    required: true
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Print findings
  ansible.builtin.debug:
    msg: "{{ result.findings | map('gocompat.baseline.finding_line') | list }}"
'''

RETURN = r'''
_value:
  description: The formatted line.
  type: str
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.plugin_utils import finding_text


def finding_line(finding):
    try:
        return finding_text.finding_line(finding)
    except ValueError as exc:
        raise AnsibleFilterError('finding_line: %s' % exc)


class FilterModule(object):
    def filters(self):
        return {'finding_line': finding_line}
