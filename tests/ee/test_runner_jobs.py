"""playbooks/audit.yml and playbooks/harden.yml run through ansible-runner's Python API as AWX runs jobs (a fresh
private_data_dir per job, the event stream through the event handler) against one fresh network-less container
(systemd as PID 1) over the community.docker connection:

- audit of the fresh host: the job fails (status failed, rc 2), runner_on_ok events of the collection's modules
  carry their findings, the assert's runner_on_failed names the controls, playbook_on_stats counts the failure;
  the report lands where the project's ansible.cfg says (project/gocompat-report, inside the job's directory);
- harden, from a project whose playbook imports gocompat.baseline.harden (no ansible.cfg: ANSIBLE_CALLBACKS_ENABLED
  in the job's environment): successful, rc 0, fixed findings in the events; GOCOMPAT_REPORT_DIR moves the report;
- audit after harden (every role, the probe left out), with the waivers tests/playbooks/test_audit.py uses:
  successful, nothing changed;
  gocompat_report_dir (an extra variable, templated with the awx_job_id AWX passes) moves the report.
"""

import json
import xml.etree.ElementTree as ET

from harness import playbook

# the same per-network-namespace policy and waivers as tests/playbooks/test_audit.py (why: see there)
NET_ONLY = [{'key': 'net.core.somaxconn', 'value': 65535, 'compare': 'min'}]
WAIVERS = [{'control': 'host.cgroup_v2', 'reason': 'the test VM boots with hybrid cgroups'},
           {'control': 'probe.race.*', 'reason': 'the test image has no gcc'}]
LIMITS = 'gocompat.baseline.kernel_limits'
SYSCTL = 'gocompat.baseline.sysctl_guard'
MANAGED = ['/etc/security/limits.d', '/etc/systemd', '/etc/sysctl.d', '/etc/profile.d', '/usr/local', '/etc/gocompat']


def findings(job, action, host):
    """{control: status} of the findings in the runner_on_ok events of ``action`` on ``host`` (a loop's items too)."""
    events = job.of('runner_on_ok', action, host)
    assert events, 'no runner_on_ok event of %s\n%s' % (action, job.explain())
    found = {}
    for event in events:
        res = event['event_data']['res']
        for result in [res] + list(res.get('results') or []):
            for finding in result.get('findings') or []:
                found[finding['control']] = finding['status']
    assert found, 'no findings in the events of %s' % action
    return found


def report(directory, host):
    """The report files the callback wrote to ``directory``: the JSON report, checked against the JUnit file."""
    data = json.loads((directory / 'gocompat-report.json').read_text())
    assert sorted(data['hosts']) == [host]
    junit = ET.parse(str(directory / 'gocompat-report.xml')).getroot()
    assert dict((key, int(junit.get(key))) for key in data['summary']['junit']) == data['summary']['junit']
    assert host in (directory / 'gocompat-report.html').read_text()
    return data


def common_checks(job, host):
    kinds = [e.get('event') for e in job.events]
    assert kinds[0] == 'playbook_on_start' and 'playbook_on_play_start' in kinds, kinds[:5]
    assert kinds.index('playbook_on_stats') > max(i for i, k in enumerate(kinds) if k.startswith('runner_on_'))
    assert job.statuses[:2] == ['starting', 'running'] and job.statuses[-1] == job.status, job.statuses
    # what AWX reads back from the job's artifacts
    artifacts = job.private_data_dir / 'artifacts' / job.runner.config.ident
    assert (artifacts / 'rc').read_text().strip() == str(job.rc)
    assert (artifacts / 'status').read_text().strip() == job.status
    assert all(e['event_data'].get('host') == host for e in job.events if e.get('event', '').startswith('runner_on_'))


