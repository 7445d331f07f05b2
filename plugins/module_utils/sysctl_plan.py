# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planner for sysctl_guard: from the wanted settings, the sysctl.d tree and the live values, work out
what to write, what to apply live, the diff, and what each key's finding is. Pure: the module does all
I/O, so check mode and a real run share one plan.

The boot value is computed per boot mechanism the host has (measured on Debian 12 and 13):
  - systemd-sysctl reads /etc, /run, /usr/local/lib and /usr/lib sysctl.d (a name in an earlier
    directory hides the same name in later ones; files in lexical order). It never reads
    /etc/sysctl.conf itself: only a link to it in sysctl.d does (Debian 12's systemd ships
    /etc/sysctl.d/99-sysctl.conf -> ../sysctl.conf; Debian 13 ships neither the link nor the file).
  - ``sysctl --system`` (procps, the boot script of hosts without systemd) reads the same directories
    the same way, then /etc/sysctl.conf last, whether or not a link already read it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote
from ansible_collections.gocompat.baseline.plugins.module_utils.sysctl_conf import (
    SYSCTL_DIRS,
    LEGACY_SYSCTL_CONF,
    describe_expectation,
    disable_lines,
    effective_assignment,
    normalize_value,
    parse_sysctl_text,
    proc_path,
    render_owned_file,
    satisfies,
    target_value,
    winning_files,
)

SHADOW_MODES = ('warn', 'fail', 'fix')
SYSTEMD = 'systemd-sysctl'
PROCPS = 'sysctl --system'
MECHANISMS = (SYSTEMD, PROCPS)
OWNED_HEADER = (
    'Managed by gocompat.baseline (sysctl_guard): edits here are replaced on the next run.\n'
    'Change the policy in the play instead.'
)
# The first line every file this module wrote starts with; a file without it is not ours to rewrite.
OWNED_MARK = '# Managed by gocompat.baseline'
# Parse errors quoted per file in warnings: a file of junk must not become megabytes of warnings.
MAX_PARSE_WARNINGS = 3
# Fixes of these trees would be lost (runtime) or overwritten by packages (vendor): a same-named file
# in /etc/sysctl.d takes their place instead.
_NOT_EDITABLE = ('/run/', '/usr/', '/lib/')
ETC_SYSCTL_D = '/etc/sysctl.d'


def carries_owned_header(text):
    return text is not None and text.startswith(OWNED_MARK)


def display_text(text):
    """Text for a diff: bytes that are not UTF-8 escaped (JSON results cannot carry them)."""
    if text is None:
        return ''
    return text.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')


class SysctlTree(object):
    """What the module read from disk.

    listing: [(directory, [file names])] in SYSCTL_DIRS precedence order, as found.
    contents: {path: text} for every listed path (a /dev/null link reads as ''); None = unreadable.
    realpaths: {path: resolved path} for listed symlinks, so fixes edit the file a link points to.
    legacy_text: content of /etc/sysctl.conf, or None when absent.
    mechanisms: the boot mechanisms of the host (SYSTEMD, PROCPS), each judged on its own.
    """

    def __init__(self, listing, contents, realpaths=None, legacy_text=None, legacy_path=LEGACY_SYSCTL_CONF,
                 mechanisms=(SYSTEMD,)):
        self.listing = [(d.rstrip('/'), list(names)) for d, names in listing]
        self.contents = dict(contents)
        self.realpaths = dict(realpaths or {})
        self.legacy_text = legacy_text
        self.legacy_path = legacy_path
        unknown = [m for m in mechanisms if m not in MECHANISMS]
        if unknown or not mechanisms:
            raise ValueError('unknown boot mechanisms %r' % (unknown or mechanisms,))
        self.mechanisms = tuple(mechanisms)

    def _copy(self, listing=None, contents=None, realpaths=None, legacy_text=None):
        return SysctlTree(self.listing if listing is None else listing,
                          self.contents if contents is None else contents,
                          self.realpaths if realpaths is None else realpaths,
                          self.legacy_text if legacy_text is None else legacy_text,
                          self.legacy_path, self.mechanisms)

    def with_file(self, path, text):
        """A copy of the tree where ``path`` is a regular file with ``text`` (added to its directory's
        listing; a symlink that was there is gone)."""
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
        return self._copy(listing, contents, realpaths)

    def with_real_text(self, real, text):
        """A copy where the file ``real`` now holds ``text``: every listed path that is, or links to,
        that file reads the new text (and /etc/sysctl.conf when it is that file)."""
        contents = dict(self.contents)
        for path in contents:
            if self.realpaths.get(path, path) == real:
                contents[path] = text
        legacy = text if real == self.legacy_path else self.legacy_text
        return self._copy(contents=contents, legacy_text=legacy)

    def with_legacy(self, text):
        return self.with_real_text(self.legacy_path, text)

    def real(self, path):
        return self.realpaths.get(path, path)

    def text_of(self, path):
        return self.legacy_text if path == self.legacy_path else self.contents.get(path)

    def ordered_files(self, mechanism=SYSTEMD):
        """[(path, text)] in the order ``mechanism`` applies them at boot."""
        files = [(path, self.contents.get(path)) for _name, path in winning_files(self.listing)]
        if mechanism == PROCPS and self.legacy_text is not None:
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
        self.file_edits = {}      # path to write -> (before text or None, after text)
        self.live_writes = {}     # key -> value
        self.live_before = {}     # key -> live value before the run, for every planned live write
        self.persisted = {}       # key -> value in the owned file after the run
        self.shadowed = []        # dicts describing overriding lines
        self.findings = []
        self.warnings = []
        self.missing_required = []
        self.not_applied = {}     # key -> why a non-compliant live value cannot be written
        self.diffs = []           # [{before_header, after_header, before, after}], text escaped
        self._judge = {}          # key -> function(blocked reason) -> finding, for refused live writes

    @property
    def owned_changed(self):
        return self.owned_replaces_symlink or self.owned_before != self.owned_after

    @property
    def changed(self):
        return bool(self.owned_changed or self.file_edits or self.live_writes)

    def finding_if_refused(self, key, reason):
        """The finding of ``key`` when the kernel refuses its planned live write with ``reason``: judged
        by the same rules as a key whose /proc/sys entry is known to be read-only."""
        return self._judge[key](reason)


