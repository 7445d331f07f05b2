"""playbooks/audit.yml for real against one container (network none, systemd as PID 1): on a fresh host it
exits non-zero and names the non-compliant controls of every role; after playbooks/harden.yml it exits 0; a
vendor file that later lowers the open-file limit makes it fail again, naming only that control."""

import re

# Only a per-network-namespace key: the harden below writes live values, and /proc/sys is made writable, so a
# global key (kernel.pid_max, vm.max_map_count, ...) would change the machine running the tests.
NET_ONLY = [{'key': 'net.core.somaxconn', 'value': 65535, 'compare': 'min'}]
LIMIT_CONTROLS = ['limits.nofile', 'systemd.default_limit_nofile', 'systemd.default_tasks_max',
                  'systemd.user_tasks_max']
# Deviations no harden can fix on the machines the tests run on, accepted the way a user would: the VM boots
# with hybrid cgroups (a kernel command line change), and the test image has no gcc for the race detector.
WAIVERS = [{'control': 'host.cgroup_v2', 'reason': 'the test VM boots with hybrid cgroups'},
           {'control': 'probe.race.*', 'reason': 'the test image has no gcc'}]


def failing_controls(run):
    # the result callback may fold long lines: read the message with its white space collapsed
    found = re.findall(r'non-compliant: ((?:[\w.-]+, )*[\w.-]+)', ' '.join((run.stdout + run.stderr).split()))
    assert found, 'audit did not name the non-compliant controls\n' + run.explain()
    return set(found[-1].split(', '))


def test_audit_fails_on_a_fresh_host_and_passes_after_harden(container, run_playbook, play_vars):
    host = container('bookworm', systemd=True)
    host.sh('mount -o remount,bind,rw /proc/sys')
    extra = dict(play_vars, kernel_sysctl_policy=NET_ONLY, gocompat_waivers=WAIVERS)
    managed = ['/etc/security/limits.d', '/etc/systemd', '/etc/sysctl.d', '/etc/profile.d', '/usr/local', '/etc/gocompat']
    before = host.fingerprint(*managed)

    # go_sdk is left out here: in check mode its controller delivery copies nothing, and go_sdk_install then
    # refuses the archives it was promised (a go_sdk role defect, not an audit result)
    audit = run_playbook('audit.yml', [host], extra_vars=extra, tags=['host', 'kernel', 'go_env'])
    assert audit.rc != 0, audit.explain()
    failing = failing_controls(audit)
    # every role's findings reach the audit without the playbook naming the roles' facts
    for control in LIMIT_CONTROLS + ['net.core.somaxconn', 'env.path']:
        assert control in failing, (control, sorted(failing))
    # the host concern ran (tag host) and its failing control was waived
    assert 'host.cgroup_v2' in audit.stdout, audit.explain()
    assert 'host.cgroup_v2' not in failing, 'a waived control is not named as failing'
    assert host.fingerprint(*managed) == before, 'audit changed the host'

    # the probe is left out here (the audit below runs it): harden.yml's own probe is covered by molecule go
    harden = run_playbook('harden.yml', [host], extra_vars=extra, skip_tags=['probe'])
    assert harden.rc == 0, harden.explain()
    assert 'FIXED limits.nofile' in harden.stdout and 'FIXED systemd.user_tasks_max' in harden.stdout
    # kernel and go_env both changed systemd manager settings: the one shared handler re-executes it once
    assert harden.stdout.count('RUNNING HANDLER [gocompat.baseline.host : Re-execute the systemd manager]') == 1, \
        harden.explain()

    audit = run_playbook('audit.yml', [host], extra_vars=extra)
    assert audit.rc == 0, audit.explain()
    assert 'non-compliant:' not in audit.stdout
    for control in LIMIT_CONTROLS + ['net.core.somaxconn', 'env.path', 'go.sdk.go1.27.3', 'seccomp.profile',
                                     'probe.cross_arm64.1.27.3', 'probe.toolchain_local.1.27.3']:
        assert re.search(r'PASS  %s\b' % re.escape(control), audit.stdout), control
    # the audit proves the SDK with a real Go run: without gcc the race check fails, and the waiver accepts it
    assert re.search(r'FAIL  probe\.race\.1\.27\.3\b', audit.stdout), audit.explain()
    assert audit.recap[host.name]['changed'] == 0, audit.recap

    # what a new login really gets, and what systemd computed after the handler re-executed it
    assert host.sh("su -l -s /bin/sh nobody -c 'ulimit -Sn; ulimit -Hn'").stdout.split() == ["16384", "20000"]
    assert host.sh("systemctl show -P DefaultLimitNOFILESoft").stdout.strip() == "16384"

    # a vendor file that sorts after ours lowers the limit again: the audit names exactly that control
    host.sh("printf '*  soft  nofile  1024\\n' > /etc/security/limits.d/95-vendor.conf")
    audit = run_playbook('audit.yml', [host], extra_vars=extra, tags=['kernel_limits'])
    assert audit.rc != 0, audit.explain()
    assert failing_controls(audit) == {'limits.nofile'}
    # the tag narrowed the shared limits call to its own concern
    assert 'systemd.default_tasks_max' not in audit.stdout and 'PASS  systemd.default_limit_nofile' in audit.stdout
    assert '95-vendor.conf:1' in audit.stdout
    # tags that leave the host concern out spend nothing on it: no include, no argument check, no host_facts call
    assert "Read the host's facts once" not in audit.stdout and 'host.systemd' not in audit.stdout, audit.explain()


