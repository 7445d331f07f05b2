# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible loads every filter file of the collection to resolve any one gocompat filter, in each worker that
templates one: loading them must not import the large controller libraries (netaddr, jmespath) nor the
collection's go_versions (compiled from source on every load)."""

from __future__ import absolute_import, division, print_function

import os
import subprocess
import sys

import pytest

from ansible.errors import AnsibleFilterError

from ansible_collections.gocompat.baseline.plugins.plugin_utils.controller_deps import require

FILTERS = os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins', 'filter')


def test_loading_every_filter_file_imports_no_large_library():
    names = sorted(name[:-3] for name in os.listdir(FILTERS) if name.endswith('.py') and name != '__init__.py')
    assert {'no_proxy', 'wsl_hosts', 'findings_select'} <= set(names)
    script = ('import importlib, sys\n'
              'for name in sys.argv[1:]:\n'
              '    importlib.import_module("ansible_collections.gocompat.baseline.plugins.filter." + name)\n'
              'heavy = ("netaddr", "jmespath", "ansible_collections.gocompat.baseline.plugins.module_utils.go_versions")\n'
              'print(sorted(m for m in heavy if m in sys.modules))\n')
    proc = subprocess.run([sys.executable, '-c', script] + names, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)), check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == '[]'


def test_require_returns_the_module():
    assert require('json', 'anything') is sys.modules['json']


def test_require_names_the_filter_and_the_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, 'netaddr', None)
    with pytest.raises(AnsibleFilterError, match=r'gocompat\.baseline\.wsl_hosts filter needs the netaddr Python '
                                                 r'library on the controller \(pip install netaddr\)'):
        require('netaddr', 'wsl_hosts')
    with pytest.raises(AnsibleFilterError, match=r'\(apt install python3-x\)'):
        require('netaddr', 'no_proxy', 'apt install python3-x')
