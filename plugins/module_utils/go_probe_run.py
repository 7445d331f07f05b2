# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""go_probe's work: the go command's temp dir, a fresh copy of the embedded module there, the seven checks
run through a command.Runner, and what their output means. Pure helpers (``go_tmpdir``, ``elf_machine``,
``error_lines``, ``likely_cause``, ``judge_*``) are unit-tested without a Go SDK; ``probe_sdk`` runs one SDK."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import posixpath
import re
import shutil
import stat
import time

from ansible_collections.gocompat.baseline.plugins.module_utils import go_probe_source as SRC
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

CHECKS = ('race', 'cross_arm64', 'mod_verify', 'version_match', 'toolchain_local', 'cgo_off', 'modules_required')
EM_AARCH64 = 183
FIRST_LINES = 6
WORK_NAME = re.compile(r'\Agocompat-probe-([0-9]+)-[0-9a-f]{8}\Z')
STALE_AFTER = 600  # seconds: a work dir this old whose process is gone was left by a killed run
BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

EXPECTED = {
    'race': 'go test -race -count=1 -p=4 passes (exec of a child, temp dirs, localhost, many files and goroutines)',
    'cross_arm64': 'GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build gives an ELF binary for AArch64 (e_machine 183)',
    'mod_verify': 'go mod verify: all modules verified',
    'version_match': 'a built binary reports the SDK version (go version -m) and go env GOROOT is the SDK',
    'toolchain_local': 'go env GOTOOLCHAIN is local (from the SDK go.env, no user go env)',
    'cgo_off': 'a package that needs cgo, built with CGO_ENABLED=0, fails: build constraints exclude all Go files',
    'modules_required': 'with GO111MODULE=on outside a module the go command refuses to build (go.mod file not found)',
}


def go_tmpdir(go_env_text, environ):
    """(directory, where it came from): GOTMPDIR from the SDK's go.env, else GOTMPDIR or TMPDIR of the
    environment, else /tmp: the directory the go command builds and runs test binaries in."""
    for line in (go_env_text or '').splitlines():
        key, sep, value = line.strip().partition('=')
        if sep and key == 'GOTMPDIR' and value.startswith('/'):
            return value, 'GOTMPDIR in go.env'
    for name in ('GOTMPDIR', 'TMPDIR'):
        value = environ.get(name, '')
        if value.startswith('/'):
            return value, '%s of the environment' % name
    return '/tmp', 'default'


def elf_machine(head):
    """e_machine of an ELF header (bytes), or None when ``head`` is not ELF."""
    if len(head) < 20 or head[:4] != b'\x7fELF':
        return None
    order = 'little' if head[5:6] == b'\x01' else 'big'
    return int.from_bytes(head[18:20], order)


def error_lines(out, limit=FIRST_LINES):
    """The first meaningful lines of a go command's output, quoted: no `ok` lines, no blank ones."""
    lines = []
    for line in (out or '').splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith('ok ') or stripped.startswith('=== RUN') or stripped == 'PASS':
            continue
        lines.append(quote(stripped, 300))
        if len(lines) == limit:
            break
    return lines


def likely_cause(out, context):
    """What most likely broke a check, from its output and the host: ``context`` has gotmpdir, noexec (the
    mount point when the go temp dir is on a noexec mount), gcc (bool), seccomp (mode) and timeout."""
    text = (out or '').lower()
    if 'did not finish within' in text:
        return 'timed out after %s s (a slow or overloaded host, or a hung test)' % context['timeout']
    if 'permission denied' in text and ('fork/exec' in text or 'exec' in text):
        if context.get('noexec'):
            return 'noexec temp dir: %s is on %s, mounted noexec' % (context['gotmpdir'], context['noexec'])
        return 'permission denied executing from %s' % context['gotmpdir']
    if 'requires cgo' in text or 'c compiler' in text or '"gcc"' in text or 'gcc: not found' in text:
        return 'gcc not installed (-race needs cgo)' if not context.get('gcc') else 'the C compiler failed'
    if 'resource temporarily unavailable' in text or 'pthread_create failed' in text or 'eagain' in text:
        return 'task limit reached (pids.max or TasksMax, see host.pids_max)'
    if 'operation not permitted' in text or 'bad system call' in text or 'sigsys' in text:
        if context.get('seccomp'):
            return 'seccomp filter (Seccomp: %s) blocks a syscall Go needs' % context['seccomp']
        return 'operation not permitted (a seccomp filter or a security module)'
    if 'too many open files' in text:
        return 'open-file limit too low (limits.nofile)'
    if 'toolchain' in text or 'go: downloading' in text:
        return 'the go command wants another toolchain (GOTOOLCHAIN)'
    if 'no such host' in text or 'lookup localhost' in text:
        return 'localhost does not resolve (/etc/hosts, nsswitch.conf)'
    return 'see the first error lines'


