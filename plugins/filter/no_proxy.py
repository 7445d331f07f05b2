# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: no_proxy
short_description: Normalise and validate NO_PROXY entries
version_added: 0.1.0
description:
  - Turns a list of NO_PROXY entries, or a comma-separated string of them, into one comma-joined
    string as read by Go's C(golang.org/x/net/http/httpproxy) (which C(net/http) uses), curl and most
    other HTTP clients.
  - "Accepted entries: a host name (C(example.com), also matches its subdomains in Go), a domain suffix
    (C(.example.com); C(*.example.com) is normalised to C(.example.com)), an IPv4 or IPv6 address,
    a CIDR block (normalised to its network address: C(10.1.2.3/8) becomes C(10.0.0.0/8)), any of the
    host forms or an address with a port (C(example.com:8080), C(10.0.0.1:8080), C([::1]:8080)), and
    C(*) alone (no proxy for any host)."
  - Entries are trimmed and lowercased, a trailing dot of a host name is dropped, internationalised
    names are converted to their ASCII (punycode) form, and duplicates are removed keeping the first
    occurrence.
  - An invalid entry (empty, an address such as C(300.1.1.1) or C(10.0.0.0/33), a name with spaces or
    other characters not allowed in host names, a port outside 1-65535) raises an error naming it.
  - Runs on the controller and needs the C(netaddr) Python library there.
positional: _input
options:
  _input:
    description:
      - The entries, as a list of strings or as one comma-separated string.
      - A list element may itself hold several comma-separated entries.
      - An empty list or a string of only white space gives an empty result.
    type: raw
    required: true
requirements:
  - netaddr
author:
  - gocompat.baseline contributors (@gocompat)
'''

EXAMPLES = r'''
- name: Normalise a NO_PROXY list
  ansible.builtin.debug:
    msg: "{{ ['Localhost', '*.corp.example', '10.1.2.3/8', '::1', 'registry.local:5000'] | gocompat.baseline.no_proxy }}"
  # => "localhost,.corp.example,10.0.0.0/8,::1,registry.local:5000"

- name: A comma-separated string works too; duplicates are dropped
  ansible.builtin.debug:
    msg: "{{ 'example.com, .example.com,EXAMPLE.com' | gocompat.baseline.no_proxy }}"
  # => "example.com,.example.com"
'''

RETURN = r'''
_value:
  description: The normalised entries joined with commas; an empty string for no entries.
  type: str
