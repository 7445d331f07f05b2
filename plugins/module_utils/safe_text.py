# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Text from hosts is hostile: file lines and command output may hold bytes that are not UTF-8,
control characters or megabytes of noise. Everything that reaches a message, a warning or a result
passes through ``quote`` first, so the result is always valid JSON text of a bounded size."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

DEFAULT_LIMIT = 200
_ELLIPSIS = '...'
_DECIMAL = re.compile(r'[0-9]+\Z')


def is_decimal(text):
    """ASCII digits only: host text that int() turns into a number. str.isdigit() also accepts '²' and other
    digits that int() refuses, which would end in a traceback."""
    return bool(_DECIMAL.match(text))


def _escape_char(char):
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:        # a byte that was not UTF-8 (surrogateescape)
        return '\\x%02x' % (code - 0xDC00)
    if 0xD800 <= code <= 0xDFFF:        # any other lone surrogate cannot be encoded either
        return '\\u%04x' % code
    if char == '\t':
        return char
    if code < 0x20 or code == 0x7F:
        return '\\x%02x' % code
    return char


def quote(text, limit=DEFAULT_LIMIT):
    """``text`` (str or bytes) made printable: undecodable bytes and control characters escaped as
    ``\\xNN``, then shortened to at most ``limit`` characters with a trailing '...'."""
    if text is None:
        return ''
    if isinstance(text, bytes):
        text = text.decode('utf-8', 'surrogateescape')
    out = []
    size = 0
    for char in text:
        piece = _escape_char(char)
        if size + len(piece) > limit:
            return ''.join(out)[:max(0, limit - len(_ELLIPSIS))] + _ELLIPSIS
        out.append(piece)
        size += len(piece)
    return ''.join(out)


def is_clean(text):
    """True when ``text`` needs no escaping (valid, printable, one line)."""
    return all(_escape_char(char) == char for char in text)
