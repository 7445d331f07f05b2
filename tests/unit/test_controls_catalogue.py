# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""docs/controls.md against the code: each section names the module that emits its controls; every
documented control id matches one of that module's CONTROL_PATTERNS, every pattern is documented, every
module is catalogued, the expectations of the default policies are the ones the code produces, and each
control's `remediation` and `takes effect` columns agree with what the real module code emits when the
control fails (run through run_module on the fake hosts of the module unit tests)."""

from __future__ import absolute_import, division, print_function

import collections
import errno
import importlib
import importlib.util
import os
import re
import sys

import pytest
import yaml

from harness.paths import collection_modules

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SYMBOL = {'min': '>= ', 'max': '<= ', 'eq': '= '}
SECTION = re.compile(r'^## .*\(`gocompat\.baseline\.([a-z0-9_]+)`\)\s*$', re.MULTILINE)
# | `control` | `expected` | why | remediation | takes effect |
ROW = re.compile(r'^\| `([^`]+)` \| `([^`]+)` \| (.*) \| (.*) \| (.*) \|$', re.MULTILINE)
PLACEHOLDER = re.compile(r'<[^<>]+>')
CODE = re.compile(r'`([^`]+)`')
EFFECT = re.compile(r'`([^`]+)`(?: with `([^`]+)`)?')
VOCABULARY = re.compile(r'^  - `([^`]+)`: ', re.MULTILINE)
NEVER_FAILS = 'none (never `fail`)'
# the modules that emit controls: a module file that only documents a controller-side action (findings_summary)
# emits none of its own
MODULES = collection_modules()[0]  # the modules that run on the host
# the result keys through which a module says when its change takes effect, and the term each one means
SIGNALS = {'manager_changed': 'systemd re-exec', 'not_applied': 'reboot', 'reboot_required': 'reboot',
           'restart_required': 'WSL restart', 'restart_needed': 'runtime restart'}

Row = collections.namedtuple('Row', 'expected why remediation effect')


def load_yaml(*parts):
    with open(os.path.join(ROOT, *parts)) as handle:
        return yaml.safe_load(handle)


def catalogue_text():
    with open(os.path.join(ROOT, 'docs', 'controls.md')) as handle:
        return handle.read()


def parse_rows(text=None):
    """{module: {control: Row}} in the order of docs/controls.md: ``remediation`` is the list of documented
    parts (empty for a control that never fails), ``effect`` the list of (term, result key or '')."""
    text = catalogue_text() if text is None else text
    found = {}
    marks = list(SECTION.finditer(text))
    for i, mark in enumerate(marks):
        body = text[mark.end():marks[i + 1].start() if i + 1 < len(marks) else len(text)]
        rows = found.setdefault(mark.group(1), collections.OrderedDict())
        for control, expected, why, remediation, effect in ROW.findall(body):
            parts = [] if remediation.strip() == NEVER_FAILS else CODE.findall(remediation)
            rows[control] = Row(expected, why, parts, EFFECT.findall(effect))
    return found


def sections(text=None):
    """{module: {control: expected}} in the order of docs/controls.md."""
    return dict((module, dict((c, r.expected) for c, r in rows.items())) for module, rows in parse_rows(text).items())


def catalogue_rows():
    rows = {}
    for controls in sections().values():
        rows.update(controls)
    return rows


def patterns_of(module):
    module = importlib.import_module('ansible_collections.gocompat.baseline.plugins.modules.%s' % module)
    return module.CONTROL_PATTERNS


def sample(control):
    """A documented id as a real one: every placeholder becomes a plain value."""
    return PLACEHOLDER.sub('sample1', control)


def full_match(pattern, text):
    return re.match('(?:%s)\\Z' % pattern, text) is not None


def as_regex(documented):
    """A documented expectation as a regular expression: placeholders and '...' stand for any text."""
    parts = re.split(r'(<[^<>]+>|\.\.\.)', documented)
    return ''.join('.+' if p.startswith('<') or p == '...' else re.escape(p) for p in parts) + r'\Z'


def test_sections_are_parsed():
    text = ('## a (`gocompat.baseline.one`)\n\n| `x.y` | `1` | z | `fix <p>` or `redo`; `more` | `now`; `reboot` with '
            '`not_applied` |\n\n## b\n\n## c (`gocompat.baseline.two`)\n| `a.<k>` | `<v>` | w | %s | `audit only` |\n'
            % NEVER_FAILS)
    assert sections(text) == {'one': {'x.y': '1'}, 'two': {'a.<k>': '<v>'}}
    assert parse_rows(text) == {
        'one': {'x.y': Row('1', 'z', ['fix <p>', 'redo', 'more'], [('now', ''), ('reboot', 'not_applied')])},
        'two': {'a.<k>': Row('<v>', 'w', [], [('audit only', '')])}}


def test_every_row_has_five_columns():
    # a row the parser does not see would escape every check below
    rows = [line for line in catalogue_text().splitlines() if line.startswith('| `')]
    assert len(rows) == sum(len(r) for r in parse_rows().values())


@pytest.mark.parametrize('module', MODULES)
def test_every_module_is_catalogued(module):
    assert sections().get(module), 'docs/controls.md has no section (`gocompat.baseline.%s`) with controls' % module


def test_every_section_names_a_module():
    assert sorted(set(sections()) - set(MODULES)) == []


@pytest.mark.parametrize('module', MODULES)
def test_documented_ids_match_the_module_patterns(module):
    patterns = patterns_of(module)
    for control in sections().get(module, {}):
        assert any(full_match(p, sample(control)) for p in patterns), \
            '%s in docs/controls.md matches none of %s.CONTROL_PATTERNS %s' % (control, module, patterns)


@pytest.mark.parametrize('module', MODULES)
def test_every_pattern_is_documented(module):
    documented = [sample(c) for c in sections().get(module, {})]
    for pattern in patterns_of(module):
        assert any(full_match(pattern, c) for c in documented), \
            '%s.CONTROL_PATTERNS %r has no row in docs/controls.md' % (module, pattern)


def test_the_check_catches_an_undocumented_pattern():
    # the two checks above would miss nothing: a pattern without a row, and a row without a pattern
    assert not any(full_match(r'env\.newthing', sample(c)) for c in sections()['go_environment'])
    assert not any(full_match(p, sample('env.typo')) for p in patterns_of('go_environment'))


# --- the default policies: the expectations are the ones the code produces ---------------------------

def kernel_settings():
    defaults = load_yaml('roles', 'kernel', 'defaults', 'main.yml')
    role_vars = load_yaml('roles', 'kernel', 'vars', 'main.yml')
    return defaults['kernel_sysctl_policy'] + role_vars['__kernel_sysctl_optional']


def test_every_kernel_control_is_catalogued_with_its_expectation():
    rows = sections()['sysctl_guard']
    for setting in kernel_settings():
        expected = SYMBOL[setting.get('compare', 'eq')] + str(setting['value'])
        assert rows.get(setting['key']) == expected, setting['key']


def test_go_env_default_expectations_are_what_the_module_emits():
    from ansible_collections.gocompat.baseline.plugins.module_utils import go_environment_files as G
    defaults = load_yaml('roles', 'go_env', 'defaults', 'main.yml')
    settings = G.validate_settings(defaults['go_env_godebug'], defaults['go_env_path_prepend'], '/var/tmp/go',
                                   'http://proxy:3128', 'http://proxy:3128', ['.corp.example'])
    consumers = [G.PROFILE, G.USER_MANAGERS, G.SERVICES]
    emitted = G.controls(settings, dict((c, G.NOTHING) for c in consumers), consumers)
    rows = sections()['go_environment']
    for control in emitted:
        documented = [c for c in rows if re.match(as_regex(c), control.control)]
        assert documented, control.control
        assert re.match(as_regex(rows[documented[0]]), control.expected), (control.control, control.expected)
    assert [c.control for c in emitted][:2] == ['env.godebug.netdns', 'env.path']


def test_kernel_limits_default_expectations_are_what_the_module_emits():
    # check mode against this machine's files: reads only; the expectations depend on the options alone
    from ansible_collections.gocompat.baseline.plugins.modules import kernel_limits
    from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import Host
    defaults = load_yaml('roles', 'kernel', 'defaults', 'main.yml')
    params = dict((name, spec.get('default')) for name, spec in kernel_limits.ARGUMENT_SPEC.items())
    params.update(nofile_soft=defaults['kernel_nofile_soft'], nofile_hard=defaults['kernel_nofile_hard'],
                  default_tasks_max=defaults['kernel_systemd_default_tasks_max'],
                  user_tasks_max=defaults['kernel_systemd_user_tasks_max'], systemd=True,
                  limits_path=defaults['kernel_limits_path'], dropin_name=defaults['kernel_systemd_dropin_name'])
    options = kernel_limits.validate(params)
    emitted = kernel_limits.plan(options, kernel_limits.read(Host(), options), True).findings
    rows = sections()['kernel_limits']
    assert sorted(f['control'] for f in emitted) == sorted(rows)
    for finding in emitted:
        documented = PLACEHOLDER.sub(lambda m: str(defaults[m.group(0)[1:-1]]), rows[finding['control']])
        assert documented == finding['expected'], finding['control']


def test_go_sdk_default_expectation():
    rows = sections()['go_sdk_install']
    assert rows['go.toolchain_local'] == 'GOTOOLCHAIN=%s in every managed go.env' % \
        load_yaml('roles', 'go_sdk', 'defaults', 'main.yml')['go_sdk_env']['GOTOOLCHAIN']


def test_host_expectation_is_what_the_module_emits():
    from ansible_collections.gocompat.baseline.plugins.module_utils import host_detect
    _status, expected, _actual, _fix = host_detect.systemd_finding(
        {'systemd_pid1': True, 'pid1': 'systemd', 'systemd_installed': True})
    assert sections()['host_facts']['host.systemd'] == expected


# --- role defaults and argument specs: a default is written in these two places only ------------------

def _role_docs_tool():
    spec = importlib.util.spec_from_file_location('role_docs', os.path.join(ROOT, 'tools', 'role_docs.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the entry point whose options are the role's variables: main, or the only one (tools/role_docs.py decides)
entry_point = _role_docs_tool().entry_point

ROLES = sorted(r for r in os.listdir(os.path.join(ROOT, 'roles'))
               if os.path.isfile(os.path.join(ROOT, 'roles', r, 'meta', 'argument_specs.yml')))


def test_every_role_has_an_argument_spec():
    assert ROLES == sorted(os.listdir(os.path.join(ROOT, 'roles')))
    assert {'go_env', 'go_sdk', 'kernel'} <= set(ROLES)


@pytest.mark.parametrize('role', ROLES)
def test_argument_spec_default_matches_role_default(role):
    path = os.path.join(ROOT, 'roles', role, 'defaults', 'main.yml')
    defaults = load_yaml(path) if os.path.exists(path) else {}
    defaults = defaults or {}
    spec = entry_point(load_yaml('roles', role, 'meta', 'argument_specs.yml')['argument_specs']).get('options') or {}
    with_default = set(name for name, option in spec.items() if 'default' in (option or {}))
    assert with_default == set(defaults), 'every default needs an argument spec default and vice versa'
    for name, value in defaults.items():
        assert spec[name].get('default') == value, name
        assert name.startswith(role + '_'), 'public variables carry the role prefix: %s' % name
    for name, option in spec.items():
        if name not in defaults:
            assert not (option or {}).get('required'), '%s: a required role variable breaks plays that omit it' % name


# --- remediation and "takes effect": each control failed through the real module code ------------------
# The fake hosts and helpers are the module unit tests' own (tests/unit/plugins/modules), so a scenario here
# is a state those tests already model; run_module is their harness, which also checks the module contract.

MODULE_TESTS = os.path.join(ROOT, 'tests', 'unit', 'plugins', 'modules')
if MODULE_TESTS not in sys.path:
    sys.path.insert(0, MODULE_TESTS)


def _load_harness():
    # the module tests' conftest under a name of its own: its run_module fixture becomes this file's
    spec = importlib.util.spec_from_file_location('gocompat_module_test_harness', os.path.join(MODULE_TESTS, 'conftest.py'))
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    return harness


run_module = _load_harness().run_module


def body(fixture):
    """The function behind a pytest fixture of the module tests, to build their fake host here."""
    return getattr(fixture, '__wrapped__', fixture)


class Seen(object):
    """What the scenarios of one module emitted: every finding, and (control, result, term) for the
    runs where the scenario knows when the change takes effect."""

    def __init__(self):
        self.findings = []
        self.effects = []

    def run(self, result, effects=None):
        assert not result.failed, result.get('msg')
        self.findings.extend(result['findings'])
        for control, term in (effects or {}).items():
            self.effects.append((control, result, term))
        return dict((f['control'], f) for f in result['findings'])


def row_of(rows, control):
    if control in rows:
        return control
    return next((d for d in rows if re.match(as_regex(d), control)), None)


def _bare(part):
    """A documented remediation part as a regular expression: a <placeholder> never spans the '; ' that
    joins two parts (it cannot hide an undocumented part); '...' is any text."""
    pieces = re.split(r'(<[^<>]+>|\.\.\.)', part)
    return ''.join('(?:(?!; ).)+' if p.startswith('<') else '.+' if p == '...' else re.escape(p) for p in pieces)


def parts_regex(parts):
    one = '|'.join('(?:%s)' % _bare(p) for p in parts)
    return '(?:%s)(?:; (?:%s))*\\Z' % (one, one)


def covers(part, remediation):
    return re.search('(?:^|; )(?:%s)(?:; |\\Z)' % _bare(part), remediation) is not None


def signalled(result, key, control):
    value = result.get(key)
    if isinstance(value, dict):
        return control in value
    if isinstance(value, list):
        return control.rsplit('.', 1)[-1] in value  # restart_needed names the runtime: seccomp.docker -> docker
    return bool(value)


def effect_of(terms, result, control):
    """The documented term for this run: the last keyed term the result signals, else the first plain one."""
    for term, key in reversed(terms):
        if key and signalled(result, key, control):
            return term
    plain = [t for t, k in terms if not k]
    return plain[0] if plain else None


# scenarios: (run_module, tmp_path, monkeypatch, seen) -> None

def sysctl_scenarios(run_module, tmp_path, monkeypatch, seen):
    import sysctl_guard_env as E
    import test_sysctl_guard as TS
    env = body(E.env)(tmp_path, monkeypatch)
    wanted = kernel_settings()
    settings = [E.item(s['key'], s['value'], s.get('compare', 'eq')) for s in wanted]
    bad = dict((s['key'], 0 if s.get('compare') == 'min' or s['value'] != 0 else 1) for s in wanted)

    def live(values):
        for key, value in values.items():
            env.set_live(key, value)
    live(bad)   # wrong now and at boot: persist and apply
    seen.run(run_module('sysctl_guard', env.params(settings), check_mode=True))
    live(dict((s['key'], s['value']) for s in wanted))   # right now, nothing persists it
    seen.run(run_module('sysctl_guard', env.params(settings), check_mode=True))
    local = env.write(os.path.join(env.etc_d, '99-local.conf'), ''.join('%s = %s\n' % kv for kv in bad.items()))
    seen.run(run_module('sysctl_guard', env.params(settings), check_mode=True))   # a later file wins
    os.remove(local)
    live(bad)
    seen.run(run_module('sysctl_guard', env.params(settings)), dict((s['key'], 'now') for s in wanted))
    # a kernel that refuses the live writes: persisted, in force after the next boot
    env = body(E.env)(tmp_path / 'refused', monkeypatch)
    live(bad)
    real_open = open

    def refusing(path, mode='r', *args, **kwargs):
        if 'w' in mode and str(path).startswith(env.proc + '/'):
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), path)
        return real_open(path, mode, *args, **kwargs)
    monkeypatch.setattr(TS.guard, 'open', refusing, raising=False)
    result = run_module('sysctl_guard', env.params(settings))
    assert sorted(result['not_applied']) == sorted(bad)
    seen.run(result, dict((s['key'], 'reboot') for s in wanted))


def kernel_limits_scenarios(run_module, tmp_path, monkeypatch, seen):
    import test_kernel_limits as TK
    host = body(TK.host)(tmp_path / 'a')
    seen.run(run_module('kernel_limits', TK.PARAMS, check_mode=True, host=host))
    result = run_module('kernel_limits', TK.PARAMS, host=host)
    seen.run(result, dict((c, 'systemd re-exec') for c in ('systemd.default_limit_nofile', 'systemd.default_tasks_max',
                                                           'systemd.user_tasks_max')))
    # later files that win over ours: the remediation names them
    host.write('/etc/security/limits.d/99-low.conf', '* hard nofile 1024\n')
    host.write('/etc/systemd/system.conf.d/99-low.conf', '[Manager]\nDefaultLimitNOFILE=1024:4096\nDefaultTasksMax=100\n')
    host.write('/etc/systemd/system/user-.slice.d/99-low.conf', '[Slice]\nTasksMax=100\n')
    seen.run(run_module('kernel_limits', TK.PARAMS, check_mode=True, host=host))
    # the PAM limits alone: no manager setting changes
    alone = body(TK.host)(tmp_path / 'b')
    params = dict(nofile_soft=TK.PARAMS['nofile_soft'], nofile_hard=TK.PARAMS['nofile_hard'], systemd=False)
    result = run_module('kernel_limits', params, host=alone)
    seen.run(result, {'limits.nofile': 'next login'})


def go_sdk_scenarios(run_module, tmp_path, monkeypatch, seen):
    import go_sdk_install_env as E
    import test_go_sdk_install as TG
    place = E.Place(tmp_path)
    pins = TG.pinned(tmp_path, 'go1.26.5', 'go1.27.3')
    args = place.args(versions=['1.26.5', '1.27.3'], default='1.26.5', **pins)
    seen.run(run_module('go_sdk_install', args, check_mode=True))
    seen.run(run_module('go_sdk_install', args), {'go.sdk.1.27.3': 'now', 'go.default': 'now', 'go.toolchain_local': 'now'})
    os.remove(os.path.join(place.bin_dir, 'go1.27.3'))   # a command link gone, and go.env settings to add
    seen.run(run_module('go_sdk_install', dict(args, go_env={'GOFLAGS': '-mod=mod'}), check_mode=True))
    seen.run(run_module('go_sdk_install', dict(args, state='absent'), check_mode=True))
    args = place.args(versions=['1.27.3'], default='1.27.3', prune=True, **pins)
    seen.run(run_module('go_sdk_install', args, check_mode=True))
    seen.run(run_module('go_sdk_install', args), {'go.pruned': 'now'})


def go_environment_scenarios(run_module, tmp_path, monkeypatch, seen):
    import test_go_environment as TE
    paths = body(TE.paths)(tmp_path)
    every = TE.params(paths, gotmpdir='/var/tmp/go', tmpdir='/var/tmp', http_proxy='http://proxy:3128',
                      https_proxy='http://proxy:3128', no_proxy=['.corp.example'])
    seen.run(run_module('go_environment', every, check_mode=True))
    result = run_module('go_environment', every)
    assert result['manager_changed'] is True
    seen.run(result, dict((c, 'systemd re-exec') for c in ('env.godebug.netdns', 'env.gotmpdir', 'env.tmpdir',
                                                           'env.proxy.http', 'env.proxy.https', 'env.proxy.no_proxy')))
    # PATH is set for login shells and user managers only: the system manager is not touched
    moved = dict(every, path_prepend=['/opt/go/bin'])
    seen.run(run_module('go_environment', moved, check_mode=True))
    seen.run(run_module('go_environment', moved), {'env.path': 'next login'})
    with open(paths['profile_path'], 'a') as handle:
        handle.write('# a local note\n')
    seen.run(run_module('go_environment', moved, check_mode=True))
    seen.run(run_module('go_environment', moved), {'env.files': 'next login'})
    # without systemd only login shells are managed: nothing for a manager to re-read
    shells = dict(every, systemd=False, profile_path=str(tmp_path / 'shells' / 'gocompat-go.sh'))
    seen.run(run_module('go_environment', shells), dict((c, 'next login') for c in (
        'env.godebug.netdns', 'env.gotmpdir', 'env.tmpdir', 'env.proxy.http', 'env.proxy.https', 'env.proxy.no_proxy')))
    with open(shells['profile_path'], 'a') as handle:
        handle.write('# a local note\n')
    seen.run(run_module('go_environment', shells), {'env.files': 'next login'})
    with open(paths['systemd_dropin_path'], 'a') as handle:
        handle.write('# a local note\n')
    seen.run(run_module('go_environment', moved), {'env.files': 'systemd re-exec'})


def host_facts_scenarios(run_module, tmp_path, monkeypatch, seen):
    import test_host_facts as TH
    audit = dict((c, 'audit only') for c in ('host.pids_max', 'host.seccomp', 'env.user_goenv'))
    host = TH.make_host(tmp_path / 'a', status='Seccomp:\t2\nSeccomp_filters:\t1\n',
                        files=('/lib/systemd/systemd',), extra={
                            '/etc/systemd/system.conf.d/50-low.conf': '[Manager]\nDefaultTasksMax=512\n',
                            '/sys/fs/cgroup/user.slice/user-1000.slice/pids.max': '700\n',
                            '/proc/self/cgroup': '0::/docker/abc\n', '/sys/fs/cgroup/docker/abc/pids.max': '100\n',
                            '/home/dev/.config/go/env': 'GOTOOLCHAIN=go1.22.0+auto\nGOFLAGS=-mod=vendor\n',
                            '/root/.config/go/env': 'GOPROXY=direct\n'})
    seen.run(run_module('host_facts', {}, host=host), audit)   # cgroup v2: the pids.max files are read
    seen.run(run_module('host_facts', {}, host=TH.make_host(tmp_path / 'c', mounts=TH.HYBRID_MOUNTS)))
    wsl = TH.make_host(tmp_path / 'b', comm='init\n', release='5.15.153.1-microsoft-standard-WSL2\n', mounts=TH.HYBRID_MOUNTS,
                       extra={'/proc/self/cgroup': '0::/\n', '/sys/fs/cgroup/pids.max': '2048\n'})
    seen.run(run_module('host_facts', {}, host=wsl), {'host.systemd': 'audit only', 'host.cgroup_v2': 'audit only'})


def tmpfs_tmp_scenarios(run_module, tmp_path, monkeypatch, seen):
    import tmpfs_tmp_env as E
    import test_tmpfs_tmp as TT
    host = E.make_host(tmp_path / 'a', tmp_mode=0o777)   # /tmp on disk, writable for all without the sticky bit
    seen.run(run_module('tmpfs_tmp', {}, check_mode=True, host=host))
    result = run_module('tmpfs_tmp', {}, host=host)
    assert result['reboot_required'] is False
    seen.run(result, {'tmp.fstype': 'now', 'tmp.options': 'now', 'tmp.owner_mode': 'now', 'tmp.persisted': 'reboot'})
    hidden = E.make_host(tmp_path / 'b', tmp_mode=0o777)   # a mount now would hide files: deferred to the next boot
    hidden.write('/tmp/build.log', 'x')
    result = run_module('tmpfs_tmp', {}, host=hidden)
    assert result['reboot_required'] is True
    seen.run(result, {'tmp.fstype': 'reboot', 'tmp.options': 'reboot', 'tmp.owner_mode': 'reboot'})
    # a tmpfs already is remounted live even with apply_now=never: noexec goes now
    noexec = E.make_host(tmp_path / 'f', mounts=(E.ROOT_LINE, E.tmpfs_line('rw,nosuid,nodev,noexec,relatime')))
    seen.run(run_module('tmpfs_tmp', {'apply_now': 'never'}, host=noexec), {'tmp.go_exec': 'now'})
    seen.run(run_module('tmpfs_tmp', {'apply_now': 'never'}, host=E.make_host(tmp_path / 'c')))
    drift = E.make_host(tmp_path / 'd', mounts=(E.ROOT_LINE, E.tmpfs_line('rw,nosuid,noexec,relatime', 1000000)),
                        tmp_mode=0o777)
    drift.write(TT.FSTAB, TT.MARK + TT.LINE)
    seen.run(run_module('tmpfs_tmp', {}, check_mode=True, host=drift))
    seen.run(run_module('tmpfs_tmp', {}, host=drift), {'tmp.owner_mode': 'now', 'tmp.go_exec': 'now'})
    mode = E.make_host(tmp_path / 'e', mounts=(E.ROOT_LINE, E.tmpfs_line()), tmp_mode=0o777)
    mode.write(TT.FSTAB, TT.MARK + TT.LINE)
    seen.run(run_module('tmpfs_tmp', {}, check_mode=True, host=mode))


def wsl_scenarios(run_module, tmp_path, monkeypatch, seen):
    import test_wsl_conf as TW
    for name in ('WSL_DISTRO_NAME', 'WSL_INTEROP'):
        monkeypatch.delenv(name, raising=False)
    host = TW.make_host(tmp_path / 'a')
    host.write(TW.CONF, '[network]\ngenerateResolvConf=false\n')
    params = {'settings': {'boot': {'systemd': True}, 'interop': {'appendWindowsPath': False},
                           'network': {'generateResolvConf': None}}}
    seen.run(run_module('wsl_conf', params, check_mode=True, host=host))
    restart = 'WSL restart'
    seen.run(run_module('wsl_conf', params, host=host),
             {'wsl.conf.boot.systemd': restart, 'wsl.systemd': restart, 'wsl.conf.interop.appendWindowsPath': restart})
    windows = '/mnt/c/Users/dev/.wslconfig'
    os.makedirs(host.p(os.path.dirname(windows)))
    params = {'path': windows, 'format': 'wslconfig', 'settings': {'wsl2': {'memory': '8GB'}}}
    seen.run(run_module('wsl_conf', params, check_mode=True, host=host))
    seen.run(run_module('wsl_conf', params, host=host), {'wsl.wslconfig.wsl2.memory': restart})
    seen.run(run_module('wsl_conf', TW.SYSTEMD, check_mode=True, host=TW.make_host(tmp_path / 'b', kind='wsl1')))
    plain = TW.make_host(tmp_path / 'c', kind='linux')
    seen.run(run_module('wsl_conf', dict(TW.SYSTEMD, only_on_wsl=True), host=plain), {'wsl.host': 'audit only'})
    # wsl.hosts is the role's own finding (roles/wsl/vars/main.yml), rendered as the role renders it
    import jinja2
    finding = load_yaml('roles', 'wsl', 'vars', 'main.yml')['__wsl_hosts_finding']
    context = {'ansible_check_mode': True, '__wsl_hosts_result': {'changed': True}, 'wsl_hosts_path': '/etc/hosts',
               '__wsl_hosts_lines': ['127.0.0.1\tlocalhost', '::1\tlocalhost']}
    rendered = dict((k, jinja2.Environment().from_string(v).render(context).strip()) for k, v in finding.items())
    seen.findings.append(rendered)
    context['ansible_check_mode'] = False
    fixed = dict((k, jinja2.Environment().from_string(v).render(context).strip()) for k, v in finding.items())
    assert (rendered['status'], fixed['status'], fixed['remediation']) == ('fail', 'fixed', '')
    seen.effects.append(('wsl.hosts', {'changed': True}, 'now'))


def seccomp_profile_scenarios(run_module, tmp_path, monkeypatch, seen):
    import test_seccomp_profile as TP
    host = body(TP.host)(tmp_path)
    seen.run(run_module('seccomp_profile', {'path': TP.PATH}, check_mode=True, host=host))
    seen.run(run_module('seccomp_profile', {'path': TP.PATH}, host=host), {'seccomp.profile': 'next container'})


def seccomp_runtime_scenarios(run_module, tmp_path, monkeypatch, seen):
    import test_seccomp_runtime as TR
    host = body(TR.host)(tmp_path / 'a')
    host.write('/run/docker.pid', '4242\n')
    os.makedirs(host.p('/proc/4242'))   # dockerd runs
    args = dict(profile_path=TR.PROFILE, runtimes=TR.ALL)
    seen.run(run_module('seccomp_runtime', args, check_mode=True, host=host))
    seen.run(run_module('seccomp_runtime', args, host=host), {'seccomp.docker': 'runtime restart',
                                                              'seccomp.podman': 'next container',
                                                              'seccomp.kubelet': 'next container'})
    early = body(TR.host)(tmp_path / 'b')
    os.remove(early.p(TR.PROFILE))   # the role's check mode: the profile is not written yet
    seen.run(run_module('seccomp_runtime', dict(args, runtimes=['kubelet']), check_mode=True, host=early))


def go_probe_scenarios(run_module, tmp_path, monkeypatch, seen):
    import go_probe_env as E
    import test_go_probe as TP
    # every Env first: each builds its Host before run_module replaces the Host class for a call
    broken = E.Env(tmp_path / 'a', override=dict((c, (1, 'go: something went wrong\n')) for c in TP.CHECKS))
    gcc = E.Env(tmp_path / 'b', override={'race': (1, 'go: -race requires cgo; enable cgo by setting CGO_ENABLED=1\n')})
    none = E.Env(tmp_path / 'c')
    seen.run(run_module('go_probe', broken.args(), host=broken.host),
             dict(('probe.%s.1.27.3' % c, 'audit only') for c in TP.CHECKS))
    monkeypatch.setattr(type(gcc.host.run), 'which', lambda self, name: None if name == 'gcc' else '/usr/bin/' + name)
    seen.run(run_module('go_probe', gcc.args(), host=gcc.host))
    seen.run(run_module('go_probe', none.args(sdk_root=str(tmp_path / 'none')), host=none.host), {'probe.sdk': 'audit only'})


SCENARIOS = {'sysctl_guard': sysctl_scenarios, 'kernel_limits': kernel_limits_scenarios, 'go_sdk_install': go_sdk_scenarios,
             'go_environment': go_environment_scenarios, 'host_facts': host_facts_scenarios,
             'tmpfs_tmp': tmpfs_tmp_scenarios, 'wsl_conf': wsl_scenarios, 'seccomp_profile': seccomp_profile_scenarios,
             'seccomp_runtime': seccomp_runtime_scenarios, 'go_probe': go_probe_scenarios}


def test_every_module_has_scenarios():
    assert sorted(SCENARIOS) == MODULES


def test_the_effect_vocabulary_is_documented_and_keyed_right():
    vocabulary = VOCABULARY.findall(catalogue_text())
    assert set(SIGNALS.values()) <= set(vocabulary)
    for module, rows in parse_rows().items():
        for control, row in rows.items():
            assert row.effect, '%s: no takes-effect term' % control
            assert any(not key for _t, key in row.effect) or len(row.effect) == 1, control
            for term, key in row.effect:
                assert term in vocabulary, '%s: %r is not in the documented vocabulary' % (control, term)
                assert not key or SIGNALS.get(key) == term, '%s: %s does not signal %s' % (control, key, term)


def test_the_remediation_matching_rules():
    parts = ['persist <key> in <path> and apply it live', 'persist <key> in <path>', '<where> overrides it']
    assert re.match(parts_regex(parts), 'persist a in /p; /q:3 overrides it')
    assert not re.match(parts_regex(parts), 'persist a in /p; reboot now')
    assert not re.match(parts_regex(parts), 'persist a in /p; /q:3 overrides it ')
    assert not re.match(parts_regex(['write <path> (role)']), 'write /etc/x (another role)')
    assert covers('<where> overrides it', 'persist a in /p; /q:3 overrides it')
    assert not covers('<where> overrides it', 'persist a in /p')
    result = {'not_applied': {'kernel.pid_max': 'Permission denied'}, 'restart_needed': ['docker'], 'changed': True}
    terms = [('now', ''), ('reboot', 'not_applied')]
    assert (effect_of(terms, result, 'kernel.pid_max'), effect_of(terms, result, 'fs.file-max')) == ('reboot', 'now')
    assert effect_of([('runtime restart', 'restart_needed')], result, 'seccomp.docker') == 'runtime restart'
    assert effect_of([('runtime restart', 'restart_needed')], result, 'seccomp.podman') is None


@pytest.mark.parametrize('module', MODULES)
def test_remediation_and_effect_are_what_the_module_emits(module, run_module, tmp_path, monkeypatch):
    rows = parse_rows()[module]
    seen = Seen()
    SCENARIOS[module](run_module, tmp_path, monkeypatch, seen)
    by_row = collections.defaultdict(list)
    for finding in seen.findings:
        documented = row_of(rows, finding['control'])
        assert documented, '%s is emitted but has no row in docs/controls.md' % finding['control']
        by_row[documented].append(finding)
        parts = rows[documented].remediation
        if finding['status'] in ('fail', 'error'):
            assert parts, '%s is documented as never failing but is %s' % (finding['control'], finding['status'])
            assert re.match(parts_regex(parts), finding['remediation']), \
                '%s: the remediation %r is not the documented one' % (finding['control'], finding['remediation'])
    for documented, row in rows.items():
        emitted = by_row.get(documented, [])
        assert emitted, 'no scenario emits %s' % documented
        failed = [f['remediation'] for f in emitted if f['status'] == 'fail']
        for part in row.remediation:
            assert any(covers(part, r) for r in failed), '%s: no scenario emits the documented %r' % (documented, part)
        if not row.remediation:
            assert all(f['status'] in ('pass', 'skip') and not f['remediation'] for f in emitted), documented
    observed = collections.defaultdict(list)
    for control, result, term in seen.effects:
        documented = row_of(rows, control)
        observed[documented].append(term)
        terms = rows[documented].effect
        assert effect_of(terms, result, control) == term, \
            '%s takes effect at %r in this run, documented %s' % (control, term, terms)
        for key in SIGNALS:
            assert not signalled(result, key, control) or any(k == key for _t, k in terms), \
                '%s: the module sets %s, which the row does not name' % (control, key)
        status = dict((f['control'], f['status']) for f in result.get('findings', [])).get(control)
        if term == 'audit only':
            assert result['changed'] is False and status in ('fail', 'skip', None), control
        elif status is not None:
            # fixed, or still fail where the change waits for what the module signals (a reboot, a WSL restart)
            waits = any(key and signalled(result, key, control) for _t, key in terms)
            assert status == 'fixed' or (status == 'fail' and waits), (control, status)
    for documented, row in rows.items():
        # every documented term is seen in a run: a row cannot claim a signal the module never gives
        assert sorted(set(observed[documented])) == sorted(set(t for t, _k in row.effect)), \
            '%s: documented %s, seen %s' % (documented, row.effect, sorted(set(observed[documented])))
