"""harden.yml and audit.yml over a mixed fleet (bookworm and trixie, with and without systemd as PID 1) reached
over real SSH as `deploy` with become through sudo: every host converges, a second harden changes nothing
anywhere, the audit passes and its report covers every host; the Go SDKs come from the controller, which
downloads each archive once for the whole fleet and copies it only to hosts that miss it."""

import re

from fleet_env import ARCHIVE_DIR, ARCHIVES, COPY_TASK, INSTALL_TASK, RAN, results_for, task_lines

from harness.fleet import SSHD_LOG


def names(hosts):
    return sorted(h.name for h in hosts)


def test_harden_converges_every_host_over_ssh_as_deploy_with_sudo(converge, fleet):
    run = converge['harden'].run
    assert run.rc == 0, run.explain()
    hosts = converge['hosts']
    assert sorted(run.recap) == names(hosts)
    for name, counts in run.recap.items():
        assert counts['failed'] == 0 and counts['unreachable'] == 0, (name, counts)
        assert counts['changed'] > 0, (name, counts)
    for host in hosts:
        # the managed files were written by root (sudo), the login was deploy's over SSH
        owner = host.container.sh('stat -c %U /usr/local/lib/go/go1.27.3/bin/go /etc/profile.d/gocompat-go.sh')
        assert owner.stdout.split() == ['root', 'root'], owner.stdout
        assert fleet.ssh(host, 'test -x /usr/local/bin/go1.26 && /usr/local/go/bin/go version').stdout.startswith(
            'go version go1.27.3 '), host.name
        log = host.container.read(SSHD_LOG)
        assert re.search(r'Accepted publickey for deploy from \S+ port \d+ ssh2: ED25519', log), log
        assert 'root' not in re.findall(r'Accepted \S+ for (\S+)', log)
    # the run took its two dozen tasks per host through shared connections (ControlPersist): a handful of
    # logins per host, and one master socket per host in the fleet's ControlPath directory
    tasks = min(c['ok'] + c['changed'] for c in run.recap.values())
    for host in hosts:
        assert 1 <= converge['harden'].logins[host.name] <= 3, converge['harden'].logins
    assert tasks > 15, run.recap
    assert len(converge['sockets']) == len(hosts), converge['sockets']
    # systemd hosts had the manager re-executed by the one handler; on the others it was skipped (their drop-ins
    # changed too, but systemd is not PID 1 there)
    for host in hosts:
        handler = results_for(task_lines(run, 'gocompat.baseline.host : Re-execute the systemd manager'), host.name,
                              kinds=('ok', 'changed'))
        assert bool(handler) == host.systemd, (host.name, handler)


def test_second_harden_changes_nothing_on_any_host(converge):
    again = converge['harden_again'].run
    assert again.rc == 0, again.explain()
    assert sorted(again.recap) == names(converge['hosts'])
    for name, counts in again.recap.items():
        assert (counts['changed'], counts['failed'], counts['unreachable']) == (0, 0, 0), (name, counts)
    assert 'FIXED' not in again.stdout


def test_audit_passes_and_the_report_covers_every_host(converge):
    audit = converge['audit']
    assert audit.run.rc == 0, audit.run.explain()
    assert 'non-compliant:' not in audit.run.stdout
    report = audit.report
    assert sorted(report['hosts']) == names(converge['hosts'])
    assert report['summary']['compliant'] is True, report['summary']
    for name, host in report['hosts'].items():
        assert host['state'] == 'compliant', (name, host['state'], host['failed_tasks'])
        for control in ('limits.nofile', 'systemd.default_limit_nofile', 'net.core.somaxconn', 'env.path',
                        'go.sdk.go1.27.3', 'go.sdk.go1.26.5', 'go.default', 'seccomp.profile'):
            assert host['controls'][control]['status'] == 'pass', (name, control, host['controls'].get(control))
    # each host its own facts: systemd is there on two of them only
    systemd = dict((h.name, h.systemd) for h in converge['hosts'])
    for name, host in report['hosts'].items():
        assert host['controls']['host.systemd']['status'] == ('pass' if systemd[name] else 'skip'), name
    # the harden reports covered every host too
    for step in ('harden', 'harden_again'):
        assert sorted(converge[step].report['hosts']) == names(converge['hosts']), step


def test_controller_downloads_each_archive_once_and_copies_it_once_per_host(converge):
    assert converge['before'] == dict((a, 0) for a in ARCHIVES), converge['before']
    # one download per archive for the whole fleet, and none by the re-run or the audit
    for step in ('harden', 'harden_again', 'audit'):
        assert converge[step].downloads == dict((a, 1) for a in ARCHIVES), (step, converge[step].downloads)
    first = task_lines(converge['harden'].run, COPY_TASK)
    again = task_lines(converge['harden_again'].run, COPY_TASK)
    installed_again = task_lines(converge['harden_again'].run, INSTALL_TASK)
    for host in converge['hosts']:
        copied = results_for(first, host.name, ('changed',))
        assert len(copied) == len(ARCHIVES), (host.name, first)
        # the host that has the SDKs receives nothing: the copy task has no item for it
        assert results_for(again, host.name, RAN) == [], (host.name, again)
        # and no install call: the check-mode question already found nothing to change
        assert results_for(installed_again, host.name, RAN) == [], (host.name, installed_again)
        # the copies were the run's temporaries
        assert host.container.sh('ls -A "$1"', ARCHIVE_DIR).stdout == ''
