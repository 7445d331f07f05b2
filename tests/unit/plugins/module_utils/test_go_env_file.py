# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import go_env_file as ge
from ansible_collections.gocompat.baseline.plugins.module_utils.go_env_file import (
    normalize_value,
    parse_go_env,
    set_go_env,
    validate_key,
)


def effective_values(text):
    """The test's oracle of how the go command reads go.env: {key: value}, the first line per key
    winning, GODEBUG/GOENV ignored (see the module docstring of go_env_file)."""
    values = {}
    for line in parse_go_env(text):
        if line.key is not None and line.key not in values and line.key not in ge.OS_ENVIRONMENT_ONLY:
            values[line.key] = line.value
    return values


REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))

# $GOROOT/go.env as Go 1.21 and later ship it.
STOCK = (
    "# This file contains the initial defaults for go command configuration.\n"
    "# Values set by 'go env -w' and written to the user's go/env file override these.\n"
    "# The environment overrides everything else.\n"
    "\n"
    "# Use the Go module mirror and checksum database by default.\n"
    "# See https://proxy.golang.org for details.\n"
    "GOPROXY=https://proxy.golang.org,direct\n"
    "GOSUMDB=sum.golang.org\n"
    "\n"
    "# Automatically download newer toolchains as directed by go.mod files.\n"
    "# See https://go.dev/doc/toolchain for details.\n"
    "GOTOOLCHAIN=auto\n"
)


def test_code_under_test_comes_from_this_checkout():
    assert os.path.realpath(ge.__file__) == os.path.join(
        os.path.realpath(REPO_ROOT), 'plugins', 'module_utils', 'go_env_file.py')


# --- reading as the go command does -------------------------------------------------------------

@pytest.mark.parametrize('text', [
    '', '\n', STOCK, STOCK.replace('\n', '\r\n'), 'GOPROXY=off', 'A=1\n\n\nB=2', u'\ufeffGOPROXY=off\n',
    'X=1\r\nY=2\n\rZ=3', 'GOFLAGS=-ldflags=-s -w\n', u'GOPRIVATE=caf\xe9.example\n',
    # \v, \f and \u2028 split lines for str.splitlines(), never for the go command
    'A=1\x0bB=2\x0cC=3\u2028D=4\n',
])
def test_parse_round_trips(text):
    assert ''.join(line.text for line in parse_go_env(text)) == text


def test_parse_lines_and_settings():
    lines = parse_go_env('# comment\n\nGOPROXY=off\n  GOFLAGS=-x\ngoprivate=a\nGOFLAGS=-ldflags=-s -w\r\nNOEQUALS\nLAST=1')
    assert [(l.line_no, l.key, l.value, l.ending) for l in lines] == [
        (1, None, None, '\n'),
        (2, None, None, '\n'),
        (3, 'GOPROXY', 'off', '\n'),
        (4, None, None, '\n'),
        (5, None, None, '\n'),
        (6, 'GOFLAGS', '-ldflags=-s -w\r', '\n'),
        (7, None, None, '\n'),
        (8, 'LAST', '1', ''),
    ]
    assert repr(lines[2]) == "EnvLine(3, 'GOPROXY=off\\n')"


def test_parse_none_is_empty():
    assert parse_go_env(None) == []


def test_effective_values_first_line_wins_and_godebug_is_ignored():
    text = 'GOPROXY=first\nGOPROXY=second\nGODEBUG=netdns=go\nGOENV=/x\nGOSUMDB=off\r\nGOFLAGS=\n'
    assert effective_values(text) == {'GOPROXY': 'first', 'GOSUMDB': 'off\r', 'GOFLAGS': ''}


def test_effective_values_of_the_stock_file():
    assert effective_values(STOCK) == {'GOPROXY': 'https://proxy.golang.org,direct', 'GOSUMDB': 'sum.golang.org',
                                       'GOTOOLCHAIN': 'auto'}


