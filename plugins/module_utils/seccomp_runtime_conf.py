# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Setting one key in the runtime configuration files, keeping everything else byte for byte:

- dockerd's ``daemon.json``: the top-level ``seccomp-profile`` member. The file is parsed to check it; the edit
  replaces only the member's value, or adds the member after the last one with the file's own indentation.
- Podman's ``containers.conf`` (TOML): ``seccomp_profile`` in the ``[containers]`` table. There is no TOML
  parser on the targets' Pythons, so this is a line editor that knows tables, comments, quoted keys and
  multi-line strings (a ``[containers]`` inside a multi-line string is not a table header).

Pure: text in, text out; errors name the file and ``line:column``."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

DOCKER_KEY = 'seccomp-profile'
PODMAN_KEY = 'seccomp_profile'


class ConfError(ValueError):
    """A configuration file this module must not edit; the message names the file and the place."""


def _where(text, index):
    line = text.count('\n', 0, index) + 1
    column = index - (text.rfind('\n', 0, index) + 1) + 1
    return '%d:%d' % (line, column)


def _skip_ws(text, index):
    while index < len(text) and text[index] in ' \t\r\n':
        index += 1
    return index


def _members(text, path):
    """[(key, key_start, value_start, value_end)] of the top-level object of ``text``; ConfError otherwise."""
    decoder = json.JSONDecoder()
    index = _skip_ws(text, 0)
    if index >= len(text) or text[index] != '{':
        raise ConfError('%s:%s: expected a JSON object' % (path, _where(text, index)))
    index = _skip_ws(text, index + 1)
    members, seen = [], set()
    if index < len(text) and text[index] == '}':
        return members, index + 1
    while True:
        if index >= len(text) or text[index] != '"':
            raise ConfError('%s:%s: expected a key in double quotes' % (path, _where(text, index)))
        key_start = index
        try:
            key, index = json.decoder.scanstring(text, index + 1)
        except ValueError as exc:
            raise ConfError('%s:%s: %s' % (path, _where(text, index), quote(getattr(exc, 'msg', str(exc)), 80)))
        if key in seen:
            raise ConfError('%s:%s: duplicate key %s' % (path, _where(text, key_start), quote(key, 60)))
        seen.add(key)
        index = _skip_ws(text, index)
        if index >= len(text) or text[index] != ':':
            raise ConfError('%s:%s: expected ":" after a key' % (path, _where(text, index)))
        value_start = _skip_ws(text, index + 1)
        try:
            _value, value_end = decoder.raw_decode(text, value_start)
        except RecursionError:
            raise ConfError('%s:%s: nested too deeply' % (path, _where(text, value_start)))
        except ValueError as exc:
            raise ConfError('%s:%s: not valid JSON: %s' % (path, _where(text, value_start),
                                                           quote(getattr(exc, 'msg', str(exc)), 80)))
        members.append((key, key_start, value_start, value_end))
        index = _skip_ws(text, value_end)
        if index < len(text) and text[index] == ',':
            index = _skip_ws(text, index + 1)
            continue
        if index < len(text) and text[index] == '}':
            return members, index + 1
        raise ConfError('%s:%s: expected "," or "}"' % (path, _where(text, index)))


def check_daemon_json(text, path):
    """Raise ConfError unless ``text`` is one JSON object, nothing after it, no duplicate top-level keys."""
    if any('\udc80' <= c <= '\udcff' for c in text):
        raise ConfError('%s: not UTF-8 text' % path)
    _members_list, end = _members(text, path)
    rest = _skip_ws(text, end)
    if rest < len(text):
        raise ConfError('%s:%s: text after the JSON object' % (path, _where(text, rest)))
    try:
        json.loads(text)
    except ValueError as exc:  # pragma: no cover - _members already walked every value
        raise ConfError('%s: not valid JSON: %s' % (path, quote(str(exc), 120)))


def daemon_json_value(text, path):
    """The current ``seccomp-profile`` value (any JSON type) or None."""
    if text is None:
        return None
    check_daemon_json(text, path)
    return json.loads(text).get(DOCKER_KEY)


