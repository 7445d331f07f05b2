# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import (
    DISABLED_MARKER,
    SYSCTL_DIRS,
    SysctlSyntaxError,
    parse_sysctl_text,
    render_owned_file,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_plan import (
    OWNED_HEADER,
    PROCPS,
    SYSTEMD,
    LiveKey,
    Setting,
    SysctlTree,
    plan_sysctl,
)

OWNED = '/etc/sysctl.d/90-gocompat-baseline.conf'
LEGACY = '/etc/sysctl.conf'
PID_MAX = Setting('kernel.pid_max', 4194304, 'min')


# --- helpers ------------------------------------------------------------------------------------

def make_tree(files=None, legacy=None, links=None, mechanisms=(SYSTEMD,)):
    """A SysctlTree from {path: text}; ``links`` maps listed symlinks to their resolved path."""
    files = dict(files or {})
    listing = []
    for directory in SYSCTL_DIRS:
        names = sorted(os.path.basename(p) for p in files if os.path.dirname(p) == directory)
        if names:
            listing.append((directory, names))
    return SysctlTree(listing, files, links or {}, legacy, mechanisms=mechanisms)


def owned(*pairs):
    """Text of the owned file exactly as the planner renders it."""
    return render_owned_file(list(pairs), OWNED_HEADER)


def live(**values):
    """{key: LiveKey}; keyword names use '__' for '.' (kernel__pid_max)."""
    return dict((name.replace('__', '.'), value if isinstance(value, LiveKey) else LiveKey(value))
                for name, value in values.items())


def plan(settings, tree, live_state, **kwargs):
    return plan_sysctl(settings, OWNED, tree, live_state, **kwargs)


def finding(result, key):
    matches = [f for f in result.findings if f['control'] == key]
    assert len(matches) == 1
    return matches[0]


def apply_plan(tree, result, live_state):
    """The tree and live values a real run leaves behind (what the module writes)."""
    new = tree.with_file(OWNED, result.owned_after)
    for path, (_before, after) in sorted(result.file_edits.items()):
        if path == new.legacy_path:
            contents = dict(new.contents)
            for link, real in new.realpaths.items():
                if real == path:
                    contents[link] = after  # 99-sysctl.conf reads through to the edited file
            new = SysctlTree(new.listing, contents, new.realpaths, after, new.legacy_path)
        else:
            new = new.with_file(path, after)
    after_live = dict((key, LiveKey(result.live_writes.get(key, state.value), state.blocked))
                      for key, state in live_state.items())
    return new, after_live


def assert_idempotent(settings, tree, live_state, **kwargs):
    first = plan(settings, tree, live_state, **kwargs)
    tree2, live2 = apply_plan(tree, first, live_state)
    second = plan(settings, tree2, live2, **kwargs)
    assert not second.changed, (second.owned_before, second.owned_after, second.file_edits, second.live_writes)
    assert second.file_edits == {}
    assert second.live_writes == {}
    assert second.shadowed == []
    return first, second


def disabled(line):
    return line.startswith(DISABLED_MARKER)


# --- the owned file -----------------------------------------------------------------------------

def test_missing_owned_file_is_created_and_live_value_raised():
    result = plan([PID_MAX], make_tree(), live(kernel__pid_max='32768'))
    assert result.owned_before is None
    assert result.owned_after == owned(('kernel.pid_max', '4194304'))
    assert result.persisted == {'kernel.pid_max': '4194304'}
    assert result.live_writes == {'kernel.pid_max': '4194304'}
    assert result.changed
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fixed'
    assert f['expected'] == '>= 4194304'
    assert f['actual'] == 'live 32768; at boot kernel default (systemd-sysctl)'
    assert f['source'] == '/proc/sys/kernel/pid_max'  # the owned file does not exist yet
    assert f['remediation'] == 'persist kernel.pid_max = 4194304 in %s and apply it live' % OWNED


def test_wrong_value_in_owned_file_is_rewritten():
    tree = make_tree({OWNED: owned(('kernel.pid_max', '32768'))})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    assert result.owned_before == owned(('kernel.pid_max', '32768'))
    assert result.owned_after == owned(('kernel.pid_max', '4194304'))
    assert result.live_writes == {}
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fixed'
    assert f['source'] == OWNED + ':3'
    assert f['actual'] == 'live 4194304; at boot 32768 (%s:3, systemd-sysctl)' % OWNED
    assert 'apply it live' not in f['remediation']


def test_compliant_system_passes_without_change():
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304'))})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    assert not result.changed
    assert result.owned_after == result.owned_before
    f = finding(result, 'kernel.pid_max')
    assert (f['status'], f['remediation']) == ('pass', '')


