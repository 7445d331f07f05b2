"""Compliance scenarios for gocompat.baseline.sysctl_guard, one fresh container each.

Every scenario builds a host state, then runs the sequence
  1. audit   (check mode, --diff): expected status per key, and the predicted change;
  2. harden  (real run, shadowed=fix): fixed/pass/skip, the real state in the container, and the
             prediction of step 1 (changed, changed_files, applied) equal to what happened;
  3. audit   again: every key pass or skip, nothing to change;
  4. harden  again: nothing changed (idempotence).
The audit also runs with shadowed=fix, so that its prediction is the prediction of the harden run.

Only keys isolated per namespace are used: net.core.somaxconn and net.ipv4.ip_local_port_range
(network namespace), kernel.pid_max (PID namespace), and kernel.unprivileged_userns_clone, which this
kernel does not have.
"""

from collections import namedtuple
from dataclasses import dataclass, field
from typing import Dict, List

# The file this module owns (it refuses to take over any other file).
OWNED = '/etc/sysctl.d/90-gocompat-baseline.conf'

SOMAXCONN = 'net.core.somaxconn'
PORTS = 'net.ipv4.ip_local_port_range'
PID_MAX = 'kernel.pid_max'
USERNS = 'kernel.unprivileged_userns_clone'


def somaxconn_min(value):
    return {'key': SOMAXCONN, 'value': value, 'compare': 'min'}


def pid_max_min(value):
    return {'key': PID_MAX, 'value': value, 'compare': 'min'}


PORTS_WIDE = {'key': PORTS, 'value': '1024 65535'}
# First line of a file this module owns (it refuses to take over any other file).
HEADER = '# Managed by gocompat.baseline (sysctl_guard)\n'
USERNS_ON = {'key': USERNS, 'value': 1}

# A line of another file that overrides an owned key at boot with a non-compliant value and that the
# harden run must disable. ``path`` is the offending file (as resolved in the container), ``fixed_in``
# the file the fix writes: the same file under /etc, a same-named /etc/sysctl.d copy otherwise.
Shadow = namedtuple('Shadow', 'key path line fixed_in')


def disabled(key, path, line, fixed_in=None):
    return Shadow(key, path, line, fixed_in or path)


@dataclass
class Scenario:
    settings: List[dict]
    audit: Dict[str, str]                                   # key -> status in the first audit
    files: Dict[str, str] = field(default_factory=dict)     # written before the run
    commands: List[str] = field(default_factory=list)       # then run with sh -e
    live: Dict[str, str] = field(default_factory=dict)      # live value after harden (others unchanged)
    persisted: Dict[str, str] = field(default_factory=dict)  # key = value lines of the owned file
    shadowed: List[Shadow] = field(default_factory=list)
    warnings: List[str] = field(default_factory=list)       # substrings of warnings of both first runs
    not_applied: Dict[str, str] = field(default_factory=dict)  # key -> substring of the reason
    writable_proc_sys: bool = True


HARDENED = {'fail': 'fixed', 'pass': 'pass', 'skip': 'skip'}


def statuses(result):
    return {f['control']: f['status'] for f in result['findings']}


def finding(result, key):
    return next(f for f in result['findings'] if f['control'] == key)


def active_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip() and line.strip()[0] not in '#;']


def shadow_records(host, result):
    return {(s['key'], host.realpath(s['path']), s['line'], s['action']) for s in result['shadowed']}


def assert_warned(result, parts):
    for part in parts:
        assert any(part in w for w in result.get('warnings', [])), \
            'no warning mentions %r: %r' % (part, result.get('warnings'))


def assert_only_lines_disabled(original, now, lines, path):
    old, new = original.splitlines(True), now.splitlines(True)
    assert len(new) == len(old), '%s: line count changed:\n%s' % (path, now)
    for number, (before, after) in enumerate(zip(old, new), 1):
        if number in lines:
            assert after.lstrip().startswith('#') and before.strip() in after, \
                '%s:%d not commented out: %r' % (path, number, after)
            assert after.endswith(before[len(before.rstrip('\r\n')):]), '%s:%d line ending changed' % (path, number)
        else:
            assert after == before, '%s:%d changed: %r -> %r' % (path, number, before, after)


