"""The profiles seccomp_profile writes, loaded for real: by libseccomp in a process of this machine, and by
the Docker engine around a Go test binary built with -race."""

import json
import os
import subprocess
import uuid

from harness import docker as docker_mod
from harness.paths import COLLECTIONS

from seccomp_profile_helpers import LOADER, SYSTEM_PYTHON, load  # pylint: disable=import-error

IMAGE = docker_mod.IMAGE % 'bookworm'


def test_check_mode_then_write_then_nothing_to_do(profile):
    audit, path = profile(check=True)
    assert audit['changed'] and audit['findings'][0]['status'] == 'fail' and not os.path.exists(path)
    first, _path = profile()
    assert first['changed'] and first['findings'][0]['status'] == 'fixed'
    assert first['name_check'] in ('scmp_sys_resolver', 'python3-seccomp')
    with open(path) as handle:
        text = handle.read()
    again, _path = profile()
    assert not again['changed'] and again['findings'][0]['status'] == 'pass'
    with open(path) as handle:
        assert handle.read() == text


def test_generated_profile_gives_enosys_for_clone3_and_threads_still_start(profile):
    result, path = profile()
    assert not result.get('failed'), result.get('msg')
    report = load(path)
    assert report['loaded']['rules'] > 300
    checks = report['checks']
    assert checks['clone3'] == 'ENOSYS'
    assert checks['thread'] == 'started'            # glibc fell back to clone
    assert checks['unshare'] == 'ok'                 # namespaces switch
    assert checks['personality_addr_no_randomize'] == 'ok'
    assert checks['personality_other'] == 'EPERM'    # only the listed personas
    assert checks['syslog'] == 'EPERM'               # outside the list: still denied
    assert checks['fork'] == 7


def test_without_the_clone3_rule_threads_fail_as_on_restrictive_hosts(profile):
    _result, path = profile(name='clone3-eperm.json', clone3='unmanaged')
    checks = load(path)['checks']
    assert checks['clone3'] == 'EPERM'
    assert checks['thread'].startswith('failed'), checks


def test_switches_off_are_denied_for_real(profile):
    _result, path = profile(name='strict.json', namespaces=False, personality=False, extra_deny=['getpid'])
    checks = load(path)['checks']
    assert checks['unshare'] == 'EPERM' and checks['personality_addr_no_randomize'] == 'EPERM'
    assert checks['thread'] == 'started'


def test_an_open_profile_passes_every_check_so_the_checks_can_tell(tmp_path):
    # the loader's checks against an allow-all filter: what the denials above are measured against
    path = tmp_path / 'open.json'
    path.write_text(json.dumps({'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': []}))
    checks = load(path)['checks']
    assert checks['syslog'] == 'ok' and checks['clone3'] != 'ENOSYS' and checks['personality_other'] == 'ok'


def system_python(code):
    """Output of ``code`` run by the system Python with this collection's module_utils importable."""
    prefix = 'import sys; sys.path.insert(0, %r)\n' % str(COLLECTIONS)
    return subprocess.run([SYSTEM_PYTHON, '-c', prefix + code], stdout=subprocess.PIPE, universal_newlines=True,
                          timeout=120, check=True).stdout


def test_table_agrees_with_the_installed_libseccomp():
    table = json.loads(system_python(
        'import json\nfrom ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_syscalls as S\n'
        'print(json.dumps(dict([(a, sorted(n)) for a, n in S.KNOWN.items()] + [("*", sorted(S.ALL_KNOWN))])))'))
    proc = subprocess.run([SYSTEM_PYTHON, LOADER, '--known'], stdout=subprocess.PIPE, universal_newlines=True,
                          timeout=120, check=True)
    known = json.loads(proc.stdout)
    assert sorted(table) == sorted(known)
    for arch, names in table.items():
        missing = sorted(set(names) - set(known[arch]))
        assert not missing, '%s: the table has names libseccomp does not resolve: %s' % (arch, missing)
        assert len(names) > 250
    assert table['*'] == known['*'], 'ALL_KNOWN differs from every name libseccomp knows'


def test_name_check_uses_the_binding_where_the_python_has_it():
    out = system_python(
        'from ansible_collections.gocompat.baseline.plugins.module_utils import seccomp_validate as V\n'
        'c = V.NameCheck(); print(c.source, c.knows("clone3"), c.knows("sync_file_range2"), c.knows("raed"))').split()
    assert out == ['python3-seccomp', 'True', 'True', 'False']


def run_in_docker(binary, profile_path):
    name = 'gocompat-seccomp-%s' % uuid.uuid4().hex[:10]
    return docker_mod.docker('run', '--rm', '--name', name, '--label', docker_mod.SESSION_LABEL, '--network', 'none',
                             '--security-opt', 'seccomp=%s' % profile_path,
                             '-v', '%s:/t:ro' % os.path.dirname(str(binary)), IMAGE,
                             '/t/%s' % os.path.basename(str(binary)), '-test.v', '-test.count=1', timeout=300)


def test_race_binary_passes_in_docker_under_the_profile_and_fails_with_clone3_eperm(
        docker_session, race_test_binary, profile):  # pylint: disable=unused-argument
    problem = docker_mod.engine_problem([IMAGE])
    assert problem is None, problem
    _result, good = profile()
    _result, bad = profile(name='clone3-eperm.json', clone3='unmanaged')
    passed = run_in_docker(race_test_binary, good)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert '--- PASS: TestThreadsUnderTheRaceDetector' in passed.stdout
    failed = run_in_docker(race_test_binary, bad)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    assert 'pthread_create failed: Operation not permitted' in output, output[-2000:]