def test_hand_edited_owned_file_is_left_alone_while_compliant():
    # a change with every finding pass would break "changed exactly when a finding is not pass"
    tree = make_tree({OWNED: '# Managed by gocompat.baseline\nkernel.pid_max=4194304\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    assert not result.owned_changed and not result.changed
    assert finding(result, 'kernel.pid_max')['status'] == 'pass'


def test_hand_edited_owned_file_is_normalised_when_a_key_changes():
    tree = make_tree({OWNED: '# Managed by gocompat.baseline\nkernel.pid_max=4194304\nvm.swappiness = 60\n'})
    swap = Setting('vm.swappiness', 10, 'max')
    result = plan([PID_MAX, swap], tree, live(kernel__pid_max='4194304', vm__swappiness='10'))
    assert result.owned_after == owned(('kernel.pid_max', '4194304'), ('vm.swappiness', '10'))
    assert [finding(result, k)['status'] for k in ('kernel.pid_max', 'vm.swappiness')] == ['pass', 'fixed']


def test_malformed_owned_file_raises_with_path_and_line():
    tree = make_tree({OWNED: '# ours\nkernel.pid_max = 4194304\nthis is not an assignment\n'})
    with pytest.raises(SysctlSyntaxError) as caught:
        plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    assert (caught.value.path, caught.value.line_no) == (OWNED, 3)
    assert str(caught.value).startswith(OWNED + ':3: ')


def owned_symlink_tree(link_text):
    return SysctlTree([('/etc/sysctl.d', ['90-gocompat-baseline.conf'])], {OWNED: link_text},
                      {OWNED: '/srv/shared/sysctl-baseline.conf'})


def test_owned_file_symlink_is_left_alone_while_its_content_is_right():
    link_text = owned(('kernel.pid_max', '4194304'))
    result = plan([PID_MAX], owned_symlink_tree(link_text), live(kernel__pid_max='4194304'),
                  owned_is_symlink=True)
    assert not result.owned_replaces_symlink
    assert not result.changed
    assert result.owned_after == link_text
    assert any(w.startswith(OWNED + ' is a symlink; if it must change it is replaced by a regular file')
               for w in result.warnings)
    assert finding(result, 'kernel.pid_max')['status'] == 'pass'


def test_owned_file_symlink_is_replaced_when_a_value_changes():
    link_text = owned(('kernel.pid_max', '32768'))
    result = plan([PID_MAX], owned_symlink_tree(link_text), live(kernel__pid_max='4194304'),
                  owned_is_symlink=True)
    assert result.owned_replaces_symlink and result.changed
    assert result.owned_before == link_text  # shown in the diff
    assert result.owned_after == owned(('kernel.pid_max', '4194304'))
    assert finding(result, 'kernel.pid_max')['status'] == 'fixed'


def test_owned_symlink_to_malformed_file_does_not_raise_or_warn():
    result = plan([PID_MAX], owned_symlink_tree('garbage line\n'), live(kernel__pid_max='32768'),
                  owned_is_symlink=True)
    assert result.owned_replaces_symlink
    assert result.owned_after == owned(('kernel.pid_max', '4194304'))
    assert not any('garbage' in w for w in result.warnings)
    assert finding(result, 'kernel.pid_max')['status'] == 'fixed'


# --- shadowing files ----------------------------------------------------------------------------

LOCAL = '/etc/sysctl.d/99-local.conf'


def test_later_etc_file_with_bad_value_is_reported_in_warn_mode():
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304')),
                      LOCAL: '# local tuning\nkernel.pid_max = 32768\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    assert result.shadowed == [{'key': 'kernel.pid_max', 'path': LOCAL, 'line': 2, 'value': '32768',
                                'action': 'reported'}]
    assert result.file_edits == {}
    assert '%s:2 sets kernel.pid_max = 32768 after %s and wins at boot' % (LOCAL, OWNED) in result.warnings
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fail'
    assert f['source'] == LOCAL + ':2'
    assert '%s:2 overrides it: rerun with shadowed=fix' % LOCAL in f['remediation']


