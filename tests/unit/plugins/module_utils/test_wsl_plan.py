# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Applying requested settings to a parsed wsl.conf: what changes, the findings, the restart contract."""

from __future__ import absolute_import, division, print_function

from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_ini
from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_plan as P

WSL2 = {'is_wsl': True, 'wsl_version': 2, 'distro': 'Debian', 'systemd_pid1': False, 'pid1': 'init'}


def test_the_first_duplicate_is_the_one_changed_and_statuses_follow_the_mode():
    doc = wsl_ini.parse('[boot]\nsystemd=false\n[boot]\nsystemd=true\n', '/etc/wsl.conf')
    wanted = [('boot', 'systemd', 'bool', 'true'), ('network', 'generateHosts', 'bool', 'false'),
              ('user', 'default', 'str', None)]
    changes, found = P.apply(doc, wanted, 'wsl.conf', check_mode=True)
    assert changes == ['boot.systemd', 'network.generateHosts']
    assert doc.render() == '[boot]\nsystemd=true\n[boot]\nsystemd=true\n\n[network]\ngenerateHosts=false\n'
    assert found[0] == ('wsl.conf.boot.systemd', 'fail', 'systemd=true in [boot]', 'systemd=false (/etc/wsl.conf:2)',
                        'write systemd=true in [boot] of /etc/wsl.conf (gocompat.baseline.wsl role, or this module '
                        'without check mode)')
    assert found[2] == ('wsl.conf.user.default', 'pass', 'default not set', 'default not set', '')
    again = wsl_ini.parse(doc.render(), '/etc/wsl.conf')
    assert P.apply(again, wanted, 'wsl.conf', check_mode=False)[0] == []
    assert [f[1] for f in P.apply(wsl_ini.parse('', 'x'), wanted, 'wsl.conf', False)[1]] == ['fixed', 'fixed', 'pass']


def test_restart_instruction_is_exact():
    assert P.restart_instruction('wsl.conf', '/etc/wsl.conf', 'Debian') == (
        '/etc/wsl.conf is read when the distribution starts: run "wsl.exe --shutdown" from Windows (PowerShell or '
        'cmd), or close every shell of this distribution (or run "wsl.exe --terminate Debian") and wait about 8 '
        'seconds before starting it again')
    assert 'wsl.exe --shutdown' in P.restart_instruction('wslconfig', '/mnt/c/Users/me/.wslconfig', '')


def test_systemd_finding_on_each_kind_of_host():
    assert P.systemd_finding(dict(WSL2, systemd_pid1=True, pid1='systemd'), True)[0] == 'pass'
    status, _e, actual, remediation = P.systemd_finding(WSL2, True)
    assert status == 'fail' and 'has not restarted' in actual and 'wsl.exe --terminate Debian' in remediation
    status, _e, actual, remediation = P.systemd_finding(dict(WSL2, wsl_version=1), True)
    assert status == 'fail' and 'WSL 1' in actual and remediation == \
        'convert the distribution to WSL 2 from Windows: wsl.exe --set-version Debian 2'
    assert P.systemd_finding(dict(WSL2, is_wsl=False), True)[0] == 'skip'
