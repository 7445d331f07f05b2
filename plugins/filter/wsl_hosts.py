# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: wsl_hosts
short_description: Validate /etc/hosts entries and render them as lines
version_added: 0.3.0
description:
  - Turns a list of C({address, names}) entries into C(/etc/hosts) lines (address, a tab, the names separated by
    spaces), for the C(gocompat.baseline.wsl) role, which keeps C(localhost) resolving to loopback when WSL no
    longer generates C(/etc/hosts) (C([network] generateHosts=false)).
  - Addresses are IPv4 or IPv6 addresses, written in their canonical form (C(0:0:0:0:0:0:0:1) becomes C(::1)).
    Names are host names (letters, digits, C(-) and C(.), labels of at most 63 characters).
  - C(localhost) and C(localhost.localdomain) may only name a loopback address (127.0.0.0/8 or ::1), since Go's
    resolver and most programs expect it to be local.
  - An invalid entry raises an error naming its position and what is wrong.
  - Runs on the controller and needs the C(netaddr) Python library there.
positional: _input
options:
  _input:
    description: The entries, a list of mappings with C(address) (string) and C(names) (list of strings).
    type: list
    elements: dict
    required: true
requirements:
  - netaddr
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Lines for /etc/hosts
  ansible.builtin.debug:
    msg: "{{ [{'address': '127.0.0.1', 'names': ['localhost']}, {'address': '0::1', 'names': ['localhost', 'ip6-localhost']}]
             | gocompat.baseline.wsl_hosts }}"
  # => ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost"]
'''

RETURN = r'''
_value:
  description: One C(/etc/hosts) line per entry, in the order given.
  type: list
  elements: str
'''

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.plugin_utils.controller_deps import require


def _netaddr():
    return require('netaddr', 'wsl_hosts')


_LABEL = re.compile(r'[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z')
LOOPBACK_ONLY = ('localhost', 'localhost.localdomain')


def _address(text):
    if not isinstance(text, str) or not text.strip():
        raise ValueError('address must be a non-empty string')
    text = text.strip()
    netaddr = _netaddr()
    for version, flags in ((4, netaddr.INET_PTON), (6, 0)):
        try:
            return netaddr.IPAddress(text, version, flags=flags)
        except (netaddr.AddrFormatError, ValueError, TypeError):
            continue
    raise ValueError('address %r is not an IPv4 or IPv6 address' % text)


def _name(text):
    if not isinstance(text, str):
        raise ValueError('a name must be a string, got %s' % type(text).__name__)
    name = text.strip().rstrip('.')
    if not name or len(name) > 253 or not all(_LABEL.match(label) for label in name.split('.')):
        raise ValueError('%r is not a host name' % text)
    return name


def wsl_hosts(entries):
    """Validated, canonical /etc/hosts lines of ``entries``."""
    require('netaddr', 'wsl_hosts')
    if not isinstance(entries, (list, tuple)):
        raise AnsibleFilterError('wsl_hosts expects a list of {address, names} entries, got %s'
                                 % type(entries).__name__)
    lines = []
    for index, entry in enumerate(entries):
        try:
            if not isinstance(entry, dict) or sorted(entry) != ['address', 'names']:
                raise ValueError('expected a mapping with exactly the keys address and names')
            address = _address(entry['address'])
            names = entry['names']
            if not isinstance(names, (list, tuple)) or not names:
                raise ValueError('names must be a non-empty list')
            names = [_name(n) for n in names]
            local = [n for n in names if n.lower() in LOOPBACK_ONLY]
            if local and not address.is_loopback():
                raise ValueError('%s may only name a loopback address, not %s' % (local[0], address))
        except ValueError as exc:
            raise AnsibleFilterError('wsl_hosts: entry %d: %s' % (index + 1, exc))
        lines.append('%s\t%s' % (address, ' '.join(names)))
    return lines


class FilterModule(object):
    def filters(self):
        return {'wsl_hosts': wsl_hosts}
