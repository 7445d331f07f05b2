"""Pass/fail scenarios for seccomp_profile and seccomp_runtime, one fresh container each.

A scenario puts files in the container, then runs
  1. audit  (check mode): the expected status per control and the predicted changed files, nothing written;
  2. harden (real run): fixed/pass/skip, the files as expected, and exactly the changes the audit predicted;
  3. audit  again: every control pass or skip, nothing to change;
  4. harden again: nothing changed (idempotence).
A scenario that must fail checks one clean error line and that nothing under the watched trees changed.
"""

import json
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import pytest

PROFILE = '/etc/gocompat/seccomp/go-tests.json'
DAEMON = '/etc/docker/daemon.json'
CONF = '/etc/containers/containers.conf'
KUBELET = '/var/lib/kubelet/seccomp/profiles/go-tests.json'
SHIPPED = '/usr/share/containers/seccomp.json'
ALL_RUNTIMES = ['docker', 'podman', 'kubelet']

# A profile in the shape containers-common ships: conditional rules by capability.
SHIPPED_PROFILE = json.dumps({
    'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 1,
    'archMap': [{'architecture': 'SCMP_ARCH_X86_64', 'subArchitectures': ['SCMP_ARCH_X86', 'SCMP_ARCH_X32']}],
    'syscalls': [
        {'names': ['read', 'write', 'exit_group', 'futex', 'mmap', 'clone3'], 'action': 'SCMP_ACT_ALLOW'},
        {'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38, 'excludes': {'caps': ['CAP_SYS_ADMIN']}},
        {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}}]}, indent=4)
DAEMON_TEXT = '{\n\t"log-driver": "journald",\n\t"log-opts": {"tag": "{{.Name}}"},\n\t"live-restore": true\n}\n'
CONF_TEXT = ('# Host overrides\n[containers]\n# default_ulimits: keep\ndefault_ulimits = [\n  "nofile=65535:65535",\n]\n\n'
             '[engine]\ncgroup_manager = "cgroupfs"   # VM has cgroup v1\n')


def profile_args(**extra):
    return dict(dict(path=PROFILE), **extra)


def runtime_args(**extra):
    return dict(dict(profile_path=PROFILE), **extra)


@dataclass
class Scenario:
    name: str
    module: str                                   # 'profile' or 'runtime'
    args: dict
    files: Dict[str, str] = field(default_factory=dict)
    before: Optional[Callable] = None            # runs the other module first (the profile for runtime scenarios)
    audit: Dict[str, str] = field(default_factory=dict)    # control -> status of step 1
    changed: List[str] = field(default_factory=list)       # files step 2 writes
    check: Optional[Callable] = None             # (host) -> asserts on the result files
    error: Optional[str] = None                  # the scenario must fail with this in its message
    suite: str = 'bookworm'


def write_profile(host):
    result = host.run('profile', profile_args())
    assert not result.get('failed'), result.get('msg')


def clone3_rules(text):
    return [r for r in json.loads(text)['syscalls'] if 'clone3' in r['names']]