def test_lines_the_go_command_ignores():
    text = u'\ufeffGOPROXY=a\n GOSUMDB=b\n\tGOFLAGS=c\ngotoolchain=d\n#GOPRIVATE=e\n1GO=f\n'
    assert effective_values(text) == {}


# --- editing ------------------------------------------------------------------------------------

POLICY = {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off', 'GOFLAGS': '-mod=mod',
          'GOTMPDIR': '/var/tmp/go-build'}


def test_stock_file_gets_the_policy_in_place_with_comments_kept():
    new, changed = set_go_env(STOCK, POLICY)
    assert new == (
        "# This file contains the initial defaults for go command configuration.\n"
        "# Values set by 'go env -w' and written to the user's go/env file override these.\n"
        "# The environment overrides everything else.\n"
        "\n"
        "# Use the Go module mirror and checksum database by default.\n"
        "# See https://proxy.golang.org for details.\n"
        "GOPROXY=off\n"
        "GOSUMDB=off\n"
        "\n"
        "# Automatically download newer toolchains as directed by go.mod files.\n"
        "# See https://go.dev/doc/toolchain for details.\n"
        "GOTOOLCHAIN=local\n"
        "GOFLAGS=-mod=mod\n"
        "GOTMPDIR=/var/tmp/go-build\n"
    )
    assert changed == ['GOTOOLCHAIN', 'GOPROXY', 'GOSUMDB', 'GOFLAGS', 'GOTMPDIR']
    assert effective_values(new) == POLICY


def test_second_run_changes_nothing_and_returns_the_same_text():
    new, _changed = set_go_env(STOCK, POLICY)
    again, changed = set_go_env(new, POLICY)
    assert changed == []
    assert again is new


def test_nothing_to_change_returns_the_input_object():
    text = 'GOTOOLCHAIN=local\n# keep me\r\n\n'
    result, changed = set_go_env(text, {'GOTOOLCHAIN': 'local', 'GOWHATEVER': None})
    assert result is text and changed == []
    assert set_go_env(text, {}) == (text, [])


def test_changed_keys_follow_the_settings_order():
    _new, changed = set_go_env('B=1\nA=1\n', {'C': '3', 'A': '2', 'B': '2'})
    assert changed == ['C', 'A', 'B']


def test_new_keys_are_appended_in_the_settings_order():
    new, changed = set_go_env('# head\nGOPROXY=off\n', {'GOTMPDIR': '/t', 'GOPROXY': 'off', 'CGO_ENABLED': '0'})
    assert new == '# head\nGOPROXY=off\nGOTMPDIR=/t\nCGO_ENABLED=0\n'
    assert changed == ['GOTMPDIR', 'CGO_ENABLED']


def test_empty_or_missing_file():
    assert set_go_env('', {'GOTOOLCHAIN': 'local'}) == ('GOTOOLCHAIN=local\n', ['GOTOOLCHAIN'])
    assert set_go_env(None, {'GOTOOLCHAIN': 'local'}) == ('GOTOOLCHAIN=local\n', ['GOTOOLCHAIN'])
    assert set_go_env(None, {'GOTOOLCHAIN': None}) == (None, [])


def test_last_line_without_newline():
    # appended keys need the old last line terminated
    assert set_go_env('GOPROXY=off', {'GOSUMDB': 'off'}) == ('GOPROXY=off\nGOSUMDB=off\n', ['GOSUMDB'])
    # an edited last line keeps having no line end
    assert set_go_env('# x\nGOPROXY=direct', {'GOPROXY': 'off'}) == ('# x\nGOPROXY=off', ['GOPROXY'])
    assert set_go_env('# only a comment', {'A': '1'}) == ('# only a comment\nA=1\n', ['A'])


def test_duplicates_update_the_first_line_and_drop_the_rest():
    text = '# proxy\nGOPROXY=a\nGOSUMDB=off\nGOPROXY=b\n# tail\nGOPROXY=c'
    new, changed = set_go_env(text, {'GOPROXY': 'off'})
    assert new == '# proxy\nGOPROXY=off\nGOSUMDB=off\n# tail\n'
    assert changed == ['GOPROXY']


