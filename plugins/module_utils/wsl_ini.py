# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A byte-keeping editor for the INI dialect WSL reads (/etc/wsl.conf and the Windows-side .wslconfig).

The file is kept as a list of entries, each holding its raw text with its own line ending, so rendering a
parsed file without edits gives back the same text: a UTF-8 BOM, CRLF, LF, lone CR and mixed endings,
comments, blank lines, order, spacing and quoting all survive. An edit replaces only the value of one key
line, inserts one line, or drops key lines.

The grammar follows WSL's own parser (src/shared/configfile in the WSL sources):
  - ``[section]``: a letter then letters or digits, optional spaces and a ``#`` comment after it;
  - ``key = value``: the same name rules; spaces around ``=`` are skipped, trailing spaces are trimmed;
    ``"`` toggles quoting, ``\\\\ \\" \\b \\n \\t`` are escapes, a backslash before an LF continues
    the value on the next line, ``#`` outside quotes starts a comment;
  - names are matched case-insensitively; a repeated section adds to the same section, and of a repeated
    key the FIRST one counts: WSL warns about the later ones and ignores them.
Lines starting with ``;`` are kept as comments (WSL ignores them with a warning).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

BOM = u'\ufeff'
_NAME = re.compile(r'[A-Za-z][A-Za-z0-9]*')
_HSPACE = ' \t'
_ESCAPES = {'\\': '\\', '"': '"', 'b': '\b', 'n': '\n', 't': '\t'}


class IniError(ValueError):
    """A line WSL cannot read; the message starts with ``file:line``."""


class Entry(object):
    """One logical line: ``raw`` is its exact text including its line ending (a continued value spans
    several physical lines). Key entries know where their value sits in ``raw``."""

    __slots__ = ('kind', 'raw', 'lineno', 'section', 'key', 'value', 'span', 'quoted')

    def __init__(self, kind, raw, lineno, section=None, key=None, value=None, span=None, quoted=False):
        self.kind = kind          # 'blank', 'comment', 'section', 'key'
        self.raw = raw
        self.lineno = lineno
        self.section = section    # as written in the file
        self.key = key
        self.value = value        # the value WSL reads (quotes and escapes resolved, trailing spaces trimmed)
        self.span = span          # (start, end) of the value text in raw
        self.quoted = quoted

    @property
    def eol(self):
        return self.raw[len(self.raw.rstrip('\r\n')):]

    def __repr__(self):
        return 'Entry(%s, %r)' % (self.kind, self.raw)


def _line_end(text, pos):
    """(end of content, end after the line ending) of the physical line starting at ``pos``."""
    end = pos
    size = len(text)
    while end < size and text[end] not in '\r\n':
        end += 1
    if end < size and text[end] == '\r' and end + 1 < size and text[end + 1] == '\n':
        return end, end + 2
    return end, min(end + 1, size)


def _where(path, lineno):
    return '%s:%d' % (path, lineno)


def _scan_value(text, pos, path, lineno):
    """Read a value from ``pos`` the way WSL does. Returns (value, value_end, entry_end, quoted, lines)."""
    value = []
    trimmed = 0
    in_quote = False
    quoted = False
    end_of_value = pos
    lines = 1
    size = len(text)
    while pos < size and text[pos] not in '\r\n':
        char = text[pos]
        if char == '"':
            in_quote = not in_quote
            quoted = True
        elif char == '\\':
            nxt = text[pos + 1] if pos + 1 < size else ''
            if nxt == '\n':
                lines += 1
                pos += 2
                continue
            if nxt not in _ESCAPES:
                raise IniError('%s: invalid escape %s in a value (WSL reads \\\\ \\" \\b \\n \\t and a backslash '
                               'at the end of an LF line)' % (_where(path, lineno + lines - 1), repr('\\' + nxt)))
            value.append(_ESCAPES[nxt])
            pos += 2
            trimmed = len(value)
            end_of_value = pos
            continue
        elif char == '#' and not in_quote:
            break
        else:
            value.append(char)
        pos += 1
        if char not in _HSPACE:
            trimmed = len(value)
            end_of_value = pos
    if in_quote:
        raise IniError('%s: a quote is not closed' % _where(path, lineno + lines - 1))
    _content_end, entry_end = _line_end(text, pos)
    return ''.join(value[:trimmed]), end_of_value, entry_end, quoted, lines