def _parse_all(files, warnings, skip_path=None):
    parsed = []
    for path, text in files:
        assignments, errors = parse_sysctl_text(text, path)
        if path != skip_path and warnings is not None:
            for error in errors[:MAX_PARSE_WARNINGS]:
                warnings.append('%s (ignored, as systemd-sysctl does)' % error)
            if len(errors) > MAX_PARSE_WARNINGS:
                warnings.append('%s: %d more lines that are not assignments (ignored)'
                                % (quote(path), len(errors) - MAX_PARSE_WARNINGS))
        parsed.append((path, assignments))
    return parsed


def _parse_per_mechanism(tree, warnings=None, skip_path=None):
    """{mechanism: [(path, [Assignment])] in its boot order}; each file is parsed (and warned about) once."""
    cache = {}
    parsed = {}
    for mechanism in tree.mechanisms:
        files = tree.ordered_files(mechanism)
        for path, text in files:
            if path not in cache:
                cache[path] = _parse_all([(path, text)], warnings, skip_path)[0][1]
        parsed[mechanism] = [(path, cache[path]) for path, _t in files]
    return parsed


def _owned_values(text, path, strict):
    """{key: value} the owned file sets (last line wins). ``strict``: a malformed line raises."""
    if text is None:
        return {}
    assignments, errors = parse_sysctl_text(text, path)
    if strict and errors:
        raise errors[0]
    return dict((a.key, a.value) for a in assignments if not a.is_exclusion and not a.is_glob)


def _describe_boot(winners):
    parts = []
    for mechanism, winner in winners:
        if winner is None:
            parts.append('kernel default (%s)' % mechanism)
        else:
            parts.append('%s (%s, %s)' % (quote(winner.value, 80), quote(winner.location), mechanism))
    return ', '.join(parts)


