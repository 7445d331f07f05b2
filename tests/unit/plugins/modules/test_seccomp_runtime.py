# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""seccomp_runtime through its real main(): daemon.json, containers.conf and the kubelet copy; check mode,
idempotence, restart_needed, byte-kept neighbours."""

from __future__ import absolute_import, division, print_function

import json
import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils.command import Runner

from harness.rooted_host import RootedHost

PROFILE = '/etc/gocompat/seccomp/go-tests.json'
PROFILE_TEXT = json.dumps({'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [
    {'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}, indent=2) + '\n'
DAEMON = '{\n    "log-driver": "journald",\n    "features": {"buildkit": true}\n}\n'
CONF = '# host settings\n[containers]\nlog_size_max = -1\n\n[engine]\nruntime = "runc"\n'
ALL = ['docker', 'podman', 'kubelet']
KUBELET = '/var/lib/kubelet/seccomp/profiles/go-tests.json'


@pytest.fixture
def host(tmp_path):
    h = RootedHost(tmp_path / 'root')
    h.write(PROFILE, PROFILE_TEXT)
    os.makedirs(h.p('/var/lib/kubelet'))
    return h


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


def test_registers_with_all_three_keeping_the_neighbours(run_module, host):
    host.write('/run/docker.pid', '4242\n')
    os.makedirs(host.p('/proc/4242'))   # dockerd runs: a changed daemon.json needs its restart
    host.write('/etc/docker/daemon.json', DAEMON)
    host.write('/etc/containers/containers.conf', CONF)
    audit = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=ALL), check_mode=True, diff=True, host=host)
    assert audit['changed'] and statuses(audit) == {'seccomp.docker': 'fail', 'seccomp.podman': 'fail',
                                                    'seccomp.kubelet': 'fail'}
    assert host.text('/etc/docker/daemon.json') == DAEMON
    result = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=ALL), diff=True, host=host)
    assert result['diff'] == audit['diff'] and result['changed_files'] == audit['changed_files']
    assert set(statuses(result).values()) == {'fixed'}
    assert result['changed_files'] == ['/etc/docker/daemon.json', '/etc/containers/containers.conf', KUBELET]
    assert result['created_dirs'] == ['/var/lib/kubelet/seccomp', '/var/lib/kubelet/seccomp/profiles']
    assert result['restart_needed'] == ['docker']
    assert host.text('/etc/docker/daemon.json') == DAEMON.replace(
        '{"buildkit": true}\n', '{"buildkit": true},\n    "seccomp-profile": "%s"\n' % PROFILE)
    assert host.text('/etc/containers/containers.conf') == CONF.replace(
        '[containers]\n', '[containers]\nseccomp_profile = "%s"\n' % PROFILE)
    assert host.text(KUBELET) == PROFILE_TEXT
    assert result['findings'][0]['actual'] == 'not set' and result['findings'][2]['actual'] == 'absent'
    again = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=ALL), host=host)
    assert not again['changed'] and set(statuses(again).values()) == {'pass'} and again['restart_needed'] == []


def test_creates_missing_files_and_follows_a_new_profile(run_module, host):
    result = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=['docker', 'kubelet']), host=host)
    assert json.loads(host.text('/etc/docker/daemon.json')) == {'seccomp-profile': PROFILE}
    assert result['created_dirs'] == ['/etc/docker', '/var/lib/kubelet/seccomp', '/var/lib/kubelet/seccomp/profiles']
    host.write(PROFILE, PROFILE_TEXT.replace('read', 'write'))
    again = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=['docker', 'kubelet']), host=host)
    assert statuses(again) == {'seccomp.docker': 'pass', 'seccomp.kubelet': 'fixed'}
    assert again['findings'][1]['actual'] == 'another profile' and again['restart_needed'] == []
    assert 'write' in host.text(KUBELET)


def test_check_mode_before_the_profile_exists(run_module, host):
    os.remove(host.p(PROFILE))
    audit = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=ALL), check_mode=True, host=host)
    assert audit['changed'] and set(statuses(audit).values()) == {'fail'}
    assert 'write %s' % PROFILE in audit['findings'][2]['remediation']
    real = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=['docker']), host=host)
    assert real.failed and 'profile_path %s does not exist' % PROFILE in real['msg']


def test_changed_value_and_backup(run_module, host):
    host.write('/etc/docker/daemon.json', '{"seccomp-profile": "/old.json", "debug": true}')
    result = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=['docker'], backup=True), host=host)
    assert result['findings'][0]['actual'] == 'seccomp-profile = /old.json'
    assert host.text('/etc/docker/daemon.json') == '{"seccomp-profile": "%s", "debug": true}' % PROFILE
    with open(result['backup_files']['/etc/docker/daemon.json']) as handle:
        assert handle.read() == '{"seccomp-profile": "/old.json", "debug": true}'


def test_no_restart_for_a_dockerd_that_does_not_run(run_module, host):
    host.write('/run/docker.pid', '4242\n')   # stale: no /proc/4242
    result = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=['docker']), host=host)
    assert result['changed'] and result['restart_needed'] == []


def test_present_only_skips_what_the_host_lacks(run_module, host, monkeypatch):
    monkeypatch.setattr(Runner, 'which', lambda self, name: '/usr/bin/podman' if name == 'podman' else None)
    result = run_module('seccomp_runtime', dict(profile_path=PROFILE, runtimes=ALL, present_only=True), host=host)
    # no /etc/docker and no dockerd: skipped; no /etc/containers but podman: registered; /var/lib/kubelet exists
    assert statuses(result) == {'seccomp.docker': 'skip', 'seccomp.podman': 'fixed', 'seccomp.kubelet': 'fixed'}
    assert result['changed_files'] == ['/etc/containers/containers.conf', KUBELET]
    assert not os.path.exists(host.p('/etc/docker'))
