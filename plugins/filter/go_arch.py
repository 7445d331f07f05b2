# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: go_arch
short_description: Go architecture name for a machine name
version_added: 0.1.0
description:
  - Maps a machine name as printed by C(uname -m) (C(x86_64), C(aarch64), C(armv7l), ...) to the
    architecture name Go and its download archives use (C(amd64), C(arm64), C(armv6l), ...).
positional: _input
options:
  _input:
    description: Machine name, as printed by C(uname -m).
    type: str
    required: true
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Go architecture of this host
  ansible.builtin.debug:
    msg: "{{ ansible_facts.architecture | gocompat.baseline.go_arch }}"
'''

RETURN = r'''
_value:
  description: The Go architecture name.
  type: str
'''

from ansible.errors import AnsibleFilterError


def go_arch(machine):
    # imported here: Ansible loads this file to resolve any gocompat filter, and go_versions is compiled each time
    from ansible_collections.gocompat.baseline.plugins.module_utils.go_versions import go_arch as _go_arch
    try:
        return _go_arch(str(machine).strip())
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {'go_arch': go_arch}
