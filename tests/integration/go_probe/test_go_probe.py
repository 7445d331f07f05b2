"""go_probe with a real go1.27.3 on this machine: a compliant host passes every check (gcc is installed here, so
-race works); a noexec go temp dir, a host without gcc and a broken GOROOT/version/GOTOOLCHAIN pair fail with
the right finding and cause. The failing hosts are made in private mount namespaces, never on this machine."""

import os

CHECKS = ('race', 'cross_arm64', 'mod_verify', 'version_match', 'toolchain_local', 'cgo_off', 'modules_required')


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])


def finding(result, control):
    return next(f for f in result['findings'] if f['control'] == control)


def test_a_compliant_host_passes_every_check_in_both_modes(probe):
    result = probe.run()
    assert not result.get('failed'), result.get('msg')
    assert statuses(result) == dict(('probe.%s.1.27.3' % c, 'pass') for c in CHECKS), result['findings']
    assert result['changed'] is False
    checks = result['probes'][0]['checks']
    assert checks['cross_arm64']['actual'] == 'ELF e_machine 183 (AArch64)'
    assert checks['version_match']['actual'] == 'binary built by go1.27.3, go env GOROOT %s' % probe.goroot
    assert os.listdir(probe.gotmp) == [], 'the probe left its work dir behind'
    check = probe.run(check=True)
    assert statuses(check) == statuses(result) and check['changed'] is False
    assert os.listdir(probe.gotmp) == []
    print('seconds per check (warm):', dict((c, v['seconds']) for c, v in check['probes'][0]['checks'].items()))


def test_a_noexec_go_temp_dir_fails_race_with_its_cause(probe):
    result = probe.run_in_mountns('mount -t tmpfs -o noexec,nosuid,size=256m tmpfs "$GOTMP"')
    found = finding(result, 'probe.race.1.27.3')
    assert found['status'] == 'fail', found
    assert 'permission denied' in found['actual']
    assert 'noexec temp dir: %s is on %s, mounted noexec' % (probe.gotmp, probe.gotmp) in found['remediation']
    # building does not exec from the temp dir: those checks still pass
    assert statuses(result)['probe.cross_arm64.1.27.3'] == 'pass'
    assert statuses(result)['probe.cgo_off.1.27.3'] == 'pass'


def test_a_host_without_gcc_fails_race_naming_gcc(probe):
    # gcc hidden by an empty non-executable file over it (and cc, its alternative name)
    hide = 'for c in /usr/bin/gcc /usr/bin/cc /usr/bin/x86_64-linux-gnu-gcc; do [ -e "$c" ] && mount --bind /dev/null "$c"; done; true'
    result = probe.run_in_mountns(hide)
    found = finding(result, 'probe.race.1.27.3')
    assert found['status'] == 'fail', found
    assert 'cgo' in found['actual']
    assert found['remediation'].startswith('likely cause: gcc not installed (-race needs cgo)')
    others = dict((c, s) for c, s in statuses(result).items() if not c.startswith('probe.race.'))
    assert set(others.values()) == {'pass'}, others  # the declared cgo failure is still the declared one


def test_a_broken_goroot_version_and_toolchain_pair_fails_its_checks(probe, tmp_path):
    pinned = tmp_path / 'go.env'
    pinned.write_text('GOPROXY=off\nGOTOOLCHAIN=go1.99.0\n')
    result = probe.run_in_mountns('mount --bind %s "$GOROOT/go.env"' % pinned,
                                  sdks=[{'goroot': probe.goroot, 'version': 'go1.26.5'}])
    version = finding(result, 'probe.version_match.1.26.5')
    assert version['status'] == 'fail'
    assert 'the binary says go1.27.3, the SDK is go1.26.5' in version['actual']
    toolchain = finding(result, 'probe.toolchain_local.1.26.5')
    assert toolchain['status'] == 'fail' and toolchain['actual'] == 'GOTOOLCHAIN=go1.99.0'
    # the probe pins GOTOOLCHAIN=local itself, so the build checks still run with this SDK
    assert statuses(result)['probe.race.1.26.5'] == 'pass'


def test_in_a_container_without_gcc_race_fails_and_the_rest_passes(sdk_container, module_runner):
    assert not sdk_container.exists('/usr/bin/gcc')
    facts = module_runner('gocompat.baseline.host_facts', target=sdk_container).run({})
    assert [s['version'] for s in facts['ansible_facts']['gocompat']['sdks']] == ['go1.27.3']
    result = module_runner('gocompat.baseline.go_probe', target=sdk_container).run({'timeout': 600})
    assert not result.get('failed'), result.get('msg')
    found = finding(result, 'probe.race.1.27.3')
    assert found['status'] == 'fail', found
    assert found['remediation'].startswith('likely cause: gcc not installed (-race needs cgo)')
    assert found['source'] == '/usr/local/lib/go/go1.27.3'
    others = dict((c, s) for c, s in statuses(result).items() if not c.startswith('probe.race.'))
    assert set(others.values()) == {'pass'} and len(others) == 6, others
    assert sdk_container.sh('ls -A /tmp').stdout.strip() == '', 'the probe left its work dir behind'
    assert sdk_container.exists('/var/cache/gocompat-probe/go1.27.3/build')
