# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""``$GOROOT/go.env``: read it the way the go command does, and set keys in it without disturbing the
rest (comments, order, other keys, line endings of lines left alone).

How the go command reads the file (cmd/go/internal/cfg, checked against go1.27.3):
- lines end at ``\\n`` only: a CRLF line's value keeps its ``\\r`` (``GOSUMDB=off\\r`` is not ``off``);
- a line is a setting only when it starts with A-Z and has a ``=``; key and value are the text before
  and after the first ``=``, not trimmed. Comments, blank lines, indented or lower-case lines and a line
  behind a UTF-8 BOM are ignored;
- the FIRST line for a key wins in go.env (unlike the ``go env -w`` file, where the last one does);
- GODEBUG and GOENV are ignored there: they only work from the OS environment.

Editing rules that follow: a key is updated in place on its first line and later duplicates are
removed (one line per key, whatever rule a reader assumes); new keys are appended at the end; lines
written end in ``\\n`` even in a CRLF file, since a ``\\r`` would become part of the value. Nothing here
touches the file system; with nothing to change the text comes back as it was, byte for byte.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# The go command refuses these in `go env -w` too: they only work from the OS environment.
OS_ENVIRONMENT_ONLY = ('GODEBUG', 'GOENV')
# Computed by the go command itself (`go env -w` says "cannot be modified"); GOROOT from go.env is
# overwritten by the GOROOT the go command found.
NOT_SETTABLE = ('GOEXE', 'GOGCCFLAGS', 'GOHOSTARCH', 'GOHOSTOS', 'GOMOD', 'GOROOT', 'GOTELEMETRY',
                'GOTELEMETRYDIR', 'GOTOOLDIR', 'GOVERSION', 'GOWORK')

_KEY_RE = re.compile(r'^[A-Z][A-Za-z0-9_]*\Z')


class EnvLine(object):
    """One line of go.env: ``body`` without its ``ending`` ('\\n' or '' for a last line without one).
    ``key``/``value`` are set only for lines the go command reads as a setting."""

    __slots__ = ('line_no', 'body', 'ending', 'key', 'value')

    def __init__(self, line_no, body, ending):
        self.line_no = line_no
        self.body = body
        self.ending = ending
        self.key = self.value = None
        if '=' in body and 'A' <= body[:1] <= 'Z':
            self.key, self.value = body.split('=', 1)

    @property
    def text(self):
        return self.body + self.ending

    def __repr__(self):
        return 'EnvLine(%d, %r)' % (self.line_no, self.text)


def parse_go_env(text):
    """Split go.env content into EnvLine objects; ``''.join(l.text for l in lines) == text``."""
    lines = []
    start = 0
    text = text or ''
    while start < len(text):
        end = text.find('\n', start)
        if end < 0:
            lines.append(EnvLine(len(lines) + 1, text[start:], ''))
            break
        lines.append(EnvLine(len(lines) + 1, text[start:end], '\n'))
        start = end + 1
    return lines


def validate_key(key):
    """Return an error message for a key to set, or None when it can be set in go.env."""
    if not isinstance(key, str) or not key:
        return 'go.env key must be a non-empty string, got %r' % (key,)
    if not _KEY_RE.match(key):
        return ('invalid go.env key %r: the go command reads only names that start with A-Z and contain '
                'letters, digits and _' % key)
    if key in OS_ENVIRONMENT_ONLY:
        return ('%s cannot be set in $GOROOT/go.env: the go command ignores it there (and `go env -w` refuses '
                'it); set it in the OS environment instead, e.g. /etc/environment or /etc/profile.d' % key)
    if key in NOT_SETTABLE:
        return '%s cannot be set in $GOROOT/go.env: the go command computes it itself' % key
    return None


def normalize_value(key, value):
    """The text to write for ``value``; ValueError for values go.env cannot hold. None stays None
    (it means: remove the key)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError('go.env value for %s must be a string, got %s %r' % (key, type(value).__name__, value))
    value = str(value)
    for char, name in (('\n', 'a newline'), ('\r', 'a carriage return'), ('\0', 'a NUL byte')):
        if char in value:
            raise ValueError('go.env value for %s contains %s: a go.env value is one line' % (key, name))
    return value


def set_go_env(text, settings):
    """Apply ``settings`` ({key: value}; a value of None removes the key) to go.env ``text``.

    Returns ``(new_text, changed_keys)``; ``changed_keys`` follows the order of ``settings``. When
    nothing changes, ``new_text`` is ``text`` itself. ValueError for a key or value go.env cannot hold,
    before anything is edited."""
    wanted = []
    for key, value in settings.items():
        error = validate_key(key)
        if error:
            raise ValueError(error)
        wanted.append((key, normalize_value(key, value)))

    original = text or ''
    lines = parse_go_env(original)
    changed = []
    appended = []
    for key, value in wanted:
        positions = [index for index, line in enumerate(lines) if line is not None and line.key == key]
        if value is None:
            if positions:
                for index in positions:
                    lines[index] = None
                changed.append(key)
            continue
        body = '%s=%s' % (key, value)
        if not positions:
            appended.append(body)
            changed.append(key)
            continue
        first = lines[positions[0]]
        if first.body == body and len(positions) == 1:
            continue
        # In place, so comments above it still describe it; the line end stays '\n' or none (last line).
        lines[positions[0]] = EnvLine(first.line_no, body, first.ending)
        for index in positions[1:]:
            lines[index] = None
        changed.append(key)

    if not changed:
        return text, []
    kept = [line.text for line in lines if line is not None]
    new_text = ''.join(kept)
    if appended:
        if new_text and not new_text.endswith('\n'):
            new_text += '\n'
        new_text += ''.join(body + '\n' for body in appended)
    return new_text, changed