'''

import re

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.plugin_utils.controller_deps import require


def _netaddr():
    return require('netaddr', 'no_proxy')


_LABEL = re.compile(r'^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$')
_DOTTED_DIGITS = re.compile(r'^[0-9]+(?:\.[0-9]+)*$')
_IPV4_QUAD = re.compile(r'^[0-9]{1,3}(?:\.[0-9]{1,3}){3}$')


class _Invalid(Exception):
    """An entry is not valid; the message says why."""


def _ipv4(text):
    netaddr = _netaddr()
    if not _IPV4_QUAD.match(text) or any(len(part) > 1 and part[0] == '0' for part in text.split('.')):
        raise _Invalid('not a valid IPv4 address')
    try:
        return netaddr.IPAddress(text, 4, flags=netaddr.INET_PTON)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise _Invalid('not a valid IPv4 address')


def _ipv6(text):
    netaddr = _netaddr()
    if '%' in text:
        raise _Invalid('IPv6 zone identifiers are not supported')
    try:
        return netaddr.IPAddress(text, 6)
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise _Invalid('not a valid IPv6 address')


def _port(text):
    if not text.isdigit() or not text.isascii():
        raise _Invalid('port %r is not a number' % text)
    number = int(text)
    if not 1 <= number <= 65535:
        raise _Invalid('port %s is outside 1-65535' % text)
    return str(number)


def _cidr(text):
    netaddr = _netaddr()
    address, prefix = text.split('/', 1)
    if not prefix.isdigit() or not prefix.isascii():
        raise _Invalid('prefix length %r is not a number' % prefix)
    if ':' in address:
        ip, limit = _ipv6(address), 128
    else:
        ip, limit = _ipv4(address), 32
    if int(prefix) > limit:
        raise _Invalid('prefix length /%s is longer than %d bits' % (prefix, limit))
    try:
        return str(netaddr.IPNetwork('%s/%d' % (ip, int(prefix))).cidr)
    except (netaddr.AddrFormatError, ValueError, TypeError) as exc:
        raise _Invalid('not a valid CIDR block (%s)' % exc)


def _domain(text):
    """A host name, .suffix or *.suffix; returns the normalised form."""
    prefix = ''
    if text.startswith('*.'):
        prefix, text = '.', text[2:]
    elif text.startswith('.'):
        prefix, text = '.', text[1:]
    if text.endswith('.'):
        text = text[:-1]
    if not text:
        raise _Invalid('no host name')
    if not text.isascii():
        try:
            text = text.encode('idna').decode('ascii')
        except UnicodeError as exc:
            raise _Invalid('not a valid internationalised host name (%s)' % exc)
    if len(text) > 253:
        raise _Invalid('host name longer than 253 characters')
    if _DOTTED_DIGITS.match(text):
        raise _Invalid('not a valid IPv4 address')
    labels = text.split('.')
    for label in labels:
        if not _LABEL.match(label):
            raise _Invalid('%r is not a valid host name label' % label)
    if labels[-1].isdigit():
        raise _Invalid('the last label of a host name cannot be numeric')
    return prefix + text


def _host_and_port(text):
    """host, host:port, IPv4, IPv4:port, IPv6, [IPv6], [IPv6]:port."""
    if text.startswith('['):
        end = text.find(']')
        if end < 0:
            raise _Invalid('missing ] after the IPv6 address')
        address, rest = str(_ipv6(text[1:end])), text[end + 1:]
        if not rest:
            return address
        if not rest.startswith(':'):
            raise _Invalid('unexpected text after ]')
        return '[%s]:%s' % (address, _port(rest[1:]))
    if text.count(':') > 1:
        return str(_ipv6(text))
    host, sep, port = text.partition(':')
    if sep:
        if not host:
            raise _Invalid('no host before the port')
        port = _port(port)
    if _DOTTED_DIGITS.match(host):
        host = str(_ipv4(host))
    else:
        host = _domain(host)
    return host + (':' + port if sep else '')


def normalise_entry(entry):
    """Return the normalised form of one NO_PROXY entry or raise _Invalid."""
    if not isinstance(entry, str):
        raise _Invalid('expected a string, got %s' % type(entry).__name__)
    text = entry.strip().lower()
    if not text:
        raise _Invalid('empty entry')
    if text == '*':
        return text
    if any(char.isspace() for char in text):
        raise _Invalid('white space inside the entry')
    if '://' in text:
        raise _Invalid('a URL is not an entry; give the host name, address or CIDR block')
    if '/' in text:
        return _cidr(text)
    return _host_and_port(text)


def _entries(value):
    if isinstance(value, str):
        if not value.strip():
            return []
        return value.split(',')
    if isinstance(value, (list, tuple)):
        entries = []
        for item in value:
            entries.extend(item.split(',') if isinstance(item, str) else [item])
        return entries
    raise AnsibleFilterError('no_proxy expects a list of entries or a comma-separated string, got %s'
                             % type(value).__name__)


def no_proxy(value):
    """Normalise, validate and deduplicate NO_PROXY entries; return them comma-joined."""
    result = []
    for entry in _entries(value):
        try:
            normalised = normalise_entry(entry)
        except _Invalid as exc:
            raise AnsibleFilterError('no_proxy: invalid entry %r: %s' % (entry, exc))
        if normalised not in result:
            result.append(normalised)
    return ','.join(result)


class FilterModule(object):
    def filters(self):
        return {'no_proxy': no_proxy}
