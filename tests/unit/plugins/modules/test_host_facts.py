# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""host_facts through the run_module harness: read-only, same answer in check mode, the gocompat fact and the
audit-only findings from a fake /proc, /sys and /etc (harness.rooted_host) and a fake login shell."""

from __future__ import absolute_import, division, print_function

import json
import os
import time

from harness.rooted_host import RootedHost

from ansible_collections.gocompat.baseline.plugins.module_utils.command import Runner

V2_MOUNTS = ('22 1 0:21 / / rw,relatime - ext4 /dev/vda1 rw\n'
             '30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw,nsdelegate\n'
             '40 22 0:40 / /tmp rw,nosuid,nodev - tmpfs tmpfs rw,size=2097152k,mode=1777\n')
HYBRID_MOUNTS = ('22 1 0:21 / / rw,relatime - ext4 /dev/vda1 rw\n'
                 '31 22 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n'
                 '39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n'
                 '41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n')
LOGIN_ENV = 'HOME=/nonexistent\nPATH=/usr/local/go/bin:/usr/bin:/bin\nGOTOOLCHAIN=local\nCGO_ENABLED=1\nSHLVL=1\n'


class FakeShell(object):
    def __init__(self, out=LOGIN_ENV, rc=0):
        self.out, self.rc, self.calls = out, rc, []

    def __call__(self, argv, env, cwd, data):
        self.calls.append(argv)
        return self.rc, self.out, 'sh: broken profile' if self.rc else ''


def make_host(tmp_path, comm='systemd\n', release='6.1.0-28-amd64\n', files=(), mounts=V2_MOUNTS, shell=None,
              status='Name:\tpython3\nSeccomp:\t0\nSeccomp_filters:\t0\n', extra=None):
    host = RootedHost(tmp_path / 'root')
    os.makedirs(host.root)
    for path, content in (('/proc/1/comm', comm), ('/proc/sys/kernel/osrelease', release),
                          ('/proc/self/mountinfo', mounts), ('/proc/self/status', status),
                          ('/proc/self/cgroup', '0::/init.scope\n'), ('/proc/sys/kernel/pid_max', '4194304\n'),
                          ('/proc/sys/kernel/threads-max', '63000\n'),
                          ('/etc/passwd', 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/usr/sbin:/bin/false\n'
                                          'dev:x:1000:1000::/home/dev:/bin/bash\n')):
        if content is not None:
            host.write(path, content)
    for path in files:
        host.write(path, '')
    for path, content in (extra or {}).items():
        host.write(path, content)
    host.shell = shell or FakeShell()
    host._runner = Runner(execute=host.shell)  # pylint: disable=protected-access
    return host


def by_control(result):
    return dict((f['control'], f) for f in result['findings'])


def test_systemd_host(run_module, tmp_path):
    host = make_host(tmp_path, files=('/lib/systemd/systemd', '/lib/systemd/system/user@.service'))
    before = host.tree()
    result = run_module('host_facts', {}, host=host)
    assert result['changed'] is False
    assert result['host'] == {'systemd_pid1': True, 'pid1': 'systemd', 'systemd_installed': True,
                              'systemd_user_manager': True, 'kernel_release': '6.1.0-28-amd64', 'wsl': False, 'wsl_version': 0}
    assert [(f['control'], f['status']) for f in result['findings']] == [
        ('host.systemd', 'pass'), ('host.cgroup_v2', 'pass'), ('host.pids_max', 'pass'), ('host.seccomp', 'pass'),
        ('env.user_goenv', 'pass')]
    assert result['findings'][0]['source'] == '/proc/1/comm'
    facts = result['ansible_facts']['gocompat']
    assert facts['cgroup']['version'] == 'v2' and facts['wsl_version'] == 0
    assert facts['tmp'] == {'mounted': True, 'fstype': 'tmpfs', 'source': 'tmpfs', 'noexec': False,
                            'options': ['rw', 'nosuid', 'nodev', 'size=2097152k', 'mode=1777']}
    # systemd defaults: 15% and 33% of min(pid_max, threads-max)
    assert facts['pids_max']['service'] == 9450 and facts['pids_max']['login'] == 20790
    assert facts['pids_max']['service_source'] == 'systemd default DefaultTasksMax=15%'
    assert facts['pids_max']['process'] == 63000  # no pids.max for init.scope: the kernel limit applies
    assert facts['login_env'] == {'PATH': '/usr/local/go/bin:/usr/bin:/bin', 'GOTOOLCHAIN': 'local', 'CGO_ENABLED': '1'}
    call = host.shell.calls[0]
    assert call[-7:] == ['-i', 'HOME=/nonexistent', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
                         'sh', '-l', '-c', 'env']
    assert os.path.basename(call[-8]) == 'env' and '5s' in call  # a time limit through timeout(1)
    assert host.tree() == before


def test_check_mode_gives_the_same_answer(run_module, tmp_path):
    host = make_host(tmp_path, comm='sleep\n', files=('/usr/lib/systemd/systemd',))
    real = run_module('host_facts', {}, host=host)
    check = run_module('host_facts', {}, check_mode=True, diff=True, host=host)
    assert check['host'] == real['host'] and check['findings'] == real['findings']
    assert check['ansible_facts'] == real['ansible_facts']
    assert check['changed'] is False and check['diff'] == []
    assert real['findings'][0]['status'] == 'skip'


def test_hybrid_cgroups_fail_with_the_kernel_command_line(run_module, tmp_path):
    host = make_host(tmp_path, mounts=HYBRID_MOUNTS)
    found = by_control(run_module('host_facts', {}, host=host))['host.cgroup_v2']
    assert found['status'] == 'fail' and 'systemd.unified_cgroup_hierarchy=1' in found['remediation']
    assert '/sys/fs/cgroup/pids' in found['actual'] and 'reboot' in found['remediation']


def test_wsl2_with_v1_cgroups_is_fixed_in_wslconfig(run_module, tmp_path):
    host = make_host(tmp_path, release='5.15.153.1-microsoft-standard-WSL2\n', mounts=HYBRID_MOUNTS)
    result = run_module('host_facts', {}, host=host)
    found = by_control(result)['host.cgroup_v2']
    assert 'cgroup_no_v1=all' in found['remediation'] and '.wslconfig' in found['remediation']
    assert 'wsl.exe --shutdown' in found['remediation']
    assert result['ansible_facts']['gocompat']['wsl_version'] == 2


def test_wsl1_is_told_apart(run_module, tmp_path):
    host = make_host(tmp_path, release='4.4.0-19041-Microsoft\n')
    assert run_module('host_facts', {}, host=host)['ansible_facts']['gocompat']['wsl_version'] == 1


def test_small_task_limits_fail_with_their_fixes(run_module, tmp_path):
    host = make_host(tmp_path, files=('/lib/systemd/systemd',), extra={
        '/etc/systemd/system.conf.d/50-low.conf': '[Manager]\nDefaultTasksMax=512\n',
        '/sys/fs/cgroup/user.slice/user-1000.slice/pids.max': '700\n',
        '/sys/fs/cgroup/user.slice/user-1001.slice/pids.max': 'max\n',
        '/proc/self/cgroup': '0::/docker/abc\n',
        '/sys/fs/cgroup/docker/abc/pids.max': '100\n'})
    result = run_module('host_facts', {}, host=host)
    found = by_control(result)['host.pids_max']
    pids = result['ansible_facts']['gocompat']['pids_max']
    assert (pids['login'], pids['service'], pids['process']) == (700, 512, 100)
    assert pids['service_source'] == '/etc/systemd/system.conf.d/50-low.conf:2 DefaultTasksMax=512'
    assert found['status'] == 'fail'
    for fix in ('kernel_systemd_user_tasks_max', 'kernel_systemd_default_tasks_max', '--pids-limit'):
        assert fix in found['remediation']
    assert '/sys/fs/cgroup/docker/abc/pids.max' in found['source']


def test_only_a_small_container_limit_names_only_that_fix(run_module, tmp_path):
    host = make_host(tmp_path, extra={'/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/pids.max': '2048\n'})
    found = by_control(run_module('host_facts', {}, host=host))['host.pids_max']
    assert found['status'] == 'fail' and found['remediation'].startswith('start the container')
    assert 'TasksMax' not in found['remediation']


def test_seccomp_filter_fails_and_strict_is_named(run_module, tmp_path):
    host = make_host(tmp_path, status='Seccomp:\t2\nSeccomp_filters:\t1\n')
    result = run_module('host_facts', {}, host=host)
    found = by_control(result)['host.seccomp']
    assert found['status'] == 'fail' and found['actual'] == 'Seccomp: 2 (filter), 1 filter(s)'
    assert 'go-tests.json' in found['remediation']
    assert result['ansible_facts']['gocompat']['seccomp'] == {'mode': 2, 'name': 'filter', 'filters': 1}


def test_user_go_env_overrides_are_found(run_module, tmp_path):
    host = make_host(tmp_path, extra={
        '/home/dev/.config/go/env': 'GOTOOLCHAIN=go1.22.0+auto\nGOFLAGS=-mod=vendor\nGOPRIVATE=example.com\n',
        '/root/.config/go/env': 'GOPRIVATE=corp.example\n'})
    result = run_module('host_facts', {}, host=host)
    found = by_control(result)['env.user_goenv']
    assert found['status'] == 'fail'
    assert found['actual'] == 'dev: GOTOOLCHAIN=go1.22.0+auto, GOFLAGS=-mod=vendor'
    assert found['remediation'] == 'as dev run: go env -u GOTOOLCHAIN GOFLAGS'
    assert found['source'] == '/home/dev/.config/go/env'
    entries = result['ansible_facts']['gocompat']['user_goenv']
    assert [(e['user'], e['overrides']) for e in entries] == [('root', []), ('dev', ['GOTOOLCHAIN', 'GOFLAGS'])]


def test_a_symlinked_user_go_env_is_not_followed(run_module, tmp_path):
    host = make_host(tmp_path, extra={'/etc/secret': 'GOFLAGS=-secret\n'})
    os.makedirs(host.p('/home/dev/.config/go'))
    os.symlink(host.p('/etc/secret'), host.p('/home/dev/.config/go/env'))
    result = run_module('host_facts', {}, host=host)
    assert by_control(result)['env.user_goenv']['status'] == 'pass'
    assert 'secret' not in json.dumps(result)


def test_installed_sdks_come_from_the_markers(run_module, tmp_path):
    marker = json.dumps({'version': 'go1.27.3', 'sha256': 'ab' * 32})
    host = make_host(tmp_path, extra={'/opt/go/go1.27.3/.gocompat-sdk.json': marker,
                                      '/opt/go/go1.26.5/.gocompat-sdk.json': json.dumps({'version': 'go1.21.0'}),
                                      '/opt/go/go1.21.13/VERSION': 'go1.21.13\n'})
    facts = run_module('host_facts', {'sdk_root': '/opt/go/'}, host=host)['ansible_facts']['gocompat']
    assert facts['sdks'] == [{'version': 'go1.27.3', 'goroot': '/opt/go/go1.27.3', 'sha256': 'ab' * 32}]


def test_a_failing_login_shell_is_reported_not_fatal(run_module, tmp_path):
    host = make_host(tmp_path, shell=FakeShell(out='', rc=2))
    result = run_module('host_facts', {}, host=host)
    facts = result['ansible_facts']['gocompat']
    assert not result.failed and facts['login_env'] == {}
    assert 'exit 2' in facts['login_env_error'] and 'broken profile' in facts['login_env_error']


def test_the_real_host_answers_without_failing_well_under_a_second(run_module):
    # this machine: whatever it runs, the answer is well formed and PID 1 is named
    started = time.monotonic()
    result = run_module('host_facts', {})
    elapsed = time.monotonic() - started
    assert not result.failed and result['host']['pid1'] and result['host']['kernel_release']
    assert result['host']['kernel_release'] == open('/proc/sys/kernel/osrelease').read().strip()
    assert result['host']['systemd_pid1'] is (open('/proc/1/comm').read().strip() == 'systemd')
    facts = result['ansible_facts']['gocompat']
    assert facts['cgroup']['version'] in ('v2', 'hybrid', 'v1', 'none') and facts['login_env_error'] == ''
    assert 'PATH' in facts['login_env']
    assert elapsed < 1.0, elapsed