def check_builtin(host):
    profile = json.loads(host.read(PROFILE))
    assert profile['defaultAction'] == 'SCMP_ACT_ERRNO' and len(profile['archMap']) == 2
    comment = 'go tests: glibc 2.34+ tries clone3 first and falls back to clone only on ENOSYS (ENOSYS)'
    assert clone3_rules(host.read(PROFILE)) == [{'names': ['clone3'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 38,
                                                 'comment': comment}]


def check_patched(host):
    assert host.read(SHIPPED) == SHIPPED_PROFILE          # the shipped file is only read
    rules = json.loads(host.read('/etc/containers/seccomp-go.json'))['syscalls']
    assert rules[0] == {'names': ['exit_group', 'futex', 'mmap', 'read', 'write'], 'action': 'SCMP_ACT_ALLOW'}
    assert {'names': ['mount'], 'action': 'SCMP_ACT_ALLOW', 'includes': {'caps': ['CAP_SYS_ADMIN']}} in rules
    assert len([r for r in rules if 'clone3' in r['names']]) == 1


def check_daemon(host):
    assert host.read(DAEMON) == DAEMON_TEXT.replace('"live-restore": true\n',
                                                    '"live-restore": true,\n\t"seccomp-profile": "%s"\n' % PROFILE)


def check_conf(host):
    assert host.read(CONF) == CONF_TEXT.replace('[containers]\n', '[containers]\nseccomp_profile = "%s"\n' % PROFILE)


def check_kubelet(host):
    assert host.read(KUBELET) == host.read(PROFILE)


def check_oci(host):
    profile = json.loads(host.read(PROFILE))
    assert 'archMap' not in profile and profile['architectures'][0] == 'SCMP_ARCH_X86_64'


SCENARIOS = [
    Scenario('fresh-host-builtin-profile', 'profile', profile_args(), audit={'seccomp.profile': 'fail'},
             changed=[PROFILE], check=check_builtin),
    Scenario('profile-already-right', 'profile', profile_args(), before=write_profile,
             audit={'seccomp.profile': 'pass'}, check=check_builtin),
    Scenario('hand-edited-profile-with-clone3-eperm', 'profile', profile_args(),
             files={PROFILE: '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["clone3"], '
                             '"action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}\n'},
             audit={'seccomp.profile': 'fail'}, changed=[PROFILE], check=check_builtin),
    Scenario('patch-the-shipped-profile', 'profile',
             dict(path='/etc/containers/seccomp-go.json', base='file', base_path=SHIPPED, arches=['amd64']),
             files={SHIPPED: SHIPPED_PROFILE}, audit={'seccomp.profile': 'fail'},
             changed=['/etc/containers/seccomp-go.json'], check=check_patched),
    Scenario('oci-form-on-trixie', 'profile', profile_args(format='oci', arches=['amd64']),
             audit={'seccomp.profile': 'fail'}, changed=[PROFILE], check=check_oci, suite='trixie'),
    Scenario('malformed-shipped-profile', 'profile', profile_args(base='file', base_path=SHIPPED),
             files={SHIPPED: SHIPPED_PROFILE.replace('"SCMP_ACT_ALLOW"', '"SCMP_ACT_ALOW"', 1)},
             error='%s: $.syscalls[0].action: unknown action SCMP_ACT_ALOW' % SHIPPED),
    Scenario('allow-by-default-refused', 'profile', profile_args(default_action='allow'),
             error='default_action=allow would run every syscall'),
    Scenario('docker-daemon-json-kept', 'runtime', runtime_args(runtimes=['docker']), files={DAEMON: DAEMON_TEXT},
             before=write_profile, audit={'seccomp.docker': 'fail'}, changed=[DAEMON], check=check_daemon),
    Scenario('podman-containers-conf-kept', 'runtime', runtime_args(runtimes=['podman']), files={CONF: CONF_TEXT},
             before=write_profile, audit={'seccomp.podman': 'fail'}, changed=[CONF], check=check_conf),
    Scenario('kubelet-localhost-profile', 'runtime', runtime_args(runtimes=['kubelet']),
             files={'/var/lib/kubelet/config.yaml': 'kind: KubeletConfiguration\n'}, before=write_profile,
             audit={'seccomp.kubelet': 'fail'}, changed=[KUBELET], check=check_kubelet),
    Scenario('malformed-daemon-json-untouched', 'runtime', runtime_args(runtimes=['docker']),
             files={DAEMON: '{"log-driver": "journald",, }\n'}, before=write_profile,
             error='%s:1:27: expected a key' % DAEMON),
    Scenario('auto-on-a-host-without-runtimes', 'runtime', runtime_args(runtimes=ALL_RUNTIMES, present_only=True),
             before=write_profile, audit={'seccomp.docker': 'skip', 'seccomp.podman': 'skip', 'seccomp.kubelet': 'skip'}),
    Scenario('auto-registers-only-podman', 'runtime', runtime_args(runtimes=ALL_RUNTIMES, present_only=True),
             files={CONF: CONF_TEXT}, before=write_profile,
             audit={'seccomp.docker': 'skip', 'seccomp.podman': 'fail', 'seccomp.kubelet': 'skip'},
             changed=[CONF], check=check_conf),
]


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


@pytest.mark.parametrize('scenario', SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(host, scenario):
    box = host(scenario.suite)
    box.write_files(scenario.files)
    if scenario.before:
        scenario.before(box)
    start = box.tree()
    audit = box.run(scenario.module, scenario.args, check=True)
    if scenario.error:
        assert audit.get('failed') and scenario.error in audit['msg'], audit.get('msg')
        harden = box.run(scenario.module, scenario.args)
        assert harden.get('failed') and scenario.error in harden['msg'], harden.get('msg')
        assert '\n' not in harden['msg'] and 'Traceback' not in harden['msg']
        assert box.tree() == start
        return
    assert not audit.get('failed'), audit.get('msg')
    assert statuses(audit) == scenario.audit
    assert audit['changed'] == bool(scenario.changed) and audit['changed_files'] == scenario.changed
    assert box.tree() == start, 'check mode changed files'
    harden = box.run(scenario.module, scenario.args)
    assert not harden.get('failed'), harden.get('msg')
    fixed = dict((c, 'fixed' if s == 'fail' else s) for c, s in scenario.audit.items())
    assert statuses(harden) == fixed
    assert harden['changed'] == audit['changed'] and harden['changed_files'] == audit['changed_files']
    if scenario.check:
        scenario.check(box)
    after = box.tree()
    again = box.run(scenario.module, scenario.args, check=True)
    assert set(statuses(again).values()) <= {'pass', 'skip'} and not again['changed']
    last = box.run(scenario.module, scenario.args)
    assert not last['changed'] and box.tree() == after
