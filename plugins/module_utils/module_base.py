# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shape every module of this collection follows (docs/architecture.md):

    validate(params)                 -> options      pure; bad input raises ModuleFailure
    read(host, options)              -> state        all I/O through ``host``; nothing changes
    plan(options, state, check_mode) -> Plan         pure: steps, findings, diffs, warnings, result
    -- check mode exits here, with the plan's prediction --
    apply: plan.steps in order; a failing step undoes the earlier ones in reverse
    finish(plan, outcomes)                           optional: adjust findings/result to what happened

One result shape: ``changed``, ``findings``, ``diff`` (in diff mode), ``warnings``, plus the module's
documented keys from ``plan.result``. Any exception becomes one ``fail_json`` line that names what
failed and where, with the findings so far; never a traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import stat

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError, Runner, module_runner
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

MESSAGE_LIMIT = 2000

# What a step's ``do`` may report besides finishing normally.
DONE = 'done'          # it changed what it said it would
NOOP = 'noop'          # on a second look (e.g. under a lock) nothing was left to change
DECLINED = 'declined'  # the host refused it in a way the plan allows (see StepDeclined)


class ModuleFailure(Exception):
    """A domain error: the message already says what is wrong and where (parameter, file:line)."""


class RolledBack(ModuleFailure):
    """A step failed during apply; the earlier steps were undone (the message says whether all were)."""


class PartlyDone(ModuleFailure):
    """Raised by a step whose failure left part of its own change in place (it could not put it back):
    the run's message must not claim that nothing was changed."""


class StepDeclined(Exception):
    """Raised by a step's ``do`` when the host refuses the change in an expected way (a read-only
    /proc/sys entry, a kernel that keeps its own value). Nothing was changed by the step; the run goes
    on and ``finish`` sees the reason in the outcomes."""


class Step(object):
    """One change of the apply phase. ``do()`` makes it (returning NOOP when, on a second look, there
    was nothing to do); ``undo()`` reverses it and is called only when a later step fails."""

    __slots__ = ('what', 'do', 'undo', 'key')

    def __init__(self, what, do, undo=None, key=None):
        self.what = what
        self.do = do
        self.undo = undo
        self.key = key if key is not None else what

    def __repr__(self):
        return 'Step(%r)' % self.what


class Plan(object):
    """Everything a module call will do and report, computed before anything changes."""

    def __init__(self):
        self.steps = []
        self.findings = []
        self.warnings = []
        self.refusals = []   # reasons to change nothing at all: the module fails before applying
        self.diffs = []      # [{before_header, after_header, before, after}]
        self.result = {}     # the module's own documented keys

    @property
    def changed(self):
        return bool(self.steps)

    def add_step(self, what, do, undo=None, key=None):
        step = Step(what, do, undo, key)
        self.steps.append(step)
        return step

    def add_diff(self, header, before, after, before_header=None):
        self.diffs.append({'before_header': before_header or header, 'after_header': header,
                           'before': before if before is not None else '', 'after': after if after is not None else ''})

    def add_finding(self, control, status, expected='', actual='', source='', remediation=''):
        finding = F.make_finding(control, status, expected, actual, source, remediation)
        self.findings.append(finding)
        return finding

    def make_dirs(self, host, directories, mode=0o755):
        """Plan the creation of ``directories`` (outermost first), each undone by removing it again."""
        for directory in directories:
            self.add_step('create directory %s' % directory, lambda d=directory: host.mkdir(d, mode),
                          lambda d=directory: host.rmdir(d))

    def write_file(self, host, path, before, after, what=None, backup=False, key=None):
        """Plan an atomic replace of ``path`` with ``after`` (``before`` is its current text or None):
        the diff, and a step that keeps owner, mode and SELinux context and can be undone."""
        self.add_diff(path, before, after, before_header=path if before is not None else '%s (absent)' % path)
        saved = {}

        def do():
            saved['snapshot'] = host.snapshot(path)
            if backup and saved['snapshot'][0] == 'file':
                self.result.setdefault('backup_files', {})[path] = host.backup(path)
            host.write_text(path, after)

        def undo():
            host.restore(path, saved['snapshot'])
        return self.add_step(what or 'write %s' % path, do, undo, key)

    def remove_file(self, host, path, before, what=None, backup=False):
        """Plan the removal of ``path`` (``before`` is its current text): the diff, and a step that keeps a
        snapshot (and a backup copy when asked) so the removal can be undone."""
        self.add_diff('%s (absent)' % path, before, None, before_header=path)
        saved = {}

        def do():
            saved['snapshot'] = host.snapshot(path)
            if backup:
                self.result.setdefault('backup_files', {})[path] = host.backup(path)
            host.remove(path)
        return self.add_step(what or 'remove %s' % path, do, lambda: host.restore(path, saved['snapshot']))


