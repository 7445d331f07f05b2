# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import limits_conf as L


def test_only_conf_files_in_c_order_and_limits_conf_first():
    files = L.ordered({'b.conf': 'B', 'A.conf': 'A', '.hidden.conf': 'H', 'x.conf.bak': 'X', '10.conf': '1'}, 'MAIN')
    assert [p for p, _t in files] == [L.MAIN, L.DROPIN_DIR + '/10.conf', L.DROPIN_DIR + '/A.conf',
                                      L.DROPIN_DIR + '/b.conf']
    assert L.ordered({}, None) == []


@pytest.mark.parametrize('text,value', [('65536', 65536), ('unlimited', L.INFINITY), ('infinity', L.INFINITY),
                                        ('-1', L.INFINITY), ('1e6', 1), ('', None), ('-2', None), ('0x10', 0),
                                        ('01300', 1300), ('1300x', 1300), ('+5', 5), ('lots', None)])
def test_values(text, value):
    assert L.parse_value(text) == value


def test_later_line_wins_dash_sets_both_and_star_is_not_root():
    found = L.in_force([('/a', '* soft nofile 100\n* - nofile 200 # comment\nroot hard nofile 300\n'),
                        ('/b', '*\tsoft\tnofile\t400\n')])
    assert found['*'] == {'soft': (400, '/b:1'), 'hard': (200, '/a:2')}
    assert found['root'] == {'soft': None, 'hard': (300, '/a:3')}


def test_lines_that_pam_ignores_are_ignored():
    found = L.in_force([('/a', '* soft nofile\n* soft nofile lots\n* soft nproc 3\n'
                               '@dev soft nofile 7\nalice - nofile 8\n* maybe nofile 9\n# * soft nofile 10\n')])
    assert found['*'] == {'soft': None, 'hard': None}


def test_case_and_extra_fields_as_pam_reads_them():
    found = L.in_force([('/a', '* SOFT NoFile 5\n* Hard nofile 6 extra words\n')])
    assert found['*'] == {'soft': (5, '/a:1'), 'hard': (6, '/a:2')}


def test_compliance_needs_both_domains_and_both_kinds():
    good = L.in_force([('/a', L.render('# Managed by gocompat.baseline', 10, 20))])
    assert L.compliant(good, 10, 20) and L.compliant(good, 5, 20) and not L.compliant(good, 11, 20)
    no_root = L.in_force([('/a', '* - nofile unlimited\n')])
    assert not L.compliant(no_root, 10, 20)


def test_offenders_name_other_files_only():
    found = L.in_force([('/own.conf', '* - nofile 10\nroot - nofile 10\n'), ('/z.conf', '* soft nofile 5\n')])
    assert L.offenders(found, 10, 10, '/own.conf') == ['/z.conf:1']
    assert L.describe(found).startswith('any user (*): soft 5 (/z.conf:1), hard 10 (/own.conf:1); root:')


def test_render_is_what_the_old_role_wrote():
    assert L.render('# Managed by gocompat.baseline (kernel role)', 1, 2).splitlines() == [
        '# Managed by gocompat.baseline (kernel role): open-file limits for PAM sessions.',
        "# '*' does not cover root in pam_limits, so root is listed too.",
        '*    soft nofile 1', '*    hard nofile 2', 'root soft nofile 1', 'root hard nofile 2']