def run_scenario(host, sc):
    if sc.writable_proc_sys:
        host.make_proc_sys_writable()
    host.write_files(sc.files)
    if sc.commands:
        host.sh('set -e\n' + '\n'.join(sc.commands))

    keys = [s['key'] for s in sc.settings]
    extra_paths = sorted(sc.files)
    fixed_in = sorted({s.fixed_in for s in sc.shadowed})
    originals = host.read_files(sorted(set(fixed_in) | {s.path for s in sc.shadowed}))
    tree_before = host.fingerprint(*extra_paths)
    live_before = host.live(keys)
    live_after = dict(live_before, **sc.live)
    want_applied = {k: v for k, v in live_after.items() if v != live_before[k]}
    want_changed_files = sorted({OWNED} | set(fixed_in))
    want_shadowed = {(s.key, s.path, s.line, 'disabled') for s in sc.shadowed}

    # 1. audit
    audit = host.guard(sc.settings, check=True)
    assert not audit.get('failed'), audit.get('msg')
    assert statuses(audit) == sc.audit
    assert audit['changed'] is True
    assert sorted(audit['changed_files']) == want_changed_files
    assert audit['applied'] == want_applied
    assert shadow_records(host, audit) == want_shadowed
    assert_warned(audit, sc.warnings)
    assert host.fingerprint(*extra_paths) == tree_before, 'check mode changed a file'
    assert host.live(keys) == live_before, 'check mode changed a live value'

    # 2. harden
    harden = host.guard(sc.settings)
    assert not harden.get('failed'), harden.get('msg')
    assert statuses(harden) == {k: HARDENED[v] for k, v in sc.audit.items()}
    for name in ('changed', 'changed_files', 'applied'):
        assert harden[name] == audit[name], 'check mode predicted %s=%r, the run did %r' % (name, audit[name], harden[name])
    assert harden['persisted'] == sc.persisted
    assert shadow_records(host, harden) == want_shadowed
    assert_warned(harden, sc.warnings)
    assert sorted(harden['not_applied']) == sorted(sc.not_applied)
    for key, reason in sc.not_applied.items():
        assert reason in harden['not_applied'][key]
        assert 'persisted, not applied' in finding(harden, key)['actual']

    assert host.live(keys) == live_after
    tree_after = host.fingerprint(*extra_paths)
    touched = {p for p in set(tree_before) | set(tree_after) if tree_before.get(p) != tree_after.get(p)}
    assert touched == set(want_changed_files), 'files changed other than the expected ones'
    assert tree_after[OWNED].endswith(' 644 0:0'), 'owned file must be a regular root-owned 0644 file'
    texts = host.read_files([OWNED] + fixed_in)
    assert active_lines(texts[OWNED]) == ['%s = %s' % (k, v) for k, v in sc.persisted.items()]
    for path in fixed_in:
        source = next(s.path for s in sc.shadowed if s.fixed_in == path)
        original = originals[path] if originals[path] is not None else originals[source]
        lines = {s.line for s in sc.shadowed if s.fixed_in == path}
        assert_only_lines_disabled(original, texts[path], lines, path)

    # 3. audit again
    again = host.guard(sc.settings, check=True)
    assert not again.get('failed'), again.get('msg')
    assert statuses(again) == {k: 'skip' if v == 'skip' else 'pass' for k, v in sc.audit.items()}
    assert (again['changed'], again['changed_files'], again['applied'], again['shadowed']) == (False, [], {}, [])
    assert again['not_applied'] == harden['not_applied']

    # 4. harden again
    idem = host.guard(sc.settings)
    assert not idem.get('failed'), idem.get('msg')
    assert statuses(idem) == statuses(again)
    assert (idem['changed'], idem['changed_files'], idem['applied'], idem['shadowed']) == (False, [], {}, [])
    assert host.fingerprint(*extra_paths) == tree_after
    assert host.live(keys) == live_after


def assert_refused(host, settings, message_parts):
    """Audit and harden both fail with a message naming the problem, and change nothing."""
    keys = [s['key'] for s in settings]
    tree_before, live_before = host.fingerprint(), host.live(keys)
    for check in (True, False):
        result = host.guard(settings, check=check)
        assert result.get('failed') is True, 'expected a failure, got %r' % result
        for part in message_parts:
            assert part in result['msg']
        assert not result.get('changed')
        assert host.fingerprint() == tree_before, 'a refused run changed a file'
        assert host.live(keys) == live_before, 'a refused run changed a live value'
    return result