class Host(object):
    """Every read and write a module makes, in one place, so unit tests can replace it with a fake.

    Reads refuse anything but regular files and stop at a size bound; writes are atomic and keep the
    owner, mode and SELinux context of what they replace."""

    def __init__(self, module=None, runner=None, read_limit=fileio.DEFAULT_READ_LIMIT):
        self.module = module
        self._runner = runner
        self.read_limit = read_limit

    @property
    def run(self):
        """The Runner: the one given, else the module's (made on first use, so a host whose module is set
        later, as in unit tests, still runs commands through that module)."""
        if self._runner is None:
            self._runner = module_runner(self.module) if self.module is not None else Runner()
        return self._runner

    # --- reads ---
    def read_text(self, path, limit=None):
        return fileio.read_regular_text(path, limit or self.read_limit)

    def read_bytes(self, path, limit=None):
        return fileio.read_regular(path, limit or self.read_limit)

    def listdir(self, path):
        return sorted(os.listdir(path))

    def lstat(self, path):
        return os.lstat(path)

    def stat(self, path):
        return os.stat(path)

    def exists(self, path):
        return os.path.lexists(path)

    def isdir(self, path):
        return os.path.isdir(path)

    def readlink(self, path):
        return fileio.read_link(path)

    def kind(self, path):
        """'absent', 'link', 'dir', 'file' or 'other' (a FIFO, socket or device) for ``path``; a final
        symlink is not followed."""
        try:
            mode = self.lstat(path).st_mode
        except EnvironmentError:
            return 'absent'
        for test, name in ((stat.S_ISLNK, 'link'), (stat.S_ISDIR, 'dir'), (stat.S_ISREG, 'file')):
            if test(mode):
                return name
        return 'other'

    def missing_parents(self, path):
        """Directories that must be created before ``path`` can be written, outermost first."""
        missing = []
        directory = os.path.dirname(path)
        while directory not in ('/', '') and not self.exists(directory):
            missing.insert(0, directory)
            directory = os.path.dirname(directory)
        return missing

    def realpath(self, path):
        return os.path.realpath(path)

    # --- writes ---
    def write_text(self, path, text, default_mode=0o644):
        fileio.atomic_write(path, text, default_mode=default_mode, prepare=lambda tmp: self._selinux_like(path, tmp))

    def symlink(self, target, path):
        fileio.atomic_symlink(target, path)

    def remove(self, path):
        fileio.remove_file(path)

    def mkdir(self, path, mode=0o755):
        os.mkdir(path, mode)
        os.chmod(path, mode)  # whatever the umask

    def rmdir(self, path):
        os.rmdir(path)

    def snapshot(self, path):
        return fileio.snapshot(path)

    def restore(self, path, saved):
        fileio.restore(path, saved)

    def backup(self, path):
        return self.module.backup_local(path)

    def _selinux_like(self, path, tmp_path):
        module = self.module
        if module is None or not module.selinux_enabled():
            return
        if os.path.exists(path) and not fileio.is_symlink(path):
            context = module.selinux_context(path)
        else:
            context = module.selinux_default_context(path)
        module.set_context_if_different(tmp_path, context, False)


def one_line(text, limit=MESSAGE_LIMIT):
    """A message as one printable line: failures must never carry raw bytes or a multi-line dump."""
    return quote(' '.join(str(text).split()), limit)


