# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""wsl.conf / .wslconfig schema: documented keys and types, strict and pass-through checks, and the way a
value in the file is compared with the requested one (as WSL reads it)."""

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_ini
from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_schema as S


def check(settings, strict=True, fmt='wsl.conf'):
    return S.check_settings(settings, S.SCHEMAS[fmt], strict, fmt)


def test_documented_wsl_conf_keys_and_types():
    assert S.lookup(S.WSL_CONF, 'BOOT', 'SystemD') == ('boot', 'systemd', 'bool')
    assert S.lookup(S.WSL_CONF, 'automount', 'options') == ('automount', 'options', 'str')
    assert S.lookup(S.WSL_CONF, 'boot', 'memory') is None
    assert sorted(S.WSL_CONF) == ['automount', 'boot', 'gpu', 'interop', 'network', 'time', 'user']


def test_values_are_written_the_way_wsl_reads_them():
    wanted = check({'boot': {'systemd': True, 'command': 'service docker start'},
                    'network': {'generateHosts': 'no', 'hostname': 1234}, 'user': {'default': None}})
    assert wanted == [('boot', 'command', 'str', 'service docker start'), ('boot', 'systemd', 'bool', 'true'),
                      ('network', 'generateHosts', 'bool', 'false'), ('network', 'hostname', 'str', '1234'),
                      ('user', 'default', 'str', None)]
    assert check({'wsl2': {'memory': '8GB', 'processors': '0x4', 'kernelCommandLine': 'cgroup_no_v1=all'}},
                 fmt='wslconfig') == [('wsl2', 'kernelCommandLine', 'str', 'cgroup_no_v1=all'),
                                      ('wsl2', 'memory', 'size', '8GB'), ('wsl2', 'processors', 'int', '4')]


def test_names_are_canonicalised_in_strict_mode():
    assert check({'Boot': {'SYSTEMD': False}}) == [('boot', 'systemd', 'bool', 'false')]


@pytest.mark.parametrize('settings,strict,words', [
    ({'bot': {'systemd': True}}, True, ['settings.bot', 'unknown section', 'known: automount']),
    ({'boot': {'sytemd': True}}, True, ['settings.boot.sytemd', 'unknown key', 'known: command, protectBinfmt, systemd']),
    ({'boot': {'systemd': 'maybe'}}, True, ['settings.boot.systemd', 'expected a boolean', "'maybe'"]),
    ({'boot': {'systemd': 1}}, True, ['settings.boot.systemd', 'expected a boolean']),
    ({'boot': {'command': True}}, True, ['settings.boot.command', 'expected a string']),
    ({'boot': {'command': 'a\nb'}}, True, ['settings.boot.command', 'control characters']),
    ({'boot': {'command': 'x' * 5000}}, True, ['settings.boot.command', '5000 characters']),
    ({'boot': {'command': ['a']}}, True, ['settings.boot.command', 'a list']),
    ({'boot': ['systemd']}, True, ['settings.boot', 'expected a mapping']),
    ({'bo ot': {'x': 1}}, False, ['settings.bo ot', 'section name']),
    ({'boot': {'sys.temd': 1}}, False, ['settings.boot.sys.temd', 'key name']),
    ({'boot': {'systemd': True, 'SystemD': True}}, True, ['given twice']),
    ({'custom': {'x': 1.5}}, False, ['settings.custom.x', 'expected a boolean, an integer or a string']),
    ([1], True, ['settings:', 'expected a mapping']),
])
def test_bad_settings_name_the_setting(settings, strict, words):
    with pytest.raises(S.Invalid) as err:
        check(settings, strict)
    for word in words:
        assert word in str(err.value)


@pytest.mark.parametrize('fmt,settings,words', [
    ('wslconfig', {'wsl2': {'memory': 'lots'}}, ['settings.wsl2.memory', 'size']),
    ('wslconfig', {'wsl2': {'processors': '4 cores'}}, ['settings.wsl2.processors', 'integer']),
    ('wslconfig', {'wsl2': {'processors': 2 ** 40}}, ['settings.wsl2.processors', 'integer']),
    ('wslconfig', {'boot': {'systemd': True}}, ['unknown section [boot] in wslconfig']),
])
def test_wslconfig_types(fmt, settings, words):
    with pytest.raises(S.Invalid) as err:
        check(settings, True, fmt)
    for word in words:
        assert word in str(err.value)


def test_strict_off_passes_unknown_names_with_the_type_of_the_value():
    assert check({'custom': {'flag': True, 'n': 3, 's': 'x'}}, strict=False) == [
        ('custom', 'flag', 'bool', 'true'), ('custom', 'n', 'int', '3'), ('custom', 's', 'str', 'x')]


@pytest.mark.parametrize('kind,in_file,wanted,result', [
    ('bool', 'true', 'true', True), ('bool', 'TRUE', 'true', True), ('bool', '1', 'true', True),
    ('bool', 'yes', 'true', False), ('bool', '0', 'false', True), ('bool', None, 'true', False),
    ('int', '0x10', '16', True), ('int', '010', '8', True), ('int', '8', '8', True), ('int', '8x', '8', False),
    ('size', '8 gb', '8GB', True), ('size', '8GB', '4GB', False),
    ('str', 'abc', 'abc', True), ('str', 'Abc', 'abc', False),
])
def test_values_in_the_file_compare_as_wsl_reads_them(kind, in_file, wanted, result):
    assert S.same(kind, in_file, wanted) is result


def test_file_problems_name_file_line_and_what_wsl_does():
    doc = wsl_ini.parse('[boot]\nsystemd=yes\n[custom]\nx=1\n[wsl2]\n', '/etc/wsl.conf')
    assert S.file_problems(doc, S.WSL_CONF, 'wsl.conf') == [
        '/etc/wsl.conf:2: boot.systemd=yes is not a boolean WSL reads (true/false/1/0); WSL keeps its default',
        '/etc/wsl.conf:4: custom.x is not a documented wsl.conf key; WSL warns and ignores it']
