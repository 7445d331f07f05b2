# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The documented keys of /etc/wsl.conf (per distribution) and of .wslconfig (the WSL 2 VM, in the Windows
user's profile), their types, and how a requested value is checked, written and compared with the file.

Types: ``bool`` (WSL reads 1/0 and true/false in any case; this module writes ``true``/``false``),
``int`` (C ``strtol`` base 0: 10, 0x10 and 010 are numbers), ``size`` (a number with an optional unit,
e.g. 8GB) and ``str``. Pure: no Ansible, no I/O."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

WSL_CONF = {
    'automount': {'enabled': 'bool', 'mountFsTab': 'bool', 'root': 'str', 'options': 'str'},
    'network': {'generateHosts': 'bool', 'generateResolvConf': 'bool', 'hostname': 'str'},
    'interop': {'enabled': 'bool', 'appendWindowsPath': 'bool'},
    'user': {'default': 'str'},
    'boot': {'systemd': 'bool', 'command': 'str', 'protectBinfmt': 'bool'},
    'gpu': {'enabled': 'bool'},
    'time': {'useWindowsTimezone': 'bool'},
}

WSLCONFIG = {
    'wsl2': {'memory': 'size', 'processors': 'int', 'swap': 'size', 'swapFile': 'str', 'kernel': 'str',
             'kernelCommandLine': 'str', 'localhostForwarding': 'bool', 'nestedVirtualization': 'bool',
             'guiApplications': 'bool', 'debugConsole': 'bool', 'pageReporting': 'bool', 'vmIdleTimeout': 'int',
             'networkingMode': 'str', 'firewall': 'bool', 'dnsTunneling': 'bool', 'autoProxy': 'bool',
             'safeMode': 'bool'},
    'experimental': {'autoMemoryReclaim': 'str', 'sparseVhd': 'bool', 'hostAddressLoopback': 'bool',
                     'bestEffortDnsParsing': 'bool', 'ignoredPorts': 'str'},
}

SCHEMAS = {'wsl.conf': WSL_CONF, 'wslconfig': WSLCONFIG}
TYPE_WORDS = {'bool': 'a boolean', 'int': 'an integer', 'size': 'a size such as 8GB', 'str': 'a string'}

_NAME = re.compile(r'[A-Za-z][A-Za-z0-9]*\Z')
_SIZE = re.compile(r'[0-9]+(\.[0-9]+)?[ \t]*([KMGT]?B?)\Z', re.IGNORECASE)
_TRUE = ('true', 'yes', 'on', '1')
_FALSE = ('false', 'no', 'off', '0')
MAX_VALUE = 4096


class Invalid(ValueError):
    """A requested setting that cannot be written; the message names it (settings.section.key)."""


def lookup(schema, section, key):
    """(section, key, type) spelled as documented, or None; WSL matches names in any case."""
    for known_section, keys in schema.items():
        if known_section.lower() == section.lower():
            for known_key, kind in keys.items():
                if known_key.lower() == key.lower():
                    return known_section, known_key, kind
            return None
    return None


def known_section(schema, section):
    return any(s.lower() == section.lower() for s in schema)


