"""playbooks/harden.yml in check mode against fresh containers, from the ansible-core venv under test
(tests/run.sh runs this on both ends of the supported range): the run succeeds, predicts changes on a
host that is not compliant, and leaves every path the roles manage exactly as it was."""

import pytest

# Everything harden.yml may write on a host with the role defaults.
MANAGED = ['/etc/sysctl.d', '/etc/security/limits.d', '/etc/systemd/system.conf.d', '/etc/systemd/system',
           '/etc/systemd/user.conf.d', '/etc/profile.d', '/etc/environment.d', '/usr/local/lib/go', '/usr/local/go',
           '/usr/local/bin', '/var/cache/gocompat', '/etc/fstab', '/etc/gocompat', '/etc/docker', '/etc/containers',
           '/var/lib/kubelet', '/etc/wsl.conf', '/var/tmp/go-build']


@pytest.mark.parametrize('suite,systemd', [('bookworm', True), ('trixie', False)], ids=['bookworm-systemd',
                                                                                        'trixie-plain'])
def test_check_mode_harden_predicts_changes_and_changes_nothing(container, run_playbook, play_vars, ansible_venv,
                                                                suite, systemd):
    host = container(suite, systemd=systemd)
    before = host.fingerprint(*MANAGED)

    run = run_playbook('harden.yml', [host], check=True, diff=True, extra_vars=play_vars)

    assert run.rc == 0, run.explain()
    counters = run.recap[host.name]
    assert counters['failed'] == 0 and counters['unreachable'] == 0, run.recap
    # a fresh Debian root misses the SDKs, the limits and the Go environment: check mode must say so
    assert counters['changed'] >= 3, run.recap
    for expected in ('90-gocompat-baseline.conf', 'gocompat-go.sh', 'go1.27.3'):
        assert expected in run.stdout, 'check mode did not announce %s (ansible-core %s)' % (expected, ansible_venv[1])
    assert host.fingerprint(*MANAGED) == before
    assert not host.exists('/usr/local/lib/go/go1.27.3')
