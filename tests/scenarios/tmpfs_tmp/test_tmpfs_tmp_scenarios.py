"""Compliance scenarios for gocompat.baseline.tmpfs_tmp, one fresh container per host state.

Every scenario builds a host state, then runs the sequence
  1. audit   (check mode): the expected status per control, and the predicted change;
  2. harden  (real run): no failure, every control fixed or pass, the prediction of step 1 (changed files,
             live action) equal to what happened, and the real mount in the container as wanted;
  3. audit   again: every control pass (or skip), nothing to change;
  4. harden  again: nothing changed (idempotence);
  5. with systemd as PID 1: the container restarts and the module, in check mode, finds what boot mounted
     compliant (the persisted state is what boots, not only what the files say).
"""

from dataclasses import dataclass, field
from typing import Dict, List

import pytest

MARK = '# gocompat.baseline tmpfs_tmp: the next line is managed'
DEFAULT_LINE = 'tmpfs\t/tmp\ttmpfs\tnosuid,nodev,size=50%,mode=1777\t0\t0'
DROPIN = '/etc/systemd/system/tmp.mount.d/90-gocompat-baseline.conf'
GO = '/var/tmp/go-build'


@dataclass
class Scenario:
    commands: List[str]                                  # run with sh -e to build the state
    audit: Dict[str, str]                                # control -> status in the first audit
    action: str                                          # live_action predicted and done
    suite: str = 'bookworm'
    systemd: bool = False
    args: dict = field(default_factory=dict)
    changed_files: List[str] = field(default_factory=lambda: ['/etc/fstab'])
    flags: List[str] = field(default_factory=lambda: ['nosuid', 'nodev'])  # live flags after harden
    fstab_has: str = DEFAULT_LINE                        # a line /etc/fstab holds after harden ('' = none)
    check: str = ''                                      # shell check after harden, must print ok


ALL_FAIL = {'tmp.fstype': 'fail', 'tmp.options': 'fail', 'tmp.owner_mode': 'pass', 'tmp.persisted': 'fail',
            'tmp.go_exec': 'pass'}
ONLY_BOOT = {'tmp.fstype': 'pass', 'tmp.options': 'pass', 'tmp.owner_mode': 'pass', 'tmp.persisted': 'fail',
             'tmp.go_exec': 'pass'}
ALL_PASS = dict((k, 'pass') for k in ONLY_BOOT)


def tmpfs(options):
    return 'mount -t tmpfs -o %s tmpfs /tmp' % options