def _as_bool(name, value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return 'true' if value.strip().lower() in _TRUE else 'false'
    raise Invalid('%s: expected a boolean, got %s' % (name, _shown(value)))


def _as_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid('%s: expected an integer, got %s' % (name, _shown(value)))
    parsed = parse_int(str(value).strip())
    if parsed is None or not -2 ** 31 <= parsed < 2 ** 31:
        raise Invalid('%s: expected an integer, got %s' % (name, _shown(value)))
    return str(parsed)


def _as_size(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid('%s: expected a size such as 8GB, got %s' % (name, _shown(value)))
    text = str(value).strip()
    if not _SIZE.match(text):
        raise Invalid('%s: expected a size such as 8GB (a number, then B, KB, MB, GB or TB), got %s'
                      % (name, _shown(value)))
    return text


def _as_str(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid('%s: expected a string, got %s' % (name, _shown(value)))
    text = str(value)
    if len(text) > MAX_VALUE:
        raise Invalid('%s: %d characters, more than the %d allowed' % (name, len(text), MAX_VALUE))
    for char in text:
        if ord(char) < 0x20 or ord(char) == 0x7F or 0xD800 <= ord(char) <= 0xDFFF:
            raise Invalid('%s: control characters or bytes that are not text in %s' % (name, quote(text, 80)))
    return text


_CONVERT = {'bool': _as_bool, 'int': _as_int, 'size': _as_size, 'str': _as_str}


def _shown(value):
    if isinstance(value, (dict, list)):
        return 'a %s' % ('mapping' if isinstance(value, dict) else 'list')
    if value is None:
        return 'null'
    return quote(repr(value), 80)


def _guess_kind(value):
    if isinstance(value, bool):
        return 'bool'
    if isinstance(value, int):
        return 'int'
    return 'str'


def check_settings(settings, schema, strict, fmt):
    """``settings`` {section: {key: value}} -> [(section, key, kind, text or None)] in a stable order.

    ``text`` is the value as WSL reads it back (None: remove the key). Raises Invalid naming
    ``settings.<section>.<key>``; with ``strict`` off, unknown sections and keys pass with the type of
    the value given."""
    if not isinstance(settings, dict):
        raise Invalid('settings: expected a mapping of section -> key -> value, got %s' % _shown(settings))
    wanted = []
    seen = {}
    for section in sorted(settings, key=str):
        keys = settings[section]
        where = 'settings.%s' % quote(str(section), 80)
        if not isinstance(section, str) or not _NAME.match(section):
            raise Invalid('%s: a section name is a letter followed by letters or digits' % where)
        if not isinstance(keys, dict):
            raise Invalid('%s: expected a mapping of key -> value, got %s' % (where, _shown(keys)))
        if strict and not known_section(schema, section):
            raise Invalid('%s: unknown section [%s] in %s (known: %s; strict=false writes it anyway)'
                          % (where, section, fmt, ', '.join(sorted(schema))))
        for key in sorted(keys, key=str):
            name = '%s.%s' % (where, quote(str(key), 80))
            if not isinstance(key, str) or not _NAME.match(key):
                raise Invalid('%s: a key name is a letter followed by letters or digits' % name)
            known = lookup(schema, section, key)
            if known is None and strict:
                known_keys = ', '.join(sorted(k for s, ks in schema.items() if s.lower() == section.lower() for k in ks))
                raise Invalid('%s: unknown key %s in [%s] of %s (known: %s; strict=false writes it anyway)'
                              % (name, key, section, fmt, known_keys))
            canon_section, canon_key, kind = known if known else (section, key, None)
            ident = (canon_section.lower(), canon_key.lower())
            if ident in seen:
                raise Invalid('%s: given twice (also as settings.%s)' % (name, seen[ident]))
            seen[ident] = '%s.%s' % (section, key)
            value = keys[key]
            if value is None:
                wanted.append((canon_section, canon_key, kind, None))
                continue
            if kind is None:
                if isinstance(value, (dict, list, float)):
                    raise Invalid('%s: expected a boolean, an integer or a string, got %s' % (name, _shown(value)))
                kind = _guess_kind(value)
            wanted.append((canon_section, canon_key, kind, _CONVERT[kind](name, value)))
    return wanted


def parse_int(text):
    """C strtol with base 0: decimal, 0x hexadecimal, 0 octal; None when not a whole number."""
    match = re.match(r'([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\Z', text)
    if not match:
        return None
    digits = match.group(2)
    base = 16 if digits[:2].lower() == '0x' else 8 if digits.startswith('0') and len(digits) > 1 else 10
    number = int(digits, base)
    return -number if match.group(1) == '-' else number


def file_bool(text):
    """What WSL makes of a boolean in the file: True, False or None (not a boolean: WSL warns and
    keeps its default)."""
    if text == '1' or text.lower() == 'true':
        return True
    if text == '0' or text.lower() == 'false':
        return False
    return None


def same(kind, in_file, wanted):
    """Whether the file's value already means ``wanted`` (both as WSL reads them)."""
    if in_file is None:
        return False
    if kind == 'bool':
        return file_bool(in_file) == (wanted == 'true')
    if kind == 'int':
        return parse_int(in_file) is not None and parse_int(in_file) == parse_int(wanted)
    if kind == 'size':
        return in_file.replace(' ', '').lower() == wanted.replace(' ', '').lower()
    return in_file == wanted


def file_problems(document, schema, fmt):
    """Warnings about what is already in the file: unknown names and values WSL cannot read."""
    problems = []
    for entry in document.keys():
        known = lookup(schema, entry.section, entry.key)
        where = '%s:%d' % (document.path, entry.lineno)
        if known is None:
            problems.append('%s: %s.%s is not a documented %s key; WSL warns and ignores it'
                            % (where, entry.section, entry.key, fmt))
            continue
        kind = known[2]
        if kind == 'bool' and file_bool(entry.value) is None:
            problems.append('%s: %s.%s=%s is not a boolean WSL reads (true/false/1/0); WSL keeps its default'
                            % (where, entry.section, entry.key, quote(entry.value, 80)))
        elif kind == 'int' and parse_int(entry.value) is None:
            problems.append('%s: %s.%s=%s is not an integer; WSL keeps its default'
                            % (where, entry.section, entry.key, quote(entry.value, 80)))
    return problems