def _check_chars(content, path, lineno):
    if '\x00' in content:
        raise IniError('%s: NUL byte outside a comment' % _where(path, lineno))


class Document(object):
    """A parsed file: ``bom`` (bool) and ``entries``; ``render()`` gives the text back."""

    def __init__(self, path, bom, entries):
        self.path = path
        self.bom = bom
        self.entries = entries

    def render(self):
        return (BOM if self.bom else '') + ''.join(e.raw for e in self.entries)

    # --- queries ---
    def sections(self):
        return [e for e in self.entries if e.kind == 'section']

    def keys(self, section=None, key=None):
        """Key entries in file order, optionally of one section/key (case-insensitive)."""
        found = []
        for entry in self.entries:
            if entry.kind != 'key':
                continue
            if section is not None and entry.section.lower() != section.lower():
                continue
            if key is not None and entry.key.lower() != key.lower():
                continue
            found.append(entry)
        return found

    def get(self, section, key):
        """The entry WSL reads for section.key (the first one), or None."""
        matches = self.keys(section, key)
        return matches[0] if matches else None

    def duplicates(self):
        """One line per repeated section or key, saying what WSL makes of it."""
        notes = []
        first_section = {}
        for entry in self.sections():
            name = entry.section.lower()
            if name in first_section:
                notes.append('%s: section [%s] appears again (first at line %d); WSL reads both as one section'
                             % (_where(self.path, entry.lineno), entry.section, first_section[name]))
            else:
                first_section[name] = entry.lineno
        first_key = {}
        for entry in self.keys():
            name = (entry.section.lower(), entry.key.lower())
            if name in first_key:
                notes.append('%s: %s.%s is set again and WSL ignores it: the first value, line %d, counts'
                             % (_where(self.path, entry.lineno), entry.section, entry.key, first_key[name]))
            else:
                first_key[name] = entry.lineno
        return notes

    def dominant_eol(self):
        crlf = sum(1 for e in self.entries if e.eol == '\r\n')
        lf = sum(1 for e in self.entries if e.eol == '\n')
        return '\r\n' if crlf > lf else '\n'

    # --- edits ---
    def set_value(self, entry, encoded):
        """Replace the value text of ``entry`` by ``encoded`` (already quoted as needed), keeping the
        name, the spacing, an inline comment and the line ending."""
        start, end = entry.span
        entry.raw = entry.raw[:start] + encoded + entry.raw[end:]
        entry.span = (start, start + len(encoded))

    def remove(self, section, key):
        """Drop every line of section.key (WSL would read a later duplicate once the first is gone)."""
        gone = self.keys(section, key)
        self.entries = [e for e in self.entries if not any(e is g for g in gone)]
        return gone

    def _section_bodies(self, section):
        """[(header index, end index)] of every occurrence of ``section``."""
        bodies = []
        for i, entry in enumerate(self.entries):
            if entry.kind == 'section' and entry.section.lower() == section.lower():
                end = i + 1
                while end < len(self.entries) and self.entries[end].kind != 'section':
                    end += 1
                bodies.append((i, end))
        return bodies

    def _ensure_eol(self, index, eol):
        entry = self.entries[index]
        if not entry.eol:
            entry.raw += eol

    def add(self, section, key, encoded, section_name=None):
        """Insert ``key=value``: at the end of the first occurrence of its section, before that section's
        trailing blank and comment lines; or in a new section at the end of the file."""
        bodies = self._section_bodies(section)
        if bodies:
            header, end = bodies[0]
            after = header
            for i in range(header + 1, end):
                if self.entries[i].kind == 'key':
                    after = i
            eol = self.entries[after].eol or self.dominant_eol()
            last = after + 1 == len(self.entries)
            # a file that does not end in a line ending keeps not ending in one
            ending = '' if last and not self.entries[after].eol else eol
            self._ensure_eol(after, eol)
            self.entries.insert(after + 1, Entry('key', '%s=%s%s' % (key, encoded, ending), 0, section_name or section,
                                                 key, None, (len(key) + 1, len(key) + 1 + len(encoded))))
            return
        # a line after a lone CR must not start with LF: the two would read as one CRLF
        eol = (self.entries[-1].eol if self.entries else '') or self.dominant_eol()
        if self.entries:
            self._ensure_eol(len(self.entries) - 1, eol)
            if self.entries[-1].kind != 'blank':
                self.entries.append(Entry('blank', eol, 0))
        self.entries.append(Entry('section', '[%s]%s' % (section_name or section, eol), 0, section_name or section))
        self.entries.append(Entry('key', '%s=%s%s' % (key, encoded, eol), 0, section_name or section, key, None,
                                  (len(key) + 1, len(key) + 1 + len(encoded))))


