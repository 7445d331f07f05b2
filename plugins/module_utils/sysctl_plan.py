# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planner for sysctl_guard: from the wanted settings, the sysctl.d tree and the live values, work out
what to write, what to apply live and what each key's finding is. Pure: the module does all I/O,
so check mode and a real run share one plan.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import (
    SYSCTL_DIRS,
    LEGACY_SYSCTL_CONF,
    describe_expectation,
    disable_lines,
    effective_assignment,
    normalize_value,
    parse_sysctl_text,
    render_owned_file,
    satisfies,
    target_value,
    winning_files,
)

SHADOW_MODES = ('warn', 'fail', 'fix')
OWNED_HEADER = (
    'Managed by gocompat.baseline (sysctl_guard): edits here are replaced on the next run.\n'
    'Change the policy in the play instead.'
)


class SysctlTree(object):
    """What the module read from disk.

    listing: [(directory, [file names])] in SYSCTL_DIRS precedence order, as found.
    contents: {path: text} for every listed path (a /dev/null link reads as ''); None = unreadable.
    realpaths: {path: resolved path} for listed symlinks, so fixes edit the file a link points to.
    legacy_text: content of /etc/sysctl.conf, or None when absent.
    """

    def __init__(self, listing, contents, realpaths=None, legacy_text=None, legacy_path=LEGACY_SYSCTL_CONF):
        self.listing = [(d.rstrip('/'), list(names)) for d, names in listing]
        self.contents = dict(contents)
        self.realpaths = dict(realpaths or {})
        self.legacy_text = legacy_text
        self.legacy_path = legacy_path

    def with_file(self, path, text):
        """A copy of the tree where ``path`` exists with ``text`` (added to its directory's listing)."""
        directory, name = os.path.split(path)
        listing = []
        seen = False
        for d, names in self.listing:
            if d == directory:
                seen = True
                names = names if name in names else sorted(names + [name])
            listing.append((d, names))
        if not seen:
            listing.append((directory, [name]))
            listing.sort(key=lambda item: _dir_rank(item[0]))
        contents = dict(self.contents)
        contents[path] = text
        realpaths = dict(self.realpaths)
        realpaths.pop(path, None)
        return SysctlTree(listing, contents, realpaths, self.legacy_text, self.legacy_path)

    def with_legacy(self, text):
        return SysctlTree(self.listing, self.contents, self.realpaths, text, self.legacy_path)

    def ordered_files(self):
        """[(path, text)] in the order they are applied at boot, /etc/sysctl.conf last."""
        files = [(path, self.contents.get(path)) for _name, path in winning_files(self.listing)]
        legacy_covered = any(self.realpaths.get(path) == self.legacy_path for path, _t in files)
        if self.legacy_text is not None and not legacy_covered:
            files.append((self.legacy_path, self.legacy_text))
        return [(path, text) for path, text in files if text is not None]


def _dir_rank(directory):
    return SYSCTL_DIRS.index(directory) if directory in SYSCTL_DIRS else len(SYSCTL_DIRS)


class Setting(object):
    __slots__ = ('key', 'value', 'compare', 'required')

    def __init__(self, key, value, compare='eq', required=False):
        self.key = key
        self.value = normalize_value(value)
        self.compare = compare
        self.required = required


class LiveKey(object):
    """Live state of one key: ``value`` None means the kernel has no such key; ``blocked`` is why it
    cannot be written (read-only /proc/sys, permission), None when it can."""

    __slots__ = ('value', 'blocked')

    def __init__(self, value, blocked=None):
        self.value = None if value is None else normalize_value(value)
        self.blocked = blocked


class SysctlPlan(object):
    def __init__(self):
        self.owned_before = None
        self.owned_after = None
        self.owned_replaces_symlink = False
        self.file_edits = {}      # real path -> (before text or None, after text)
        self.live_writes = {}     # key -> value
        self.persisted = {}       # key -> value in the owned file
        self.shadowed = []        # dicts describing overriding lines
        self.findings = []
        self.warnings = []
        self.missing_required = []
        self.not_applied = {}     # key -> why a non-compliant live value cannot be written

    @property
    def owned_changed(self):
        return self.owned_replaces_symlink or self.owned_before != self.owned_after

    @property
    def changed(self):
        return bool(self.owned_changed or self.file_edits or self.live_writes)


