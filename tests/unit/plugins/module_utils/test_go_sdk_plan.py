# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_sdk_install's planning, pure: host states as data, a fake ``ops`` that records what the steps do,
a fake host and a fake source for read_state. No network, no mirror, no file system."""

from __future__ import absolute_import, division, print_function

import os
import stat

import pytest

from ansible_collections.gocompat.baseline.plugins.module_utils import module_base
from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_plan as gp
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import (
    NOOP,
    ModuleFailure,
    RolledBack,
    apply_steps,
)

ROOT, LINK, BIN = '/opt/go', '/usr/local/go', '/usr/local/bin'
ARGS = dict(versions=['1.26.5', '1.27.3'], default='1.27.3', state='present', root=ROOT, link=LINK, bin_dir=BIN,
            source='mirror', mirror='https://go.dev/dl/', checksums={}, archives={}, arch='amd64',
            go_env={'GOTOOLCHAIN': 'local'}, prune=False, timeout=60, validate_certs=True, fetch_only=None)


def options(**extra):
    args = dict(ARGS)
    args.update(extra)
    return gp.validate_options(args, 'x86_64')


def state(installed=(), link=None, commands=None, go_env=None, resolved=None):
    installed = dict((v, os.path.join(ROOT, v)) for v in installed)
    return {'problems': [], 'installed': installed,
            'markers': dict((v, {'version': v, 'sha256': 'ab' * 32}) for v in installed),
            'go_env': go_env or dict((v, 'GOTOOLCHAIN=local\n') for v in installed),
            'link': link, 'commands': commands or {}, 'leftovers': [], 'fetch': {}, 'root_exists': bool(installed),
            'resolved': resolved or [('1.26.5', 'go1.26.5', None), ('1.27.3', 'go1.27.3', None)]}


def all_commands(versions, default):
    commands = {}
    for version in versions:
        commands[version] = os.path.join(ROOT, version, 'bin', 'go')
        commands['.'.join(version.split('.')[:2])] = os.path.join(ROOT, version, 'bin', 'go')
    commands['go'] = os.path.join(LINK, 'bin', 'go')
    commands['gofmt'] = os.path.join(LINK, 'bin', 'gofmt')
    return commands


class FakeOps(object):
    """Records every call; ``installed_now`` is what a re-read under the lock finds."""

    root = ROOT

    def __init__(self, installed_now=(), links=None, fail_on=None, partial=None):
        self.calls = []
        self.installed_now = set(installed_now)
        self.links = dict(links or {})
        self.files = {}
        self.doomed = []
        self.fail_on = fail_on
        self.partial = partial

    def _call(self, *call):
        self.calls.append(call)
        if self.fail_on and call[0] == self.fail_on[0] and call[-1] == self.fail_on[1]:
            raise OSError(13, 'Permission denied', call[-1])

    def lock(self):
        if ('lock',) not in self.calls:
            self.calls.append(('lock',))

    def release(self):
        self.calls.append(('release',))

    def installed(self):
        return dict((v, os.path.join(ROOT, v)) for v in self.installed_now)

    def install_many(self, items):
        self._call('install', tuple(v for _r, v, _e in items))
        if self.partial:
            error = ModuleFailure('checksum mismatch for go1.27.3 (installed meanwhile: go1.26.5)')
            error.installed = dict((v, 'cd' * 32) for v in self.partial)
            self.installed_now.update(self.partial)
            raise error
        self.installed_now.update(v for _r, v, _e in items)
        return dict((v, 'cd' * 32) for _r, v, _e in items)

    def requests(self):
        return 0

    def read_text(self, path):
        return self.files.get(path, 'GOTOOLCHAIN=auto\n')

    def write_text(self, path, text):
        self._call('write', path)
        self.files[path] = text

    def snapshot(self, path):
        return ('link', self.links[path]) if path in self.links else ('absent',)

    def restore(self, path, saved):
        self.calls.append(('restore', path))
        if saved[0] == 'link':
            self.links[path] = saved[1]
        else:
            self.links.pop(path, None)

    def readlink(self, path):
        return self.links.get(path)

    def symlink(self, target, path):
        self._call('symlink', path)
        self.links[path] = target

    def remove(self, path):
        self._call('remove', path)
        self.links.pop(path, None)

    def set_aside(self, goroot):
        self._call('set_aside', goroot)
        self.installed_now.discard(os.path.basename(goroot))
        return goroot + '.doomed'

    def put_back(self, doomed, goroot):
        self.calls.append(('put_back', goroot))
        self.installed_now.add(os.path.basename(goroot))

    def discard(self, doomed):
        self.calls.append(('discard', doomed))


def statuses(plan):
    return dict((f['control'], f['status']) for f in plan.findings)


def test_a_fresh_host_plans_install_then_links_in_order():
    ops = FakeOps()
    plan = gp.plan(options(), state(), True, ops)
    assert [s.key for s in plan.steps] == ['install'] + ['link:' + p for p in sorted(
        [LINK] + [os.path.join(BIN, n) for n in ('go', 'go1.26', 'go1.26.5', 'go1.27', 'go1.27.3', 'gofmt')])]
    assert statuses(plan) == {'go.sdk.1.26.5': 'fail', 'go.sdk.1.27.3': 'fail', 'go.default': 'fail',
                              'go.toolchain_local': 'fail'}
    assert all(f['remediation'] for f in plan.findings)
    assert ops.calls == [], 'planning does nothing'
    assert plan.result['added'] == ['go1.26.5', 'go1.27.3'] and plan.result['checksums'] == {
        'go1.26.5': None, 'go1.27.3': None}


def test_real_run_statuses_are_fixed_and_apply_follows_the_plan():
    ops = FakeOps()
    plan = gp.plan(options(), state(), False, ops)
    assert set(statuses(plan).values()) == {'fixed'}
    outcomes = apply_steps(plan.steps)
    gp.finish(plan, outcomes, ops)
    assert ops.calls[0] == ('lock',) and ops.calls[1] == ('install', ('go1.26.5', 'go1.27.3'))
    assert ops.calls[-1] == ('release',)
    assert ops.links[LINK] == os.path.join(ROOT, 'go1.27.3')
    assert plan.result['checksums'] == {'go1.26.5': 'cd' * 32, 'go1.27.3': 'cd' * 32}
    assert set(statuses(plan).values()) == {'fixed'}


def test_a_compliant_host_plans_nothing_and_everything_passes():
    versions = ['go1.26.5', 'go1.27.3']
    plan = gp.plan(options(), state(versions, link=os.path.join(ROOT, 'go1.27.3'),
                                    commands=all_commands(versions, 'go1.27.3')), True, FakeOps())
    assert plan.steps == [] and plan.diffs == [] and set(statuses(plan).values()) == {'pass'}


def test_what_another_run_did_while_this_one_waited_is_reported_as_pass():
    """The steps re-check under the lock: nothing left to do is NOOP, and the findings say pass."""
    ops = FakeOps(installed_now=['go1.26.5', 'go1.27.3'],
                  links=dict((os.path.join(BIN, n), t) for n, t in all_commands(['go1.26.5', 'go1.27.3'], '').items()))
    ops.links[LINK] = os.path.join(ROOT, 'go1.27.3')
    plan = gp.plan(options(), state(), False, ops)
    outcomes = apply_steps(plan.steps)
    assert set(o for o, _r in outcomes.values()) == {NOOP}
    gp.finish(plan, outcomes, ops)
    assert plan.result['added'] == [] and set(statuses(plan).values()) == {'pass'}
    assert not any(c[0] in ('install', 'symlink') for c in ops.calls)


def test_a_failing_link_undoes_the_install_and_earlier_links():
    ops = FakeOps(fail_on=('symlink', LINK))
    plan = gp.plan(options(), state(), False, ops)
    with pytest.raises(RolledBack) as caught:
        apply_steps(plan.steps)
    assert 'point %s at' % LINK in str(caught.value) and 'Permission denied' in str(caught.value)
    assert ops.installed_now == set() and ops.links == {}, 'installs and links undone'


def test_a_partial_install_changes_nothing_more_and_finish_reports_it():
    ops = FakeOps(partial=['go1.26.5'])
    plan = gp.plan(options(), state(), False, ops)
    outcomes = apply_steps(plan.steps)
    assert not any(c[0] == 'symlink' for c in ops.calls), 'no link is switched'
    with pytest.raises(ModuleFailure, match='installed meanwhile: go1.26.5'):
        gp.finish(plan, outcomes, ops)
    assert statuses(plan) == {'go.sdk.1.26.5': 'fixed', 'go.sdk.1.27.3': 'fail', 'go.default': 'fail',
                              'go.toolchain_local': 'fail'}
    assert plan.result['added'] == ['go1.26.5'] and ('release',) in ops.calls


def test_go_env_rewrites_are_diffed_and_keep_the_other_lines():
    versions = ['go1.26.5', 'go1.27.3']
    st = state(versions, link=os.path.join(ROOT, 'go1.27.3'), commands=all_commands(versions, 'go1.27.3'),
               go_env={'go1.26.5': 'GOPROXY=off\nGOTOOLCHAIN=auto\n', 'go1.27.3': 'GOTOOLCHAIN=local\n'})
    plan = gp.plan(options(), st, True, FakeOps())
    assert plan.result['go_env_changed'] == {'go1.26.5': ['GOTOOLCHAIN']}
    assert plan.diffs == [{'before_header': ROOT + '/go1.26.5/go.env', 'after_header': ROOT + '/go1.26.5/go.env',
                           'before': 'GOPROXY=off\nGOTOOLCHAIN=auto\n', 'after': 'GOPROXY=off\nGOTOOLCHAIN=local\n'}]
    assert statuses(plan)['go.toolchain_local'] == 'fail' and statuses(plan)['go.sdk.1.26.5'] == 'pass'


def test_prune_removes_stale_commands_and_sets_the_sdk_aside_until_finish():
    versions = ['go1.21.13', 'go1.27.3']
    commands = all_commands(versions, 'go1.27.3')
    st = state(versions, link=os.path.join(ROOT, 'go1.27.3'), commands=commands,
               resolved=[('1.27.3', 'go1.27.3', None)])
    ops = FakeOps(installed_now=versions, links=dict((os.path.join(BIN, n), t) for n, t in commands.items()))
    plan = gp.plan(options(versions=['1.27.3'], prune=True), st, False, ops)
    assert [s.key for s in plan.steps] == ['stale:%s/go1.21.13' % BIN, 'stale:%s/go1.21' % BIN, 'prune:go1.21.13']
    outcomes = apply_steps(plan.steps)
    assert not any(c[0] == 'discard' for c in ops.calls), 'deleted only once everything worked'
    gp.finish(plan, outcomes, ops)
    assert ('discard', ROOT + '/go1.21.13.doomed') in ops.calls and plan.result['removed'] == ['go1.21.13']
    assert statuses(plan)['go.pruned'] == 'fixed'


def test_state_absent_unlinks_then_removes():
    versions = ['go1.26.5', 'go1.27.3']
    st = state(versions, link=os.path.join(ROOT, 'go1.27.3'), commands=all_commands(versions, 'go1.27.3'),
               resolved=[('1.27.3', 'go1.27.3', None)])
    plan = gp.plan(options(versions=['1.27.3'], state='absent', default=None), st, True, FakeOps())
    assert plan.result['removed'] == ['go1.27.3']
    assert plan.result['removed_links'] == sorted([LINK] + [os.path.join(BIN, n) for n in ('go', 'go1.27', 'go1.27.3', 'gofmt')])
    assert [s.key for s in plan.steps][-1] == 'prune:go1.27.3'
    assert statuses(plan) == {'go.sdk.1.27.3': 'fail'}


def test_refusals_stop_the_plan_before_any_step():
    st = state()
    st['problems'] = ['link: /usr/local/go is a directory, not a symlink']
    plan = gp.plan(options(), st, False, FakeOps())
    assert plan.refusals == st['problems'] and plan.steps == []


# --- read_state through a fake host and a fake source --------------------------------------------

class FakeStat(object):
    def __init__(self, mode):
        self.st_mode = mode


class FakeHost(object):
    """Paths as data: {path: 'dir' | ('link', target) | text}."""

    # the base's answers, computed from this fake's lstat and exists
    kind = module_base.Host.kind
    missing_parents = module_base.Host.missing_parents

    def __init__(self, entries):
        self.entries = entries

    def _get(self, path):
        if path not in self.entries:
            raise OSError(2, 'No such file or directory', path)
        return self.entries[path]

    def lstat(self, path):
        entry = self._get(path)
        if entry == 'dir':
            return FakeStat(stat.S_IFDIR | 0o755)
        return FakeStat(stat.S_IFLNK | 0o777 if isinstance(entry, tuple) else stat.S_IFREG | 0o644)

    def stat(self, path):
        return self.lstat(path)

    def exists(self, path):
        return path in self.entries

    def isdir(self, path):
        return self.entries.get(path) == 'dir'

    def listdir(self, path):
        return sorted(p[len(path) + 1:] for p in self.entries if os.path.dirname(p) == path)

    def readlink(self, path):
        entry = self.entries.get(path)
        return entry[1] if isinstance(entry, tuple) else None

    def read_text(self, path):
        entry = self.entries.get(path)
        return entry if isinstance(entry, str) and entry != 'dir' else None


class FakeSource(object):
    def __init__(self):
        self.resolved = []

    def resolve(self, requested):
        self.resolved.append(requested)
        return ('go' + requested.lstrip('go'), None)


def test_read_state_refuses_a_manual_install_without_resolving_anything():
    host = FakeHost({'/': 'dir', '/usr': 'dir', '/usr/local': 'dir', LINK: 'dir', BIN: 'dir', '/opt': 'dir'})
    source = FakeSource()
    st = gp.read_state(host, options(), source)
    assert st['problems'] == ['link: %s is a directory, not a symlink (an SDK installed by hand?); move it away, '
                              'e.g. mv %s %s.manual, or set link to another path' % (LINK, LINK, LINK)]
    assert source.resolved == [], 'a refusal costs no resolution (no network)'


def test_read_state_reads_sdks_links_and_go_env():
    """Only directories with our marker naming them are SDKs; staging leftovers are listed."""
    host = FakeHost({ROOT + '/go1.27.3/.gocompat-sdk.json': '{"version": "go1.27.3"}',
                     ROOT + '/go1.26.5': 'dir', ROOT + '/go1.26.5/.gocompat-sdk.json': '{"version": "go1.99.0"}',
                     ROOT + '/go1.21.13': 'dir', ROOT + '/go1.21.13/.gocompat-sdk.json': '[not json',
                     '/usr/local': 'dir', LINK: ('link', ROOT + '/go1.27.3'), BIN: 'dir', '/opt': 'dir', ROOT: 'dir',
                     ROOT + '/go1.27.3': 'dir', ROOT + '/go1.27.3/go.env': 'GOTOOLCHAIN=local\n',
                     ROOT + '/.staging-go1.26.5.x': 'dir', BIN + '/go': ('link', LINK + '/bin/go'),
                     BIN + '/python3': ('link', '/usr/bin/python3')})
    st = gp.read_state(host, options(), FakeSource())
    assert st['problems'] == [] and st['installed'] == {'go1.27.3': ROOT + '/go1.27.3'}
    assert st['link'] == ROOT + '/go1.27.3' and st['commands'] == {'go': LINK + '/bin/go'}
    assert st['go_env'] == {'go1.27.3': 'GOTOOLCHAIN=local\n'} and st['leftovers'] == ['.staging-go1.26.5.x']
    assert [r[1] for r in st['resolved']] == ['go1.26.5', 'go1.27.3']


@pytest.mark.parametrize('extra, message', [
    (dict(root='/'), "root: '/'"),
    (dict(link=ROOT), 'link: /opt/go must lie outside root'),
    (dict(go_env={'GOENV': 'off'}), 'go_env: GOENV cannot be set'),
    (dict(go_env={'GOTOOLCHAIN': False}), 'must be a string, got bool'),
    (dict(checksums={'1.27.3': 1}), 'checksums: the value for 1.27.3 is int'),
    (dict(default='9.9'), 'default: 9.9 is not one of versions'),
])
def test_validate_options_names_the_option(extra, message):
    with pytest.raises(ModuleFailure, match=message.replace('(', r'\(').replace('.', r'\.')):
        options(**extra)


def test_validate_options_normalises():
    o = options(checksums={'go1.27.3': 'AB' * 32}, go_env={'GOTOOLCHAIN': None, 'GOAMD64': 3}, root='/opt/go/')
    assert o['checksums'] == {'go1.27.3': 'ab' * 32} and o['go_env'] == {'GOTOOLCHAIN': None, 'GOAMD64': '3'}
    assert o['root'] == '/opt/go' and o['arch'] == 'amd64'


@pytest.mark.parametrize('check_mode', [True, False])
def test_every_planned_change_has_a_finding_that_is_not_pass(check_mode):
    """Check mode changed == some finding not pass, also for links of SDKs no longer requested."""
    versions = ['go1.26.5', 'go1.26.6', 'go1.27.3']
    commands = all_commands(['go1.27.3'], 'go1.27.3')
    for resolved, default in (([('1.26.5', 'go1.26.5', None)], None), ([('1.27.3', 'go1.27.3', None)], '1.27.3')):
        st = state(versions, link=os.path.join(ROOT, 'go1.27.3'), commands=dict(commands), resolved=resolved)
        plan = gp.plan(options(versions=[r for r, _v, _e in resolved], default=default), st, check_mode, FakeOps())
        assert plan.steps, 'the go1.26.x commands are missing'
        assert set(statuses(plan).values()) - {'pass'}, 'a change without a finding'
        owned = set(c for s in plan.steps for c in plan.controls[s.key])
        assert owned and owned <= set(statuses(plan)), 'every step counts in a finding that is returned'