def parse(text, path='wsl.conf'):
    """Parse ``text`` (str; undecodable bytes as surrogates). Raises IniError naming file:line."""
    bom = text.startswith(BOM)
    if bom:
        text = text[1:]
    entries = []
    pos = 0
    lineno = 1
    section = None
    size = len(text)
    while pos < size:
        content_end, line_end = _line_end(text, pos)
        content = text[pos:content_end]
        stripped = content.lstrip(_HSPACE)
        indent = len(content) - len(stripped)
        if not stripped:
            entries.append(Entry('blank', text[pos:line_end], lineno))
        elif stripped[0] in '#;':
            entries.append(Entry('comment', text[pos:line_end], lineno))
        elif stripped[0] == '[':
            _check_chars(content, path, lineno)
            match = re.match(r'\[([A-Za-z][A-Za-z0-9]*)\][ \t]*(#.*)?\Z', stripped)
            if not match:
                raise IniError('%s: not a section header; WSL reads [name] with a letter first, then letters or '
                               'digits' % _where(path, lineno))
            section = match.group(1)
            entries.append(Entry('section', text[pos:line_end], lineno, section))
        else:
            match = _NAME.match(stripped)
            if not match:
                raise IniError('%s: neither a section, a key = value line, a comment nor a blank line'
                               % _where(path, lineno))
            key = match.group(0)
            rest = pos + indent + match.end()
            while rest < content_end and text[rest] in _HSPACE:
                rest += 1
            if rest >= content_end or text[rest] != '=':
                raise IniError('%s: %s has no "=" after the key name (names are letters and digits)'
                               % (_where(path, lineno), key))
            if section is None:
                raise IniError('%s: key %s comes before any [section]' % (_where(path, lineno), key))
            rest += 1
            while rest < content_end and text[rest] in _HSPACE:
                rest += 1
            value, value_end, line_end, quoted, lines = _scan_value(text, rest, path, lineno)
            _check_chars(text[pos:value_end], path, lineno)
            entries.append(Entry('key', text[pos:line_end], lineno, section, key, value,
                                 (rest - pos, value_end - pos), quoted))
            lineno += lines - 1
        pos = line_end
        lineno += 1
    return Document(path, bom, entries)


def needs_quotes(value):
    return (value != value.strip(_HSPACE) or any(c in value for c in '#"\\\n\t\b')) and value != ''


def encode(value, quoted=False):
    """``value`` as WSL reads it back: bare when that is safe, else quoted with escapes. ``quoted`` keeps
    the quoting of the value being replaced."""
    if not (quoted or needs_quotes(value)):
        return value
    escaped = value.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n').replace('\t', '\\t')
    return '"%s"' % escaped.replace('\b', '\\b')
