# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import systemd_conf as S


def test_dropins_by_name_across_dirs_first_dir_wins_for_a_name():
    dirs = ['/etc/x.d', '/run/x.d', '/usr/lib/x.d']
    files = {'/usr/lib/x.d': {'10-a.conf': 'vendor', '50-b.conf': 'b'}, '/etc/x.d': {'10-a.conf': 'admin', 'z.txt': 'no'},
             '/run/x.d': {'20-c.conf': 'c', '.h.conf': 'hidden'}}
    assert S.dropin_order(dirs, files) == [('/etc/x.d/10-a.conf', 'admin'), ('/run/x.d/20-c.conf', 'c'),
                                           ('/usr/lib/x.d/50-b.conf', 'b')]


def test_assignment_in_force():
    files = [('/main', '[Manager]\n#DefaultTasksMax=1\nDefaultTasksMax=15%\n'),
             ('/d1', '[Manager]\n DefaultTasksMax = 50% \n[Other]\nDefaultTasksMax=2\n'),
             ('/d2', '; comment\n[Manager]\nDefaultTasksMax=bogus\n')]
    assert S.assignment(files, 'Manager', 'DefaultTasksMax', S.valid_tasks_max) == ('50%', '/d1:2')
    files.append(('/d3', '[Manager]\nDefaultTasksMax=\n'))
    assert S.assignment(files, 'Manager', 'DefaultTasksMax', S.valid_tasks_max) == (None, '/d3:2')
    assert S.assignment([], 'Manager', 'DefaultTasksMax', S.valid_tasks_max) == (None, '')


def test_keys_outside_a_section_and_similar_names_do_not_count():
    files = [('/a', 'DefaultTasksMax=10\n[Manager]\nDefaultTasksMaxX=10\n')]
    assert S.assignment(files, 'Manager', 'DefaultTasksMax', S.valid_tasks_max) == (None, '')


@pytest.mark.parametrize('text,parsed', [('1024:524288', (1024, 524288)), ('65536', (65536, 65536)),
                                         ('infinity', (S.INFINITY, S.INFINITY)), ('10:infinity', (10, S.INFINITY)),
                                         ('20:10', None), ('a:b', None), ('1:2:3', None), ('', None)])
def test_nofile_values(text, parsed):
    assert S.parse_nofile(text) == parsed


@pytest.mark.parametrize('text,ok', [('80%', True), ('100%', True), ('12.5%', True), ('4096', True), ('infinity', True),
                                     ('0%', False), ('101%', False), ('0', False), ('-1', False), ('80 %', False),
                                     ('lots', False), ('80%\n', False)])
def test_tasks_max_values(text, ok):
    assert S.valid_tasks_max(text) is ok


def test_dirs_of_a_slice_and_of_a_manager():
    first = ['/etc/systemd/system.control/user-.slice.d', '/etc/systemd/system.control/slice.d']
    assert S.unit_dropin_dirs('user-.slice')[:2] == first
    assert S.manager_dropin_dirs('system.conf')[0] == '/etc/systemd/system.conf.d'


def test_describe():
    assert S.describe('80%', '/a:3', 'TasksMax') == 'TasksMax=80% (/a:3)'
    assert S.describe(None, '/a:3', 'TasksMax') == 'TasksMax reset to the systemd default (/a:3)'
    assert S.describe(None, '', 'TasksMax') == 'TasksMax not set (systemd default)'


def test_paths_with_control_characters_are_quoted():
    value, where = S.assignment([('/a\nb', '[Slice]\nTasksMax=5\n')], 'Slice', 'TasksMax', S.valid_tasks_max)
    assert '\n' not in where and where.endswith(':2')