# ---------------------------------------------------------------------------------------------------


def test_wrong_value_in_own_file_is_rewritten_and_applied(host):
    run_scenario(host, Scenario(
        files={OWNED: '%s%s = 1024\n%s = 1024 65535\n' % (HEADER, SOMAXCONN, PORTS)},
        commands=['sysctl -qw net.core.somaxconn=1024 net.ipv4.ip_local_port_range="1024 65535"'],
        settings=[somaxconn_min(8192), PORTS_WIDE],
        audit={SOMAXCONN: 'fail', PORTS: 'pass'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192', PORTS: '1024 65535'},
    ))


def test_wrong_value_in_later_file_in_etc_is_commented_out(host):
    run_scenario(host, Scenario(
        files={'/etc/sysctl.d/99-local.conf': '# local tuning\n%s = 32768 60999\n%s = 8192\n' % (PORTS, SOMAXCONN)},
        settings=[PORTS_WIDE],
        audit={PORTS: 'fail'},
        live={PORTS: '1024 65535'},
        persisted={PORTS: '1024 65535'},
        shadowed=[disabled(PORTS, '/etc/sysctl.d/99-local.conf', 2)],
    ))


def test_wrong_value_in_run_is_disabled_by_a_same_named_copy_in_etc(host):
    run_scenario(host, Scenario(
        files={'/run/sysctl.d/95-runtime.conf': '%s = 128\n%s = 1024 65535\n' % (SOMAXCONN, PORTS)},
        commands=['sysctl -qw net.core.somaxconn=128'],
        settings=[somaxconn_min(8192)],
        audit={SOMAXCONN: 'fail'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192'},
        shadowed=[disabled(SOMAXCONN, '/run/sysctl.d/95-runtime.conf', 1, fixed_in='/etc/sysctl.d/95-runtime.conf')],
    ))


def test_etc_file_hiding_a_good_vendor_file_is_commented_out_and_vendor_file_kept(host):
    run_scenario(host, Scenario(
        files={'/usr/lib/sysctl.d/95-vendor.conf': '%s = 4194304\n' % PID_MAX,
               '/etc/sysctl.d/95-vendor.conf': '# site override\n%s = 32768\n' % PID_MAX},
        commands=['sysctl -qw kernel.pid_max=32768'],
        settings=[pid_max_min(4194304)],
        audit={PID_MAX: 'fail'},
        live={PID_MAX: '4194304'},
        persisted={PID_MAX: '4194304'},
        shadowed=[disabled(PID_MAX, '/etc/sysctl.d/95-vendor.conf', 2)],
    ))


def test_value_only_in_etc_sysctl_conf_is_commented_out_there(host):
    run_scenario(host, Scenario(
        files={'/etc/sysctl.conf': '# /etc/sysctl.conf - local settings\n\n%s = 1024\n' % SOMAXCONN},
        commands=['sysctl -qw net.core.somaxconn=1024'],
        settings=[somaxconn_min(8192)],
        audit={SOMAXCONN: 'fail'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192'},
        shadowed=[disabled(SOMAXCONN, '/etc/sysctl.conf', 3)],
    ))


def test_key_commented_out_in_own_file_is_persisted_again(host):
    run_scenario(host, Scenario(
        files={OWNED: '# Managed by gocompat.baseline\n# %s = 8192\n' % SOMAXCONN},
        settings=[somaxconn_min(8192)],
        audit={SOMAXCONN: 'fail'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192'},
    ))


def test_duplicate_key_in_one_file_only_the_bad_line_is_disabled(host):
    # CRLF endings, as in files edited on Windows: the edit must keep them
    run_scenario(host, Scenario(
        files={'/etc/sysctl.d/99-local.conf': '%s = 8192\r\n%s = 1024 65535\r\n%s = 512\r\n' % (SOMAXCONN, PORTS, SOMAXCONN)},
        commands=['sysctl -qw net.core.somaxconn=512'],
        settings=[somaxconn_min(8192)],
        audit={SOMAXCONN: 'fail'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192'},
        shadowed=[disabled(SOMAXCONN, '/etc/sysctl.d/99-local.conf', 3)],
    ))


def test_live_value_above_minimum_is_kept_and_persisted(host):
    # The vendor pid_max file is masked by a /dev/null link, so no file sets either key and the live
    # values are the only ones above the minimum. Nothing persists them: both keys boot with the
    # kernel default, so both fail until the owned file keeps the (higher) live values.
    run_scenario(host, Scenario(
        commands=['sysctl -qw net.core.somaxconn=16384 kernel.pid_max=3000000',
                  'ln -s /dev/null /etc/sysctl.d/50-pid-max.conf'],
        settings=[somaxconn_min(8192), pid_max_min(1048576)],
        audit={SOMAXCONN: 'fail', PID_MAX: 'fail'},
        persisted={SOMAXCONN: '16384', PID_MAX: '3000000'},
    ))


def test_key_absent_on_this_kernel_is_skipped_and_not_written(host):
    run_scenario(host, Scenario(
        settings=[USERNS_ON, somaxconn_min(8192)],
        audit={USERNS: 'skip', SOMAXCONN: 'fail'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192'},
    ))


def test_required_key_absent_on_this_kernel_fails_and_changes_nothing(host):
    host.make_proc_sys_writable()
    host.write_files({'/etc/sysctl.d/99-local.conf': '%s = 512\n' % SOMAXCONN})
    result = assert_refused(host, [dict(USERNS_ON, required=True), somaxconn_min(8192)],
                            ['required keys not present on this kernel', USERNS, 'nothing was changed'])
    assert statuses(result)[USERNS] == 'error'


def test_read_only_proc_sys_persists_and_reports_not_applied(host):
    run_scenario(host, Scenario(
        writable_proc_sys=False,
        settings=[somaxconn_min(8192)],
        audit={SOMAXCONN: 'fail'},
        persisted={SOMAXCONN: '8192'},
        not_applied={SOMAXCONN: '/proc/sys is read-only'},
    ))


def test_own_file_replaced_by_symlink_becomes_regular_file_and_link_target_kept(host):
    run_scenario(host, Scenario(
        files={'/etc/gocompat-decoy.conf': '%s# an older copy of the owned file\n%s = 1024\n' % (HEADER, SOMAXCONN)},
        commands=['ln -s /etc/gocompat-decoy.conf %s' % OWNED],
        settings=[somaxconn_min(8192)],
        audit={SOMAXCONN: 'fail'},
        live={SOMAXCONN: '8192'},
        persisted={SOMAXCONN: '8192'},
        warnings=['%s is a symlink' % OWNED],
    ))


def test_malformed_line_in_foreign_file_warns_and_rest_of_file_counts(host):
    run_scenario(host, Scenario(
        files={'/etc/sysctl.d/99-local.conf':
               '%s = 8192\nthis line is not an assignment\n%s = 32768 60999\n' % (SOMAXCONN, PORTS)},
        settings=[somaxconn_min(8192), PORTS_WIDE],
        audit={SOMAXCONN: 'fail', PORTS: 'fail'},
        live={SOMAXCONN: '8192', PORTS: '1024 65535'},
        persisted={SOMAXCONN: '8192', PORTS: '1024 65535'},
        shadowed=[disabled(PORTS, '/etc/sysctl.d/99-local.conf', 3)],
        warnings=['/etc/sysctl.d/99-local.conf:2'],
    ))


def test_malformed_own_file_fails_with_file_and_line_and_stays_byte_identical(host):
    host.make_proc_sys_writable()
    host.write_files({OWNED: '%s%s = 8192\nthis line is not an assignment\n' % (HEADER, SOMAXCONN)})
    assert_refused(host, [somaxconn_min(8192)], ['%s:3' % OWNED])


def test_foreign_file_at_the_owned_path_is_refused_and_left_alone(host):
    host.make_proc_sys_writable()
    host.write_files({OWNED: '# written by hand\n%s = 1024\n' % SOMAXCONN})
    assert_refused(host, [somaxconn_min(8192)], ['was not written by sysctl_guard', 'nothing was changed'])
