# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

import errno
import os

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import module_base as B
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError
from ansible_collections.gocompat.baseline.plugins.module_utils.fileio import FileRefused


class Ended(Exception):
    pass


def raising(exc):
    def do():
        raise exc
    return do


class FakeModule(object):
    def __init__(self, params=None, check_mode=False, diff=False):
        self.params = params or {}
        self.check_mode = check_mode
        self._diff = diff
        self.warnings = []
        self.result = None

    def warn(self, message):
        self.warnings.append(message)

    def exit_json(self, **kwargs):
        self.result = kwargs
        raise Ended()

    def fail_json(self, **kwargs):
        kwargs['failed'] = True
        self.result = kwargs
        raise Ended()


def execute(module, plan, validate=None, read=None, finish=None):
    with pytest.raises(Ended):
        B.execute(module, object(), validate or (lambda p: p), read or (lambda host, o: None),
                  lambda o, s, check: plan, finish)
    return module.result


def plan_with(log, *names, **fail):
    plan = B.Plan()
    plan.add_finding('x.%s' % names[0] if names else 'x', 'fixed', 'a', 'b', '', 'do it')
    for name in names:
        def do(name=name):
            if name in fail:
                raise fail[name]
            log.append('do ' + name)

        def undo(name=name):
            log.append('undo ' + name)
        plan.add_step('change ' + name, do, undo)
    return plan


def test_steps_run_in_order_and_the_result_has_the_one_shape():
    log = []
    plan = plan_with(log, 'a', 'b')
    plan.result['extra'] = 1
    plan.add_diff('/etc/x', None, 'new\n')
    result = execute(FakeModule(diff=True), plan)
    assert log == ['do a', 'do b']
    assert result['changed'] is True and result['extra'] == 1
    assert result['diff'] == [{'before_header': '/etc/x', 'after_header': '/etc/x', 'before': '', 'after': 'new\n'}]
    assert result['findings'][0]['status'] == 'fixed'


def test_check_mode_predicts_and_runs_nothing():
    log = []
    result = execute(FakeModule(check_mode=True), plan_with(log, 'a'))
    assert log == [] and result['changed'] is True and 'diff' not in result


def test_a_failing_step_undoes_the_earlier_ones_in_reverse_and_says_so():
    log = []
    plan = plan_with(log, 'a', 'b', 'c', c=OSError(errno.EACCES, 'Permission denied', '/etc/c'))
    result = execute(FakeModule(), plan)
    assert log == ['do a', 'do b', 'undo b', 'undo a']
    assert result['failed'] and result['msg'] == (
        'change c failed: /etc/c: Permission denied; 2 earlier change(s) undone')
    assert result['findings'][0]['status'] == 'fail'  # nothing stays fixed after a rollback


def test_a_failing_undo_is_reported_never_hidden():
    log = []
    plan = B.Plan()
    plan.add_step('first', lambda: log.append('a'), undo=raising(OSError(errno.EIO, 'I/O error')))
    plan.add_step('second', raising(ValueError('boom')))
    result = execute(FakeModule(), plan)
    assert 'undoing earlier changes FAILED for: first (I/O error)' in result['msg']


def test_a_declined_step_is_an_outcome_for_finish_not_a_failure():
    seen = {}
    plan = B.Plan()

    def declined():
        raise B.StepDeclined('read-only')
    plan.add_step('live', declined, key='k')

    def finish(the_plan, outcomes):
        seen.update(outcomes)
    result = execute(FakeModule(), plan, finish=finish)
    assert seen == {'k': (B.DECLINED, 'read-only')} and result['changed'] is False


def test_a_step_that_finds_nothing_left_to_do_is_not_a_change():
    plan = B.Plan()
    plan.add_step('already done', lambda: B.NOOP)
    assert execute(FakeModule(), plan)['changed'] is False


@pytest.mark.parametrize('exc, msg', [
    (B.ModuleFailure('settings[0]: bad'), 'settings[0]: bad'),
    (OSError(errno.ENOTDIR, 'Not a directory', '/srv/file/go'), '/srv/file/go: Not a directory'),
    (CommandError('tar failed (exit 2): broken'), 'tar failed (exit 2): broken'),
    (FileRefused('/etc/x.conf', 'is a FIFO, not a regular file'), '/etc/x.conf: is a FIFO, not a regular file'),
    (KeyError('x'), "internal error (KeyError): 'x'"),
    (B.ModuleFailure('two\nlines \udcff'), 'two lines \\xff'),
])
def test_any_error_before_apply_is_one_clean_line(exc, msg):
    def validate(params):
        raise exc
    module = FakeModule()
    with pytest.raises(Ended):
        B.execute(module, object(), validate, None, None)
    assert module.result['msg'] == msg and module.result['failed'] and module.result['findings'] == []