def plan_sysctl(settings, owned_path, tree, live, shadowed='warn', owned_is_symlink=False, check_mode=False,
                proc_root='/proc/sys'):
    """Plan one sysctl_guard run.

    settings: [Setting]; owned_path: the file this module owns; tree: SysctlTree; live: {key: LiveKey};
    shadowed: what to do with later files that override an owned value (warn, fail, fix).
    A key is compliant when its live value and its boot value under every mechanism of the host meet
    the setting; only keys that are not compliant cause a change, so check mode reports changed
    exactly when a finding is not pass or skip. Raises SysctlSyntaxError when the owned file itself
    is malformed (it is ours: refuse to guess).
    """
    plan = SysctlPlan()
    owned_text = tree.contents.get(owned_path)
    plan.owned_before = owned_text
    if owned_is_symlink:
        plan.warnings.append('%s is a symlink; if it must change it is replaced by a regular file (the link '
                             'target is left alone)' % quote(owned_path))
    owned_values = _owned_values(owned_text, owned_path, strict=not owned_is_symlink)

    before = _parse_per_mechanism(tree, plan.warnings, skip_path=owned_path)

    # Per key: is it compliant now, and if not, the value to persist.
    judged = []
    for setting in settings:
        state = live.get(setting.key) or LiveKey(None)
        if state.value is None:
            if setting.required:
                plan.missing_required.append(setting.key)
            judged.append((setting, state, None, None, None))
            continue
        winners = [(m, effective_assignment(before[m], setting.key)) for m in tree.mechanisms]
        boot_ok = all(w is not None and satisfies(setting.compare, setting.value, w.value) for _m, w in winners)
        live_ok = satisfies(setting.compare, setting.value, state.value)
        compliant = boot_ok and (live_ok or state.blocked is not None)
        others = [effective_assignment([(p, a) for p, a in before[m] if p != owned_path], setting.key)
                  for m in tree.mechanisms]
        keep = [state.value, owned_values.get(setting.key)] + [o.value for o in others if o is not None]
        target = target_value(setting.compare, setting.value, keep)
        judged.append((setting, state, winners, compliant, target))

    # The owned file: compliant keys keep what they have there; the others get their target value.
    new_values = []
    for setting, state, winners, compliant, target in judged:
        if winners is None:
            continue
        if compliant:
            if setting.key in owned_values:
                new_values.append((setting.key, owned_values[setting.key]))
        else:
            new_values.append((setting.key, target))
    needs_rewrite = any(not compliant and normalize_value(owned_values.get(s.key, '')) != target
                        for s, _st, winners, compliant, target in judged if winners is not None)
    if needs_rewrite:
        plan.owned_after = render_owned_file(new_values, OWNED_HEADER)
        plan.owned_replaces_symlink = owned_is_symlink
        after_tree = tree.with_file(owned_path, plan.owned_after)
        plan.persisted = dict(new_values)
    else:
        plan.owned_after = owned_text
        after_tree = tree
        plan.persisted = dict((s.key, owned_values[s.key]) for s, _st, w, _c, _t in judged
                              if w is not None and s.key in owned_values)

    failing = [(s, t) for s, _st, winners, compliant, t in judged if winners is not None and not compliant]
    after = _resolve_shadowing(plan, failing, owned_path, after_tree, shadowed)

    for setting, state, winners, compliant, target in judged:
        expected = describe_expectation(setting.compare, setting.value)
        if winners is None:
            status = F.ERROR if setting.required else F.SKIP
            plan.findings.append(F.make_finding(
                setting.key, status, expected, 'key not present on this kernel', proc_root,
                'boot a kernel that provides it' if setting.required else 'not applicable on this kernel'))
            continue
        live_ok = satisfies(setting.compare, setting.value, state.value)
        if not compliant and not live_ok and state.blocked is None:
            plan.live_writes[setting.key] = target
            plan.live_before[setting.key] = state.value
        plan._judge[setting.key] = _judge_function(plan, setting, state, winners, compliant, target, after,
                                                   owned_path, check_mode, proc_root)
        plan.findings.append(plan._judge[setting.key](state.blocked))
    _build_diffs(plan, owned_path, proc_root)
    return plan


def _judge_function(plan, setting, state, winners, compliant, target, after, owned_path, check_mode, proc_root):
    """The finding of one key as a function of why its live value cannot be written (None: it can)."""
    after_winners = [(m, effective_assignment(after[m], setting.key)) for m, _w in winners]
    boot_after_ok = all(w is not None and satisfies(setting.compare, setting.value, w.value)
                        for _m, w in after_winners)
    live_ok = satisfies(setting.compare, setting.value, state.value)
    expected = describe_expectation(setting.compare, setting.value)
    bad = [w for _m, w in winners if w is not None and not satisfies(setting.compare, setting.value, w.value)]
    present = [w for _m, w in winners if w is not None]
    source_assignment = (bad or present or [None])[0]
    # file:line of the line in force at boot (a file that exists), or the key's /proc/sys entry
    source = source_assignment.location if source_assignment is not None else proc_path(setting.key, proc_root)

    def judge(blocked):
        actual = 'live %s; at boot %s' % (quote(state.value, 80), _describe_boot(winners))
        if not live_ok and blocked is not None:
            actual += '; persisted, not applied: %s' % blocked
            plan.not_applied[setting.key] = blocked
        else:
            plan.not_applied.pop(setting.key, None)
        if compliant:
            status = F.PASS
        elif boot_after_ok:
            status = F.status_for_change(True, check_mode)
        else:
            status = F.FAIL
        remediation = ''
        if status != F.PASS:
            remediation = 'persist %s = %s in %s' % (setting.key, target, owned_path)
            if not live_ok and blocked is None:
                remediation += ' and apply it live'
            for _m, winner in after_winners:
                if winner is not None and winner.path != owned_path and \
                        not satisfies(setting.compare, setting.value, winner.value):
                    remediation += '; %s overrides it: rerun with shadowed=fix or edit that line' % quote(winner.location)
                    break
        return F.make_finding(setting.key, status, expected, actual, quote(source), remediation)
    return judge