def _parse_all(files, warnings, skip_path=None):
    parsed = []
    for path, text in files:
        assignments, errors = parse_sysctl_text(text, path)
        if path != skip_path:
            for error in errors:
                warnings.append('%s (ignored, as systemd-sysctl does)' % error)
        parsed.append((path, assignments))
    return parsed


def _override_path(path, realpaths):
    """Where a fix for a line in ``path`` is written: the file itself when it lives in /etc, otherwise a
    same-named file in /etc/sysctl.d, which systemd reads instead of the vendor or runtime copy."""
    real = realpaths.get(path, path)
    if real.startswith('/etc/'):
        return real
    return '/etc/sysctl.d/' + os.path.basename(path)


def plan_sysctl(settings, owned_path, tree, live, shadowed='warn', owned_is_symlink=False, check_mode=False):
    """Plan one sysctl_guard run.

    settings: [Setting]; owned_path: the file this module owns; tree: SysctlTree; live: {key: LiveKey};
    shadowed: what to do with later files that override an owned value (warn, fail, fix).
    Raises SysctlSyntaxError when the owned file itself is malformed (it is ours: refuse to guess).
    """
    plan = SysctlPlan()
    owned_text = tree.contents.get(owned_path)
    if owned_is_symlink:
        # what the link shows now, for the diff; it is not parsed, the link is replaced either way
        plan.owned_before = owned_text
        plan.owned_replaces_symlink = True
        plan.warnings.append('%s is a symlink; it is replaced by a regular file (the link target is left alone)'
                             % owned_path)
    elif owned_text is not None:
        plan.owned_before = owned_text
        errors = parse_sysctl_text(owned_text, owned_path)[1]
        if errors:
            raise errors[0]

    before_files = tree.ordered_files()
    before = _parse_all(before_files, plan.warnings, skip_path=owned_path)
    foreign = [(p, a) for p, a in before if p != owned_path]

    present = []
    for setting in settings:
        state = live.get(setting.key) or LiveKey(None)
        if state.value is None:
            if setting.required:
                plan.missing_required.append(setting.key)
            continue
        others = effective_assignment(foreign, setting.key)
        keep = [state.value, others.value if others else None]
        present.append((setting, target_value(setting.compare, setting.value, keep)))
    owned_lines = [(s.key, value) for s, value in present]
    plan.persisted = dict(owned_lines)
    plan.owned_after = render_owned_file(owned_lines, OWNED_HEADER)

    after_tree = tree.with_file(owned_path, plan.owned_after)
    after = _resolve_shadowing(plan, present, owned_path, after_tree, shadowed)

    for setting in settings:
        state = live.get(setting.key) or LiveKey(None)
        expected = describe_expectation(setting.compare, setting.value)
        if state.value is None:
            status = F.ERROR if setting.required else F.SKIP
            plan.findings.append(F.make_finding(
                setting.key, status, expected, 'key not present on this kernel', '/proc/sys',
                'boot a kernel that provides it' if setting.required else 'not applicable on this kernel'))
            continue
        target = plan.persisted[setting.key]
        boot_before = effective_assignment(before, setting.key)
        boot_after = effective_assignment(after, setting.key)
        # No file sets it: the kernel default is in force at boot, and that is what is live unless
        # someone changed it at run time.
        boot_before_ok = satisfies(setting.compare, setting.value,
                                   boot_before.value if boot_before else state.value)
        boot_after_ok = satisfies(setting.compare, setting.value, boot_after.value if boot_after else None)
        live_ok = satisfies(setting.compare, setting.value, state.value)
        if not live_ok and state.blocked is None:
            plan.live_writes[setting.key] = target

        actual = 'live %s; at boot %s' % (
            state.value, '%s (%s)' % (boot_before.value, boot_before.location) if boot_before else 'kernel default')
        if not live_ok and state.blocked is not None:
            actual += '; persisted, not applied: %s' % state.blocked
            plan.not_applied[setting.key] = state.blocked
        compliant_now = boot_before_ok and (live_ok or state.blocked is not None)
        fixable = boot_after_ok
        if compliant_now:
            status = F.PASS
        elif fixable:
            status = F.status_for_change(True, check_mode)
        else:
            status = F.FAIL
        remediation = ''
        if status != F.PASS:
            remediation = 'persist %s = %s in %s' % (setting.key, target, owned_path)
            if not live_ok and state.blocked is None:
                remediation += ' and apply it live'
            if not boot_after_ok and boot_after is not None:
                remediation += '; %s overrides it: rerun with shadowed=fix or edit that line' % boot_after.location
        plan.findings.append(F.make_finding(
            setting.key, status, expected, actual,
            boot_before.location if boot_before else owned_path, remediation))
    return plan