# limits.d states and what pam_limits makes of them; the finding's model must agree with a real login
PAM_STATES = [
    {'limits.conf+': '* soft nofile 1800\n'},
    {'limits.conf+': '* soft nofile 1800\n', '10-a.conf': '* soft nofile 2000\n', '20-b.conf': '* soft nofile 1500\n'},
    {'05-first.conf': '* - nofile 1600\n', '30-root.conf': 'root soft nofile 1700\nroot hard nofile 1900\n'},
    {'10-a.conf': '* soft nofile 1300 # trailing comment\n', '.hidden.conf': '* soft nofile 1100\n',
     'x.conf.disabled': '* soft nofile 1200\n'},
    {'10-a.conf': '* soft nofile 1400\n* soft nofile lots\n'},
    {'10-a.conf': '* soft nofile 1000 extra words\n*\tHard\tNOFILE\t3000x\n', '20-b.conf': 'root Soft nofile 01300\n'},
    {'10-a.conf': '*  hard  nofile  3000\n', '20-b.conf': 'root - nofile 2500\n* soft nofile 2100\n'},
]


def test_limits_nofile_model_agrees_with_a_real_pam_login(container):
    import sys
    from conftest import COLLECTIONS
    sys.path.insert(0, str(COLLECTIONS))
    from ansible_collections.gocompat.baseline.plugins.module_utils import limits_conf

    host = container('bookworm', systemd=False)
    host.sh('cp /etc/security/limits.conf /root/limits.conf.orig')
    login = "su -l -s /bin/sh %s -c 'ulimit -Sn; ulimit -Hn' 2>/dev/null"
    inherited = {user: host.sh(login % user).stdout.split() for user in ('nobody', 'root')}
    for state in PAM_STATES:
        host.sh('rm -f /etc/security/limits.d/* /etc/security/limits.d/.[!.]*; cp /root/limits.conf.orig /etc/security/limits.conf')
        for name, text in state.items():
            if name == 'limits.conf+':
                host.sh('cat >> /etc/security/limits.conf', stdin=text)
            else:
                host.sh('cat > "/etc/security/limits.d/$1"', name, stdin=text)
        names = host.sh('ls -A /etc/security/limits.d').stdout.split()
        drop_ins = dict((n, host.sh('cat "/etc/security/limits.d/$1"', n).stdout) for n in names)
        found = limits_conf.in_force(limits_conf.ordered(drop_ins, host.sh('cat /etc/security/limits.conf').stdout))
        for user, domain in (('nobody', '*'), ('root', 'root')):
            real = host.sh(login % user).stdout.split()
            model = [str(found[domain][kind][0]) if found[domain][kind] else inherited[user][i]
                     for i, kind in enumerate(('soft', 'hard'))]
            assert model == real, (state, user, found[domain])
