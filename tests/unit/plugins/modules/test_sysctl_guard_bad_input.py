# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hostile and clumsy input for sysctl_guard: path tricks, types, encodings, special files, huge files,
symlinks, permissions, a read-only /proc/sys. Each case ends in one clean line (the run_module harness
checks it is one printable line and no traceback) with every file and live value unchanged, or in a
correct success. Failures are checked in check mode and in a real run."""

from __future__ import absolute_import, division, print_function

import errno
import json
import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import DISABLED_MARKER
from ansible_collections.gocompat.baseline.plugins.modules import sysctl_guard as guard

# env is a fixture: importing it makes it available here
from sysctl_guard_env import env, item, owned_text  # noqa: F401 pylint: disable=unused-import

PID = 'kernel.pid_max'


def live_state(env):
    out = {}
    for directory, _dirs, files in os.walk(env.proc):
        for name in files:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, 'rb') as handle:
                    out[path] = handle.read()
    return out


def assert_refused(run_module, env, params, *message_parts):
    """Both modes fail with one line naming the problem; nothing on the fake host changes."""
    files, live = env.fingerprint(), live_state(env)
    for check_mode in (True, False):
        result = run_module('sysctl_guard', params, check_mode=check_mode)
        assert result.failed, result
        for part in message_parts:
            assert part in result['msg'], result['msg']
        assert not result.get('changed')
        assert env.fingerprint() == files, 'a refused run changed a file'
        assert live_state(env) == live, 'a refused run changed a live value'
    return result


@pytest.fixture
def host(env):
    env.set_live(PID, 32768)
    env.write(env.p('etc/passwd'), 'root:x:0:0::/root:/bin/sh\n')
    return env


# --- keys: no way out of /proc/sys ------------------------------------------------------------------

@pytest.mark.parametrize('key, reason', [
    ('net/../../../etc/passwd', "'..' is not a name under /proc/sys"),
    ('net.//.//.//.etc.passwd', "'..' is not a name under /proc/sys"),
    ('kernel/./pid_max', "'.' is not a name under /proc/sys"),
    ('kernel..pid_max', 'empty path component'),
    ('kernel.pid_max.', 'empty path component'),
    ('kernel', 'a key names a file below a directory of /proc/sys'),
    ('net.ipv4.conf.*.rp_filter', 'no glob'),
    ('kernel pid_max', 'no glob'),
    ('kernel.pid_max\x00', 'no glob'),
    ('', 'sysctl key must be a non-empty string'),
], ids=['slash-traversal', 'dotted-traversal', 'dot-component', 'empty-component', 'trailing-dot', 'directory',
        'glob', 'space', 'nul', 'empty'])
def test_a_key_that_is_not_a_name_under_proc_sys_is_refused(run_module, host, key, reason):
    result = assert_refused(run_module, host, host.params([item(key, 1)]), 'settings[0] (', reason)
    assert 'root:x' not in json.dumps(dict(result))  # check mode never leaks the file


def test_a_key_reaching_outside_proc_sys_through_a_link_is_refused(run_module, host):
    os.symlink(host.p('etc'), os.path.join(host.proc, 'escape'))
    assert_refused(run_module, host, host.params([item('escape.passwd', 1)]),
                   'settings key escape.passwd resolves to %s, outside %s' % (host.p('etc/passwd'), host.proc))


# --- values: exactly what a sysctl value can be ---------------------------------------------------

@pytest.mark.parametrize('value, reason', [
    ({'a': 1}, 'value is a dict'),
    ([[1024, 65535]], 'value[0] is a list'),
    (1.5, 'value is a float'),
    ('1\x00', "holds a control or non-ASCII character ('\\x00')"),
    ('1\n2', 'must be one line without "="'),
    ('a=b', 'must be one line without "="'),
    ('caf\u00e9', 'non-ASCII'),
    ([], 'value must not be an empty list'),
    (['1024 65535'], 'must be one word'),
    ('7' * 5000, 'the kernel takes at most 4096'),
    (None, 'value must be given'),
    ('  ', 'value must not be empty'),
], ids=['dict', 'nested-list', 'float', 'nul', 'newline', 'equals', 'non-ascii', 'empty-list', 'list-of-phrases',
        'too-long', 'null', 'blank'])
def test_a_value_that_is_not_a_sysctl_value_is_refused(run_module, host, value, reason):
    assert_refused(run_module, host, host.params([item(PID, value)]), 'settings[0] (kernel.pid_max): ', reason)


def test_min_with_a_multi_value_is_refused(run_module, host):
    assert_refused(run_module, host, host.params([item(PID, [1, 2], 'min')]), 'compare=min needs a single integer')


def test_a_key_listed_twice_is_refused(run_module, host):
    assert_refused(run_module, host, host.params([item(PID, 1), item('kernel/pid_max', 2)]),
                   'settings[1] (kernel/pid_max): key kernel.pid_max is listed twice')


def test_a_boolean_value_counts_as_one(run_module, host):
    host.set_live('kernel.unprivileged_userns_clone', 0)
    result = run_module('sysctl_guard', host.params([item('kernel.unprivileged_userns_clone', True)]))
    assert result['persisted'] == {'kernel.unprivileged_userns_clone': '1'}
    assert host.live('kernel.unprivileged_userns_clone') == '1\n'


# --- the owned path: never take over a file the module does not own ------------------------------

def test_path_not_ending_in_conf_is_refused(run_module, host):
    assert_refused(run_module, host, host.params([item(PID, 1)], path=host.owned[:-5] + '.txt'), 'must end in .conf')


def test_path_etc_sysctl_conf_is_refused_and_left_alone(run_module, host):
    host.write(host.legacy, '# the admin file\nvm.swappiness = 10\n')
    host.write(host.p('etc/unrelated.conf'), 'not = sysctl\n')
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')], path=host.legacy),
                   'is not in a sysctl.d directory the boot reads')


def test_path_in_a_missing_directory_is_refused(run_module, host):
    assert_refused(run_module, host, host.params([item(PID, 1)], path=host.p('etc/nothing.d/x.conf')),
                   'does not exist')


def test_a_foreign_file_at_path_is_refused(run_module, host):
    host.write(host.owned, 'kernel.pid_max = 32768\n# hand-written\n')
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]),
                   'was not written by sysctl_guard', 'refusing to take it over')


def test_a_link_at_path_to_a_foreign_file_is_refused(run_module, host):
    host.write(host.legacy, 'kernel.pid_max = 32768\n')
    os.symlink(host.legacy, host.owned)
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]),
                   '(a link to %s) was not written by sysctl_guard' % host.legacy)


def test_a_mask_at_path_is_refused(run_module, host):
    os.symlink('/dev/null', host.owned)
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), 'is masked')


def test_a_directory_at_path_is_refused(run_module, host):
    os.makedirs(host.owned)
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), 'is a directory')


def test_a_fifo_at_path_is_refused_without_blocking(run_module, host):
    os.mkfifo(host.owned)
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), 'is a FIFO')


def test_a_malformed_owned_file_names_file_and_line(run_module, host):
    host.write(host.owned, owned_text((PID, '4194304')) + 'this is not an assignment\n')
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), '%s:4: ' % host.owned)


# --- foreign files: special, huge, undecodable, unreadable, looping --------------------------------

def test_a_fifo_in_sysctl_d_is_skipped_with_a_warning(run_module, host):
    fifo = os.path.join(host.etc_d, '50-fifo.conf')
    os.mkfifo(fifo)
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')]), check_mode=True)
    assert any(w.startswith('skipped %s: it is a FIFO' % fifo) for w in result['warnings'])


def test_a_link_to_an_endless_device_is_skipped(run_module, host):
    os.symlink('/dev/zero', os.path.join(host.etc_d, '50-zero.conf'))
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')]), check_mode=True)
    assert any('is a character device' in w for w in result['warnings'])


def test_a_huge_file_fails_cleanly_naming_it(run_module, host):
    huge = host.write(os.path.join(host.etc_d, '50-huge.conf'), b'\0' * (8 << 20))
    result = assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), huge, 'larger than')
    assert len(result['msg']) < 1000


def test_a_file_of_nul_bytes_gives_one_short_warning(run_module, host):
    host.write(os.path.join(host.etc_d, '50-nul.conf'), b'\0' * (900 << 10))
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')]), check_mode=True)
    assert len(json.dumps(result['warnings'])) < 2000
    assert any('\\x00\\x00' in w for w in result['warnings'])


def test_many_junk_lines_give_a_bounded_number_of_warnings(run_module, host):
    junk = host.write(os.path.join(host.etc_d, '50-junk.conf'), 'junk line\n' * 10000)
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')]), check_mode=True)
    about = [w for w in result['warnings'] if junk in w]
    assert len(about) == 4
    assert '9997 more lines that are not assignments' in about[-1]


def test_bytes_that_are_not_utf8_are_escaped_and_kept_with_fix(run_module, host):
    # defect 7: the JSON result must stay valid, and the file keeps its bytes except the disabled line
    bad = host.write(os.path.join(host.etc_d, '99-latin1.conf'),
                     b'# r\xe9glage\nkernel.pid_max = 32768 \xff\ngarbage \xfe line\n')
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')], shadowed='fix'), diff=True)
    assert not result.failed
    json.dumps(dict(result)).encode('utf-8')
    assert result['shadowed'][0]['value'] == '32768 \\xff'
    assert any('garbage \\xfe line' in w for w in result['warnings'])
    with open(bad, 'rb') as handle:
        lines = handle.read().split(b'\n')
    assert lines[0] == b'# r\xe9glage' and lines[2] == b'garbage \xfe line'
    assert lines[1].startswith(DISABLED_MARKER.encode() + b'kernel.pid_max = 32768 \xff')


def test_a_file_name_that_is_not_utf8_is_escaped(run_module, host):
    name = os.path.join(host.etc_d.encode(), b'99-\xff.conf')
    with open(name, 'wb') as handle:
        handle.write(b'kernel.pid_max = 1\n')
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')], shadowed='fix'), check_mode=True)
    json.dumps(dict(result)).encode('utf-8')
    assert result['shadowed'][0]['path'] == host.etc_d + '/99-\\xff.conf'


def test_an_unreadable_file_fails_cleanly(run_module, host, monkeypatch):
    bad = host.write(os.path.join(host.etc_d, '50-secret.conf'), 'kernel.pid_max = 1\n')
    real = fileio.read_regular

    def denied(path, limit=fileio.DEFAULT_READ_LIMIT):
        if path == bad:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real(path, limit)

    monkeypatch.setattr(fileio, 'read_regular', denied)
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), 'cannot read %s: Permission denied' % bad)


def test_a_symlink_loop_fails_cleanly(run_module, host):
    a, b = os.path.join(host.etc_d, '50-a.conf'), os.path.join(host.etc_d, '50-b.conf')
    os.symlink(b, a)
    os.symlink(a, b)
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')]), 'cannot read', 'symbolic links')


def test_a_link_into_root_with_a_bad_value_is_fixed_in_its_target(run_module, host):
    target = host.write(host.p('root/tuning.conf'), '# mine\nkernel.pid_max = 32768\n')
    os.symlink(target, os.path.join(host.etc_d, '95-root.conf'))
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')], shadowed='fix'))
    assert result['changed_files'] == [host.owned, target]
    assert os.path.islink(os.path.join(host.etc_d, '95-root.conf'))
    assert host.read(target).splitlines()[0] == '# mine'


# --- the kernel side --------------------------------------------------------------------------------

def test_read_only_proc_sys_persists_and_says_not_applied(run_module, host, monkeypatch):
    monkeypatch.setattr(guard, 'mount_read_only', lambda path: True)
    result = run_module('sysctl_guard', host.params([item(PID, 4194304, 'min')]))
    assert result['not_applied'] == {PID: '%s is read-only' % host.proc}
    assert result['applied'] == {}
    assert host.live(PID) == '32768\n'
    assert 'persisted, not applied' in result['findings'][0]['actual']


def test_a_required_key_missing_on_this_kernel_is_refused(run_module, host):
    result = assert_refused(run_module, host, host.params([item('kernel.unprivileged_userns_clone', 1, 'eq', True),
                                                           item(PID, 4194304, 'min')]),
                            'required keys not present on this kernel: kernel.unprivileged_userns_clone',
                            'nothing was changed')
    assert result['findings'][0]['status'] == 'error'


def test_shadowed_fail_refuses_before_any_change(run_module, host):
    host.write(os.path.join(host.etc_d, '99-local.conf'), 'kernel.pid_max = 1\n')
    assert_refused(run_module, host, host.params([item(PID, 4194304, 'min')], shadowed='fail'),
                   'later files override owned values at boot', '99-local.conf:1 sets kernel.pid_max = 1')
