"""One harden over the converged fleet, a fresh host and a name no container answers to: the unreachable host
is reported as such, a host whose step fails is named with its step, a host whose copied archive was damaged
refuses it (each host checks the checksum itself), and every other host finishes the play."""

from fleet_env import (ARCHIVE_DIR, ARCHIVES, COPY_TASK, GO_ENV_TASK, HOSTILE_PATH, INSTALL_TASK, RAN, results_for,
                       task_lines)


def test_unreachable_host_is_reported_and_the_others_finish(troubled):
    step = troubled['step']
    run, gone = step.run, troubled['unreachable']
    assert run.rc != 0, run.explain()
    # (its ok count holds the tasks that ran on the controller for it: argument checks, the delegated download)
    assert (run.recap[gone]['unreachable'], run.recap[gone]['changed'], run.recap[gone]['failed']) == (1, 0, 0), \
        run.recap[gone]
    host = step.report['hosts'][gone]
    assert host['state'] == 'unreachable' and host['unreachable'], host
    assert step.report['summary']['host_states']['unreachable'] == 1, step.report['summary']
    # every healthy host ran the play to its last task
    for healthy in troubled['healthy']:
        counts = run.recap[healthy.name]
        assert (counts['failed'], counts['unreachable'], counts['changed']) == (0, 0, 0), (healthy.name, counts)
        assert results_for(task_lines(run, 'Summarise findings (fixed by this run, or still failing)'), healthy.name)
        assert step.report['hosts'][healthy.name]['state'] == 'compliant', healthy.name


def test_failing_step_is_reported_with_its_host_and_task(troubled):
    step = troubled['step']
    failing = troubled['failing']
    counts = step.run.recap[failing.name]
    assert counts['failed'] == 1 and counts['unreachable'] == 0, counts
    host = step.report['hosts'][failing.name]
    assert host['state'] == 'failed', host['state']
    assert [t['task'] for t in host['failed_tasks']] == [GO_ENV_TASK], host['failed_tasks']
    assert HOSTILE_PATH in host['failed_tasks'][0]['msg'] and 'directory' in host['failed_tasks'][0]['msg']
    # refused, nothing changed: the directory is still there with its content
    assert failing.container.sh('ls -A "$1"', HOSTILE_PATH).stdout.split() == ['keep']
    assert step.report['summary']['host_states'] == {'unreachable': 1, 'failed': 2, 'non_compliant': 0,
                                                     'compliant': len(troubled['healthy'])}


def test_host_with_a_damaged_copy_refuses_it_and_hosts_with_the_sdk_receive_nothing(troubled):
    step, fresh = troubled['step'], troubled['fresh']
    run = step.run
    copies = task_lines(run, COPY_TASK)
    # the fresh host got both archives, once each; the hosts that have the SDKs got nothing
    assert len(results_for(copies, fresh.name, ('changed',))) == len(ARCHIVES), copies
    for host in troubled['converge_hosts']:
        assert results_for(copies, host.name, RAN) == [], (host.name, copies)
    # the controller downloaded nothing more: its verified cache served the fresh host
    assert step.downloads == dict((a, 1) for a in ARCHIVES), step.downloads
    # the host hashed the copy itself and refused it: no SDK installed
    host = step.report['hosts'][fresh.name]
    assert host['state'] == 'failed', host['state']
    assert [t['task'] for t in host['failed_tasks']] == [INSTALL_TASK], host['failed_tasks']
    assert 'checksum mismatch' in host['failed_tasks'][0]['msg'], host['failed_tasks'][0]['msg']
    assert not fresh.container.exists('/usr/local/lib/go/go1.27.3')
    assert not fresh.container.exists('/usr/local/go')
    # the refused copies do not stay behind on the host (about 75 MB each)
    assert fresh.container.sh('ls -A "$1"', ARCHIVE_DIR).stdout.split() == []