def set_daemon_json(text, path, profile):
    """``text`` with ``"seccomp-profile": profile``; None/empty text gives a new file."""
    value = json.dumps(profile)
    if text is None or not text.strip():
        return '{\n  "%s": %s\n}\n' % (DOCKER_KEY, value)
    check_daemon_json(text, path)
    members, end = _members(text, path)
    for key, _ks, start, stop in members:
        if key == DOCKER_KEY:
            return text[:start] + value + text[stop:]
    if not members:
        close = end - 1
        return text[:close].rstrip(' \t\r\n') + '\n  "%s": %s\n' % (DOCKER_KEY, value) + text[close:]
    first_key = members[0][1]
    line_start = text.rfind('\n', 0, first_key) + 1
    indent = text[line_start:first_key] if not text[line_start:first_key].strip() else ''
    newline = '\r\n' if text[max(0, line_start - 2):line_start] == '\r\n' else '\n'
    separator = newline + indent if line_start > 0 else ' '
    last_end = members[-1][3]
    return text[:last_end] + ',' + separator + '"%s": %s' % (DOCKER_KEY, value) + text[last_end:]


# --- containers.conf ---

_HEADER = re.compile(r'\A\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?\Z')
_ARRAY_HEADER = re.compile(r'\A\s*\[\[')
_KEY = re.compile(r'\A(\s*)(?:seccomp_profile|"seccomp_profile"|\'seccomp_profile\')\s*=')


def _toml_lines(text):
    """(index, line, table or None when inside a multi-line string) for every line."""
    table = ''
    open_quote = None
    out = []
    for index, line in enumerate(text.split('\n')):
        if open_quote is not None:
            out.append((index, line, None))
            if line.count(open_quote) % 2 == 1:
                open_quote = None
            continue
        match = _HEADER.match(line)
        if match and not _ARRAY_HEADER.match(line):
            table = match.group(1).strip('"\'')
        elif _ARRAY_HEADER.match(line):
            table = '[[array]]'
        out.append((index, line, table))
        code = line.split('#', 1)[0] if '"""' not in line and "'''" not in line else line
        for delimiter in ('"""', "'''"):
            if code.count(delimiter) % 2 == 1:
                open_quote = delimiter
                break
    return out, open_quote


def _toml_string(value):
    return '"%s"' % value.replace('\\', '\\\\').replace('"', '\\"')


def containers_conf_value(text, path):
    """The raw value text of ``seccomp_profile`` in ``[containers]`` (stripped), or None."""
    found = _find_key(text or '', path)
    if found is None:
        return None
    line = found[1]
    return line.split('=', 1)[1].split('#', 1)[0].strip()


def _find_key(text, path):
    if any('\udc80' <= c <= '\udcff' for c in text):
        raise ConfError('%s: not UTF-8 text' % path)
    if '\x00' in text:
        raise ConfError('%s: holds a NUL byte' % path)
    lines, open_quote = _toml_lines(text)
    if open_quote is not None:
        raise ConfError('%s: a multi-line string (%s) is never closed' % (path, open_quote))
    hits = [(i, line) for i, line, table in lines if table == 'containers' and _KEY.match(line)]
    if len(hits) > 1:
        raise ConfError('%s:%d: seccomp_profile is set twice in [containers] (also line %d)'
                        % (path, hits[1][0] + 1, hits[0][0] + 1))
    headers = [i for i, line, table in lines if table == 'containers' and _HEADER.match(line)
               and _HEADER.match(line).group(1).strip('"\'') == 'containers']
    if len(headers) > 1:
        raise ConfError('%s:%d: the table [containers] is defined twice' % (path, headers[1] + 1))
    return hits[0] if hits else None


def set_containers_conf(text, path, profile):
    """``text`` with ``seccomp_profile = "profile"`` in ``[containers]``; every other byte kept."""
    line = 'seccomp_profile = %s' % _toml_string(profile)
    if text is None or not text.strip():
        return (text or '') + '[containers]\n%s\n' % line
    found = _find_key(text, path)
    parts = text.split('\n')
    if found is not None:
        index, old = found
        indent = _KEY.match(old).group(1)
        comment = ''
        value = old.split('=', 1)[1]
        if '#' in value and value.count('"') % 2 == 0 and value.count("'") % 2 == 0:
            comment = '  #' + value.split('#', 1)[1]
        parts[index] = indent + line + comment
        return '\n'.join(parts)
    lines, _open = _toml_lines(text)
    for index, current, table in lines:
        match = _HEADER.match(current) if table == 'containers' else None
        if match and match.group(1).strip('"\'') == 'containers':
            parts.insert(index + 1, line)
            return '\n'.join(parts)
    ending = '' if text.endswith('\n') else '\n'
    return text + ending + '\n[containers]\n%s\n' % line
