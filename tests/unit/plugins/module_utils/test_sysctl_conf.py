# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import sysctl_conf as sc
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import (
    DISABLED_MARKER,
    SysctlSyntaxError,
    describe_expectation,
    disable_lines,
    effective_assignment,
    normalize_key,
    normalize_value,
    parse_sysctl_text,
    proc_path,
    render_owned_file,
    satisfies,
    target_value,
    validate_param_key,
    validate_setting,
    winning_files,
)

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))


def test_code_under_test_comes_from_this_checkout():
    assert os.path.realpath(sc.__file__) == os.path.join(
        os.path.realpath(REPO_ROOT), 'plugins', 'module_utils', 'sysctl_conf.py')


# --- keys ---------------------------------------------------------------------------------------

@pytest.mark.parametrize('raw, expected', [
    ('kernel.pid_max', 'kernel.pid_max'),
    ('kernel/pid_max', 'kernel.pid_max'),
    ('  vm.max_map_count\t', 'vm.max_map_count'),
    ('net/ipv4/conf/eth0.100/forwarding', 'net.ipv4.conf.eth0/100.forwarding'),
    ('net.ipv4.conf.eth0/100.forwarding', 'net.ipv4.conf.eth0/100.forwarding'),
    ('kernel', 'kernel'),
])
def test_normalize_key_uses_the_systemd_first_separator_rule(raw, expected):
    assert normalize_key(raw) == expected


@pytest.mark.parametrize('key, expected', [
    ('kernel.pid_max', '/proc/sys/kernel/pid_max'),
    ('kernel/pid_max', '/proc/sys/kernel/pid_max'),
    ('net.ipv4.conf.eth0/100.forwarding', '/proc/sys/net/ipv4/conf/eth0.100/forwarding'),
    ('net/ipv4/conf/eth0.100/forwarding', '/proc/sys/net/ipv4/conf/eth0.100/forwarding'),
])
def test_proc_path_turns_dots_into_directories_and_keeps_vlan_dots_in_names(key, expected):
    assert proc_path(key) == expected


def test_proc_path_accepts_another_root_with_trailing_slash():
    assert proc_path('vm.swappiness', '/tmp/fake-proc/') == '/tmp/fake-proc/vm/swappiness'


@pytest.mark.parametrize('key', [
    'kernel.pid_max', 'kernel/pid_max', 'net.ipv4.conf.eth0/100.forwarding', 'user.max_user_namespaces',
    'net.ipv4.conf.br-lan.rp_filter',
])
def test_validate_param_key_accepts_real_keys(key):
    assert validate_param_key(key) is None


@pytest.mark.parametrize('key', ['', '   ', None, 42])
def test_validate_param_key_rejects_empty_or_non_string(key):
    assert validate_param_key(key) == 'sysctl key must be a non-empty string'


@pytest.mark.parametrize('key', ['net.ipv4.conf.*.rp_filter', 'kernel.pid?max', 'kernel pid_max', '-kernel.pid_max',
                                 'kernel.pid_max=1'])
def test_validate_param_key_rejects_globs_spaces_and_prefixes(key):
    message = validate_param_key(key)
    assert message is not None
    assert message.startswith('invalid sysctl key %r' % key)
    assert 'no glob' in message


@pytest.mark.parametrize('key', ['kernel..pid_max', 'kernel.pid_max.', 'net//ipv4'])
def test_validate_param_key_rejects_empty_path_components(key):
    assert validate_param_key(key) == 'invalid sysctl key %r: empty path component' % key


# --- values -------------------------------------------------------------------------------------

@pytest.mark.parametrize('raw, expected', [
    ('1024\t65535\n', '1024 65535'),
    ('  1024     65535 ', '1024 65535'),
    (4194304, '4194304'),
    (True, '1'),
    (False, '0'),
    ('', ''),
])
def test_normalize_value_collapses_whitespace_and_turns_bools_into_ints(raw, expected):
    assert normalize_value(raw) == expected


@pytest.mark.parametrize('compare, value', [
    ('min', 4194304), ('min', '65536'), ('max', '-1'), ('eq', '1024 65535'), ('eq', 'bbr'), ('eq', True),
])
def test_validate_setting_accepts_good_pairs(compare, value):
    assert validate_setting(compare, value) is None