def describe_error(exc):
    """One line for any exception: domain errors as they are, OS errors with the path they concern."""
    if isinstance(exc, (ModuleFailure, CommandError, fileio.FileRefused)):
        return str(exc)
    if isinstance(exc, EnvironmentError):
        where = getattr(exc, 'filename', None)
        reason = exc.strerror or str(exc)
        if where:
            other = getattr(exc, 'filename2', None)
            return '%s: %s%s' % (where, reason, ' (-> %s)' % other if other else '')
        return reason
    return 'internal error (%s): %s' % (type(exc).__name__, exc)


def apply_steps(steps):
    """Run ``steps`` in order. Returns {step.key: (outcome, reason)}.

    When a step raises anything but StepDeclined, the steps already done are undone in reverse and
    RolledBack says what failed, and whether every undo worked (it never claims a restore that
    failed)."""
    outcomes = {}
    done = []
    for step in steps:
        try:
            outcome = step.do()
        except StepDeclined as exc:
            outcomes[step.key] = (DECLINED, str(exc))
            continue
        except Exception as exc:  # pylint: disable=broad-except
            undo_errors = undo_steps(done)
            message = '%s failed: %s' % (step.what, describe_error(exc))
            if not done:
                if not isinstance(exc, PartlyDone):  # a PartlyDone says itself what stayed changed
                    message += '; nothing had been changed'
            elif undo_errors:
                message += '; undoing earlier changes FAILED for: %s' % '; '.join(undo_errors)
            else:
                message += '; %d earlier change(s) undone' % len(done)
            raise RolledBack(message)
        outcomes[step.key] = (NOOP if outcome == NOOP else DONE, '')
        done.append(step)
    return outcomes


def undo_steps(done):
    errors = []
    for step in reversed(done):
        if step.undo is None:
            continue
        try:
            step.undo()
        except Exception as exc:  # pylint: disable=broad-except
            errors.append('%s (%s)' % (step.what, describe_error(exc)))
    return errors


def undone_findings(findings):
    """Findings after a rolled-back run: nothing was fixed, so what was to be fixed fails again (with a
    remediation, as every fail has)."""
    return [dict(f, status=F.FAIL, remediation=f['remediation'] or 'rerun after fixing the error of this task')
            if f['status'] == F.FIXED else f for f in findings]


def emit_warnings(module, warnings, already):
    """Warn the ones from index ``already`` on; returns how many have been emitted."""
    for warning in warnings[already:]:
        module.warn(one_line(warning))
    return len(warnings)


def run_module(argument_spec, validate, read, plan, finish=None, **module_kwargs):
    """Run one module call in the collection's shape (see the module docstring)."""
    from ansible.module_utils.basic import AnsibleModule
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True, **module_kwargs)
    execute(module, Host(module), validate, read, plan, finish)


def execute(module, host, validate, read, plan, finish=None):
    """The life of one call, given an AnsibleModule-like object and a host (unit tests pass fakes)."""
    the_plan = None
    warned = 0
    try:
        options = validate(module.params)
        state = read(host, options)
        the_plan = plan(options, state, module.check_mode)
        warned = emit_warnings(module, the_plan.warnings, 0)
        if the_plan.refusals:
            raise ModuleFailure('; '.join(the_plan.refusals) + '; nothing was changed')
        if module.check_mode or not the_plan.steps:
            outcomes = {}
        else:
            outcomes = apply_steps(the_plan.steps)
        changed = the_plan.changed if module.check_mode else any(o == DONE for o, _r in outcomes.values())
        if finish is not None and not module.check_mode:
            finish(the_plan, outcomes)
        emit_warnings(module, the_plan.warnings, warned)  # the ones steps or finish added
    except Exception as exc:  # pylint: disable=broad-except
        found = the_plan.findings if the_plan is not None else []
        if isinstance(exc, RolledBack):
            found = undone_findings(found)
        result = dict(the_plan.result) if the_plan is not None else {}
        result.pop('changed', None)
        if the_plan is not None:
            emit_warnings(module, the_plan.warnings, warned)
        module.fail_json(msg=one_line(describe_error(exc)), findings=found, **result)
        return  # fakes in unit tests may return
    result = dict(the_plan.result)
    result.update(changed=changed, findings=the_plan.findings)
    if getattr(module, '_diff', False):
        result['diff'] = the_plan.diffs
    module.exit_json(**result)
