# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import kernel_limits_plan as K

BASE = dict(nofile_soft=10, nofile_hard=20, default_tasks_max='80%', user_tasks_max='80%', systemd=True,
            limits_path='/etc/security/limits.d/90-gocompat-baseline.conf', dropin_name='90-g.conf', backup=False)


def options(**changes):
    return K.check_options(dict(BASE, **changes))


def state(**changes):
    found = {'limits_main': None, 'limits_d': {}, 'system_main': [], 'system_tree': {}, 'slice_unit': [],
             'slice_tree': {}, 'managed': {}, 'nr_open': 1048576}
    found.update(changes)
    return found


def test_files_for_every_concern():
    files = K.desired_files(options())
    assert sorted(files) == ['/etc/security/limits.d/90-gocompat-baseline.conf',
                             '/etc/systemd/system.conf.d/90-g.conf', '/etc/systemd/system/user-.slice.d/90-g.conf',
                             '/etc/systemd/user.conf.d/90-g.conf']
    assert all(text.startswith(K.HEADER) for text in files.values())
    assert list(K.desired_files(options(systemd=False))) == ['/etc/security/limits.d/90-gocompat-baseline.conf']
    tasks_only = K.desired_files(options(nofile_soft=None, nofile_hard=None, user_tasks_max=None))
    assert tasks_only == {'/etc/systemd/system.conf.d/90-g.conf': '%s.\n[Manager]\nDefaultTasksMax=80%%\n' % K.ROLE_HEADER}


def test_statuses_in_both_modes():
    opts = options()
    desired = K.desired_files(opts)
    check = dict((f[0], f[1]) for f in K.findings(opts, state(), desired, True))
    real = dict((f[0], f[1]) for f in K.findings(opts, state(), desired, False))
    assert set(check.values()) == {'fail'} and set(real.values()) == {'fixed'}
    assert list(check) == list(K.CONTROLS)


def test_a_winning_foreign_dropin_is_not_fixed_and_named():
    opts = options()
    tree = {'/etc/systemd/system.conf.d': {'99-x.conf': '[Manager]\nDefaultTasksMax=10%\n'}}
    found = dict((f[0], f) for f in K.findings(opts, state(system_tree=tree), K.desired_files(opts), False))
    control, status, _e, actual, source, remediation = found['systemd.default_tasks_max']
    assert status == 'fail' and actual == 'DefaultTasksMax=10% (/etc/systemd/system.conf.d/99-x.conf:2)'
    assert source == '/etc/systemd/system.conf.d/99-x.conf'
    assert remediation.startswith('remove or raise /etc/systemd/system.conf.d/99-x.conf:2')


def test_refusals():
    opts = options()
    desired = K.desired_files(opts)
    managed = {'/etc/systemd/system.conf.d/90-g.conf': ('file', '[Manager]\n'),
               '/etc/systemd/user.conf.d/90-g.conf': ('a directory', None),
               '/etc/security/limits.d/90-gocompat-baseline.conf': ('file', K.HEADER + ' by hand\n')}
    reasons = K.refusals(opts, state(managed=managed, nr_open=15), desired)
    # the limits.d file carries the header: it is ours, whatever else it holds
    assert len(reasons) == 3
    assert reasons[0].startswith("/etc/systemd/system.conf.d/90-g.conf exists without the '# Managed by")
    assert reasons[1] == '/etc/systemd/user.conf.d/90-g.conf is a directory, not a file this module wrote; move it away'
    assert reasons[2].startswith('nofile_hard=20 is above fs.nr_open=15')


@pytest.mark.parametrize('changes,word', [
    (dict(nofile_soft=None), 'together'), (dict(nofile_soft=30), 'above nofile_hard'),
    (dict(user_tasks_max='x'), 'user_tasks_max'), (dict(dropin_name='a/b.conf'), 'dropin_name'),
    (dict(limits_path='/etc/security/limits.d/x'), 'limits_path'),
    (dict(nofile_soft=None, nofile_hard=None, default_tasks_max=None, user_tasks_max=None), 'nothing to manage'),
])
def test_invalid_options(changes, word):
    with pytest.raises(K.Invalid) as caught:
        options(**changes)
    assert word in str(caught.value)