SCENARIOS = {
    'disk-tmp-empty': Scenario(['chmod 1777 /tmp'], ALL_FAIL, 'mount'),
    'disk-tmp-with-x11-bind-and-socket': Scenario(
        ['mkdir -p /srv/x11 /tmp/.X11-unix /tmp/.ICE-unix', 'mount --bind /srv/x11 /tmp/.X11-unix',
         "python3 -c 'import socket,os; s=socket.socket(socket.AF_UNIX); s.bind(\"/tmp/.X11-unix/X0\")'"],
        ALL_FAIL, 'mount', check='test -S /tmp/.X11-unix/X0 && test -d /tmp/.ICE-unix && echo ok'),
    'disk-tmp-mode-0777-owned-by-a-user': Scenario(
        ['chmod 0777 /tmp', 'chown 1000:1000 /tmp'], dict(ALL_FAIL, **{'tmp.owner_mode': 'fail'}), 'mount'),
    'tmpfs-too-small': Scenario([tmpfs('nosuid,nodev,size=1m')],
                                dict(ONLY_BOOT, **{'tmp.options': 'fail'}), 'remount'),
    'tmpfs-mode-0777': Scenario([tmpfs('nosuid,nodev,mode=0777')], dict(ONLY_BOOT, **{'tmp.owner_mode': 'fail'}),
                                'chmod'),
    'tmpfs-owned-by-uid-1000': Scenario([tmpfs('nosuid,nodev,uid=1000,gid=1000')],
                                        dict(ONLY_BOOT, **{'tmp.owner_mode': 'fail'}), 'chmod'),
    'tmpfs-noexec-breaks-go': Scenario([tmpfs('nosuid,nodev,noexec')],
                                       dict(ONLY_BOOT, **{'tmp.options': 'fail', 'tmp.go_exec': 'fail'}), 'remount'),
    'tmpfs-without-nosuid-nodev': Scenario([tmpfs('size=50%')], dict(ONLY_BOOT, **{'tmp.options': 'fail'}), 'remount'),
    'foreign-fstab-line-noexec': Scenario(
        [tmpfs('nosuid,nodev'), "printf '# mine\\ntmpfs /tmp tmpfs defaults,noexec 0 0\\n# end\\n' > /etc/fstab"],
        ONLY_BOOT, 'keep', check="sed -n '1p;4p' /etc/fstab | tr '\\n' '|' | grep -qx '# mine|# end|' && echo ok"),
    'fstab-line-noauto': Scenario(
        [tmpfs('nosuid,nodev'), "printf 'tmpfs /tmp tmpfs noauto,nosuid,nodev 0 0\\n' > /etc/fstab"], ONLY_BOOT, 'keep'),
    'trixie-without-systemd-disk-tmp': Scenario([], ALL_FAIL, 'mount', suite='trixie'),
    'noexec-kept-with-go-tmpdir': Scenario(
        [tmpfs('nosuid,nodev'), 'mkdir -p %s' % GO],
        dict(ONLY_BOOT, **{'tmp.options': 'fail'}), 'remount',
        args={'options': ['nosuid', 'nodev', 'noexec'], 'go_tmpdir': GO}, flags=['nosuid', 'nodev', 'noexec'],
        fstab_has='tmpfs\t/tmp\ttmpfs\tnosuid,nodev,noexec,size=50%,mode=1777\t0\t0'),
    'bigger-fixed-size-and-inodes': Scenario(
        [tmpfs('nosuid,nodev')], dict(ONLY_BOOT, **{'tmp.options': 'fail'}), 'remount',
        args={'size': '256m', 'nr_inodes': '64k'}, fstab_has='tmpfs\t/tmp\ttmpfs\tnosuid,nodev,size=256m,nr_inodes=65536,mode=1777\t0\t0',
        check="grep -q ' /tmp .*size=262144k,nr_inodes=65536' /proc/self/mountinfo && echo ok"),
    'trixie-systemd-default-tmp-mount-is-compliant': Scenario(
        [], ALL_PASS, 'keep', suite='trixie', systemd=True, changed_files=[], flags=['nosuid', 'nodev'],
        fstab_has=''),
    'bookworm-systemd-disk-tmp-fstab': Scenario(['chmod 1777 /tmp'], ALL_FAIL, 'mount', systemd=True),
    'trixie-systemd-size-25-percent-dropin': Scenario(
        [], dict(ALL_PASS, **{'tmp.options': 'fail', 'tmp.persisted': 'fail'}), 'remount', suite='trixie',
        systemd=True, args={'size': '25%'}, changed_files=[DROPIN], fstab_has='',
        check="grep -qx 'Options=nosuid,nodev,size=25%%%%,mode=1777' %s && echo ok" % DROPIN),
}


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


@pytest.mark.parametrize('name', sorted(SCENARIOS))
def test_scenario(make_host, name):
    scenario = SCENARIOS[name]
    host = make_host(scenario.suite, scenario.systemd)
    if scenario.systemd:
        host.sh('for i in $(seq 1 50); do s=$(systemctl is-system-running 2>/dev/null); '
                'case "$s" in running|degraded) break;; esac; sleep 0.2; done')
    if scenario.commands:
        host.sh('set -e\n' + '\n'.join(scenario.commands))
    args = dict(scenario.args)

    audit = host.run(args, check=True)
    assert not audit.get('failed'), audit.get('msg')
    assert statuses(audit) == scenario.audit
    needs_change = 'fail' in scenario.audit.values()
    assert audit['changed'] is needs_change and audit['live_action'] == scenario.action

    harden = host.run(args)
    assert not harden.get('failed'), harden.get('msg')
    assert set(statuses(harden).values()) <= {'fixed', 'pass'}, harden['findings']
    assert [k for k, v in statuses(harden).items() if v == 'fixed'] == [k for k, v in scenario.audit.items() if v == 'fail']
    assert harden['changed_files'] == audit['changed_files'] == scenario.changed_files
    assert harden['live_action'] == scenario.action and harden['reboot_required'] is False
    assert harden['changed'] is needs_change

    fstype, flags, _supers = host.mount_line()
    assert fstype == 'tmpfs'
    assert [f for f in flags if f in ('nosuid', 'nodev', 'noexec')] == scenario.flags
    assert host.stat() == '1777 0 0'
    if scenario.fstab_has:
        assert scenario.fstab_has in host.sh('cat /etc/fstab').splitlines()
    if scenario.check:
        assert host.sh(scenario.check).strip() == 'ok'

    again = host.run(args, check=True)
    assert not again.get('failed') and again['changed'] is False, again
    assert set(statuses(again).values()) == {'pass'}
    last = host.run(args)
    assert not last.get('failed') and last['changed'] is False

    if scenario.systemd:
        host.restart()
        booted = host.run(args, check=True)
        assert not booted.get('failed') and booted['changed'] is False, booted
        assert set(statuses(booted).values()) == {'pass'}, booted['findings']
        assert host.mount_line()[0] == 'tmpfs' and host.stat() == '1777 0 0'
