# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect


def detect(files, paths=(), environ=None):
    def listdir(directory):
        return sorted(set(p[len(directory) + 1:].split('/')[0] for p in paths if p.startswith(directory + '/')))
    return host_detect.detect(files.get, lambda p: p in paths or p in files, listdir, environ)


def test_systemd_as_pid1_on_a_merged_usr_host():
    facts = detect({'/proc/1/comm': 'systemd\n', '/proc/sys/kernel/osrelease': '6.1.0-28-amd64\n'},
                   ('/usr/lib/systemd/systemd', '/usr/lib/systemd/system/user@.service'))
    assert facts == {'systemd_pid1': True, 'pid1': 'systemd', 'systemd_installed': True, 'systemd_user_manager': True,
                     'kernel_release': '6.1.0-28-amd64', 'wsl': False, 'wsl_version': 0}
    assert host_detect.systemd_finding(facts)[0] == 'pass'


def test_container_with_systemd_installed_but_another_init():
    facts = detect({'/proc/1/comm': 'sleep\n'}, ('/lib/systemd/systemd',))
    assert (facts['systemd_pid1'], facts['systemd_installed'], facts['systemd_user_manager']) == (False, True, False)
    status, _e, actual, _r = host_detect.systemd_finding(facts)
    assert status == 'skip' and 'PID 1 is sleep' in actual and 'when it next starts' in actual


def test_no_systemd_at_all():
    facts = detect({'/proc/1/comm': 'tini'}, ('/usr/lib/systemd/system/user@.service',))
    assert facts['systemd_installed'] is False and facts['systemd_user_manager'] is False
    assert 'not installed' in host_detect.systemd_finding(facts)[2]


@pytest.mark.parametrize('release,wsl,version', [
    ('4.4.0-19041-Microsoft', True, 1),
    ('5.15.153.1-microsoft-standard-WSL2', True, 2),
    ('6.6.87.2-microsoft-standard-WSL2+', True, 2),
    ('6.12.9-amd64', False, 0),
])
def test_wsl_from_the_kernel_release(release, wsl, version):
    facts = detect({'/proc/sys/kernel/osrelease': release + '\n'})
    assert (facts['wsl'], facts['wsl_version']) == (wsl, version)


def test_wsl_from_the_interop_entry_with_a_custom_kernel_is_wsl_2():
    facts = detect({'/proc/sys/kernel/osrelease': '6.9.0-custom'}, ('/proc/sys/fs/binfmt_misc/WSLInterop-late',))
    assert (facts['wsl'], facts['wsl_version']) == (True, 2)


def test_a_container_on_a_wsl_2_kernel_is_not_wsl():
    # Docker Desktop: only the kernel says WSL, and the container marker says why that does not count
    facts = detect({'/proc/sys/kernel/osrelease': '5.15.153.1-microsoft-standard-WSL2'}, ('/.dockerenv',))
    assert (facts['wsl'], facts['wsl_version']) == (False, 0)


def test_wsl_from_the_environment():
    facts = detect({'/proc/sys/kernel/osrelease': '6.9.0-custom'}, environ={'WSL_DISTRO_NAME': 'Debian'})
    assert facts['wsl'] is True


def test_unreadable_proc_means_unknown():
    facts = detect({})
    assert facts['pid1'] == '' and facts['kernel_release'] == '' and facts['systemd_pid1'] is False
    assert 'PID 1 is unknown' in host_detect.systemd_finding(facts)[2]