def test_validate_setting_rejects_unknown_compare():
    assert validate_setting('ge', 1) == "compare must be one of min, max, eq, got 'ge'"


@pytest.mark.parametrize('value', ['', '  \t '])
def test_validate_setting_rejects_empty_value(value):
    assert validate_setting('eq', value) == 'value must not be empty'


@pytest.mark.parametrize('value', ['1\n2', 'a=b'])
def test_validate_setting_rejects_multi_line_or_assignment_values(value):
    assert validate_setting('eq', value) == 'value %r must be one line without "="' % (value,)


@pytest.mark.parametrize('compare, value', [('min', '1024 65535'), ('max', 'cubic'), ('min', '1.5')])
def test_validate_setting_needs_a_single_integer_for_min_and_max(compare, value):
    message = validate_setting(compare, value)
    assert message.startswith('compare=%s needs a single integer value' % compare)
    assert 'compare=eq for multi-value keys' in message


@pytest.mark.parametrize('compare, wanted, actual, ok', [
    ('min', 4194304, '4194304', True),
    ('min', 4194304, '4194305', True),
    ('min', 4194304, '32768', False),
    ('max', 10, '10', True),
    ('max', 10, '11', False),
    ('max', 10, '-3', True),
    ('eq', '1024 65535', '1024\t65535\n', True),
    ('eq', '1024 65535', '1024 65536', False),
    ('eq', 1, '1', True),
    ('min', 10, 'abc', False),
    ('min', 10, None, False),
    ('max', 10, None, False),
    ('eq', '', None, False),
])
def test_satisfies(compare, wanted, actual, ok):
    assert satisfies(compare, wanted, actual) is ok


@pytest.mark.parametrize('compare, wanted, text', [
    ('min', 4194304, '>= 4194304'), ('max', '10', '<= 10'), ('eq', '1024\t65535', '= 1024 65535'),
])
def test_describe_expectation(compare, wanted, text):
    assert describe_expectation(compare, wanted) == text


@pytest.mark.parametrize('compare, wanted, keep, expected', [
    ('min', 65536, ['4194304'], '4194304'),            # a higher live value is never lowered
    ('min', 4194304, ['32768', None], '4194304'),
    ('min', 65536, ['100000', '200000'], '200000'),
    ('min', 10, ['abc', None], '10'),
    ('max', 100, ['50', '200'], '50'),                 # a lower value already in force is kept for a maximum
    ('max', 100, ['150'], '100'),
    ('eq', '1024\t65535', ['1 2'], '1024 65535'),
])
def test_target_value_keeps_better_values_in_force(compare, wanted, keep, expected):
    assert target_value(compare, wanted, keep) == expected


# --- parsing ------------------------------------------------------------------------------------

def test_parse_skips_comments_blank_lines_and_reads_flags():
    text = ('# comment\n'
            '; also a comment\n'
            '\n'
            'kernel.pid_max = 4194304\n'
            '  -net/ipv4/conf/eth0.100/forwarding=1  \n'
            'net.ipv4.conf.*.rp_filter = 2\n'
            'net.ipv4.ip_local_port_range =   1024\t65535\n')
    assignments, errors = parse_sysctl_text(text, '/etc/sysctl.d/50-a.conf')
    assert errors == []
    assert [(a.key, a.value, a.line_no, a.ignore_failure, a.is_glob) for a in assignments] == [
        ('kernel.pid_max', '4194304', 4, False, False),
        ('net.ipv4.conf.eth0/100.forwarding', '1', 5, True, False),
        ('net.ipv4.conf.*.rp_filter', '2', 6, False, True),
        ('net.ipv4.ip_local_port_range', '1024 65535', 7, False, False),
    ]
    assert assignments[0].location == '/etc/sysctl.d/50-a.conf:4'


def test_parse_commented_out_key_is_not_an_assignment():
    assignments, errors = parse_sysctl_text('#kernel.pid_max = 32768\n;  vm.swappiness=90\n', '/etc/sysctl.d/x.conf')
    assert (assignments, errors) == ([], [])