def test_audit_harden_audit_as_awx_jobs(container, awx_job, ee_play_vars, tmp_path):
    core = playbook.ansible_core_version(playbook.default_venv())
    host = container('bookworm', systemd=True, prefix='gcee-')
    host.sh('mount -o remount,bind,rw /proc/sys')
    extra = dict(ee_play_vars, kernel_sysctl_policy=NET_ONLY, gocompat_waivers=WAIVERS)
    before = host.fingerprint(*MANAGED)

    # 1. audit of the fresh host (the roles test_audit.py audits first): the job fails, the events say why
    audit = awx_job('audit-fresh', 'playbooks/audit.yml', [host], extravars=extra, tags='kernel,go_env')
    assert (audit.status, audit.rc) == ('failed', 2), audit.explain()
    common_checks(audit, host.name)
    assert findings(audit, LIMITS, host.name)['limits.nofile'] == 'fail'
    assert findings(audit, SYSCTL, host.name)['net.core.somaxconn'] == 'fail'
    assert host.fingerprint(*MANAGED) == before, 'the audit changed the host'
    verdict = audit.of('runner_on_failed', 'ansible.builtin.assert', host.name)
    assert len(verdict) == 1 and 'limits.nofile' in verdict[0]['event_data']['res']['msg'], audit.explain()
    assert 'host.cgroup_v2' not in verdict[0]['event_data']['res']['msg']
    stats = audit.stats()
    assert stats['failures'] == {host.name: 1}, stats
    # the project's ansible.cfg enables the callback; its output_dir is relative to that file
    data = report(audit.project / 'gocompat-report', host.name)
    assert data['hosts'][host.name]['state'] == 'non_compliant'
    assert data['run']['ansible_version'] == core, 'the job ran another ansible-core than GOCOMPAT_ANSIBLE_VENV'
    assert data['hosts'][host.name]['controls']['limits.nofile']['status'] == 'fail'
    assert any('gocompat report (not compliant)' in e.get('stdout', '') for e in audit.events), audit.explain()

    # 2. harden from a project of one's own that imports the collection's playbook (the probe left out, as
    # test_audit.py does: the audit below runs it); no ansible.cfg there, the job's environment enables the report
    kept = tmp_path / 'kept'
    harden = awx_job('harden', 'gocompat.baseline.harden', [host], extravars=extra, skip_tags='probe',
                     envvars={'ANSIBLE_CALLBACKS_ENABLED': 'gocompat.baseline.gocompat_report',
                              'GOCOMPAT_REPORT_DIR': str(kept / 'harden')})
    assert (harden.status, harden.rc) == ('successful', 0), harden.explain()
    common_checks(harden, host.name)
    assert findings(harden, LIMITS, host.name)['limits.nofile'] == 'fixed'
    assert any(e['event_data']['res'].get('changed') for e in harden.of('runner_on_ok', LIMITS, host.name))
    stats = harden.stats()
    assert not stats['failures'] and stats['changed'].get(host.name, 0) > 0, stats
    data = report(kept / 'harden', host.name)
    assert data['hosts'][host.name]['controls']['limits.nofile']['status'] == 'fixed'
    assert not (harden.project / 'gocompat-report').exists(), 'GOCOMPAT_REPORT_DIR was not used'

    # 3. the audit again, every role: compliant with the waivers. The probe (a real Go run, minutes on a loaded
    # 2-core machine) is left out: tests/playbooks/test_audit.py runs it. The report directory is named after
    # the job, from the job id AWX passes as an extra variable.
    audit = awx_job('audit-hardened', 'playbooks/audit.yml', [host], skip_tags='probe',
                    extravars=dict(extra, awx_job_id=4242, gocompat_report_dir=str(kept / 'audit-{{ awx_job_id }}')))
    assert (audit.status, audit.rc) == ('successful', 0), audit.explain()
    common_checks(audit, host.name)
    assert findings(audit, LIMITS, host.name)['limits.nofile'] == 'pass'
    sdks = findings(audit, 'gocompat.baseline.go_sdk_install', host.name)
    assert sdks['go.sdk.go1.27.3'] == 'pass' and sdks['go.default'] == 'pass', sdks
    assert not audit.of('runner_on_ok', 'gocompat.baseline.go_probe'), 'the probe was not skipped'
    stats = audit.stats()
    assert not stats['failures'] and not stats['changed'], stats
    data = report(kept / 'audit-4242', host.name)
    assert data['summary']['compliant'] is True, data['summary']
    assert data['hosts'][host.name]['state'] == 'compliant'
    assert data['hosts'][host.name]['controls']['host.cgroup_v2']['status'] in ('pass', 'waived')
