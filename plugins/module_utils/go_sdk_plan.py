# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_sdk_install's options, host reading and plan.

``validate_options`` checks every option without touching anything; ``read_state`` reads the host
through a module_base.Host and resolves versions through a Source, turning every host condition that
forbids a change (a directory at ``link``, a missing ``bin_dir``, a file at ``root`` ...) into a
refusal before anything is done; ``plan_*`` are pure: they return a module_base.Plan whose steps call
an ``ops`` object (go_sdk_source.Operations, or a fake in tests) and can each be undone.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import re
import stat

from ansible_collections.gocompat.baseline.plugins.module_utils import findings as F
from ansible_collections.gocompat.baseline.plugins.module_utils.fileio import FileRefused
from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io as io
from ansible_collections.gocompat.baseline.plugins.module_utils.go_env_file import (
    normalize_value,
    set_go_env,
    validate_key,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.go_versions import (
    KIND_EXACT,
    go_arch,
    parse_request,
    version_key,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import NOOP, ModuleFailure, Plan
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

_SHA256_RE = re.compile(r'^[0-9a-fA-F]{64}\Z')
_ARCH_RE = re.compile(r'^[a-z0-9_]+\Z')
PATH_OPTIONS = ('root', 'link', 'bin_dir', 'fetch_only')


# --- validate: options only, nothing read ------------------------------------------------------------

def validate_options(params, machine):
    """The options, checked and normalised; ModuleFailure naming the option otherwise.
    ``machine`` is platform.machine(), used when arch is auto."""
    o = dict(params)
    for requested in o['versions']:
        try:
            parse_request(requested)
        except ValueError as exc:
            raise ModuleFailure('versions: %s' % exc)
    if o['default'] and o['default'] not in o['versions']:
        raise ModuleFailure('default: %s is not one of versions (%s)' % (o['default'], ', '.join(o['versions'])))
    for name in PATH_OPTIONS:
        if o.get(name):
            if not os.path.isabs(o[name]):
                raise ModuleFailure('%s: %s is not an absolute path' % (name, quote(o[name])))
            o[name] = os.path.normpath(o[name])
    root = o['root']
    if not root or root == '/':
        raise ModuleFailure('root: %r cannot hold the SDKs; give a directory of their own such as /usr/local/lib/go'
                            % (root or ''))
    for name in ('link', 'bin_dir'):
        path = o.get(name)
        if path and (path == root or path.startswith(root + '/') or root.startswith(path + '/')):
            raise ModuleFailure('%s: %s must lie outside root %s (and not contain it)' % (name, path, root))
    o['checksums'] = exact_keys(o['checksums'], 'checksums', _check_sha256)
    o['archives'] = exact_keys(o['archives'], 'archives', _check_archive_path)
    o['go_env'] = checked_go_env(o['go_env'])
    if o['arch'] == 'auto':
        try:
            o['arch'] = go_arch(machine)
        except ValueError as exc:
            raise ModuleFailure('arch: %s' % exc)
    elif not _ARCH_RE.match(o['arch']):
        raise ModuleFailure('arch: %s is not a Go architecture name (amd64, arm64, 386, armv6l ...)' % quote(o['arch']))
    if not re.match(r'^https?://[^/\s]+', o['mirror']):
        raise ModuleFailure('mirror: %s is not an http:// or https:// URL' % quote(o['mirror']))
    if o['timeout'] <= 0:
        raise ModuleFailure('timeout: %d is not a positive number of seconds' % o['timeout'])
    return o


def exact_keys(mapping, option, check_value):
    """A {version: value} option with its keys spelled as go.dev does (go1.27.3)."""
    result = {}
    for key, value in mapping.items():
        try:
            request = parse_request(str(key))
        except ValueError as exc:
            raise ModuleFailure('%s: %s' % (option, exc))
        if request.kind != KIND_EXACT:
            raise ModuleFailure('%s: %s is not an exact version (like 1.27.3)' % (option, key))
        problem = check_value(value)
        if problem:
            raise ModuleFailure('%s: the value for %s %s' % (option, key, problem))
        result[request.version.name] = value.lower() if option == 'checksums' else value
    return result


def _check_sha256(value):
    if not isinstance(value, str):
        return 'is %s %s, not a string: quote the sha256 (64 hex digits)' % (type(value).__name__, quote(repr(value), 80))
    if not _SHA256_RE.match(value):
        return 'is %s, not a sha256 (64 hex digits)' % quote(value, 80)
    return None


def _check_archive_path(value):
    if not isinstance(value, str) or not value or not os.path.isabs(value):
        return 'is %s, not an absolute path' % quote(repr(value), 80)
    return None


def checked_go_env(settings):
    """{key: text or None}: None removes the key from go.env; GODEBUG/GOENV, booleans, lists and
    multi-line values are refused here, before anything is downloaded."""
    wanted = {}
    for key, value in settings.items():
        error = validate_key(key)
        if error:
            raise ModuleFailure('go_env: %s' % error)
        try:
            wanted[key] = normalize_value(key, value)
        except ValueError as exc:
            raise ModuleFailure('go_env: %s' % exc)
    return wanted


# --- read: the host, through module_base.Host -------------------------------------------------------

def read_state(host, o, source):
    """What the plan needs, read through ``host``; versions resolved through ``source`` only when the
    host allows a change at all (a refusal costs no network request)."""
    st = {'problems': [], 'installed': {}, 'markers': {}, 'go_env': {}, 'link': None, 'commands': {},
          'leftovers': [], 'resolved': [], 'fetch': {}, 'root_exists': False}
    if o['fetch_only']:
        _read_fetch_target(host, o, st)
    else:
        _read_root(host, o, st)
        _read_link_and_commands(host, o, st)
    if st['problems']:
        return st
    st['resolved'] = [(r,) + source.resolve(r) for r in o['versions']]
    if o['fetch_only']:
        for _requested, version, entry in st['resolved']:
            path = os.path.join(o['fetch_only'], source.filename(version))
            expected, _size = source.expected(version, entry)
            have = _is_regular(host, path) and io.sha256_file(path) == expected
            st['fetch'][version] = (path, expected, have)
    elif o['state'] == 'present':
        for _requested, version, _entry in st['resolved']:
            if version in st['installed']:
                st['go_env'][version] = host.read_text(os.path.join(st['installed'][version], 'go.env')) or ''
        missing = [v for _r, v, _e in st['resolved'] if v not in st['installed']]
        for version in missing:
            path = o['archives'].get(version)
            if path is not None:
                _check_host_archive(host, path, version, st['problems'])
    return st


def _is_regular(host, path):
    try:
        return stat.S_ISREG(host.stat(path).st_mode)
    except OSError:
        return False


def _first_existing(host, path):
    while path != '/' and not host.exists(path):
        path = os.path.dirname(path)
    return path


def _read_fetch_target(host, o, st):
    dest = o['fetch_only']
    existing = _first_existing(host, dest)
    if not host.isdir(existing):
        st['problems'].append('fetch_only: %s is not a directory; give a directory for the archives' % existing)


def _read_root(host, o, st):
    root = o['root']
    existing = _first_existing(host, root)
    if not host.isdir(existing):
        st['problems'].append('root: %s is not a directory; move it away or choose another root' % existing)
        return
    if existing != root:
        return
    st['root_exists'] = True
    lock = os.path.join(root, io.LOCK_NAME)
    if host.kind(lock) not in ('absent', 'file'):
        st['problems'].append('root: the install lock %s is not a regular file; remove it' % lock)
    names = host.listdir(root)
    st['leftovers'] = io.staging_leftovers(root, names)
    for name in names:
        goroot = os.path.join(root, name)
        if name.startswith('go') and host.kind(goroot) == 'dir':
            marker = _read_marker(host, goroot)
            if marker and marker.get('version') == name:
                st['installed'][name] = goroot
                st['markers'][name] = marker


def _read_marker(host, goroot):
    """The SDK's marker through the host; None when absent or not a JSON object (not ours)."""
    try:
        marker = json.loads(host.read_text(os.path.join(goroot, io.MARKER_NAME)) or 'null')
    except (ValueError, FileRefused):
        return None
    return marker if isinstance(marker, dict) else None


def _read_link_and_commands(host, o, st):
    link, bin_dir, present = o['link'], o['bin_dir'], o['state'] == 'present'
    if link:
        kind = host.kind(link)
        st['link'] = host.readlink(link) if kind == 'link' else None
        if present and o['default'] and kind in ('file', 'dir', 'other'):
            st['problems'].append(
                'link: %s is %s, not a symlink (an SDK installed by hand?); move it away, e.g. mv %s %s.manual, '
                'or set link to another path' % (link, 'a directory' if kind == 'dir' else 'a file', link, link))
        elif present and o['default'] and not host.isdir(os.path.dirname(link)):
            st['problems'].append('link: the directory %s does not exist; create it or set link to another path'
                                  % os.path.dirname(link))
    if not bin_dir:
        return
    if not host.isdir(bin_dir):
        if present:
            st['problems'].append('bin_dir: %s is not a directory; create it, or set bin_dir to an empty string '
                                  'for no commands' % bin_dir)
        return
    for name in host.listdir(bin_dir):
        if name.startswith('go'):
            path = os.path.join(bin_dir, name)
            kind = host.kind(path)
            st['commands'][name] = host.readlink(path) if kind == 'link' else kind
            if present and o['default'] and name in ('go', 'gofmt') and kind != 'link':
                st['problems'].append(_foreign_command(path, kind))


def _foreign_command(path, kind):
    return 'bin_dir: %s is a %s, not a command link of this module; move it away' % (
        path, 'directory' if kind == 'dir' else 'file')


def _check_host_archive(host, path, version, problems):
    if not _is_regular(host, path):
        problems.append('archives: %s for %s is not a regular file on the host' % (path, version))
        return
    if path.endswith('.whl'):
        if _head(path) != b'PK\x03\x04':
            problems.append('archives: %s for %s is named .whl but is not a wheel (zip)' % (path, version))


def _head(path):
    with open(path, 'rb') as handle:
        return handle.read(4)


# --- plan: pure ---------------------------------------------------------------------------------------

def command_links(bin_dir, link, versions, default):
    """{command path: target} for goX.Y.Z, goX.Y (newest installed patch) and go/gofmt of the default."""
    if not bin_dir:
        return {}
    links = {}
    newest_minor = {}
    for version, goroot in sorted(versions.items(), key=lambda item: version_key(item[0])):
        links[os.path.join(bin_dir, version)] = os.path.join(goroot, 'bin', 'go')
        newest_minor['.'.join(version.split('.')[:2])] = goroot
    for minor, goroot in newest_minor.items():
        links[os.path.join(bin_dir, minor)] = os.path.join(goroot, 'bin', 'go')
    if default:
        base = link or versions[default]
        links[os.path.join(bin_dir, 'go')] = os.path.join(base, 'bin', 'go')
        links[os.path.join(bin_dir, 'gofmt')] = os.path.join(base, 'bin', 'gofmt')
    return links


def stale_command_links(bin_dir, prune, installed, commands, current):
    """Command links that point into pruned SDKs and are not re-pointed elsewhere."""
    stale = []
    if not bin_dir:
        return stale
    for version in prune:
        goroot = installed[version]
        for name in (version, '.'.join(version.split('.')[:2])):
            path = os.path.join(bin_dir, name)
            target = current.get(name)
            if isinstance(target, str) and target.startswith(goroot + '/') and path not in commands:
                stale.append(path)
    return stale


def _base_result():
    return {'installed': [], 'added': [], 'removed': [], 'default': None, 'go_env_changed': {}, 'checksums': {},
            'removed_links': [], 'network_requests': 0}


def plan(o, st, check_mode, ops, requests=0):
    """The Plan for validated options ``o`` and host state ``st``."""
    the_plan = Plan()
    the_plan.result = _base_result()
    the_plan.result['network_requests'] = requests
    the_plan.refusals.extend(st['problems'])
    the_plan.controls = {}   # step key -> control ids it fixes, for finish()
    the_plan.halted = None   # the error of a partly failed install (see _install_step)
    the_plan.ops = ops       # for finish()
    if st['problems']:
        return the_plan
    if o['fetch_only']:
        return plan_fetch(the_plan, o, st, ops)
    if o['state'] == 'absent':
        return plan_absent(the_plan, o, st, check_mode, ops)
    return plan_present(the_plan, o, st, check_mode, ops)


def _add(the_plan, what, do, undo, key, controls):
    def guarded():
        if the_plan.halted is not None:
            return NOOP  # an earlier install failed: change nothing more
        return do()
    the_plan.add_step(what, guarded, undo, key)
    the_plan.controls[key] = controls


def plan_present(the_plan, o, st, check_mode, ops):
    root, link, bin_dir = o['root'], o['link'], o['bin_dir']
    installed, resolved, result = st['installed'], st['resolved'], the_plan.result
    wanted = {}
    for requested, version, entry in resolved:
        wanted.setdefault(version, (requested, entry))
    missing = sorted((v for v in wanted if v not in installed), key=version_key)
    default_version = next((v for r, v, _e in resolved if r == o['default']), None) if o['default'] else None
    prune = sorted((v for v in installed if v not in wanted and v != default_version), key=version_key) \
        if o['prune'] else []
    final_roots = dict((v, os.path.join(root, v)) for v in wanted)
    result.update(added=list(missing), removed=list(prune), default=default_version)
    sdk_controls = ['go.sdk.%s' % r for r, v, _e in resolved if v in missing]
    env_controls = ['go.toolchain_local'] if o['go_env'].get('GOTOOLCHAIN') is not None else []

    if missing:
        items = [(wanted[v][0], v, wanted[v][1]) for v in missing]
        for version in missing:
            the_plan.add_diff(final_roots[version], '', 'SDK %s\n' % version,
                              before_header='%s (absent)' % final_roots[version])
        _add(the_plan, 'install %s into %s' % (', '.join(missing), root), *_install_step(the_plan, ops, items),
             key='install', controls=sdk_controls + env_controls)
        if st['leftovers']:
            the_plan.warnings.append('removing leftovers of an interrupted run in %s: %s'
                                     % (root, ', '.join(st['leftovers'])))

    env_fix = set()
    for version in sorted(wanted, key=version_key):
        if version in installed:
            path = os.path.join(installed[version], 'go.env')
            before = st['go_env'][version]
            after, changed = set_go_env(before, o['go_env'])
            if changed:
                result['go_env_changed'][version] = changed
                env_fix.add(version)
                the_plan.add_diff(path, before, after)
                _add(the_plan, 'rewrite %s' % path, *_env_step(ops, path, o['go_env']), key='env:' + version,
                     controls=env_controls or ['go.sdk.%s' % wanted[version][0]])

    keep = dict((v, g) for v, g in list(installed.items()) + list(final_roots.items()) if v not in prune)
    commands = command_links(bin_dir, link, keep, default_version)
    current = st['commands']
    foreign = sorted(p for p in commands if current.get(os.path.basename(p)) in ('file', 'dir', 'other'))
    for path in foreign:
        the_plan.refusals.append(_foreign_command(path, current[os.path.basename(path)]))
    stale = stale_command_links(bin_dir, prune, installed, commands, current)
    for path in stale:
        the_plan.add_diff(path, '%s -> %s\n' % (path, current[os.path.basename(path)]), '')
        _add(the_plan, 'remove %s' % path, *_remove_link_step(ops, path, current[os.path.basename(path)]),
             key='stale:' + path, controls=['go.pruned'])
    switches = {}
    for path, target in commands.items():
        old = current.get(os.path.basename(path))
        if old != target:
            switches[path] = (old, target)
    link_target = final_roots.get(default_version)
    if link and link_target and st['link'] != link_target:
        switches[link] = (st['link'], link_target)
    # A command link belongs to the finding of the SDK it runs; go and gofmt (and the link) to go.default.
    by_version = dict((v, ['go.sdk.%s' % r for r, v2, _e in resolved if v2 == v]) for v in keep)
    link_controls = {}
    for path, (old, new) in sorted(switches.items()):
        if path == link or os.path.basename(path) in ('go', 'gofmt'):
            controls = ['go.default']
        else:
            controls = _owner(by_version, resolved, os.path.basename(os.path.dirname(os.path.dirname(new))),
                              default_version)
        for control in controls:
            link_controls.setdefault(control, []).append(path)
        the_plan.add_diff(path, '%s -> %s\n' % (path, old) if old else '', '%s -> %s\n' % (path, new))
        _add(the_plan, 'point %s at %s' % (path, new), *_link_step(ops, path, new), key='link:' + path,
             controls=controls)
    for version in prune:
        goroot = installed[version]
        the_plan.add_diff(goroot, 'SDK %s\n' % version, '')
        _add(the_plan, 'remove %s' % goroot, *_prune_step(the_plan, ops, version, goroot), key='prune:' + version,
             controls=['go.pruned'])

    for requested, version, _entry in resolved:
        marker = st['markers'].get(version) or {}
        result['checksums'].setdefault(version, marker.get('sha256'))
        result['installed'].append({'version': version, 'goroot': final_roots[version],
                                    'sha256': marker.get('sha256'), 'requested': requested})
        control = 'go.sdk.%s' % requested
        links = link_controls.get(control, [])
        if version in missing:
            actual, fix, source = 'not installed', 'install %s into %s' % (version, root), ''
        else:
            actual, source = 'installed', final_roots[version]
            fix = 'point %s at %s' % (', '.join(links), version) if links else ''
            if links:
                actual += '; command links to change: %s' % ', '.join(links)
            if version in env_fix and not env_controls:
                actual += '; go.env to rewrite'
                fix = (fix + '; ' if fix else '') + 'write go_env into %s/go.env' % final_roots[version]
        the_plan.add_finding(control, F.status_for_change(bool(fix), check_mode), version, actual, source, fix)
    if default_version:
        links = link_controls.get('go.default', [])
        wanted_link = '%s -> %s' % (link, link_target) if link else 'go and gofmt -> %s' % default_version
        the_plan.add_finding('go.default', F.status_for_change(bool(links), check_mode), wanted_link,
                             '%s -> %s' % (link, st['link']) if link else 'as wanted' if not links else
                             'to change: %s' % ', '.join(links), link if link and st['link'] else '',
                             'point %s at %s' % (', '.join(links), default_version) if links else '')
    if env_controls:
        rewrite = sorted(result['go_env_changed'], key=version_key)
        need = bool(rewrite or missing)
        the_plan.add_finding('go.toolchain_local', F.status_for_change(need, check_mode),
                             'GOTOOLCHAIN=%s in every managed go.env' % o['go_env']['GOTOOLCHAIN'],
                             'to rewrite: %s' % ', '.join(rewrite) if rewrite else
                             ('as wanted' if not missing else 'SDKs missing: %s' % ', '.join(missing)),
                             root if st['root_exists'] else '',
                             'write go_env into the go.env of every managed SDK' if need else '')
    if o['prune']:
        prune_need = bool(prune or stale)
        the_plan.add_finding('go.pruned', F.status_for_change(prune_need, check_mode),
                             'only the listed SDKs and the default under %s' % root,
                             'also installed: %s' % ', '.join(prune) if prune else 'as wanted',
                             root if st['root_exists'] else '',
                             'remove %s' % ', '.join(prune + stale) if prune_need else '')
    return the_plan


def _owner(by_version, resolved, version, default_version):
    """The finding a command link of ``version`` counts in: that SDK's, else one of the same minor
    release, else go.default (so that no planned change goes without a finding)."""
    minor = '.'.join(version.split('.')[:2])
    same_minor = ['go.sdk.%s' % r for r, v, _e in resolved if '.'.join(v.split('.')[:2]) == minor]
    fallback = ['go.default'] if default_version else ['go.sdk.%s' % r for r, _v, _e in resolved[:1]]
    return by_version.get(version) or same_minor or fallback


def plan_absent(the_plan, o, st, check_mode, ops):
    link, bin_dir, installed = o['link'], o['bin_dir'], st['installed']
    doomed = sorted(set(v for _r, v, _e in st['resolved'] if v in installed), key=version_key)
    links = []
    for version in doomed:
        goroot = installed[version]
        if link and st['link'] == goroot:
            links.append((link, st['link']))
        for name, target in sorted(st['commands'].items()):
            if isinstance(target, str) and (target.startswith(goroot + '/') or (
                    link and target.startswith(link + '/') and st['link'] == goroot)):
                links.append((os.path.join(bin_dir, name), target))
    links = sorted(set(links))
    for path, target in links:
        the_plan.add_diff(path, '%s -> %s\n' % (path, target), '')
        _add(the_plan, 'remove %s' % path, *_remove_link_step(ops, path, target), key='unlink:' + path,
             controls=['go.sdk.%s' % r for r, v, _e in st['resolved'] if v in doomed])
    for version in doomed:
        _add(the_plan, 'remove %s' % installed[version], *_prune_step(the_plan, ops, version, installed[version]),
             key='prune:' + version, controls=['go.sdk.%s' % r for r, v, _e in st['resolved'] if v == version])
        the_plan.add_diff(installed[version], 'SDK %s\n' % version, '')
    the_plan.result.update(removed=doomed, removed_links=[p for p, _t in links])
    for requested, version, _entry in st['resolved']:
        need = version in doomed
        goroot = os.path.join(o['root'], version)
        the_plan.add_finding('go.sdk.%s' % requested, F.status_for_change(need, check_mode), 'absent',
                             'installed' if need else 'absent', goroot if need else '',
                             'remove %s' % goroot if need else '')
    return the_plan


def plan_fetch(the_plan, o, st, ops):
    """Controller side of fleet delivery: verified archives in one directory, nothing installed."""
    archives, checksums, fetched, resolved = {}, {}, [], {}
    for requested, version, entry in st['resolved']:
        resolved[requested] = version
        path, expected, have = st['fetch'][version]
        archives[version], checksums[version] = path, expected
        if not have and version not in fetched:
            fetched.append(version)
            the_plan.add_diff(path, '', 'archive %s (sha256 %s)\n' % (os.path.basename(path), expected))
            _add(the_plan, 'download %s into %s' % (version, o['fetch_only']),
                 *_fetch_step(ops, version, entry, path), key='fetch:' + version, controls=[])
    the_plan.result.update(archives=archives, checksums=checksums, fetched=fetched, resolved=resolved)
    return the_plan


# --- steps: each a (do, undo) pair over ``ops`` -------------------------------------------------------

def _install_step(the_plan, ops, items):
    """Installs every missing SDK (in parallel). When some of them fail and others are in place, the
    step counts as done (those stay, complete), every later step is skipped (links are switched only
    when every SDK is in place) and finish() reports the failure."""
    done = {}

    def do():
        ops.lock()
        present = ops.installed()
        todo = [item for item in items if item[1] not in present]
        the_plan.result['added'] = [item[1] for item in todo]
        if not todo:
            return NOOP
        try:
            done.update(ops.install_many(todo))
        except ModuleFailure as exc:
            done.update(getattr(exc, 'installed', None) or {})
            if not done:
                raise
            the_plan.halted = exc
        the_plan.result['added'] = sorted(done, key=version_key)
        _record_checksums(the_plan.result, done)
        return None

    def undo():
        for version in sorted(done, key=version_key):
            ops.discard(ops.set_aside(os.path.join(ops.root, version)))
    return do, undo


def _record_checksums(result, done):
    result['checksums'].update(done)
    for entry in result['installed']:
        if entry['version'] in done:
            entry['sha256'] = done[entry['version']]


def _env_step(ops, path, settings):
    saved = {}

    def do():
        ops.lock()
        current = ops.read_text(path) or ''
        after, changed = set_go_env(current, settings)
        if not changed:
            return NOOP
        saved['snapshot'] = ops.snapshot(path)
        ops.write_text(path, after)
        return None

    def undo():
        if 'snapshot' in saved:
            ops.restore(path, saved['snapshot'])
    return do, undo


def _link_step(ops, path, target):
    saved = {}

    def do():
        ops.lock()
        if ops.readlink(path) == target:
            return NOOP
        saved['snapshot'] = ops.snapshot(path)
        ops.symlink(target, path)
        return None

    def undo():
        if 'snapshot' in saved:
            ops.restore(path, saved['snapshot'])
    return do, undo


def _remove_link_step(ops, path, target):
    saved = {}

    def do():
        ops.lock()
        if ops.readlink(path) != target:
            return NOOP
        saved['snapshot'] = ops.snapshot(path)
        ops.remove(path)
        return None

    def undo():
        if 'snapshot' in saved:
            ops.restore(path, saved['snapshot'])
    return do, undo


def _prune_step(the_plan, ops, version, goroot):
    saved = {}

    def do():
        ops.lock()
        if version not in ops.installed():
            return NOOP
        saved['doomed'] = ops.set_aside(goroot)
        ops.doomed.append(saved['doomed'])
        return None

    def undo():
        if 'doomed' in saved:
            ops.doomed.remove(saved['doomed'])
            ops.put_back(saved['doomed'], goroot)
    return do, undo


def _fetch_step(ops, version, entry, path):
    def do():
        ops.fetch(version, entry, path)

    def undo():
        ops.remove(path)
    return do, undo


# --- finish: what really happened ---------------------------------------------------------------------

def finish(the_plan, outcomes, ops):
    """After a real run: release the lock, delete what was set aside, and report as ``pass`` what
    another run had already done while this one waited (its steps found nothing left to do)."""
    ops.release()
    for doomed in list(ops.doomed):
        ops.discard(doomed)
    if the_plan.halted is not None:
        installed = set(the_plan.result['added'])
        for finding in the_plan.findings:
            ok = finding['control'] in ['go.sdk.%s' % e['requested'] for e in the_plan.result['installed']
                                        if e['version'] in installed]
            if finding['status'] == F.FIXED and not ok:
                finding['status'] = F.FAIL
        the_plan.result['network_requests'] = ops.requests()
        raise the_plan.halted
    done_controls, noop_controls = set(), set()
    for key, (outcome, _reason) in outcomes.items():
        target = done_controls if outcome != NOOP else noop_controls
        target.update(the_plan.controls.get(key, ()))
    result = the_plan.result
    for finding in the_plan.findings:
        control = finding['control']
        if finding['status'] == F.FIXED and control in noop_controls and control not in done_controls:
            finding['status'] = F.PASS
            finding['remediation'] = ''
    result['removed'] = [k.split(':', 1)[1] for k, (o, _r) in sorted(outcomes.items())
                         if k.startswith('prune:') and o != NOOP]
    result['removed'].sort(key=version_key)
    if 'removed_links' in result:
        result['removed_links'] = [p for p in result['removed_links'] if outcomes.get('unlink:' + p, ('', ''))[0] != NOOP]
    if 'fetched' in result:
        result['fetched'] = [v for v in result['fetched'] if outcomes.get('fetch:' + v, ('', ''))[0] != NOOP]
    result['network_requests'] = ops.requests()