def test_later_etc_file_is_reported_without_warnings_in_fail_mode():
    tree = make_tree({LOCAL: 'kernel.pid_max = 32768\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='32768'), shadowed='fail')
    assert [s['action'] for s in result.shadowed] == ['reported']
    assert result.warnings == []
    assert result.file_edits == {}
    assert finding(result, 'kernel.pid_max')['status'] == 'fail'


def test_later_etc_file_line_is_disabled_in_place_with_fix():
    local_text = '# local tuning\nkernel.pid_max = 32768\nvm.swappiness = 10\n'
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304')), LOCAL: local_text})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert list(result.file_edits) == [LOCAL]
    before, after = result.file_edits[LOCAL]
    assert before == local_text
    lines = after.split('\n')
    assert lines[0] == '# local tuning'
    assert disabled(lines[1]) and 'kernel.pid_max = 32768' in lines[1]
    assert lines[2] == 'vm.swappiness = 10'
    assert result.shadowed == [{'key': 'kernel.pid_max', 'path': LOCAL, 'line': 2, 'value': '32768',
                                'action': 'disabled'}]
    assert finding(result, 'kernel.pid_max')['status'] == 'fixed'
    assert result.owned_after == result.owned_before  # the owned file was already right


def test_earlier_file_with_bad_value_is_not_touched():
    early = '/etc/sysctl.d/10-early.conf'
    tree = make_tree({early: 'kernel.pid_max = 32768\n', OWNED: owned(('kernel.pid_max', '4194304'))})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert result.shadowed == [] and result.file_edits == {}
    assert finding(result, 'kernel.pid_max')['status'] == 'pass'


def test_fix_in_check_mode_plans_the_same_edits_but_reports_fail():
    tree = make_tree({LOCAL: 'kernel.pid_max = 32768\n'})
    state = live(kernel__pid_max='32768')
    real = plan([PID_MAX], tree, state, shadowed='fix')
    check = plan([PID_MAX], tree, state, shadowed='fix', check_mode=True)
    assert finding(real, 'kernel.pid_max')['status'] == 'fixed'
    assert finding(check, 'kernel.pid_max')['status'] == 'fail'
    assert check.file_edits == real.file_edits
    assert check.live_writes == real.live_writes == {'kernel.pid_max': '4194304'}
    assert check.owned_after == real.owned_after


def test_runtime_override_is_fixed_by_a_same_named_etc_copy():
    runtime = '/run/sysctl.d/99-runtime.conf'
    runtime_text = 'vm.max_map_count = 65530\nnet.core.somaxconn = 4096\n'
    setting = Setting('vm.max_map_count', 262144, 'min')
    tree = make_tree({runtime: runtime_text})
    result = plan([setting], tree, live(vm__max_map_count='65530'), shadowed='fix')
    assert list(result.file_edits) == ['/etc/sysctl.d/99-runtime.conf']
    before, after = result.file_edits['/etc/sysctl.d/99-runtime.conf']
    assert before is None  # a new file in /etc; /run is left alone
    assert disabled(after.splitlines()[0])
    assert after.splitlines()[1] == 'net.core.somaxconn = 4096'  # other settings of that file survive
    assert result.shadowed == [{'key': 'vm.max_map_count', 'path': runtime, 'line': 1, 'value': '65530',
                                'action': 'disabled'}]
    f = finding(result, 'vm.max_map_count')
    assert f['status'] == 'fixed'
    assert f['source'] == runtime + ':1'


def test_vendor_file_in_usr_lib_is_fixed_by_an_etc_copy():
    vendor = '/usr/lib/sysctl.d/99-vendor.conf'
    tree = make_tree({vendor: 'kernel.pid_max = 32768\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert list(result.file_edits) == ['/etc/sysctl.d/99-vendor.conf']
    assert result.file_edits['/etc/sysctl.d/99-vendor.conf'][0] is None
    assert vendor not in result.file_edits


def test_same_named_etc_file_hides_bad_usr_lib_file():
    tree = make_tree({'/usr/lib/sysctl.d/99-vendor.conf': 'kernel.pid_max = 32768\n',
                      '/etc/sysctl.d/99-vendor.conf': '# local replacement\nkernel.pid_max = 4194304\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert result.shadowed == [] and result.file_edits == {}
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'pass'
    assert f['source'] == '/etc/sysctl.d/99-vendor.conf:2'


def test_dev_null_mask_hides_vendor_file():
    tree = make_tree({'/etc/sysctl.d/99-vendor.conf': '',
                      '/usr/lib/sysctl.d/99-vendor.conf': 'kernel.pid_max = 32768\n',
                      OWNED: owned(('kernel.pid_max', '4194304'))},
                     links={'/etc/sysctl.d/99-vendor.conf': '/dev/null'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert result.shadowed == [] and result.file_edits == {}
    assert not result.changed
    assert finding(result, 'kernel.pid_max')['status'] == 'pass'


def test_two_shadowing_files_are_both_fixed():
    tree = make_tree({'/etc/sysctl.d/95-a.conf': 'kernel.pid_max = 1000\n',
                      '/usr/lib/sysctl.d/99-b.conf': 'kernel.pid_max = 2000\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert sorted(result.file_edits) == ['/etc/sysctl.d/95-a.conf', '/etc/sysctl.d/99-b.conf']
    assert sorted((s['path'], s['value']) for s in result.shadowed) == [
        ('/etc/sysctl.d/95-a.conf', '1000'), ('/usr/lib/sysctl.d/99-b.conf', '2000')]
    assert finding(result, 'kernel.pid_max')['status'] == 'fixed'


def test_duplicate_keys_last_compliant_line_wins():
    tree = make_tree({LOCAL: 'kernel.pid_max = 32768\nkernel.pid_max = 4194304\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert result.shadowed == [] and result.file_edits == {}
    f = finding(result, 'kernel.pid_max')
    assert f['source'] == LOCAL + ':2'


def test_duplicate_keys_fix_comments_out_only_non_compliant_lines():
    text = 'kernel.pid_max = 32768\nkernel.pid_max = 4194304\nvm.swappiness = 10\nkernel.pid_max = 1000\n'
    tree = make_tree({LOCAL: text})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    after = result.file_edits[LOCAL][1].splitlines()
    assert [disabled(line) for line in after] == [True, False, False, True]
    assert after[1] == 'kernel.pid_max = 4194304'
    assert sorted(s['line'] for s in result.shadowed) == [1, 4]
    assert all(s['action'] == 'disabled' for s in result.shadowed)


def test_crlf_shadowing_file_keeps_its_line_endings_when_fixed():
    tree = make_tree({LOCAL: 'vm.swappiness = 10\r\nkernel.pid_max = 32768\r\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    after = result.file_edits[LOCAL][1]
    assert after.startswith('vm.swappiness = 10\r\n' + DISABLED_MARKER)
    assert after.endswith('\r\n') and after.count('\r\n') == 2 and '\n' not in after.replace('\r\n', '')


def test_commented_out_key_in_later_file_is_ignored():
    tree = make_tree({LOCAL: '# kernel.pid_max = 32768\n; kernel.pid_max = 1\n',
                      OWNED: owned(('kernel.pid_max', '4194304'))})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert result.shadowed == [] and not result.changed
    assert finding(result, 'kernel.pid_max')['source'] == OWNED + ':3'


def test_glob_in_later_file_never_beats_the_explicit_owned_key():
    rp = Setting('net.ipv4.conf.all.rp_filter', 1)
    tree = make_tree({'/etc/sysctl.d/99-glob.conf': 'net.ipv4.conf.*.rp_filter = 0\n'})
    result = plan([rp], tree, live(net__ipv4__conf__all__rp_filter='0'), shadowed='fix')
    assert result.shadowed == [] and result.file_edits == {}
    f = finding(result, 'net.ipv4.conf.all.rp_filter')
    # before the run, the glob decided the boot value; after it, the owned explicit key does
    assert f['actual'] == 'live 0; at boot 0 (/etc/sysctl.d/99-glob.conf:1, systemd-sysctl)'
    assert f['status'] == 'fixed'
    assert result.live_writes == {'net.ipv4.conf.all.rp_filter': '1'}


# --- /etc/sysctl.conf ---------------------------------------------------------------------------

def test_value_only_in_unlinked_legacy_sysctl_conf_does_not_count_under_systemd():
    # defect 2: systemd-sysctl never reads /etc/sysctl.conf without the 99-sysctl.conf link
    tree = make_tree(legacy='kernel.pid_max = 4194304\n')
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fixed'
    assert f['actual'] == 'live 4194304; at boot kernel default (systemd-sysctl)'
    assert result.owned_after == owned(('kernel.pid_max', '4194304'))


def test_value_only_in_legacy_sysctl_conf_counts_for_sysctl_system():
    tree = make_tree(legacy='kernel.pid_max = 4194304\n', mechanisms=(PROCPS,))
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'pass'
    assert f['source'] == LEGACY + ':1'
    assert not result.changed


def test_legacy_sysctl_conf_is_applied_last_and_shadows_the_owned_file():
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304'))}, legacy='kernel.pid_max = 32768\n',
                     mechanisms=(PROCPS,))
    warned = plan([PID_MAX], tree, live(kernel__pid_max='4194304'))
    assert [(s['path'], s['line']) for s in warned.shadowed] == [(LEGACY, 1)]
    assert finding(warned, 'kernel.pid_max')['status'] == 'fail'
    fixed = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert list(fixed.file_edits) == [LEGACY]
    before, after = fixed.file_edits[LEGACY]
    assert before == 'kernel.pid_max = 32768\n'
    assert disabled(after)
    assert finding(fixed, 'kernel.pid_max')['status'] == 'fixed'


def test_legacy_reached_through_99_sysctl_conf_link_is_edited_once():
    link = '/etc/sysctl.d/99-sysctl.conf'
    legacy_text = '# Debian default\nkernel.pid_max = 32768\n'
    tree = make_tree({link: legacy_text}, legacy=legacy_text, links={link: LEGACY})
    assert [p for p, _t in tree.ordered_files()] == [link]  # sysctl.conf is not read twice
    result = plan([PID_MAX], tree, live(kernel__pid_max='32768'), shadowed='fix')
    assert list(result.file_edits) == [LEGACY]  # the link itself is left alone
    before, after = result.file_edits[LEGACY]
    assert before == legacy_text
    assert after.splitlines()[0] == '# Debian default'
    assert disabled(after.splitlines()[1])
    assert result.shadowed == [{'key': 'kernel.pid_max', 'path': link, 'line': 2, 'value': '32768',
                                'action': 'disabled'}]
    assert finding(result, 'kernel.pid_max')['status'] == 'fixed'


def test_legacy_is_read_after_all_sysctl_d_files_by_sysctl_system_only():
    tree = make_tree({'/usr/lib/sysctl.d/99-z.conf': 'a = 1\n', OWNED: 'b = 2\n'}, legacy='c = 3\n')
    assert [p for p, _t in tree.ordered_files(PROCPS)] == [OWNED, '/usr/lib/sysctl.d/99-z.conf', LEGACY]
    assert [p for p, _t in tree.ordered_files(SYSTEMD)] == [OWNED, '/usr/lib/sysctl.d/99-z.conf']


def test_etc_link_to_usr_lib_file_is_replaced_by_an_edited_copy():
    link = '/etc/sysctl.d/99-vendor.conf'
    tree = make_tree({link: 'kernel.pid_max = 32768\n'}, links={link: '/usr/lib/sysctl.d/99-vendor.conf'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert list(result.file_edits) == [link]
    before, after = result.file_edits[link]
    assert before == 'kernel.pid_max = 32768\n'
    assert disabled(after)


# --- live values --------------------------------------------------------------------------------

def test_live_value_above_minimum_is_never_lowered_and_is_persisted():
    setting = Setting('kernel.pid_max', 65536, 'min')
    result = plan([setting], make_tree(), live(kernel__pid_max='4194304'))
    assert result.live_writes == {}
    assert result.persisted == {'kernel.pid_max': '4194304'}
    assert result.owned_after == owned(('kernel.pid_max', '4194304'))
    assert result.changed  # the owned file is created
    # defect 3: no file sets it, so the key boots with the kernel default: a value only live is not persisted
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fixed'
    assert f['actual'] == 'live 4194304; at boot kernel default (systemd-sysctl)'


def test_higher_value_from_another_file_is_kept_when_raising_live():
    setting = Setting('vm.max_map_count', 262144, 'min')
    tree = make_tree({'/usr/lib/sysctl.d/10-vendor.conf': 'vm.max_map_count = 1048576\n'})
    result = plan([setting], tree, live(vm__max_map_count='65530'))
    assert result.persisted == {'vm.max_map_count': '1048576'}
    assert result.live_writes == {'vm.max_map_count': '1048576'}


def test_maximum_keeps_a_lower_live_value():
    setting = Setting('vm.swappiness', 60, 'max')
    result = plan([setting], make_tree(), live(vm__swappiness='10'))
    assert result.persisted == {'vm.swappiness': '10'}
    assert result.live_writes == {}


def test_maximum_exceeded_live_is_lowered_to_the_maximum():
    setting = Setting('vm.swappiness', 60, 'max')
    result = plan([setting], make_tree(), live(vm__swappiness='100'))
    assert result.live_writes == {'vm.swappiness': '60'}
    assert finding(result, 'vm.swappiness')['expected'] == '<= 60'


def test_multi_value_key_compares_whitespace_insensitively():
    setting = Setting('net.ipv4.ip_local_port_range', '1024 65535')
    tree = make_tree({OWNED: owned(('net.ipv4.ip_local_port_range', '1024 65535')),
                      '/usr/lib/sysctl.d/99-ports.conf': 'net.ipv4.ip_local_port_range = 1024\t\t65535\n'})
    result = plan([setting], tree, live(net__ipv4__ip_local_port_range='1024\t65535\n'), shadowed='fix')
    assert not result.changed
    assert result.shadowed == []
    f = finding(result, 'net.ipv4.ip_local_port_range')
    assert f['status'] == 'pass'
    assert f['expected'] == '= 1024 65535'
    assert f['actual'].startswith('live 1024 65535; at boot 1024 65535 (')


def test_multi_value_key_with_different_numbers_is_fixed():
    setting = Setting('net.ipv4.ip_local_port_range', '1024\t65535')
    result = plan([setting], make_tree(), live(net__ipv4__ip_local_port_range='32768\t60999'))
    assert result.live_writes == {'net.ipv4.ip_local_port_range': '1024 65535'}
    assert 'net.ipv4.ip_local_port_range = 1024 65535\n' in result.owned_after


def test_absent_key_is_skipped_and_left_out_of_the_owned_file():
    userns = Setting('kernel.unprivileged_userns_clone', 1)
    result = plan([PID_MAX, userns], make_tree(), live(kernel__pid_max='4194304'))
    assert result.persisted == {'kernel.pid_max': '4194304'}
    assert 'unprivileged_userns_clone' not in result.owned_after
    assert result.missing_required == []
    f = finding(result, 'kernel.unprivileged_userns_clone')
    assert f['status'] == 'skip'
    assert f['actual'] == 'key not present on this kernel'
    assert f['remediation'] == 'not applicable on this kernel'


def test_absent_required_key_is_missing_and_an_error():
    userns = Setting('kernel.unprivileged_userns_clone', 1, required=True)
    state = live(kernel__unprivileged_userns_clone=None)
    result = plan([userns], make_tree(), state)
    assert result.missing_required == ['kernel.unprivileged_userns_clone']
    f = finding(result, 'kernel.unprivileged_userns_clone')
    assert f['status'] == 'error'
    assert f['remediation'] == 'boot a kernel that provides it'
    assert result.live_writes == {} and result.persisted == {}


def test_read_only_proc_sys_persists_but_does_not_apply():
    blocked = LiveKey('32768', blocked='/proc/sys is read-only')
    result = plan([PID_MAX], make_tree(), {'kernel.pid_max': blocked})
    assert result.live_writes == {}
    assert result.not_applied == {'kernel.pid_max': '/proc/sys is read-only'}
    assert result.persisted == {'kernel.pid_max': '4194304'}
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fixed'
    assert f['actual'].endswith('; persisted, not applied: /proc/sys is read-only')
    assert 'apply it live' not in f['remediation']


def test_read_only_proc_sys_passes_once_persisted():
    blocked = LiveKey('32768', blocked='/proc/sys is read-only')
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304'))})
    result = plan([PID_MAX], tree, {'kernel.pid_max': blocked})
    assert not result.changed
    assert result.not_applied == {'kernel.pid_max': '/proc/sys is read-only'}
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'pass'
    assert 'persisted, not applied' in f['actual']


def test_compliant_live_value_on_read_only_proc_is_not_listed_as_not_applied():
    blocked = LiveKey('4194304', blocked='/proc/sys is read-only')
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304'))})
    result = plan([PID_MAX], tree, {'kernel.pid_max': blocked})
    assert result.not_applied == {}
    assert finding(result, 'kernel.pid_max')['actual'] == 'live 4194304; at boot 4194304 (%s:3, systemd-sysctl)' % OWNED


# --- warnings for foreign files -----------------------------------------------------------------

def test_malformed_line_in_foreign_file_is_a_warning_and_the_rest_is_parsed():
    broken = '/etc/sysctl.d/50-broken.conf'
    setting = Setting('vm.max_map_count', 262144, 'min')
    tree = make_tree({broken: 'kernel.pid_max 32768\nvm.max_map_count = 262144\n'})
    result = plan([setting], tree, live(vm__max_map_count='262144'))
    broken_warnings = [w for w in result.warnings if w.startswith(broken + ':1: ')]
    assert len(broken_warnings) == 1
    assert broken_warnings[0].endswith('(ignored, as systemd-sysctl does)')
    f = finding(result, 'vm.max_map_count')
    assert f['status'] == 'pass'
    assert f['source'] == broken + ':2'


# --- idempotence --------------------------------------------------------------------------------

@pytest.mark.parametrize('files, legacy, links, state', [
    ({}, None, None, {'kernel.pid_max': LiveKey('32768')}),
    ({OWNED: owned(('kernel.pid_max', '32768'))}, None, None, {'kernel.pid_max': LiveKey('32768')}),
    ({LOCAL: 'kernel.pid_max = 32768\nkernel.pid_max = 4194304\nkernel.pid_max = 1\n'}, None, None,
     {'kernel.pid_max': LiveKey('4194304')}),
    ({'/run/sysctl.d/99-runtime.conf': 'kernel.pid_max = 32768\n'}, None, None, {'kernel.pid_max': LiveKey('1')}),
    ({'/usr/lib/sysctl.d/99-vendor.conf': 'kernel.pid_max = 32768\n',
      '/etc/sysctl.d/95-local.conf': 'kernel.pid_max = 100\n'}, None, None, {'kernel.pid_max': LiveKey('100')}),
    ({}, 'kernel.pid_max = 32768\n', None, {'kernel.pid_max': LiveKey('32768')}),
    ({'/etc/sysctl.d/99-sysctl.conf': 'kernel.pid_max = 32768\n'}, 'kernel.pid_max = 32768\n',
     {'/etc/sysctl.d/99-sysctl.conf': LEGACY}, {'kernel.pid_max': LiveKey('32768')}),
    ({}, None, None, {'kernel.pid_max': LiveKey('8388608')}),
    ({}, None, None, {'kernel.pid_max': LiveKey('32768', blocked='/proc/sys is read-only')}),
], ids=['nothing', 'owned-wrong', 'duplicates', 'run', 'usr-lib-and-etc', 'legacy', 'legacy-link', 'live-higher',
        'read-only'])
def test_planning_again_over_the_result_changes_nothing(files, legacy, links, state):
    tree = make_tree(files, legacy=legacy, links=links)
    first, second = assert_idempotent([PID_MAX], tree, state, shadowed='fix')
    assert first.changed
    assert finding(second, 'kernel.pid_max')['status'] == 'pass'
    assert second.persisted == first.persisted


def test_idempotent_with_several_keys_and_skips():
    settings = [PID_MAX, Setting('net.ipv4.ip_local_port_range', '1024 65535'),
                Setting('vm.swappiness', 60, 'max'), Setting('kernel.unprivileged_userns_clone', 1)]
    state = live(kernel__pid_max='32768', net__ipv4__ip_local_port_range='32768 60999', vm__swappiness='90')
    tree = make_tree({'/usr/lib/sysctl.d/50-default.conf': 'vm.swappiness = 90\nkernel.pid_max = 32768\n',
                      '/etc/sysctl.d/99-ports.conf': 'net.ipv4.ip_local_port_range = 32768 60999\n'})
    first, second = assert_idempotent(settings, tree, state, shadowed='fix')
    assert [f['status'] for f in first.findings] == ['fixed', 'fixed', 'fixed', 'skip']
    assert [f['status'] for f in second.findings] == ['pass', 'pass', 'pass', 'skip']
    assert list(first.persisted) == ['kernel.pid_max', 'net.ipv4.ip_local_port_range', 'vm.swappiness']


def test_warn_mode_is_stable_but_keeps_failing():
    tree = make_tree({LOCAL: 'kernel.pid_max = 32768\n'})
    state = live(kernel__pid_max='4194304')
    first = plan([PID_MAX], tree, state)
    tree2, live2 = apply_plan(tree, first, state)
    second = plan([PID_MAX], tree2, live2)
    assert not second.changed
    assert finding(second, 'kernel.pid_max')['status'] == 'fail'
    assert [s['action'] for s in second.shadowed] == ['reported']


# --- tree helpers -------------------------------------------------------------------------------

def test_with_file_adds_a_name_and_a_missing_directory_in_precedence_order():
    tree = make_tree({'/usr/lib/sysctl.d/50-default.conf': 'a = 1\n'})
    new = tree.with_file('/etc/sysctl.d/99-x.conf', 'b = 2\n')
    assert [d for d, _n in new.listing] == ['/etc/sysctl.d', '/usr/lib/sysctl.d']
    assert new.contents['/etc/sysctl.d/99-x.conf'] == 'b = 2\n'
    assert '/etc/sysctl.d/99-x.conf' not in tree.contents  # the original tree is unchanged


def test_with_file_drops_the_symlink_record_of_a_replaced_file():
    link = '/etc/sysctl.d/99-vendor.conf'
    tree = make_tree({link: 'x = 1\n'}, links={link: '/usr/lib/sysctl.d/99-vendor.conf'})
    assert link not in tree.with_file(link, 'x = 2\n').realpaths
    assert tree.realpaths[link] == '/usr/lib/sysctl.d/99-vendor.conf'


def test_unreadable_listed_file_is_left_out_of_the_boot_order():
    tree = SysctlTree([('/etc/sysctl.d', ['50-a.conf', '60-b.conf'])],
                      {'/etc/sysctl.d/50-a.conf': None, '/etc/sysctl.d/60-b.conf': 'x = 1\n'})
    assert tree.ordered_files() == [('/etc/sysctl.d/60-b.conf', 'x = 1\n')]


def test_owned_text_round_trips_through_the_parser():
    text = owned(('kernel.pid_max', '4194304'), ('net.ipv4.ip_local_port_range', '1024 65535'))
    assignments, errors = parse_sysctl_text(text, OWNED)
    assert errors == []
    assert [(a.key, a.value) for a in assignments] == [('kernel.pid_max', '4194304'),
                                                       ('net.ipv4.ip_local_port_range', '1024 65535')]


# --- boot truth per mechanism (issue defects 1-3) -----------------------------------------------

SYN = Setting('net.ipv4.tcp_syncookies', 1)


@pytest.mark.parametrize('check_mode, status', [(True, 'fail'), (False, 'fixed')])
def test_unlinked_sysctl_conf_never_outvotes_sysctl_d_under_systemd(check_mode, status):
    tree = make_tree({'/etc/sysctl.d/second.conf': 'net.ipv4.tcp_syncookies = 0\n'},
                     legacy='net.ipv4.tcp_syncookies = 1\n')
    result = plan([SYN], tree, live(net__ipv4__tcp_syncookies='1'), shadowed='fix', check_mode=check_mode)
    f = finding(result, SYN.key)
    assert f['status'] == status
    assert f['actual'] == 'live 1; at boot 0 (/etc/sysctl.d/second.conf:1, systemd-sysctl)'
    assert list(result.file_edits) == ['/etc/sysctl.d/second.conf']
    assert LEGACY not in result.file_edits


def test_the_same_host_without_systemd_is_judged_by_sysctl_system():
    tree = make_tree({'/etc/sysctl.d/second.conf': 'net.ipv4.tcp_syncookies = 0\n'},
                     legacy='net.ipv4.tcp_syncookies = 1\n', mechanisms=(PROCPS,))
    result = plan([SYN], tree, live(net__ipv4__tcp_syncookies='1'), shadowed='fix')
    assert finding(result, SYN.key)['status'] == 'pass'
    assert not result.changed


def test_both_mechanisms_must_be_compliant_and_both_are_named():
    tree = make_tree({'/etc/sysctl.d/second.conf': 'net.ipv4.tcp_syncookies = 1\n'},
                     legacy='net.ipv4.tcp_syncookies = 0\n', mechanisms=(SYSTEMD, PROCPS))
    result = plan([SYN], tree, live(net__ipv4__tcp_syncookies='1'), shadowed='fix')
    f = finding(result, SYN.key)
    assert f['status'] == 'fixed'
    assert f['actual'] == ('live 1; at boot 1 (/etc/sysctl.d/second.conf:1, systemd-sysctl), '
                           '0 (/etc/sysctl.conf:1, sysctl --system)')
    assert f['source'] == LEGACY + ':1'  # the non-compliant one
    assert list(result.file_edits) == [LEGACY]


def test_wrong_value_in_a_file_a_sysctl_d_link_points_to_is_fixed_in_that_file():
    link = '/etc/sysctl.d/95-linked.conf'  # read after the owned 90- file
    tree = make_tree({link: '# tuning\nkernel.pid_max = 32768\n'}, links={link: '/etc/other/tuning.conf'},
                     legacy='kernel.pid_max = 4194304\n')
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert finding(result, 'kernel.pid_max')['status'] == 'fixed'
    assert list(result.file_edits) == ['/etc/other/tuning.conf']  # the link stays a link


def test_wrong_value_reached_through_a_link_into_root_is_fixed_in_the_target():
    link = '/etc/sysctl.d/95-root.conf'
    tree = make_tree({link: 'kernel.pid_max = 512\n'}, links={link: '/root/sysctl/x.conf'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert list(result.file_edits) == ['/root/sysctl/x.conf']
    assert result.shadowed[0]['path'] == link


def test_a_same_named_sysctl_conf_in_sysctl_d_is_read_after_the_owned_file():
    same = '/etc/sysctl.d/sysctl.conf'
    tree = make_tree({OWNED: owned(('kernel.pid_max', '4194304')), same: 'kernel.pid_max = 32768\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed='fix')
    assert finding(result, 'kernel.pid_max')['source'] == same + ':1'
    assert list(result.file_edits) == [same]


def test_a_runtime_only_value_fails_in_check_mode_and_names_an_existing_source():
    result = plan([PID_MAX], make_tree(), live(kernel__pid_max='4194304'), check_mode=True)
    f = finding(result, 'kernel.pid_max')
    assert f['status'] == 'fail'
    assert f['source'] == '/proc/sys/kernel/pid_max'  # never the owned file, which does not exist yet
    assert result.changed


# --- the invariant over many host states --------------------------------------------------------

def _random_state(rng):
    pool = ['/etc/sysctl.d/10-a.conf', '/etc/sysctl.d/95-b.conf', '/etc/sysctl.d/sysctl.conf',
            '/run/sysctl.d/95-b.conf', '/usr/local/lib/sysctl.d/99-c.conf', '/usr/lib/sysctl.d/99-c.conf',
            '/usr/lib/sysctl.d/50-d.conf', OWNED]
    values = ['32768', '4194304', '8388608', '1']
    files, links = {}, {}
    for path in rng.sample(pool, rng.randint(0, len(pool))):
        lines = ['kernel.pid_max = %s' % rng.choice(values) for _i in range(rng.randint(0, 2))]
        if rng.random() < 0.3:
            lines.append('# kernel.pid_max = 1')
        text = '\n'.join(lines) + '\n'
        files[path] = (OWNED_HEADER_LINE + text) if path == OWNED else text
    legacy = None
    if rng.random() < 0.5:
        legacy = 'kernel.pid_max = %s\n' % rng.choice(values)
        if rng.random() < 0.5:
            files['/etc/sysctl.d/99-sysctl.conf'] = legacy
            links['/etc/sysctl.d/99-sysctl.conf'] = LEGACY
    mechanisms = rng.choice([(SYSTEMD,), (PROCPS,), (SYSTEMD, PROCPS)])
    blocked = '/proc/sys is read-only' if rng.random() < 0.2 else None
    state = {'kernel.pid_max': LiveKey(rng.choice(values), blocked)}
    return make_tree(files, legacy=legacy, links=links, mechanisms=mechanisms), state


OWNED_HEADER_LINE = '# Managed by gocompat.baseline\n'


def test_check_mode_changes_exactly_when_a_finding_is_not_pass_and_the_run_fixes_them():
    import random
    rng = random.Random(7)
    for _round in range(400):
        tree, state = _random_state(rng)
        check = plan([PID_MAX], tree, state, shadowed='fix', check_mode=True)
        statuses = [f['status'] for f in check.findings]
        assert check.changed == any(s not in ('pass', 'skip') for s in statuses), (tree.contents, tree.legacy_text)
        run = plan([PID_MAX], tree, state, shadowed='fix')
        assert [f['status'] for f in run.findings] == ['fixed' if s == 'fail' else s for s in statuses]
        assert (run.owned_after, run.file_edits, run.live_writes) == (check.owned_after, check.file_edits,
                                                                      check.live_writes)
        tree2, state2 = apply_plan(tree, run, state)
        again = plan([PID_MAX], tree2, state2, shadowed='fix', check_mode=True)
        assert not again.changed and [f['status'] for f in again.findings] == ['pass'], \
            (tree.contents, tree.legacy_text, tree.mechanisms, again.findings)


@pytest.mark.parametrize('mode', ['warn', 'fail'])
def test_warn_and_fail_name_every_file_that_would_win_with_a_wrong_value(mode):
    tree = make_tree({'/etc/sysctl.d/95-a.conf': 'kernel.pid_max = 1000\n',
                      '/usr/lib/sysctl.d/99-b.conf': 'kernel.pid_max = 2000\n'})
    result = plan([PID_MAX], tree, live(kernel__pid_max='4194304'), shadowed=mode)
    assert sorted((s['path'], s['value'], s['action']) for s in result.shadowed) == [
        ('/etc/sysctl.d/95-a.conf', '1000', 'reported'), ('/usr/lib/sysctl.d/99-b.conf', '2000', 'reported')]
    assert result.file_edits == {}
    assert finding(result, 'kernel.pid_max')['status'] == 'fail'
    assert len([w for w in result.warnings if 'wins at boot' in w]) == (2 if mode == 'warn' else 0)
