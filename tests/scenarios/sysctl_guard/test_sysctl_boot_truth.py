"""sysctl_guard against the truth measured from the real boot programs, on Debian 12 and 13 containers.

Every case builds a host state in one shared container per image (state reset between cases), then:
  1. truth before: the value the real `systemd-sysctl --prefix=KEY` (or `sysctl --system` on a host without
     systemd) applies when the key starts from its kernel default;
  2. audit (check mode): its boot value for each key must equal that truth, a `pass` must be truly compliant
     (boot and live), a non-compliant truth must never be `pass`; changed is true exactly when a finding is not
     pass/skip; `source` names only files that exist; nothing changes on the host;
  3. harden: the findings the audit reported `fail` are `fixed`, the prediction (changed, changed_files,
     applied) is what happened, the files touched are exactly changed_files;
  4. truth after: every key boots compliant, and is compliant live;
  5. audit again: everything pass or skip, nothing to change.
Keys are per network namespace (net.*), and only /proc/sys/net is writable in the containers.
"""

import base64
import json
import os
import re
import subprocess
import threading
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Union

import pytest

from harness import docker as docker_mod
from harness.paths import ansible_env, ansible_playbook

HERE = os.path.dirname(os.path.abspath(__file__))

IMAGES = ('bookworm', 'trixie')
SOMAXCONN = 'net.core.somaxconn'
SYNCOOKIES = 'net.ipv4.tcp_syncookies'
PORTS = 'net.ipv4.ip_local_port_range'
FIN = 'net.ipv4.tcp_fin_timeout'
KEYS = (SOMAXCONN, SYNCOOKIES, PORTS, FIN)
OWNED = '/etc/sysctl.d/90-gocompat-baseline.conf'
HEADER = '# Managed by gocompat.baseline (sysctl_guard)\n'
DISABLED = '# gocompat.baseline disabled: '
NO_LINK = 'rm -f /etc/sysctl.d/99-sysctl.conf'
NO_SYSTEMD = 'rm -f /usr/sbin/init'   # the host boots without systemd: procps' sysctl --system applies sysctl files

SOMAX_MIN = {'key': SOMAXCONN, 'value': 8192, 'compare': 'min'}
SYN_ON = {'key': SYNCOOKIES, 'value': 1}
PORTS_WIDE = {'key': PORTS, 'value': [1024, 65535]}
FIN_MAX = {'key': FIN, 'value': 30, 'compare': 'max'}


@dataclass
class Case:
    name: str
    settings: List[dict]
    audit: Dict[str, Union[str, Dict[str, str]]]       # key -> status, or {image: status}
    files: Dict[str, Union[str, bytes]] = field(default_factory=dict)
    commands: List[str] = field(default_factory=list)
    mechanism: str = 'systemd'
    fails: Optional[str] = None                          # the run must fail with this in its message
    check_fails: bool = True                             # ... in check mode too


