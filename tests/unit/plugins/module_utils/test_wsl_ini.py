# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The byte-keeping INI editor of wsl.conf / .wslconfig: examples, and hypothesis properties (a parse and
render without edits is byte-identical; an edit touches only the intended lines; BOM and line endings
survive every edit)."""

from __future__ import absolute_import, division, print_function

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_ini as I

WINDOWS = u'\ufeff# edited in Notepad\r\n[boot]\r\nsystemd = false   # off for now\r\n\r\n[network]\r\nhostname=box\r\n'


def physical(text):
    """Physical lines with their endings (the editor's own notion: CRLF, LF or a lone CR), BOM left out."""
    out, line = [], ''
    text = text[1:] if text.startswith(u'\ufeff') else text
    i = 0
    while i < len(text):
        line += text[i]
        if text[i] == '\n' or (text[i] == '\r' and text[i + 1:i + 2] != '\n'):
            out.append(line)
            line = ''
        i += 1
    if line:
        out.append(line)
    return out


def test_values_are_read_the_way_wsl_reads_them():
    doc = I.parse('[a]\nk1 = plain value  # comment\nk2="  spaced # not a comment "\nk3 = say \\"hi\\"\\t!\n'
                  'k4 = one \\\ntwo\nk5=\nK6 = "x"y"z"\n', '/etc/wsl.conf')
    values = dict((e.key, e.value) for e in doc.keys())
    assert values == {'k1': 'plain value', 'k2': '  spaced # not a comment ', 'k3': 'say "hi"\t!',
                      'k4': 'one two', 'k5': '', 'K6': 'xyz'}
    assert [e.lineno for e in doc.keys()] == [2, 3, 4, 5, 7, 8]
    assert doc.get('A', 'k6').value == 'xyz'


def test_first_duplicate_wins_and_both_kinds_of_duplicates_are_reported():
    doc = I.parse('[boot]\nsystemd=true\n[network]\nhostname=a\n[Boot]\nSystemd=false\ncommand=x\n', '/etc/wsl.conf')
    assert doc.get('boot', 'systemd').value == 'true'
    assert doc.get('boot', 'command').lineno == 7
    assert doc.duplicates() == [
        '/etc/wsl.conf:5: section [Boot] appears again (first at line 1); WSL reads both as one section',
        '/etc/wsl.conf:6: Boot.Systemd is set again and WSL ignores it: the first value, line 2, counts']


@pytest.mark.parametrize('text,where,words', [
    ('[boot\nsystemd=true\n', 'f:1', 'section header'),
    ('[1boot]\n', 'f:1', 'section header'),
    ('[boot] x\n', 'f:1', 'section header'),
    ('[boot]\nsystemd true\n', 'f:2', 'no "="'),
    ('[boot]\nsys-temd=true\n', 'f:2', 'no "="'),
    ('systemd=true\n', 'f:1', 'before any [section]'),
    ('[boot]\n\n=true\n', 'f:3', 'neither a section'),
    ('[boot]\ncommand="unclosed\n', 'f:2', 'quote is not closed'),
    ('[boot]\ncommand=a\\qb\n', 'f:2', 'invalid escape'),
    ('[boot]\ncommand=a \\\r\nb\n', 'f:2', 'invalid escape'),
    ('[boot]\ncommand=a\x00b\n', 'f:2', 'NUL'),
    ('[a]\nk=1 \\\n2 \\\n"3\n', 'f:4', 'quote is not closed'),
])
def test_malformed_lines_name_file_and_line(text, where, words):
    with pytest.raises(I.IniError) as err:
        I.parse(text, 'f')
    assert str(err.value).startswith(where + ': ')
    assert words in str(err.value)


def test_set_keeps_spacing_comment_quoting_and_crlf():
    doc = I.parse(WINDOWS, 'w')
    doc.set_value(doc.get('boot', 'systemd'), I.encode('true'))
    assert doc.render() == WINDOWS.replace('systemd = false   #', 'systemd = true   #')
    doc = I.parse('[user]\ndefault = "old"\n')
    doc.set_value(doc.get('user', 'default'), I.encode('dev', quoted=doc.get('user', 'default').quoted))
    assert doc.render() == '[user]\ndefault = "dev"\n'


def test_a_new_key_goes_after_the_last_key_of_its_first_section_before_trailing_comments():
    doc = I.parse('[boot]\ncommand=x\n# systemd=false\n\n[network]\nhostname=h\n[boot]\nprotectBinfmt=true\n')
    doc.add('boot', 'systemd', 'true')
    assert doc.render() == ('[boot]\ncommand=x\nsystemd=true\n# systemd=false\n\n[network]\nhostname=h\n'
                            '[boot]\nprotectBinfmt=true\n')


def test_a_new_key_in_a_section_without_keys_goes_right_after_the_header():
    doc = I.parse('[boot]  # boot settings\r\n# nothing yet\r\n')
    doc.add('boot', 'systemd', 'true')
    assert doc.render() == '[boot]  # boot settings\r\nsystemd=true\r\n# nothing yet\r\n'


def test_a_missing_section_is_appended_after_a_blank_line_with_the_files_line_ending():
    doc = I.parse(u'\ufeff[network]\r\nhostname=h')
    doc.add('boot', 'systemd', 'true')
    assert doc.render() == u'\ufeff[network]\r\nhostname=h\r\n\r\n[boot]\r\nsystemd=true\r\n'
    empty = I.parse('')
    empty.add('boot', 'systemd', 'true')
    assert empty.render() == '[boot]\nsystemd=true\n'


def test_a_key_added_at_the_end_of_a_file_without_final_newline_keeps_that_shape():
    doc = I.parse('[boot]\ncommand=x')
    doc.add('boot', 'systemd', 'true')
    assert doc.render() == '[boot]\ncommand=x\nsystemd=true'


def test_remove_drops_every_line_of_the_key():
    doc = I.parse('[boot]\nsystemd=true # first\ncommand=x\n[boot]\nSYSTEMD=false\n')
    gone = doc.remove('boot', 'systemd')
    assert [g.lineno for g in gone] == [2, 5]
    assert doc.render() == '[boot]\ncommand=x\n[boot]\n'


@pytest.mark.parametrize('value,encoded', [('true', 'true'), ('', ''), (' lead', '" lead"'), ('a#b', '"a#b"'),
                                           ('say "x"', '"say \\"x\\""'), ('C:\\Users', '"C:\\\\Users"'),
                                           ('tab\there', '"tab\\there"')])
def test_encode_round_trips_through_the_parser(value, encoded):
    assert I.encode(value) == encoded
    assert I.parse('[a]\nk=%s\n' % encoded).get('a', 'k').value == value


# --- properties ---------------------------------------------------------------------------------------

NAMES = st.from_regex(r'[A-Za-z][A-Za-z0-9]{0,6}', fullmatch=True)
SPACE = st.sampled_from(['', ' ', '  ', '\t'])
EOL = st.sampled_from(['\n', '\r\n', '\r'])
SAFE_TEXT = st.text(st.characters(blacklist_categories=('Cs', 'Cc')), max_size=12)
BARE = SAFE_TEXT.map(lambda s: s.replace('"', '').replace('\\', '').replace('#', '').strip(' \t'))
VALUE = st.one_of(BARE, SAFE_TEXT.map(lambda s: I.encode(s, quoted=True)))
COMMENT = st.builds(lambda sp, c, t: sp + c + t, SPACE, st.sampled_from(['#', ';']),
                    st.text(st.characters(blacklist_characters='\r\n', blacklist_categories=('Cs',)), max_size=12))
KEY_LINE = st.builds(lambda sp1, k, sp2, sp3, v, sp4, c: '%s%s%s=%s%s%s%s' % (sp1, k, sp2, sp3, v, sp4, c),
                     SPACE, NAMES, SPACE, SPACE, VALUE, SPACE,
                     st.one_of(st.just(''), st.builds(lambda t: '# ' + t, st.from_regex(r'[a-z ]{0,8}', fullmatch=True))))
SECTION_LINE = st.builds(lambda sp, n, sp2: '%s[%s]%s' % (sp, n, sp2), SPACE, NAMES, SPACE)


@st.composite
def ini_files(draw):
    lines = [draw(st.one_of(COMMENT, SPACE))] if draw(st.booleans()) else []
    for _section in range(draw(st.integers(0, 3))):
        lines.append(draw(SECTION_LINE))
        for _line in range(draw(st.integers(0, 4))):
            lines.append(draw(st.one_of(KEY_LINE, KEY_LINE, COMMENT, SPACE)))
    text = ''.join(line + draw(EOL) for line in lines)
    if text and draw(st.booleans()):
        text = text.rstrip('\r\n')
    return (u'\ufeff' if draw(st.booleans()) else '') + text


PROPERTY = settings(max_examples=200, deadline=None)


@PROPERTY
@given(ini_files())
def test_parse_and_render_without_edits_is_identical(text):
    assert I.parse(text, 'p').render() == text


@PROPERTY
@given(ini_files(), VALUE.filter(lambda v: '"' not in v and '\\' not in v))
def test_setting_an_existing_key_changes_only_its_line(text, new):
    doc = I.parse(text, 'p')
    keys = doc.keys()
    if not keys:
        return
    target = keys[0]
    before = physical(text)
    doc.set_value(target, I.encode(new))
    after = physical(doc.render())
    assert len(after) == len(before)
    changed = [i for i, (a, b) in enumerate(zip(before, after)) if a != b]
    index = target.lineno - 1
    assert changed in ([], [index])
    assert I.parse(doc.render(), 'p').get(target.section, target.key).value == new
    assert doc.render().startswith(u'\ufeff') == text.startswith(u'\ufeff')
    if changed:
        # the line keeps its own ending
        assert after[index][len(after[index].rstrip('\r\n')):] == before[index][len(before[index].rstrip('\r\n')):]


@PROPERTY
@given(ini_files(), NAMES, NAMES)
def test_adding_a_key_inserts_one_line_and_keeps_every_other(text, section, key):
    doc = I.parse(text, 'p')
    if doc.keys(section, key):
        return
    before = physical(text)
    had_section = bool([s for s in doc.sections() if s.section.lower() == section.lower()])
    doc.add(section, key, 'v1')
    rendered = doc.render()
    after = physical(rendered)
    assert rendered.startswith(u'\ufeff') == text.startswith(u'\ufeff')
    assert I.parse(rendered, 'p').get(section, key).value == 'v1'
    # every old line is still there, in order, with its ending (the last one may gain a line ending)
    position = 0
    for i, line in enumerate(before):
        while position < len(after) and after[position] != line and \
                not (i == len(before) - 1 and after[position].rstrip('\r\n') == line):
            position += 1
        assert position < len(after), 'line %r lost' % line
        position += 1
    if had_section:
        added = 1  # the key line
    elif not before or before[-1].strip(' \t\r\n') == '':
        added = 2  # section and key
    else:
        added = 3  # a blank line, section and key
    assert len(after) - len(before) == added
    endings = set(line[len(line.rstrip('\r\n')):] for line in after if line.rstrip('\r\n') != line)
    assert endings <= set(line[len(line.rstrip('\r\n')):] for line in before) | {'\n', '\r\n'}


@PROPERTY
@given(ini_files())
def test_removing_a_key_drops_only_its_lines(text):
    doc = I.parse(text, 'p')
    keys = doc.keys()
    if not keys:
        return
    gone = doc.remove(keys[-1].section, keys[-1].key)
    rendered = doc.render()
    assert rendered.startswith(u'\ufeff') == text.startswith(u'\ufeff')
    assert I.parse(rendered, 'p').get(keys[-1].section, keys[-1].key) is None
    remaining = [e.raw for e in I.parse(text, 'p').entries if e.lineno not in [g.lineno for g in gone]]
    assert rendered.lstrip(u'\ufeff') == ''.join(remaining)
