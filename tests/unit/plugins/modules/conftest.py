# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one way unit tests run a module: ``run_module(name, params, check_mode=..., diff=..., host=...)``.

It runs the module's real ``main()`` (argument spec included) and checks the collection's contract on
EVERY call, so each module test is also a contract test:
  - the module ends through exit_json/fail_json, never with an exception (no traceback);
  - a failure message is one printable line;
  - every finding has the six fields, a known status and a remediation on every fail, and a control id
    that matches one of the module's ``CONTROL_PATTERNS`` (the catalogue in docs/controls.md is checked
    against those patterns);
  - the keys returned are documented in RETURN (plus the shape's own keys), and every key RETURN says is
    returned ``always`` is there on success.
"""

from __future__ import absolute_import, division, print_function

import importlib
import json
import re

import pytest
import yaml

from ansible.module_utils import basic

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils import module_base

# Keys of the one result shape that every module has without documenting them itself; msg_to_log is
# ansible-core's own (2.21 adds it when it cannot log the invocation, e.g. a NUL byte in a parameter).
SHAPE_KEYS = {'changed', 'findings', 'diff', 'warnings', 'msg', 'failed', 'msg_to_log'}


class _Exit(Exception):
    def __init__(self, kwargs):
        super(_Exit, self).__init__('exit_json')
        self.kwargs = kwargs


class _Fail(_Exit):
    pass


class ModuleResult(dict):
    """The module's result, with ``failed`` always present."""

    @property
    def failed(self):
        return bool(self.get('failed'))


def documented_returns(module):
    doc = yaml.safe_load(module.RETURN) or {}
    return doc


def _module_args(params, check_mode, diff):
    args = dict(params)
    args.update(_ansible_check_mode=check_mode, _ansible_diff=diff, _ansible_remote_tmp='/tmp',
                _ansible_keep_remote_files=False)
    return args


def contract_problems(name, module, result):
    problems = []
    patterns = getattr(module, 'CONTROL_PATTERNS', ())
    for finding in result.get('findings', []):
        problems.extend('finding: %s' % p for p in F.contract_problems(finding))
        control = finding.get('control', '') if isinstance(finding, dict) else ''
        if not any(re.match('(?:%s)\\Z' % pattern, control) for pattern in patterns):
            problems.append('control %r matches none of %s.CONTROL_PATTERNS' % (control, name))
    if result.failed:
        msg = result.get('msg', '')
        if not msg or '\n' in msg or 'Traceback' in msg:
            problems.append('failure message is not one line: %r' % msg[:300])
    returns = documented_returns(module)
    undocumented = sorted(set(result) - set(returns) - SHAPE_KEYS - {'invocation'})
    if undocumented:
        problems.append('%s returns keys its RETURN does not document: %s' % (name, ', '.join(undocumented)))
    if not result.failed:
        always = sorted(k for k, v in returns.items() if (v or {}).get('returned') == 'always' and k not in result)
        if always:
            problems.append('%s does not return keys RETURN says are always returned: %s' % (name, ', '.join(always)))
    try:
        json.dumps(dict(result))
    except (TypeError, ValueError) as exc:
        problems.append('result is not JSON: %s' % exc)
    return problems


@pytest.fixture
def run_module(monkeypatch):
    """run_module(name, params, check_mode=False, diff=False, host=None) -> ModuleResult."""

    def run(name, params, check_mode=False, diff=False, host=None):
        module = importlib.import_module('ansible_collections.gocompat.baseline.plugins.modules.%s' % name)
        warnings = []

        def exit_json(self, **kwargs):
            raise _Exit(kwargs)

        def fail_json(self, msg='', **kwargs):
            kwargs.update(failed=True, msg=msg)
            raise _Fail(kwargs)

        def warn(self, message):
            warnings.append(message)

        monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
        monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)
        monkeypatch.setattr(basic.AnsibleModule, 'warn', warn)
        if host is not None:
            def make_host(ansible_module, *args, **kwargs):
                host.module = ansible_module
                return host
            monkeypatch.setattr(module_base, 'Host', make_host)
        args = json.dumps({'ANSIBLE_MODULE_ARGS': _module_args(params, check_mode, diff)}).encode()
        monkeypatch.setattr(basic, '_ANSIBLE_ARGS', args)
        if hasattr(basic, '_ANSIBLE_PROFILE'):
            monkeypatch.setattr(basic, '_ANSIBLE_PROFILE', 'legacy')
        result = None
        try:
            module.main()
        except _Exit as end:
            result = ModuleResult(end.kwargs)
        except SystemExit as exc:  # argument-spec failures end here on some ansible-core versions
            pytest.fail('%s exited with %r without a result' % (name, exc.code))
        else:
            pytest.fail('%s returned without exit_json or fail_json' % name)
        if warnings:
            result['warnings'] = warnings
        problems = contract_problems(name, module, result)
        assert not problems, '; '.join(problems)
        return result
    return run
