# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/controls.md against the code: each section names the module that emits its controls; every
documented control id matches one of that module's CONTROL_PATTERNS, every pattern is documented, every
module is catalogued, and the expectations of the default policies are the ones the code produces."""

from __future__ import absolute_import, division, print_function

import importlib
import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SYMBOL = {'min': '>= ', 'max': '<= ', 'eq': '= '}
SECTION = re.compile(r'^## .*\(`gocompat\.baseline\.([a-z0-9_]+)`\)\s*$', re.MULTILINE)
ROW = re.compile(r'^\| `([^`]+)` \| `([^`]+)` \|', re.MULTILINE)
PLACEHOLDER = re.compile(r'<[^<>]+>')
MODULES = sorted(n[:-3] for n in os.listdir(os.path.join(ROOT, 'plugins', 'modules'))
                 if n.endswith('.py') and not n.startswith('_'))


def load_yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def catalogue_text():
    with open(os.path.join(ROOT, 'docs', 'controls.md')) as handle:
        return handle.read()


def sections(text=None):
    """{module: {control: expected}} in the order of docs/controls.md."""
    text = catalogue_text() if text is None else text
    found = {}
    marks = list(SECTION.finditer(text))
    for i, mark in enumerate(marks):
        body = text[mark.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        found.setdefault(mark.group(1), {}).update(ROW.findall(body))
    return found


def catalogue_rows():
    rows = {}
    for controls in sections().values():
        rows.update(controls)
    return rows


def patterns_of(module):
    module = importlib.import_module('ansible_collections.gocompat.baseline.plugins.modules.%s' % module)
    return module.CONTROL_PATTERNS


def sample(control):
    """A documented id as a real one: every placeholder becomes a plain value."""
    return PLACEHOLDER.sub('sample1', control)


def full_match(pattern, text):
    return re.match('(?:%s)\\Z' % pattern, text) is not None


def as_regex(documented):
    """A documented expectation as a regular expression: placeholders and '...' stand for any text."""
    parts = re.split(r'(<[^<>]+>|\.\.\.)', documented)
    return ''.join('.+' if p.startswith('<') or p == '...' else re.escape(p) for p in parts) + r'\Z'


def test_sections_are_parsed():
    assert sections('## a (`gocompat.baseline.one`)\n\n| `x.y` | `1` | z |\n\n## b\n\n'
                    '## c (`gocompat.baseline.two`)\n| `a.<k>` | `<v>` | w |\n') == {
        'one': {'x.y': '1'}, 'two': {'a.<k>': '<v>'}}


@pytest.mark.parametrize('module', MODULES)
def test_every_module_is_catalogued(module):
    assert sections().get(module), 'docs/controls.md has no section (`gocompat.baseline.%s`) with controls' % module


def test_every_section_names_a_module():
    assert sorted(set(sections()) - set(MODULES)) == []


@pytest.mark.parametrize('module', MODULES)
def test_documented_ids_match_the_module_patterns(module):
    patterns = patterns_of(module)
    for control in sections().get(module, {}):
        assert any(full_match(p, sample(control)) for p in patterns), \
            '%s in docs/controls.md matches none of %s.CONTROL_PATTERNS %s' % (control, module, patterns)


@pytest.mark.parametrize('module', MODULES)
def test_every_pattern_is_documented(module):
    documented = [sample(c) for c in sections().get(module, {})]
    for pattern in patterns_of(module):
        assert any(full_match(pattern, c) for c in documented), \
            '%s.CONTROL_PATTERNS %r has no row in docs/controls.md' % (module, pattern)


def test_the_check_catches_an_undocumented_pattern():
    # the two checks above would miss nothing: a pattern without a row, and a row without a pattern
    assert not any(full_match(r'env\.newthing', sample(c)) for c in sections()['go_environment'])
    assert not any(full_match(p, sample('env.typo')) for p in patterns_of('go_environment'))


# --- the default policies: the expectations are the ones the code produces ---------------------------

def kernel_settings():
    defaults = load_yaml('roles', 'kernel', 'defaults', 'main.yml')
    role_vars = load_yaml('roles', 'kernel', 'vars', 'main.yml')
    return defaults['kernel_sysctl_policy'] + role_vars['__kernel_sysctl_optional']


def test_every_kernel_control_is_catalogued_with_its_expectation():
    rows = sections()['sysctl_guard']
    for setting in kernel_settings():
        expected = SYMBOL[setting.get('compare', 'eq')] + str(setting['value'])
        assert rows.get(setting['key']) == expected, setting['key']


def test_go_env_default_expectations_are_what_the_module_emits():
    from ansible_collections.gocompat.baseline.plugins.module_utils import go_environment_files as G
    defaults = load_yaml('roles', 'go_env', 'defaults', 'main.yml')
    settings = G.validate_settings(defaults['go_env_godebug'], defaults['go_env_path_prepend'], '/var/tmp/go',
                                   'http://proxy:3128', 'http://proxy:3128', ['.corp.example'])
    consumers = [G.PROFILE, G.USER_MANAGERS, G.SERVICES]
    emitted = G.controls(settings, dict((c, G.NOTHING) for c in consumers), consumers)
    rows = sections()['go_environment']
    for control in emitted:
        documented = [c for c in rows if re.match(as_regex(c), control.control)]
        assert documented, control.control
        assert re.match(as_regex(rows[documented[0]]), control.expected), (control.control, control.expected)
    assert [c.control for c in emitted][:2] == ['env.godebug.netdns', 'env.path']


def test_kernel_limits_default_expectations_are_what_the_module_emits():
    # check mode against this machine's files: reads only; the expectations depend on the options alone
    from ansible_collections.gocompat.baseline.plugins.modules import kernel_limits
    from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import Host
    defaults = load_yaml('roles', 'kernel', 'defaults', 'main.yml')
    params = dict((name, spec.get('default')) for name, spec in kernel_limits.ARGUMENT_SPEC.items())
    params.update(nofile_soft=defaults['kernel_nofile_soft'], nofile_hard=defaults['kernel_nofile_hard'],
                  default_tasks_max=defaults['kernel_systemd_default_tasks_max'],
                  user_tasks_max=defaults['kernel_systemd_user_tasks_max'], systemd=True,
                  limits_path=defaults['kernel_limits_path'], dropin_name=defaults['kernel_systemd_dropin_name'])
    options = kernel_limits.validate(params)
    emitted = kernel_limits.plan(options, kernel_limits.read(Host(), options), True).findings
    rows = sections()['kernel_limits']
    assert sorted(f['control'] for f in emitted) == sorted(rows)
    for finding in emitted:
        documented = PLACEHOLDER.sub(lambda m: str(defaults[m.group(0)[1:-1]]), rows[finding['control']])
        assert documented == finding['expected'], finding['control']


def test_go_sdk_default_expectation():
    rows = sections()['go_sdk_install']
    assert rows['go.toolchain_local'] == 'GOTOOLCHAIN=%s in every managed go.env' % \
        load_yaml('roles', 'go_sdk', 'defaults', 'main.yml')['go_sdk_env']['GOTOOLCHAIN']


def test_host_expectation_is_what_the_module_emits():
    from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
    _status, expected, _actual, _fix = host_detect.systemd_finding(
        {'systemd_pid1': True, 'pid1': 'systemd', 'systemd_installed': True})
    assert sections()['host_facts']['host.systemd'] == expected


# --- role defaults and argument specs: a default is written in these two places only ------------------

ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, 'roles'))
               if os.path.isfile(os.path.join(ROOT, 'roles', r, 'meta', 'argument_specs.yml')))


def test_every_role_has_an_argument_spec():
    assert ROLES == sorted(os.listdir(os.path.join(ROOT, 'roles')))
    assert {'go_env', 'go_sdk', 'kernel'} <= set(ROLES)


@pytest.mark.parametrize('role', ROLES)
def test_argument_spec_default_matches_role_default(role):
    path = os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml')
    defaults = load_yaml(path) if os.path.exists(path) else {}
    defaults = defaults or {}
    spec = load_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']
    with_default = set(name for name, option in spec.items() if 'default' in (option or {}))
    assert with_default == set(defaults), 'every default needs an argument spec default and vice versa'
    for name, value in defaults.items():
        assert spec[name].get('default') == value, name
        assert name.startswith(role + '_'), 'public variables carry the role prefix: %s' % name
    for name, option in spec.items():
        if name not in defaults:
            assert not (option or {}).get('required'), '%s: a required role variable breaks plays that omit it' % name