def go_env(goroot, work, cache, gotmpdir):
    """The environment of every go command of the probe: this SDK only, no network, a private cache, no
    user go env, no workspace; GOROOT, GOOS and GOARCH emptied so the caller's cannot leak in."""
    return {
        'PATH': posixpath.join(goroot, 'bin') + ':' + BASE_PATH, 'HOME': cache, 'GOTOOLCHAIN': 'local',
        'GOPROXY': 'off', 'GOFLAGS': '-mod=mod', 'GOCACHE': posixpath.join(cache, 'build'),
        'GOPATH': posixpath.join(cache, 'gopath'), 'GOMODCACHE': posixpath.join(cache, 'gopath', 'pkg', 'mod'),
        'GOTMPDIR': gotmpdir, 'TMPDIR': gotmpdir, 'GOENV': 'off', 'GOWORK': 'off', 'GOROOT': '', 'GOOS': '',
        'GOARCH': '', 'GO111MODULE': '', 'CGO_ENABLED': '', 'GOCOMPAT_PROBE_CHILD': '',
    }


class Outcome(object):
    """One check's result: ok, what was seen, the first error lines, the likely cause, the time taken."""

    __slots__ = ('ok', 'actual', 'lines', 'cause', 'seconds')

    def __init__(self, ok, actual, lines=(), cause=''):
        self.ok = ok
        self.actual = actual
        self.lines = list(lines)
        self.cause = cause
        self.seconds = 0.0

    def as_dict(self):
        return {'ok': self.ok, 'actual': self.actual, 'lines': self.lines, 'cause': self.cause,
                'seconds': round(self.seconds, 2)}


def _call(run, argv, env, cwd, timeout):
    """(rc, combined output); a start failure or timeout is rc None with its message as output."""
    try:
        result = run(argv, timeout=timeout, env=env, cwd=cwd, check=False)
    except CommandError as exc:
        return None, str(exc)
    return result.rc, (result.out or '') + (result.err or '')


def _failed(rc, out, context, what):
    lines = error_lines(out)
    return Outcome(False, '%s (exit %s)' % (what, 'none' if rc is None else rc), lines, likely_cause(out, context))


def judge_expected_failure(rc, out, needles, context, what):
    """cgo_off and modules_required: the command must fail, and with the declared message."""
    if rc == 0:
        return Outcome(False, '%s succeeded, the go command did not refuse it' % what, error_lines(out),
                       'the go command accepted what it must refuse (a patched or foreign go?)')
    if rc is not None and any(n in out for n in needles):
        return Outcome(True, 'refused as declared: %s' % error_lines(out, 1)[0] if error_lines(out, 1) else 'refused')
    return _failed(rc, out, context, '%s failed in another way than declared' % what)


def probe_sdk(run, host, sdk, cache, gotmpdir, timeout, context):
    """Run every check for ``sdk`` ({version, goroot}) in a fresh directory under ``gotmpdir``; the directory is
    removed afterwards. Returns {check: Outcome}."""
    go = posixpath.join(sdk['goroot'], 'bin', 'go')
    work = make_workspace(host, gotmpdir)
    try:
        return _checks(run, host, sdk, go, work, cache, gotmpdir, timeout, context)
    finally:
        remove_tree(work)


def stale_workspaces(host, gotmpdir, now=None):
    """Work dirs a killed probe left in ``gotmpdir``: our name, our owner, older than STALE_AFTER, and the
    process that made them no longer runs."""
    now = time.time() if now is None else now
    stale = []
    try:
        names = host.listdir(gotmpdir)
    except OSError:
        return stale
    for name in names:
        found = WORK_NAME.match(name)
        if not found or host.exists('/proc/%s' % found.group(1)):
            continue
        path = posixpath.join(gotmpdir, name)
        try:
            st = host.lstat(path)
        except OSError:
            continue
        if stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid() and now - st.st_mtime > STALE_AFTER:
            stale.append(path)
    return stale


def make_workspace(host, gotmpdir):
    """A fresh directory with the module under ``mod`` and a module-less ``nomod`` (after removing what killed
    runs left behind)."""
    for path in stale_workspaces(host, gotmpdir):
        remove_tree(path)
    work = None
    for attempt in range(20):
        candidate = posixpath.join(gotmpdir, 'gocompat-probe-%d-%s' % (os.getpid(), os.urandom(4).hex()))
        try:
            host.mkdir(candidate, 0o700)
        except OSError:
            if attempt == 19:
                raise
            continue
        work = candidate
        break
    try:
        for relative in sorted(set(posixpath.dirname(p) for p in SRC.FILES) | set([''])):
            for sub in ('mod', 'nomod'):
                path = posixpath.join(work, sub, relative).rstrip('/')
                if not host.isdir(path):
                    _makedirs(host, path)
        for relative, text in SRC.FILES.items():
            host.write_text(posixpath.join(work, 'mod', relative), text)
        host.write_text(posixpath.join(work, 'nomod', 'main.go'), SRC.NOMOD_MAIN)
    except Exception:
        remove_tree(work)
        raise
    return work


def _makedirs(host, path):
    missing = []
    while not host.isdir(path):
        missing.insert(0, path)
        path = posixpath.dirname(path)
    for directory in missing:
        host.mkdir(directory, 0o700)