def test_duplicates_are_cleaned_even_when_the_value_in_force_is_right():
    new, changed = set_go_env('GOPROXY=off\nGOPROXY=direct\n', {'GOPROXY': 'off'})
    assert new == 'GOPROXY=off\n' and changed == ['GOPROXY']


def test_duplicates_of_keys_not_asked_for_stay():
    text = 'A=1\nA=2\n'
    assert set_go_env(text, {'B': '1'}) == ('A=1\nA=2\nB=1\n', ['B'])


def test_none_removes_every_line_of_a_key():
    text = 'GOFLAGS=-x\n# c\nGOFLAGS=-v\nGOPROXY=off\n'
    assert set_go_env(text, {'GOFLAGS': None}) == ('# c\nGOPROXY=off\n', ['GOFLAGS'])


def test_removing_the_last_line_without_newline():
    assert set_go_env('A=1\nB=2', {'B': None}) == ('A=1\n', ['B'])


def test_ignored_lines_are_not_touched_and_the_key_is_appended():
    text = u'\ufeffGOPROXY=a\n  GOPROXY=b\ngoproxy=c\n'
    new, changed = set_go_env(text, {'GOPROXY': 'off'})
    assert new == text + 'GOPROXY=off\n'
    assert changed == ['GOPROXY']


def test_a_key_with_spaces_around_the_equals_sign_is_another_key():
    new, changed = set_go_env('GOPROXY = a\n', {'GOPROXY': 'off'})
    assert new == 'GOPROXY = a\nGOPROXY=off\n' and changed == ['GOPROXY']


def test_values_may_contain_equals_signs_spaces_and_be_empty():
    settings = {'GOFLAGS': '-ldflags=-s -w', 'GOPRIVATE': '', 'GONOSUMDB': u'*.caf\xe9.example'}
    new, changed = set_go_env('GOFLAGS=-x\n', settings)
    assert new == u'GOFLAGS=-ldflags=-s -w\nGOPRIVATE=\nGONOSUMDB=*.caf\xe9.example\n'
    assert effective_values(new) == settings
    assert set_go_env(new, settings) == (new, [])


def test_integer_values_are_written_as_text():
    new, changed = set_go_env('', {'CGO_ENABLED': 0})
    assert new == 'CGO_ENABLED=0\n'
    assert set_go_env(new, {'CGO_ENABLED': 0}) == (new, [])
    assert set_go_env(new, {'CGO_ENABLED': '0'}) == (new, [])


# --- line endings -------------------------------------------------------------------------------

def test_crlf_lines_left_alone_keep_their_crlf():
    text = '# c\r\nGOPROXY=off\r\n\r\nGOSUMDB=x\r\n'
    new, changed = set_go_env(text, {'GOSUMDB': 'off'})
    assert new == '# c\r\nGOPROXY=off\r\n\r\nGOSUMDB=off\n'
    assert changed == ['GOSUMDB']


def test_a_crlf_line_is_rewritten_because_the_go_command_reads_the_cr_as_part_of_the_value():
    text = 'GOPROXY=off\r\nGOSUMDB=off\r\n'
    assert effective_values(text)['GOPROXY'] == 'off\r'
    new, changed = set_go_env(text, {'GOPROXY': 'off'})
    assert new == 'GOPROXY=off\nGOSUMDB=off\r\n'
    assert changed == ['GOPROXY']
    assert effective_values(new)['GOPROXY'] == 'off'
    assert set_go_env(new, {'GOPROXY': 'off'}) == (new, [])


def test_appended_lines_in_a_crlf_file_end_in_lf():
    new, _changed = set_go_env('# c\r\n', {'GOTOOLCHAIN': 'local'})
    assert new == '# c\r\nGOTOOLCHAIN=local\n'
    assert effective_values(new) == {'GOTOOLCHAIN': 'local'}


