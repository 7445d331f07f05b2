"""The harness's pytest fixtures. A layer's conftest.py imports the ones its tests use, for example
``from harness.fixtures import container, docker_session  # noqa: F401``.

  docker_session   (session) fails when there is no engine; removes the session's leftover containers
  container        factory: container(suite='bookworm', systemd=False, prefix=None) -> Container, removed after
                   the test
  go_mirror        (session) the shared Go mirror built from the cache and served on 127.0.0.1 (its index reset
                   after the session)
  own_go_mirror    factory (session scope): own_go_mirror(versions) -> Mirror with an index of its own over
                   the shared archives, so another layer's index changes do not reach it
  module_runner    factory: module_runner(fqcn, target=None, venv=None) -> ModuleRunner (localhost or a Container)
  private_mounts   the mountns module (run, tmpfs, argv) for tests that mount
  sysctl_snapshot  saves this machine's kernel parameters before the test, restores them after
"""

import contextlib
import os

import pytest

from . import docker as docker_mod
from . import mirror as mirror_mod
from . import mountns
from . import sysctl
from .paths import HarnessError
from .run_module import ModuleRunner

CONTAINER_PREFIX = os.environ.get('GOCOMPAT_CONTAINER_PREFIX', 'gocompat-test-')
_PRESENT_IMAGES = set()  # checked once per session


@pytest.fixture(scope='session')
def docker_session():
    problem = docker_mod.engine_problem()
    if problem:
        pytest.fail('these tests need containers: %s' % problem)
    yield
    docker_mod.remove_session_containers()


@pytest.fixture
def container(request, docker_session):  # pylint: disable=redefined-outer-name,unused-argument
    """Factory: a fresh network-less container of local/gocompat-debian:<suite>, removed when the test ends."""

    def start(suite='bookworm', systemd=False, prefix=None, image=None):
        image = image or docker_mod.IMAGE % suite
        if image not in _PRESENT_IMAGES:
            problem = docker_mod.engine_problem([image])
            if problem:
                pytest.fail(problem)
            _PRESENT_IMAGES.add(image)
        try:
            made = docker_mod.start_container(image, prefix or '%s%s-' % (CONTAINER_PREFIX, suite), systemd=systemd)
        except HarnessError as exc:
            pytest.fail(str(exc))
        request.addfinalizer(made.remove)
        return made

    return start


@pytest.fixture(scope='session')
def go_mirror(tmp_path_factory):
    """The shared mirror (tests/run.sh builds it; here it is built or re-hashed when needed), served for the
    session. Tests that change its index put it back; it is reset to INDEX_VERSIONS at the end anyway."""
    try:
        mirror_mod.build()
        pidfile = tmp_path_factory.mktemp('go-mirror-pid') / 'serve.pid'
        with mirror_mod.serve(mirror_mod.SHARED_DIR, pidfile) as port:
            try:
                yield mirror_mod.Mirror(mirror_mod.SHARED_DIR, port, mirror_mod.INDEX_VERSIONS)
            finally:
                mirror_mod.build()
    except HarnessError as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope='session')
def own_go_mirror(tmp_path_factory):
    """Factory: own_go_mirror(versions) -> a Mirror serving an index of ``versions`` only, over the archives of
    the shared mirror, until the session ends."""
    with contextlib.ExitStack() as stack:

        def make(versions):
            try:
                mirror_mod.build()
                directory = mirror_mod.own_index(tmp_path_factory.mktemp('go-mirror'), versions)
                port = stack.enter_context(mirror_mod.serve(directory, directory / 'serve.pid'))
            except HarnessError as exc:
                pytest.fail(str(exc))
            return mirror_mod.Mirror(directory, port, versions)

        yield make


@pytest.fixture
def module_runner(tmp_path):
    """Factory: module_runner('gocompat.baseline.<module>', target=None, venv=None) -> ModuleRunner, with this
    test's own work directory."""
    count = [0]

    def make(module, target=None, venv=None):
        count[0] += 1
        workdir = tmp_path / ('runner-%d' % count[0])
        workdir.mkdir()
        return ModuleRunner(module, workdir, target, venv)

    return make


@pytest.fixture
def private_mounts():
    return mountns


@pytest.fixture
def sysctl_snapshot(tmp_path):
    path = tmp_path / 'sysctl-snapshot.json'
    sysctl.save(path)
    yield path
    print(sysctl.restore(path))
