"""playbooks/audit.yml for real against one container (network none, systemd as PID 1): on a fresh host it
exits non-zero and names the non-compliant controls of every role; after playbooks/harden.yml it exits 0; a
vendor file that later lowers the open-file limit makes it fail again, naming only that control."""

import re

# Only a per-network-namespace key: the harden below writes live values, and /proc/sys is made writable, so a
# global key (kernel.pid_max, vm.max_map_count, ...) would change the machine running the tests.
NET_ONLY = [{'key': 'net.core.somaxconn', 'value': 65535, 'compare': 'min'}]
LIMIT_CONTROLS = ['limits.nofile', 'systemd.default_limit_nofile', 'systemd.default_tasks_max',
                  'systemd.user_tasks_max']


def failing_controls(run):
    # the result callback may fold long lines: read the message with its white space collapsed
    found = re.findall(r'non-compliant: ((?:[\w.-]+, )*[\w.-]+)', ' '.join((run.stdout + run.stderr).split()))
    assert found, 'audit did not name the non-compliant controls\n' + run.explain()
    return set(found[-1].split(', '))


def test_audit_fails_on_a_fresh_host_and_passes_after_harden(container, run_playbook, play_vars):
    host = container('bookworm', systemd=True)
    host.sh('mount -o remount,bind,rw /proc/sys')
    extra = dict(play_vars, kernel_sysctl_policy=NET_ONLY)
    managed = ['/etc/security/limits.d', '/etc/systemd', '/etc/sysctl.d', '/etc/profile.d', '/usr/local']
    before = host.fingerprint(*managed)

    # go_sdk is left out here: in check mode its controller delivery copies nothing, and go_sdk_install then
    # refuses the archives it was promised (a go_sdk role defect, not an audit result)
    audit = run_playbook('audit.yml', [host], extra_vars=extra, tags=['kernel', 'go_env'])
    assert audit.rc != 0, audit.explain()
    failing = failing_controls(audit)
    # every role's findings reach the audit without the playbook naming the roles' facts
    for control in LIMIT_CONTROLS + ['net.core.somaxconn', 'env.path']:
        assert control in failing, (control, sorted(failing))
    assert host.fingerprint(*managed) == before, 'audit changed the host'

    harden = run_playbook('harden.yml', [host], extra_vars=extra)
    assert harden.rc == 0, harden.explain()
    assert 'FIXED limits.nofile' in harden.stdout and 'FIXED systemd.user_tasks_max' in harden.stdout
    # kernel and go_env both changed systemd manager settings: the one shared handler re-executes it once
    assert harden.stdout.count('RUNNING HANDLER [gocompat.baseline.host : Re-execute the systemd manager]') == 1, \
        harden.explain()

    audit = run_playbook('audit.yml', [host], extra_vars=extra)
    assert audit.rc == 0, audit.explain()
    assert 'non-compliant:' not in audit.stdout
    for control in LIMIT_CONTROLS + ['net.core.somaxconn', 'env.path', 'go.sdk.go1.27.3']:
        assert re.search(r'PASS  %s\b' % re.escape(control), audit.stdout), control
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