def remove_tree(path):
    # the work dir holds only our sources and binaries (the module cache, read-only, is in the cache dir)
    shutil.rmtree(path, ignore_errors=True)


def _checks(run, host, sdk, go, work, cache, gotmpdir, timeout, context):
    mod = posixpath.join(work, 'mod')
    env = go_env(sdk['goroot'], work, cache, gotmpdir)
    outcomes = {}

    def timed(name, fn):
        started = time.time()
        outcome = fn()
        outcome.seconds = time.time() - started
        outcomes[name] = outcome

    def race():
        rc, out = _call(run, [go, 'test', '-race', '-count=1', '-p=4', SRC.RACE_PACKAGES], env, mod, timeout)
        if rc == 0:
            passed = len([l for l in out.splitlines() if l.startswith('ok ')])
            return Outcome(True, 'go test -race passed (%d packages)' % passed)
        return _failed(rc, out, context, 'go test -race failed')

    def cross():
        target = posixpath.join(work, 'probe-arm64')
        cross_env = dict(env, GOOS='linux', GOARCH='arm64', CGO_ENABLED='0')
        rc, out = _call(run, [go, 'build', '-o', target, SRC.MAIN_PACKAGE], cross_env, mod, timeout)
        if rc != 0:
            return _failed(rc, out, context, 'cross build failed')
        machine = elf_machine(host.read_bytes(target, limit=1 << 28)[:64])
        if machine != EM_AARCH64:
            return Outcome(False, 'built, but e_machine is %s, not %d (AArch64)' % (machine, EM_AARCH64), [],
                           'GOARCH is overridden (GOFLAGS or a wrapper) or the go command is not this SDK')
        return Outcome(True, 'ELF e_machine %d (AArch64)' % machine)

    def verify():
        rc, out = _call(run, [go, 'mod', 'verify'], env, mod, timeout)
        if rc == 0 and 'all modules verified' in out:
            return Outcome(True, 'all modules verified')
        return _failed(rc, out, context, 'go mod verify failed')

    def version():
        target = posixpath.join(work, 'probe')
        rc, out = _call(run, [go, 'build', '-o', target, SRC.MAIN_PACKAGE], env, mod, timeout)
        if rc != 0:
            return _failed(rc, out, context, 'native build failed')
        rc, out = _call(run, [go, 'version', '-m', target], env, mod, timeout)
        rc_root, root_out = _call(run, [go, 'env', 'GOROOT'], env, mod, timeout)
        if rc != 0 or rc_root != 0:
            return _failed(rc if rc != 0 else rc_root, out + root_out, context, 'go version -m or go env failed')
        built = out.splitlines()[0].rsplit(': ', 1)[-1].strip() if out.strip() else ''
        goroot = root_out.strip()
        actual = 'binary built by %s, go env GOROOT %s' % (quote(built, 60), quote(goroot, 200))
        wrong = []
        if built != sdk['version']:
            wrong.append('the binary says %s, the SDK is %s' % (quote(built, 60), sdk['version']))
        if host.realpath(goroot or '/nonexistent') != host.realpath(sdk['goroot']):
            wrong.append('go env GOROOT is %s, not %s' % (quote(goroot, 200), sdk['goroot']))
        if wrong:
            return Outcome(False, actual, wrong, 'the go binary, its GOROOT and the expected version do not belong '
                                                 'together (a copied bin/go, a stale VERSION, another SDK on PATH)')
        return Outcome(True, actual)

    def toolchain():
        rc, out = _call(run, ['env', '-u', 'GOTOOLCHAIN', go, 'env', 'GOTOOLCHAIN'], env, mod, timeout)
        value = out.strip().splitlines()[-1].strip() if out.strip() else ''
        if rc == 0 and value == 'local':
            return Outcome(True, 'GOTOOLCHAIN=local')
        if rc == 0:
            return Outcome(False, 'GOTOOLCHAIN=%s' % quote(value, 100), [],
                           'the SDK go.env does not pin the toolchain: go_sdk_install sets GOTOOLCHAIN=local there')
        return _failed(rc, out, context, 'go env GOTOOLCHAIN failed')

    def cgo_off():
        rc, out = _call(run, [go, 'build', SRC.CGO_PACKAGE], dict(env, CGO_ENABLED='0'), mod, timeout)
        return judge_expected_failure(rc, out, ('build constraints exclude all Go files',), context,
                                      'CGO_ENABLED=0 build of a cgo package')

    def modules_required():
        rc, out = _call(run, [go, 'build', '.'], dict(env, GO111MODULE='on'), posixpath.join(work, 'nomod'), timeout)
        return judge_expected_failure(rc, out, ('go.mod file not found', 'cannot find main module'), context,
                                      'GO111MODULE=on build outside a module')

    for name, fn in (('toolchain_local', toolchain), ('mod_verify', verify), ('version_match', version),
                     ('cross_arm64', cross), ('cgo_off', cgo_off), ('modules_required', modules_required),
                     ('race', race)):
        timed(name, fn)
    return outcomes