def test_parse_reports_malformed_line_with_path_and_line_and_keeps_parsing():
    text = 'vm.swappiness = 10\nkernel.pid_max 32768\nvm.max_map_count = 262144\n'
    assignments, errors = parse_sysctl_text(text, '/etc/sysctl.d/50-broken.conf')
    assert [a.key for a in assignments] == ['vm.swappiness', 'vm.max_map_count']
    assert len(errors) == 1
    error = errors[0]
    assert isinstance(error, SysctlSyntaxError)
    assert (error.path, error.line_no) == ('/etc/sysctl.d/50-broken.conf', 2)
    assert str(error).startswith('/etc/sysctl.d/50-broken.conf:2: not a "key = value" assignment')
    assert 'kernel.pid_max 32768' in str(error)


@pytest.mark.parametrize('line', ['kernel pid_max = 1', '= 5', '-  = 5'])
def test_parse_reports_invalid_keys(line):
    assignments, errors = parse_sysctl_text(line + '\n', '/run/sysctl.d/k.conf')
    assert assignments == []
    assert [(e.path, e.line_no) for e in errors] == [('/run/sysctl.d/k.conf', 1)]
    assert 'invalid key' in str(errors[0])


def test_parse_crlf_file_has_clean_values_and_line_numbers():
    assignments, errors = parse_sysctl_text('# win\r\nvm.swappiness = 10\r\nkernel.pid_max=1\r\n', 'p')
    assert errors == []
    found = [(a.key, a.value, a.line_no) for a in assignments]
    assert found == [('vm.swappiness', '10', 2), ('kernel.pid_max', '1', 3)]


def test_parse_keeps_value_text_after_the_first_equals_sign():
    assignments, _errors = parse_sysctl_text('kernel.core_pattern = |/bin/handler a=b\n', 'p')
    assert assignments[0].value == '|/bin/handler a=b'


def test_parse_empty_text_gives_nothing():
    assert parse_sysctl_text('', '/dev/null') == ([], [])


# --- file precedence ----------------------------------------------------------------------------

def test_winning_files_same_name_in_earlier_directory_hides_later_ones():
    listing = [
        ('/etc/sysctl.d', ['50-vendor.conf', '99-local.conf']),
        ('/run/sysctl.d', ['60-runtime.conf', '99-local.conf']),
        ('/usr/local/lib/sysctl.d', ['10-local-lib.conf']),
        ('/usr/lib/sysctl.d', ['50-vendor.conf', '50-default.conf', 'README']),
    ]
    assert winning_files(listing) == [
        ('10-local-lib.conf', '/usr/local/lib/sysctl.d/10-local-lib.conf'),
        ('50-default.conf', '/usr/lib/sysctl.d/50-default.conf'),
        ('50-vendor.conf', '/etc/sysctl.d/50-vendor.conf'),
        ('60-runtime.conf', '/run/sysctl.d/60-runtime.conf'),
        ('99-local.conf', '/etc/sysctl.d/99-local.conf'),
    ]


def test_winning_files_orders_by_file_name_not_by_directory():
    listing = [('/etc/sysctl.d', ['90-owned.conf']), ('/usr/lib/sysctl.d', ['99-vendor.conf', '10-a.conf'])]
    assert [path for _n, path in winning_files(listing)] == [
        '/usr/lib/sysctl.d/10-a.conf', '/etc/sysctl.d/90-owned.conf', '/usr/lib/sysctl.d/99-vendor.conf']


def test_winning_files_ignores_names_without_conf_suffix_and_trailing_slash():
    assert winning_files([('/etc/sysctl.d/', ['a.conf', 'a.conf.bak', 'b.conf~'])]) == [
        ('a.conf', '/etc/sysctl.d/a.conf')]


def _parsed(*files):
    return [(path, parse_sysctl_text(text, path)[0]) for path, text in files]


def test_effective_assignment_last_explicit_wins():
    files = _parsed(('/a.conf', 'kernel.pid_max = 1\n'), ('/b.conf', 'kernel.pid_max = 2\nkernel.pid_max = 3\n'))
    winner = effective_assignment(files, 'kernel.pid_max')
    assert (winner.value, winner.location) == ('3', '/b.conf:2')


