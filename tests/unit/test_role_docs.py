# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""tools/role_docs.py: the README variable tables follow from meta/argument_specs.yml."""

from __future__ import absolute_import, division, print_function

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SCRIPT = os.path.join(ROOT, 'tools', 'role_docs.py')


def load_tool():
    spec = importlib.util.spec_from_file_location('role_docs', SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


role_docs = load_tool()

SPEC = '''---
argument_specs:
  main:
    short_description: demo
    options:
      demo_list:
        type: list
        elements: path
        default: [/usr/local/go/bin]
        description:
          - Directories put in front of C(PATH), see O(demo_mode).
          - Second line with a | pipe.
      demo_mode:
        type: str
        choices: [warn, fix]
        default: fix
        description: What to do.
      demo_empty:
        type: str
        default: ""
        description: V(x) or empty.
      demo_flag:
        type: bool
        default: false
        description: A flag.
      demo_long:
        type: list
        default: [aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbbbbbb, cccccccccccccccccccc, dddddddddddddddddd]
        description: Long.
      demo_override:
        type: dict
        description: Set it to override.
'''


@pytest.fixture
def repo(tmp_path):
    os.makedirs(str(tmp_path / 'roles' / 'demo' / 'meta'))
    (tmp_path / 'roles' / 'demo' / 'meta' / 'argument_specs.yml').write_text(SPEC)
    (tmp_path / 'roles' / 'demo' / 'README.md').write_text(
        '# demo\n\nProse stays.\n\n<!-- BEGIN role_docs demo -->\nold table\n<!-- END role_docs demo -->\n\nMore prose.\n')
    (tmp_path / 'README.md').write_text('# top\n\n### demo\n\n<!-- BEGIN role_docs demo -->\n<!-- END role_docs demo -->\n'
                                        '\nOutput: kept.\n')
    return tmp_path


def run(root, *args):
    return subprocess.run([sys.executable, SCRIPT, '--root', str(root)] + list(args),
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, check=False)


def test_the_repository_tables_are_up_to_date():
    proc = run(ROOT, '--check')
    assert proc.returncode == 0, proc.stderr


def test_every_role_with_a_spec_has_its_table_in_the_top_readme():
    with open(os.path.join(ROOT, 'README.md')) as handle:
        text = handle.read()
    for role in role_docs.roles(ROOT):
        assert role_docs.begin(role) in text, role
        readme = os.path.join(ROOT, 'roles', role, 'README.md')
        if os.path.exists(readme):
            with open(readme) as handle:
                assert role_docs.begin(role) in handle.read(), readme


def test_table_rows(repo):
    rows = role_docs.table(role_docs.load_spec(str(repo), 'demo')).splitlines()
    assert rows[0] == '| variable | type | default | meaning |'
    assert rows[2] == ('| `demo_list` | list of path | `[/usr/local/go/bin]` | Directories put in front of `PATH`, '
                       'see `demo_mode`. Second line with a \\| pipe. |')
    assert rows[3] == '| `demo_mode` | str | `fix` | What to do. One of `warn`, `fix`. |'
    assert rows[4] == '| `demo_empty` | str | `""` | `x` or empty. |'
    assert rows[5] == '| `demo_flag` | bool | `false` | A flag. |'
    assert rows[6] == '| `demo_long` | list | 4 entries, see `defaults/main.yml` | Long. |'
    assert rows[7] == '| `demo_override` | dict | not set | Set it to override. |'


def test_write_then_check(repo):
    assert run(repo, '--check').returncode == 1
    proc = run(repo)
    assert proc.returncode == 0 and 'wrote README.md' in proc.stdout
    role_readme = (repo / 'roles' / 'demo' / 'README.md').read_text()
    assert role_readme.startswith('# demo\n\nProse stays.\n\n<!-- BEGIN role_docs demo -->\n| variable |')
    assert role_readme.endswith('|\n<!-- END role_docs demo -->\n\nMore prose.\n')
    assert 'old table' not in role_readme
    assert (repo / 'README.md').read_text().endswith('<!-- END role_docs demo -->\n\nOutput: kept.\n')
    assert run(repo, '--check').returncode == 0
    before = (repo / 'README.md').read_text()
    assert run(repo).stdout == ''  # nothing left to write
    assert (repo / 'README.md').read_text() == before


def test_check_names_the_stale_file_and_changes_nothing(repo):
    run(repo)
    spec = repo / 'roles' / 'demo' / 'meta' / 'argument_specs.yml'
    spec.write_text(SPEC.replace('default: fix', 'default: warn'))
    before = (repo / 'README.md').read_text()
    proc = run(repo, '--check')
    assert proc.returncode == 1
    assert 'role_docs: README.md: variable table out of date' in proc.stderr
    assert 'roles/demo/README.md' in proc.stderr
    assert (repo / 'README.md').read_text() == before


@pytest.mark.parametrize('text', ['# no markers\n', '<!-- BEGIN role_docs demo -->\n',
                                  '<!-- BEGIN role_docs demo -->\n<!-- END role_docs demo -->\n' * 2])
def test_missing_or_doubled_markers_are_one_clean_error(repo, text):
    (repo / 'README.md').write_text(text)
    proc = run(repo, '--check')
    assert proc.returncode == 2
    assert proc.stderr.strip() == ('role_docs: README.md: needs exactly one <!-- BEGIN role_docs demo --> ... '
                                   '<!-- END role_docs demo --> pair')


@pytest.mark.parametrize('specs', ['argument_specs: {}\n',
                                   'argument_specs:\n  one: {options: {}}\n  two: {options: {}}\n'])
def test_a_spec_without_main_or_a_single_entry_point_is_named(repo, specs):
    (repo / 'roles' / 'demo' / 'meta' / 'argument_specs.yml').write_text(specs)
    proc = run(repo)
    assert proc.returncode == 2 and 'roles/demo/meta/argument_specs.yml: no argument_specs.main' in proc.stderr


def test_a_role_without_main_documents_its_only_entry_point(repo):
    # a role used as a dependency for its handlers: no main entry point, so plays get no argument check for it
    spec = repo / 'roles' / 'demo' / 'meta' / 'argument_specs.yml'
    spec.write_text(SPEC.replace('  main:', '  detect:'))
    assert run(repo).returncode == 0
    assert '`demo_mode`' in (repo / 'roles' / 'demo' / 'README.md').read_text()


def test_a_role_without_its_own_readme_is_only_in_the_top_readme(repo):
    shutil.copytree(str(repo / 'roles' / 'demo'), str(repo / 'roles' / 'other'))
    os.remove(str(repo / 'roles' / 'other' / 'README.md'))
    proc = run(repo)
    assert proc.returncode == 2 and 'BEGIN role_docs other' in proc.stderr