def _resolve_shadowing(plan, present, owned_path, tree, shadowed):
    """Find later lines that override an owned value with a non-compliant one; with shadowed=fix,
    disable them (repeating, since disabling one line can expose an earlier offending file)."""
    for _round in range(len(tree.listing) * 8 + 8):
        parsed = _parse_all(tree.ordered_files(), [], skip_path=owned_path)
        offenders = {}
        for setting, _target in present:
            winner = effective_assignment(parsed, setting.key)
            if winner is None or winner.path == owned_path:
                continue
            if satisfies(setting.compare, setting.value, winner.value):
                continue
            lines = [a for a in dict(parsed)[winner.path]
                     if a.key == setting.key and not a.is_exclusion
                     and not satisfies(setting.compare, setting.value, a.value)]
            offenders.setdefault(winner.path, []).extend((setting.key, a) for a in lines)
        if not offenders:
            return parsed
        for path in sorted(offenders):
            for key, assignment in offenders[path]:
                record = {'key': key, 'path': path, 'line': assignment.line_no, 'value': assignment.value,
                          'action': 'disabled' if shadowed == 'fix' else 'reported'}
                if record not in plan.shadowed:
                    plan.shadowed.append(record)
        if shadowed != 'fix':
            if shadowed == 'warn':
                for record in plan.shadowed:
                    plan.warnings.append('%s:%d sets %s = %s after %s and wins at boot'
                                         % (record['path'], record['line'], record['key'], record['value'],
                                            owned_path))
            return parsed
        for path in sorted(offenders):
            tree = _disable_in_tree(plan, tree, path, offenders[path])
    raise RuntimeError('shadowing files could not be resolved; check for a loop of symlinks in sysctl.d')


def _disable_in_tree(plan, tree, path, offending):
    keys = sorted(set(key for key, _a in offending))
    line_numbers = [a.line_no for _key, a in offending]
    new_text = disable_lines(tree_text(tree, path), line_numbers, 'overrides %s' % ', '.join(keys))
    real = tree.realpaths.get(path, path)
    if real == tree.legacy_path:
        # /etc/sysctl.conf itself, or the 99-sysctl.conf link to it: edit sysctl.conf
        _record_edit(plan, tree.legacy_path, tree.legacy_text, new_text)
        tree = tree.with_legacy(new_text)
        if path != tree.legacy_path:
            tree = _with_content(tree, path, new_text)
        return tree
    target = _override_path(path, tree.realpaths)
    if target == real:
        _record_edit(plan, target, tree.contents.get(path), new_text)
        return _with_content(tree, path, new_text)
    # a runtime or vendor file (or a link to one): a same-named /etc/sysctl.d file takes its place
    original = tree.contents.get(path) if path == target else None
    _record_edit(plan, target, original, new_text)
    return tree.with_file(target, new_text)


def tree_text(tree, path):
    return tree.legacy_text if path == tree.legacy_path else tree.contents.get(path)


def _record_edit(plan, target, original, new_text):
    # keep the text from before the first edit of this run, for the diff and for a rollback
    first = plan.file_edits.get(target, (original, None))[0]
    plan.file_edits[target] = (first, new_text)


def _with_content(tree, path, text):
    contents = dict(tree.contents)
    contents[path] = text
    return SysctlTree(tree.listing, contents, tree.realpaths, tree.legacy_text, tree.legacy_path)