def test_effective_assignment_explicit_key_beats_a_later_glob():
    files = _parsed(('/etc/sysctl.d/10-a.conf', 'net.ipv4.conf.all.rp_filter = 1\n'),
                    ('/etc/sysctl.d/99-glob.conf', 'net.ipv4.conf.*.rp_filter = 0\n'))
    assert effective_assignment(files, 'net.ipv4.conf.all.rp_filter').location == '/etc/sysctl.d/10-a.conf:1'


def test_effective_assignment_glob_applies_when_no_explicit_key_and_last_glob_wins():
    files = _parsed(('/a.conf', 'net.ipv4.conf.*.rp_filter = 2\n'), ('/b.conf', 'net.ipv4.conf.e*.rp_filter = 0\n'))
    assert effective_assignment(files, 'net.ipv4.conf.eth0.rp_filter').value == '0'
    assert effective_assignment(files, 'net.ipv4.conf.all.rp_filter').value == '2'
    assert effective_assignment(files, 'kernel.pid_max') is None


def test_effective_assignment_glob_star_does_not_cross_a_path_component():
    # systemd-sysctl expands a glob with glob(3) under /proc/sys, where '*' never matches '/':
    # "net.* = 0" is /proc/sys/net/* and cannot reach /proc/sys/net/ipv4/ip_forward.
    files = _parsed(('/etc/sysctl.d/99-glob.conf', 'net.* = 0\n'))
    assert effective_assignment(files, 'net.ipv4.ip_forward') is None


# --- rendering and line edits -------------------------------------------------------------------

def test_render_owned_file_comments_header_and_lists_settings_in_order():
    text = render_owned_file([('kernel.pid_max', '4194304'), ('vm.max_map_count', '262144')],
                             'Managed here.\n\nDo not edit.')
    assert text == ('# Managed here.\n#\n# Do not edit.\n'
                    'kernel.pid_max = 4194304\nvm.max_map_count = 262144\n')
    assigned, errors = parse_sysctl_text(text, 'owned')
    assert errors == [] and [a.key for a in assigned] == ['kernel.pid_max', 'vm.max_map_count']


def test_disable_lines_comments_only_given_lines_and_keeps_other_bytes():
    text = '# keep\nkernel.pid_max = 32768\n  vm.swappiness=90\t\nkernel.pid_max = 65536'
    out = disable_lines(text, [2, 4], 'overrides kernel.pid_max')
    lines = out.split('\n')
    assert lines[0] == '# keep'
    assert lines[1] == DISABLED_MARKER + 'kernel.pid_max = 32768  # overrides kernel.pid_max'
    assert lines[2] == '  vm.swappiness=90\t'
    assert lines[3] == DISABLED_MARKER + 'kernel.pid_max = 65536  # overrides kernel.pid_max'
    assert not out.endswith('\n')  # no line ending is invented
    assigned, errors = parse_sysctl_text(out, 'p')
    assert errors == [] and [(a.key, a.value) for a in assigned] == [('vm.swappiness', '90')]


def test_disable_lines_keeps_crlf_endings():
    text = 'a = 1\r\nkernel.pid_max = 1\r\nb = 2\r\n'
    out = disable_lines(text, [2], 'why')
    assert out == 'a = 1\r\n' + DISABLED_MARKER + 'kernel.pid_max = 1  # why\r\nb = 2\r\n'
    assert out.count('\r\n') == 3


def test_disable_lines_without_lines_returns_text_unchanged():
    text = 'a = 1\r\n\nb=2'
    assert disable_lines(text, [], 'x') == text


def test_dash_key_without_value_keeps_globs_away_from_that_key():
    files = _parsed(('/usr/lib/sysctl.d/50-default.conf', 'net.ipv4.conf.*.rp_filter = 2\n'),
                    ('/etc/sysctl.d/60-keep.conf', '-net.ipv4.conf.eth0.rp_filter\n'))
    assert effective_assignment(files, 'net.ipv4.conf.eth0.rp_filter') is None
    assert effective_assignment(files, 'net.ipv4.conf.eth1.rp_filter').value == '2'