def test_refusals_fail_before_any_change():
    log = []
    plan = plan_with(log, 'a')
    plan.refusals.append('/etc/x is not ours')
    result = execute(FakeModule(), plan)
    assert log == [] and result['msg'] == '/etc/x is not ours; nothing was changed'


def test_warnings_reach_the_module_as_single_lines():
    plan = B.Plan()
    plan.warnings.append('bad\nline \udc80')
    module = FakeModule()
    execute(module, plan)
    assert module.warnings == ['bad line \\x80']


def test_write_file_plans_a_diff_and_an_undoable_atomic_write(tmp_path):
    path = str(tmp_path / 'f.conf')
    with open(path, 'w') as handle:
        handle.write('old\n')
    host = B.Host()
    plan = B.Plan()
    plan.write_file(host, path, 'old\n', 'new\n')
    plan.add_step('then fail', raising(OSError(errno.ENOSPC, 'No space left on device')))
    with pytest.raises(B.RolledBack) as info:
        B.apply_steps(plan.steps)
    assert 'No space left on device; 1 earlier change(s) undone' in str(info.value)
    with open(path) as handle:
        assert handle.read() == 'old\n'
    assert plan.diffs[0]['before'] == 'old\n' and plan.diffs[0]['after'] == 'new\n'


def test_remove_file_plans_a_diff_and_an_undoable_removal(tmp_path):
    path = str(tmp_path / 'f.conf')
    with open(path, 'w') as handle:
        handle.write('old\n')
    os.chmod(path, 0o640)
    plan = B.Plan()
    plan.remove_file(B.Host(), path, 'old\n')
    plan.add_step('then fail', raising(OSError(errno.ENOSPC, 'No space left on device')))
    with pytest.raises(B.RolledBack):
        B.apply_steps(plan.steps)
    with open(path) as handle:
        assert handle.read() == 'old\n'
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert plan.diffs == [{'before_header': path, 'after_header': '%s (absent)' % path, 'before': 'old\n',
                           'after': ''}]


def test_host_reads_refuse_fifos_instead_of_blocking(tmp_path):
    fifo = str(tmp_path / 'x.conf')
    os.mkfifo(fifo)
    with pytest.raises(FileRefused) as info:
        B.Host().read_text(fifo)
    assert 'is a FIFO' in str(info.value)


def test_warnings_added_while_applying_are_shown_too():
    plan = B.Plan()
    plan.warnings.append('planned')
    plan.add_step('step', lambda: plan.warnings.append('found while applying'))
    module = FakeModule()
    execute(module, plan)
    assert module.warnings == ['planned', 'found while applying']


def test_host_makes_and_removes_directories(tmp_path):
    path = str(tmp_path / 'd')
    B.Host().mkdir(path, 0o700)
    assert oct(os.stat(path).st_mode & 0o777) == '0o700'
    B.Host().rmdir(path)
    assert not os.path.exists(path)


def test_a_step_that_left_part_of_its_change_never_reads_as_nothing_changed():
    plan = B.Plan()
    plan.add_step('live', raising(B.PartlyDone('kernel kept half; writing back FAILED')))
    result = execute(FakeModule(), plan)
    assert result['msg'] == 'live failed: kernel kept half; writing back FAILED'
    assert result['findings'] == [] or all(f['status'] != 'fixed' for f in result['findings'])


def test_host_kind_names_what_is_at_a_path_without_following_links(tmp_path):
    os.mkfifo(str(tmp_path / 'fifo'))
    (tmp_path / 'file').write_text('x')
    os.symlink(str(tmp_path / 'file'), str(tmp_path / 'link'))
    host = B.Host()
    assert [host.kind(str(tmp_path / n)) for n in ('absent', 'fifo', 'file', 'link')] == \
        ['absent', 'other', 'file', 'link']
    assert host.kind(str(tmp_path)) == 'dir'


def test_missing_parents_and_make_dirs_create_outermost_first_and_undo(tmp_path):
    host = B.Host()
    target = str(tmp_path / 'a' / 'b' / 'c.conf')
    missing = host.missing_parents(target)
    assert missing == [str(tmp_path / 'a'), str(tmp_path / 'a' / 'b')]
    plan = B.Plan()
    plan.make_dirs(host, missing, 0o750)
    plan.add_step('fail', raising(OSError(errno.EIO, 'I/O error')))
    with pytest.raises(B.RolledBack):
        B.apply_steps(plan.steps)
    assert not os.path.exists(str(tmp_path / 'a'))
    B.apply_steps(plan.steps[:2])
    assert oct(os.stat(missing[1]).st_mode & 0o777) == '0o750'


def test_a_rolled_back_fix_fails_again_with_a_remediation():
    plan = B.Plan()
    plan.add_finding('x', 'fixed', 'a', 'b', '', '')
    plan.add_step('boom', raising(ValueError('boom')))
    finding = execute(FakeModule(), plan)['findings'][0]
    assert finding['status'] == 'fail' and finding['remediation']
