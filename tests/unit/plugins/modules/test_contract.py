# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every module follows the one shape (docs/architecture.md): this checks what can be checked from the
files; ``run_module`` in conftest.py checks every result of every module unit test at run time."""

from __future__ import absolute_import, division, print_function

import importlib
import os
import re

import pytest
import yaml

from harness.paths import collection_modules

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..', '..'))
MODULES_DIR = os.path.join(REPO, 'plugins', 'modules')
ACTIONS_DIR = os.path.join(REPO, 'plugins', 'action')
# Modules that run on the host (through the collection's module call), and module files that only document a
# controller-side action plugin of the same name (findings_summary: no code, no findings of its own).
_KINDS = collection_modules()
MODULES = _KINDS[0]
ACTION_DOCS = _KINDS[1]
# Old markup that ansible-doc still renders but that hides what is an option and what is a value.
OLD_MARKUP = re.compile(r'\b[IB]\(')


def load(name):
    return importlib.import_module('ansible_collections.gocompat.baseline.plugins.modules.%s' % name)


def source(name):
    with open(os.path.join(MODULES_DIR, name + '.py')) as handle:
        return handle.read()


def test_there_are_modules():
    assert MODULES


@pytest.mark.parametrize('name', MODULES)
def test_module_runs_on_the_module_base(name):
    text = source(name)
    assert 'module_base import' in text or 'module_base\n' in text, \
        '%s does not use plugins/module_utils/module_base.py' % name
    assert 'run_module(' in text, '%s does not run through module_base.run_module' % name
    assert 'shell=True' not in text and 'subprocess' not in text, '%s runs commands outside the runner' % name


@pytest.mark.parametrize('name', MODULES)
def test_docs_use_the_shared_fragment_and_current_markup(name):
    module = load(name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'gocompat.baseline.module' in (doc.get('extends_documentation_fragment') or [])
    for part in ('DOCUMENTATION', 'EXAMPLES', 'RETURN'):
        assert not OLD_MARKUP.search(getattr(module, part)), '%s %s uses I() or B(); use O(), V(), C()' % (name, part)
    assert yaml.safe_load(module.EXAMPLES), '%s has no EXAMPLES' % name


@pytest.mark.parametrize('name', MODULES)
def test_every_returned_key_has_a_sample(name):
    returns = yaml.safe_load(load(name).RETURN)
    assert 'findings' in returns and returns['findings']['returned'] == 'always'
    missing = sorted(key for key, spec in returns.items() if 'sample' not in spec)
    assert not missing, '%s RETURN keys without a sample: %s' % (name, ', '.join(missing))


@pytest.mark.parametrize('name', MODULES)
def test_every_module_has_unit_tests_through_the_harness(name):
    tests = [n for n in os.listdir(HERE) if n.startswith('test_%s' % name) and n.endswith('.py')]
    assert tests, 'no tests/unit/plugins/modules/test_%s*.py' % name
    texts = []
    for test in tests:
        with open(os.path.join(HERE, test)) as handle:
            texts.append(handle.read())
    assert any('run_module(' in t for t in texts), '%s is never run through the run_module fixture' % name
    assert any('bad_input' in t for t in tests), 'no bad-input suite test_%s_bad_input.py' % name


@pytest.mark.parametrize('name', MODULES)
def test_every_module_declares_the_controls_it_emits(name):
    patterns = getattr(load(name), 'CONTROL_PATTERNS', None)
    assert patterns, '%s defines no CONTROL_PATTERNS (regular expressions of its control ids)' % name
    for pattern in patterns:
        re.compile(pattern)


def test_there_are_controller_actions():
    assert ACTION_DOCS == ['findings_summary']


@pytest.mark.parametrize('name', MODULES)
def test_module_action_is_the_module_call_and_nothing_more(name):
    # the action only switches the worker's garbage collector off; options, check mode and results stay Ansible's
    action = importlib.import_module('ansible_collections.gocompat.baseline.plugins.action.%s' % name)
    own = [key for key in vars(action.ActionModule) if not key.startswith('__') and not key.startswith('_abc')
           and key != '_is_protocol']
    assert own == [], '%s: its action plugin overrides %s' % (name, own)


@pytest.mark.parametrize('name', ACTION_DOCS)
def test_controller_actions_use_their_shared_fragment_and_current_markup(name):
    module = load(name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    assert 'gocompat.baseline.module.controller_action' in (doc.get('extends_documentation_fragment') or [])
    assert 'attributes' not in doc, '%s repeats attributes the fragment gives' % name
    for part in ('DOCUMENTATION', 'EXAMPLES', 'RETURN'):
        assert not OLD_MARKUP.search(getattr(module, part)), '%s %s uses I() or B(); use O(), V(), C()' % (name, part)
    assert yaml.safe_load(module.EXAMPLES), '%s has no EXAMPLES' % name
    missing = sorted(key for key, spec in yaml.safe_load(module.RETURN).items() if 'sample' not in spec
                     and not spec.get('contains'))
    assert not missing, '%s RETURN keys without a sample: %s' % (name, ', '.join(missing))
