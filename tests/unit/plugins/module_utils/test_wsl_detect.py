# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""WSL detection from files only: WSL 2, WSL 1, plain Linux, a container on a WSL 2 kernel, unreadable
/proc/1 files."""

from __future__ import absolute_import, division, print_function

from ansible_collections.gocompat.baseline.plugins.module_utils import wsl_detect as D

WSL2_RELEASE = '5.15.167.4-microsoft-standard-WSL2\n'
WSL2_VERSION = 'Linux version 5.15.167.4-microsoft-standard-WSL2 (root@f9c826d3017f) (gcc (GCC) 11.2.0) #1 SMP\n'
WSL1_RELEASE = '4.4.0-19041-Microsoft\n'
WSL1_VERSION = 'Linux version 4.4.0-19041-Microsoft (Microsoft@Microsoft.com) (gcc version 5.4.0 (GCC) ) #1237-Microsoft\n'


def host(files, dirs=None, env=None, denied=()):
    dirs = dirs or {}

    def read(path):
        if path in denied:
            raise OSError(13, 'Permission denied', path)
        return files.get(path)

    def listdir(path):
        if path not in dirs:
            raise OSError(2, 'No such file or directory', path)
        return dirs[path]
    return D.detect(read, lambda p: p in files, listdir, env or {})


def test_wsl2_with_interop_environment_and_systemd():
    found = host({D.OSRELEASE: WSL2_RELEASE, D.PROC_VERSION: WSL2_VERSION, D.PID1_COMM: 'systemd\n'},
                 {D.BINFMT_DIR: ['WSLInterop', 'WSLInterop-late', 'register', 'status']},
                 {'WSL_DISTRO_NAME': 'Debian', 'WSL_INTEROP': '/run/WSL/1_interop', 'PATH': '/bin'})
    assert found['is_wsl'] is True and found['wsl_version'] == 2 and found['distro'] == 'Debian'
    assert found['systemd_pid1'] is True and found['kernel_release'] == WSL2_RELEASE.strip()
    assert found['evidence'] == ['WSL 2 kernel release 5.15.167.4-microsoft-standard-WSL2',
                                 '/proc/sys/fs/binfmt_misc/WSLInterop', '/proc/sys/fs/binfmt_misc/WSLInterop-late',
                                 'WSL_DISTRO_NAME=Debian', 'WSL_INTEROP=/run/WSL/1_interop']
    assert sorted(found) == sorted(D.KEYS)


def test_wsl1_from_the_fixed_kernel_release_and_proc_version():
    found = host({D.OSRELEASE: WSL1_RELEASE, D.PROC_VERSION: WSL1_VERSION, D.PID1_COMM: 'init\n'},
                 {D.BINFMT_DIR: ['WSLInterop']}, {'WSL_DISTRO_NAME': 'Ubuntu'})
    assert (found['is_wsl'], found['wsl_version'], found['systemd_pid1'], found['pid1']) == (True, 1, False, 'init')
    assert host({D.PROC_VERSION: WSL1_VERSION})['wsl_version'] == 1


def test_plain_linux_is_not_wsl():
    found = host({D.OSRELEASE: '6.1.0-28-amd64\n', D.PROC_VERSION: 'Linux version 6.1.0-28-amd64\n',
                  D.PID1_COMM: 'systemd\n'}, {D.BINFMT_DIR: ['register', 'status']}, {'PATH': '/bin'})
    assert (found['is_wsl'], found['wsl_version'], found['evidence']) == (False, None, [])


def test_a_container_on_a_wsl2_kernel_is_not_a_distribution_but_one_with_wsl_environment_is():
    files = {D.OSRELEASE: WSL2_RELEASE, '/.dockerenv': ''}
    found = host(files)
    assert found['is_wsl'] is False and found['wsl_version'] is None
    assert found['evidence'][-1] == 'container (/.dockerenv) on a WSL kernel: not a WSL distribution'
    assert host(files, env={'WSL_DISTRO_NAME': 'x'})['wsl_version'] == 2


def test_environment_of_pid1_counts_and_unreadable_files_are_no_evidence():
    files = {D.OSRELEASE: '6.6.36-custom\n', D.PID1_ENVIRON: 'HOME=/\x00WSL_INTEROP=/run/WSL/1_interop\x00'}
    found = host(files)
    assert found['is_wsl'] is True and found['wsl_version'] == 2
    assert found['evidence'] == ['WSL_INTEROP=/run/WSL/1_interop']
    denied = host(files, denied=(D.PID1_ENVIRON, D.PID1_COMM))
    assert denied['is_wsl'] is False and denied['pid1'] == ''
    # interop only: WSL, version unknown
    assert host({}, {D.BINFMT_DIR: ['WSLInterop']})['wsl_version'] is None


def test_parse_environ():
    assert D.parse_environ(b'WSL_DISTRO_NAME=Deb\xffian\x00X=1\x00WSL_INTEROP') == {'WSL_DISTRO_NAME': u'Deb\ufffdian'}
    assert D.parse_environ(None) == {}