CASES = [
    Case('nothing-sets-the-key', [SOMAX_MIN], {SOMAXCONN: 'fail'}),
    Case('runtime-only-value', [SOMAX_MIN], {SOMAXCONN: 'fail'}, commands=['sysctl -qw net.core.somaxconn=16384']),
    Case('runtime-only-value-equal-to-default', [SYN_ON], {SYNCOOKIES: 'fail'}),
    Case('sysctl-conf-only-with-the-debian-link', [SOMAX_MIN],
         {SOMAXCONN: {'bookworm': 'fail', 'trixie': 'fail'}},
         files={'/etc/sysctl.conf': '%s = 16384\n' % SOMAXCONN}),
    Case('sysctl-conf-only-compliant-live-too', [SOMAX_MIN],
         {SOMAXCONN: {'bookworm': 'pass', 'trixie': 'fail'}},
         files={'/etc/sysctl.conf': '%s = 16384\n' % SOMAXCONN}, commands=['sysctl -qw net.core.somaxconn=16384']),
    Case('sysctl-conf-only-link-removed', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/sysctl.conf': '%s = 16384\n' % SOMAXCONN},
         commands=[NO_LINK, 'sysctl -qw net.core.somaxconn=16384']),
    Case('sysctl-conf-outvoted-by-sysctl-d-without-link', [SYN_ON], {SYNCOOKIES: 'fail'},
         files={'/etc/sysctl.conf': '%s = 1\n' % SYNCOOKIES, '/etc/sysctl.d/second.conf': '%s = 0\n' % SYNCOOKIES},
         commands=[NO_LINK]),
    Case('sysctl-conf-and-sysctl-d-conflict-with-link', [SYN_ON], {SYNCOOKIES: 'fail'},
         files={'/etc/sysctl.conf': '%s = 1\n' % SYNCOOKIES, '/etc/sysctl.d/second.conf': '%s = 0\n' % SYNCOOKIES}),
    Case('bad-value-in-sysctl-conf-read-through-the-link-only', [SOMAX_MIN],
         {SOMAXCONN: {'bookworm': 'fail', 'trixie': 'pass'}},
         files={OWNED: HEADER + '%s = 8192\n' % SOMAXCONN, '/etc/sysctl.conf': '# local\n%s = 1024\n' % SOMAXCONN},
         commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('link-in-sysctl-d-to-a-file-in-etc', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/other/tuning.conf': '# tuning\n%s = 1024\n' % SOMAXCONN},
         commands=['ln -s /etc/other/tuning.conf /etc/sysctl.d/95-linked.conf', 'sysctl -qw net.core.somaxconn=8192']),
    Case('link-in-sysctl-d-into-root', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/root/sysctl-test/x.conf': '%s = 512\n' % SOMAXCONN},
         commands=['ln -s /root/sysctl-test/x.conf /etc/sysctl.d/95-root.conf']),
    Case('same-named-sysctl-conf-in-sysctl-d', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/sysctl.d/sysctl.conf': '%s = 1024\n' % SOMAXCONN}, commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('usr-local-lib-hides-usr-lib', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/usr/lib/sysctl.d/95-x.conf': '%s = 1024\n' % SOMAXCONN,
                '/usr/local/lib/sysctl.d/95-x.conf': '%s = 16384\n' % SOMAXCONN}),
    Case('usr-local-lib-hides-usr-lib-compliant', [SOMAX_MIN], {SOMAXCONN: 'pass'},
         files={'/usr/lib/sysctl.d/95-x.conf': '%s = 1024\n' % SOMAXCONN,
                '/usr/local/lib/sysctl.d/95-x.conf': '%s = 16384\n' % SOMAXCONN},
         commands=['sysctl -qw net.core.somaxconn=16384']),
    Case('etc-hides-a-good-usr-lib-file', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/usr/lib/sysctl.d/95-x.conf': '%s = 16384\n' % SOMAXCONN,
                '/etc/sysctl.d/95-x.conf': '# site\n%s = 1024\n' % SOMAXCONN},
         commands=['sysctl -qw net.core.somaxconn=16384']),
    Case('run-wins-over-usr-lib', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/run/sysctl.d/99-r.conf': '%s = 1024\n%s = 1\n' % (SOMAXCONN, SYNCOOKIES),
                '/usr/lib/sysctl.d/99-r.conf': '%s = 16384\n' % SOMAXCONN}),
    Case('bad-value-in-usr-local-lib', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/usr/local/lib/sysctl.d/99-l.conf': '%s = 1024\n' % SOMAXCONN}),
    Case('commented-lines-are-ignored', [SOMAX_MIN], {SOMAXCONN: 'pass'},
         files={OWNED: HEADER + '%s = 8192\n' % SOMAXCONN,
                '/etc/sysctl.d/99-c.conf': '# %s = 1024\n; %s = 2\n' % (SOMAXCONN, SOMAXCONN)},
         commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('duplicate-keys-last-one-bad', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/sysctl.d/99-d.conf': '%s = 8192\r\n%s = 512\r\n' % (SOMAXCONN, SOMAXCONN)},
         commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('duplicate-keys-last-one-good', [SOMAX_MIN], {SOMAXCONN: 'pass'},
         files={'/etc/sysctl.d/99-d.conf': '%s = 512\n%s = 8192\n' % (SOMAXCONN, SOMAXCONN)},
         commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('dev-null-mask-hides-a-bad-vendor-file', [SOMAX_MIN], {SOMAXCONN: 'pass'},
         files={OWNED: HEADER + '%s = 8192\n' % SOMAXCONN, '/usr/lib/sysctl.d/99-m.conf': '%s = 1024\n' % SOMAXCONN},
         commands=['ln -s /dev/null /etc/sysctl.d/99-m.conf', 'sysctl -qw net.core.somaxconn=8192']),
    Case('glob-in-a-later-file', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/sysctl.d/99-g.conf': 'net.core.somax* = 1024\n'}, commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('multi-value-compliant-in-another-file', [PORTS_WIDE], {PORTS: 'pass'},
         files={'/etc/sysctl.d/60-ports.conf': '%s = 1024\t65535\n' % PORTS},
         commands=['sysctl -qw "net.ipv4.ip_local_port_range=1024 65535"']),
    Case('two-keys-several-files', [SOMAX_MIN, PORTS_WIDE, FIN_MAX], {SOMAXCONN: 'fail', PORTS: 'fail', FIN: 'fail'},
         files={'/etc/sysctl.d/95-a.conf': '%s = 1000\n' % SOMAXCONN,
                '/usr/lib/sysctl.d/99-b.conf': '%s = 2000\n%s = 32768 60999\n' % (SOMAXCONN, PORTS)}),
    Case('owned-file-with-a-wrong-value', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={OWNED: HEADER + '%s = 1024\n' % SOMAXCONN}, commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('owned-path-is-a-link-to-an-older-copy', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/other/baseline.conf': HEADER + '%s = 1024\n' % SOMAXCONN},
         commands=['ln -s /etc/other/baseline.conf %s' % OWNED]),
    Case('bytes-that-are-not-utf8-in-a-shadowing-file', [SOMAX_MIN], {SOMAXCONN: 'fail'},
         files={'/etc/sysctl.d/99-latin1.conf': b'# r\xe9glage\n' + ('%s = 1024\n' % SOMAXCONN).encode()},
         commands=['sysctl -qw net.core.somaxconn=8192']),
    Case('no-systemd-value-only-in-sysctl-conf', [SOMAX_MIN], {SOMAXCONN: 'pass'}, mechanism='procps',
         files={'/etc/sysctl.conf': '%s = 16384\n' % SOMAXCONN},
         commands=[NO_SYSTEMD, 'sysctl -qw net.core.somaxconn=16384']),
    Case('no-systemd-sysctl-conf-read-last', [SOMAX_MIN], {SOMAXCONN: 'fail'}, mechanism='procps',
         files={OWNED: HEADER + '%s = 8192\n' % SOMAXCONN, '/etc/sysctl.conf': '%s = 1024\n' % SOMAXCONN},
         commands=[NO_SYSTEMD, 'sysctl -qw net.core.somaxconn=8192']),
    Case('no-systemd-same-named-sysctl-conf', [SOMAX_MIN], {SOMAXCONN: 'fail'}, mechanism='procps',
         files={'/etc/sysctl.d/sysctl.conf': '%s = 1024\n' % SOMAXCONN}, commands=[NO_SYSTEMD]),
    Case('no-systemd-runtime-only', [SOMAX_MIN], {SOMAXCONN: 'fail'}, mechanism='procps',
         commands=[NO_SYSTEMD, 'sysctl -qw net.core.somaxconn=16384']),
    Case('foreign-file-at-the-owned-path', [SOMAX_MIN], {}, files={OWNED: '%s = 1024\n' % SOMAXCONN},
         fails='was not written by sysctl_guard'),
    Case('one-number-for-a-two-number-key', [{'key': PORTS, 'value': 1024}], {}, fails='apply %s = 1024 failed' % PORTS, check_fails=False),
]

# Cases of one image are split over this many containers, run at the same time.
SHARDS = 4
MECHANISM_NAMES = {'systemd': 'systemd-sysctl', 'procps': 'sysctl --system'}


def norm(value):
    return ' '.join(str(value).split())


def satisfies(setting, value):
    wanted = setting['value']
    wanted = ' '.join(str(v) for v in wanted) if isinstance(wanted, list) else str(wanted)
    compare = setting.get('compare', 'eq')
    if compare == 'eq':
        return norm(value) == norm(wanted)
    if not re.match(r'^-?\d+$', norm(value)):
        return False
    return int(norm(value)) >= int(wanted) if compare == 'min' else int(norm(value)) <= int(wanted)


def expected_status(case, key, image):
    status = case.audit[key]
    return status[image] if isinstance(status, dict) else status


def encode_case(case, defaults):
    keys = sorted(set(KEYS))
    return {'name': case.name, 'settings': case.settings, 'mechanism': case.mechanism, 'commands': case.commands,
            'keys': [[key, defaults[key]] for key in keys],
            'files': dict((path, base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode())
                          for path, data in case.files.items())}


def start_container(image):
    container = docker_mod.start_container(docker_mod.IMAGE % image, 'gocompat-sysctl-truth-%s-' % image)
    # /proc/sys stays read-only; only the container's own network namespace becomes writable
    setup = ('mount --bind /proc/sys/net /proc/sys/net && mount -o remount,bind,rw /proc/sys/net && '
             'tar -cpf /pristine.tar etc/sysctl.d usr/lib/sysctl.d usr/sbin/init $(test -e etc/sysctl.conf && '
             'echo etc/sysctl.conf) && for k in %s; do printf "%%s\\t%%s\\n" "$k" "$(sysctl -n $k)"; done'
             % ' '.join(KEYS))
    proc = container.sh(setup, check=False, workdir='/')
    if proc.returncode != 0:
        container.remove()
        raise AssertionError('container set-up failed: %s' % proc.stderr)
    defaults = dict(line.split('\t', 1) for line in proc.stdout.splitlines())
    return container.name, dict((k, norm(v)) for k, v in defaults.items())


def run_shard(image, shard, cases, workdir, out):
    """One container and one playbook run for some of the cases of one image."""
    tag = '%s-%d' % (image, shard)
    try:
        name, defaults = start_container(image)
    except AssertionError as exc:
        out[tag] = exc
        return
    try:
        vars_file = os.path.join(workdir, 'truth-%s-vars.json' % tag)
        result_file = os.path.join(workdir, 'truth-%s-result.json' % tag)
        with open(os.path.join(HERE, 'boot_truth_script.py')) as handle:
            script = handle.read()
        with open(vars_file, 'w') as handle:
            json.dump({'cases': [encode_case(c, defaults) for c in cases], 'script': script,
                       'result_file': result_file}, handle)
        cmd = [ansible_playbook(), '-i', '%s,' % name, '-c', 'community.docker.docker',
               os.path.join(HERE, 'sysctl_boot_truth.yml'), '-e', '@%s' % vars_file]
        proc = subprocess.run(cmd, capture_output=True, text=True, env=ansible_env(), cwd=HERE, timeout=1500,
                              check=False)
        if proc.returncode != 0 or not os.path.exists(result_file):
            out[tag] = AssertionError('ansible-playbook exited %d:\n%s\n%s'
                                      % (proc.returncode, proc.stdout[-6000:], proc.stderr[-3000:]))
            return
        with open(result_file) as handle:
            out[tag] = (defaults, dict((r['name'], r) for r in json.load(handle)))
    finally:
        docker_mod.docker('rm', '-f', name)


class TruthRuns(object):
    """Every image, its cases split over SHARDS containers, all playbook runs in parallel (they mostly wait
    on docker exec). Started in the background as soon as the session has collected these tests (see
    conftest.py), so they overlap the other scenarios."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.out = {}
        self.threads = [threading.Thread(target=run_shard, args=(image, shard, CASES[shard::SHARDS], workdir, self.out))
                        for image in IMAGES for shard in range(SHARDS)]
        for thread in self.threads:
            thread.daemon = True
            thread.start()

    def results(self):
        """{image: (defaults, {case name: result})} or {image: the exception}."""
        for thread in self.threads:
            thread.join()
        runs = {}
        for image in IMAGES:
            parts = [self.out.get('%s-%d' % (image, shard)) for shard in range(SHARDS)]
            failed = [p for p in parts if not isinstance(p, tuple)]
            if failed:
                runs[image] = failed[0] or AssertionError('a shard of %s left no result' % image)
                continue
            merged = {}
            for _defaults, results in parts:
                merged.update(results)
            runs[image] = (parts[0][0], merged)
        return runs


@pytest.fixture(scope='module')
def truth_runs(request, tmp_path_factory):
    runs = getattr(request.config, '_gocompat_truth_runs', None)
    if runs is None:
        runs = TruthRuns(str(tmp_path_factory.mktemp('boot-truth')))
    return runs.results()


def statuses(result):
    return dict((f['control'], f['status']) for f in result.get('findings', []))


_BOOT = re.compile(r'; at boot (.*?) \((?:(.*):(\d+), )?(systemd-sysctl|sysctl --system)\)')


def reported_boot(finding, default):
    match = _BOOT.search(finding['actual'])
    assert match, 'no boot value in %r' % finding['actual']
    value = match.group(1)
    return default if value == 'kernel default' else value


def test_there_are_at_least_25_host_states():
    assert len(CASES) >= 25
    assert len(set(c.name for c in CASES)) == len(CASES)


@pytest.mark.parametrize('image', IMAGES)
@pytest.mark.parametrize('case', CASES, ids=[c.name for c in CASES])
def test_verdict_matches_the_real_boot_programs(truth_runs, image, case):
    run = truth_runs[image]
    if isinstance(run, Exception):
        raise run
    defaults, results = run
    r = results[case.name]
    before, after_audit, after_harden = r['before'], r['after_audit'], r['after_harden']
    audit, harden, again = r['audit'], r['harden'], r['again']
    settings = dict((s['key'], s) for s in case.settings)

    # check mode never changes anything, failed or not
    assert after_audit['files'] == before['files'], 'check mode changed a file'
    assert after_audit['live'] == before['live'], 'check mode changed a live value'

    if case.fails:
        for result in (audit, harden) if case.check_fails else (harden,):
            assert result.get('failed') is True, result
            assert case.fails in result['msg'], result['msg']
            assert '\n' not in result['msg']
        assert after_harden['files'] == before['files'], 'a failed run changed a file'
        assert after_harden['live'] == before['live'], 'a failed run left a live value changed'
        return

    assert not audit.get('failed'), audit.get('msg')
    assert audit['boot_mechanisms'] == [MECHANISM_NAMES[case.mechanism]]
    assert statuses(audit) == dict((key, expected_status(case, key, image)) for key in case.audit)

    for key, setting in settings.items():
        truth = before['truth'][key]
        f = next(f for f in audit['findings'] if f['control'] == key)
        # the model's boot value is the one the real program applied
        assert norm(reported_boot(f, defaults[key])) == norm(truth), (f['actual'], truth)
        compliant = satisfies(setting, truth) and satisfies(setting, before['live'][key])
        if f['status'] == 'pass':
            assert compliant, 'false pass: boot %s, live %s' % (truth, before['live'][key])
        if not compliant:
            assert f['status'] != 'pass'
        source = f['source']
        source_path = source.rsplit(':', 1)[0] if re.search(r':\d+$', source) else source
        assert source_path.startswith('/proc/sys/') or source_path in before['files'], \
            'source %s does not exist' % source

    # the invariant: changed exactly when some finding is not pass/skip
    assert audit['changed'] == any(s not in ('pass', 'skip') for s in statuses(audit).values())

    assert not harden.get('failed'), harden.get('msg')
    assert statuses(harden) == dict((k, 'fixed' if v == 'fail' else v) for k, v in statuses(audit).items())
    for name in ('changed', 'changed_files', 'applied'):
        assert harden[name] == audit[name], 'check mode predicted %s=%r, the run did %r' % (name, audit[name], harden[name])
    touched = set(p for p in set(before['files']) | set(after_harden['files'])
                  if before['files'].get(p) != after_harden['files'].get(p))
    assert touched == set(harden['changed_files'])
    for key, setting in settings.items():
        assert satisfies(setting, after_harden['truth'][key]), 'boots with %s after harden' % after_harden['truth'][key]
        assert satisfies(setting, after_harden['live'][key])

    assert not again.get('failed'), again.get('msg')
    assert set(statuses(again).values()) <= {'pass', 'skip'}
    assert again['changed'] is False


def test_debian_12_ships_the_sysctl_conf_link_and_debian_13_does_not(truth_runs):
    for image, linked in (('bookworm', True), ('trixie', False)):
        run = truth_runs[image]
        if isinstance(run, Exception):
            raise run
        files = run[1]['nothing-sets-the-key']['before']['files']
        assert (files.get('/etc/sysctl.d/99-sysctl.conf') == 'link -> ../sysctl.conf') is linked
        assert ('/etc/sysctl.conf' in files) is linked