def _resolve_shadowing(plan, failing, owned_path, tree, shadowed):
    """Find lines that win at boot over the owned value with a non-compliant one, under every
    mechanism, and disable them (repeating, since disabling one line can expose an earlier offending
    file). With shadowed=fix the edits are planned and the parse per mechanism of the fixed tree is
    returned; otherwise the same rounds only name every offending file, and the tree is unchanged."""
    fixing = shadowed == 'fix'
    scratch = plan if fixing else SysctlPlan()
    first = None
    for _round in range(len(tree.listing) * 8 + 16):
        parsed = _parse_per_mechanism(tree, None, skip_path=owned_path)
        if first is None:
            first = parsed
        offenders = {}
        for mechanism in tree.mechanisms:
            by_path = dict(parsed[mechanism])
            for setting, _target in failing:
                winner = effective_assignment(parsed[mechanism], setting.key)
                if winner is None or winner.path == owned_path:
                    continue
                if satisfies(setting.compare, setting.value, winner.value):
                    continue
                lines = [a for a in by_path[winner.path]
                         if not a.is_exclusion and (a.key == setting.key or a is winner)
                         and not satisfies(setting.compare, setting.value, a.value)]
                found = offenders.setdefault(winner.path, [])
                for assignment in lines:
                    if (setting.key, assignment) not in found:
                        found.append((setting.key, assignment))
        if not offenders:
            if fixing:
                return parsed
            if shadowed == 'warn':
                for record in plan.shadowed:
                    plan.warnings.append('%s:%d sets %s = %s after %s and wins at boot'
                                         % (record['path'], record['line'], record['key'], record['value'],
                                            quote(owned_path)))
            return first
        for path in sorted(offenders):
            for key, assignment in offenders[path]:
                record = {'key': key, 'path': quote(path), 'line': assignment.line_no,
                          'value': quote(assignment.value, 80), 'action': 'disabled' if fixing else 'reported'}
                if record not in plan.shadowed:
                    plan.shadowed.append(record)
        for path in sorted(offenders):
            tree = _disable_in_tree(scratch, tree, path, offenders[path])
    raise RuntimeError('shadowing files could not be resolved; check for a loop of symlinks in sysctl.d')


def fix_target(path, tree):
    """Where a fix for a line read from ``path`` is written: the file itself (through its links) unless
    it is a runtime or vendor file; then a same-named file in /etc/sysctl.d, which every mechanism
    reads instead of it."""
    real = tree.real(path)
    if not real.startswith(_NOT_EDITABLE):
        return real
    return ETC_SYSCTL_D + '/' + os.path.basename(path)


def _disable_in_tree(plan, tree, path, offending):
    keys = sorted(set(key for key, _a in offending))
    line_numbers = [a.line_no for _key, a in offending]
    new_text = disable_lines(tree.text_of(path), line_numbers, 'overrides %s' % ', '.join(keys))
    target = fix_target(path, tree)
    if target == tree.real(path):
        _record_edit(plan, target, tree.text_of(path), new_text)
        return tree.with_real_text(target, new_text)
    # a runtime or vendor file (or a link to one): a same-named /etc/sysctl.d file takes its place
    original = tree.contents.get(target)
    _record_edit(plan, target, original, new_text)
    return tree.with_file(target, new_text)


def _record_edit(plan, target, original, new_text):
    # keep the text from before the first edit of this run, for the diff and for a rollback
    first = plan.file_edits.get(target, (original, None))[0]
    plan.file_edits[target] = (first, new_text)


def _build_diffs(plan, owned_path, proc_root):
    def add(header, before, after, absent):
        plan.diffs.append({'before_header': '%s (absent)' % quote(header) if absent else quote(header),
                           'after_header': quote(header), 'before': display_text(before),
                           'after': display_text(after)})
    if plan.owned_changed:
        add(owned_path, plan.owned_before, plan.owned_after, plan.owned_before is None)
    for path in sorted(plan.file_edits):
        before, after = plan.file_edits[path]
        add(path, before, after, before is None)
    for key in sorted(plan.live_writes):
        header = proc_path(key, proc_root) + ' (live)'
        plan.diffs.append({'before_header': header, 'after_header': header,
                           'before': '%s\n' % quote(plan.live_before[key]), 'after': '%s\n' % plan.live_writes[key]})
