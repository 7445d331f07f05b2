"""module_utils run on managed hosts, which have only Python: the standard library and this
collection's own module_utils are all they may import (and ansible.module_utils, which Ansible ships)."""

import ast
import os
import sys

import pytest

MODULE_UTILS = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..', 'plugins',
                                            'module_utils'))
ALLOWED_PACKAGES = {'ansible', 'ansible_collections', '__future__'}


def top_level_imports(path):
    with open(path) as handle:
        tree = ast.parse(handle.read())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split('.')[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split('.')[0])
    return names


@pytest.mark.parametrize('name', sorted(n for n in os.listdir(MODULE_UTILS) if n.endswith('.py')))
def test_module_utils_import_only_the_standard_library(name):
    imported = top_level_imports(os.path.join(MODULE_UTILS, name))
    foreign = sorted(n for n in imported - ALLOWED_PACKAGES if n not in sys.stdlib_module_names)
    assert foreign == [], '%s imports %s' % (name, ', '.join(foreign))