def test_a_lone_cr_is_not_a_line_end():
    text = 'A=1\rB=2\n'
    assert effective_values(text) == {'A': '1\rB=2'}
    assert set_go_env(text, {'B': '2'}) == (text + 'B=2\n', ['B'])


# --- refusing what go.env cannot hold -----------------------------------------------------------

@pytest.mark.parametrize('key', ['goproxy', 'GO PROXY', '1GO', 'GO-PROXY', 'GOPROXY=', ' GOPROXY', 'GOPROXY\n',
                                 u'G\xd6', '_GO'])
def test_invalid_keys(key):
    with pytest.raises(ValueError) as err:
        set_go_env(STOCK, {key: 'x'})
    assert str(err.value) == ("invalid go.env key %r: the go command reads only names that start with A-Z and "
                              "contain letters, digits and _" % key)


@pytest.mark.parametrize('key', ['', None, 1])
def test_keys_must_be_non_empty_strings(key):
    with pytest.raises(ValueError, match='go.env key must be a non-empty string'):
        set_go_env(STOCK, {key: 'x'})


@pytest.mark.parametrize('key', ['GODEBUG', 'GOENV'])
def test_godebug_and_goenv_point_to_the_os_environment(key):
    with pytest.raises(ValueError) as err:
        set_go_env(STOCK, {key: 'netdns=go'})
    message = str(err.value)
    assert message.startswith('%s cannot be set in $GOROOT/go.env: the go command ignores it there' % key)
    assert 'set it in the OS environment instead' in message


def test_godebug_is_refused_even_for_removal():
    with pytest.raises(ValueError, match='GODEBUG cannot be set'):
        set_go_env('GODEBUG=x\n', {'GODEBUG': None})


@pytest.mark.parametrize('key', ['GOROOT', 'GOVERSION', 'GOTOOLDIR', 'GOHOSTARCH', 'GOMOD', 'GOWORK', 'GOEXE'])
def test_computed_keys_are_refused(key):
    with pytest.raises(ValueError, match='^%s cannot be set in \\$GOROOT/go.env: the go command computes it' % key):
        set_go_env(STOCK, {key: 'x'})


@pytest.mark.parametrize('value, what', [
    ('off\ndirect', 'a newline'),
    ('off\n', 'a newline'),
    ('off\r', 'a carriage return'),
    ('a\0b', 'a NUL byte'),
])
def test_multi_line_values_are_refused(value, what):
    with pytest.raises(ValueError) as err:
        set_go_env(STOCK, {'GOPROXY': value})
    assert str(err.value) == 'go.env value for GOPROXY contains %s: a go.env value is one line' % what


@pytest.mark.parametrize('value', [True, False, 1.5, ['a'], {'a': 1}])
def test_non_string_values_are_refused(value):
    with pytest.raises(ValueError, match='go.env value for GOFLAGS must be a string, got '):
        set_go_env(STOCK, {'GOFLAGS': value})


def test_a_bad_entry_stops_the_whole_edit():
    with pytest.raises(ValueError, match='GODEBUG'):
        set_go_env(STOCK, {'GOPROXY': 'off', 'GODEBUG': 'netdns=go', 'GOSUMDB': 'off'})


@pytest.mark.parametrize('key', ['GOPROXY', 'GOSUMDB', 'GOTOOLCHAIN', 'GOFLAGS', 'GOPRIVATE', 'GONOPROXY',
                                 'GONOSUMDB', 'GOTMPDIR', 'CGO_ENABLED', 'GOAMD64', 'GOTELEMETRYX', 'CGO_test_ALLOW'])
def test_valid_keys(key):
    assert validate_key(key) is None


def test_normalize_value():
    assert normalize_value('K', None) is None
    assert normalize_value('K', 0) == '0'
    assert normalize_value('K', ' a ') == ' a '
