"""docs/controls.md must list every control the default policies can report, with the same expectation."""

import os
import re

import pytest
import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SYMBOL = {'min': '>= ', 'max': '<= ', 'eq': '= '}


def load_yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def catalogue_rows():
    with open(os.path.join(ROOT, 'docs', 'controls.md')) as handle:
        text = handle.read()
    return dict(re.findall(r'^\| `([^`]+)` \| `([^`]+)` \|', text, re.MULTILINE))


def kernel_settings():
    defaults = load_yaml('roles', 'kernel', 'defaults', 'main.yml')
    role_vars = load_yaml('roles', 'kernel', 'vars', 'main.yml')
    return defaults['kernel_sysctl_policy'] + role_vars['__kernel_sysctl_optional']


def test_every_kernel_control_is_catalogued_with_its_expectation():
    rows = catalogue_rows()
    for setting in kernel_settings():
        expected = SYMBOL[setting.get('compare', 'eq')] + str(setting['value'])
        assert rows.get(setting['key']) == expected, setting['key']


ROLES = sorted(os.listdir(os.path.join(ROOT, 'roles')))


def test_every_role_is_checked():
    assert ROLES == ['go_env', 'go_sdk', 'kernel']


@pytest.mark.parametrize('role', ROLES)
def test_argument_spec_default_matches_role_default(role):
    defaults = load_yaml('roles', role, 'defaults', 'main.yml')
    spec = load_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']['main']['options']
    assert set(spec) == set(defaults), 'every default needs an argument spec entry and vice versa'
    for name, value in defaults.items():
        assert spec[name].get('default') == value, name
        assert name.startswith(role + '_'), 'public variables carry the role prefix: %s' % name


def test_go_controls_are_catalogued():
    rows = catalogue_rows()
    for control in ('go.sdk.<requested>', 'go.default', 'go.toolchain_local', 'env.godebug.<key>', 'env.path'):
        assert control in rows, control
