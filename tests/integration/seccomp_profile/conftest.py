"""seccomp_profile on this machine: the module writes profiles into the test's own directory through
ansible-playbook; load_profile.py (run with the system Python, which has Debian's python3-seccomp) loads them
for real; a Go test binary built with -race by an SDK of the test mirror runs under them in the Docker engine."""

import subprocess
import tarfile

import pytest

from harness.fixtures import docker_session  # noqa: F401  # pylint: disable=unused-import

MODULE = 'gocompat.baseline.seccomp_profile'
GO_VERSION = '1.26.5'

GO_MOD = 'module example.com/threads\n\ngo 1.21\n'
GO_TEST = '''package threads

import (
\t"runtime"
\t"sync"
\t"testing"
)

// A goroutine that locks its OS thread makes the runtime start another thread: with cgo, which -race needs,
// through pthread_create, which glibc 2.34+ implements with clone3.
func TestThreadsUnderTheRaceDetector(t *testing.T) {
\tvar wg sync.WaitGroup
\tvar mu sync.Mutex
\ttotal := 0
\tfor i := 0; i < 16; i++ {
\t\twg.Add(1)
\t\tgo func(n int) {
\t\t\tdefer wg.Done()
\t\t\truntime.LockOSThread()
\t\t\tdefer runtime.UnlockOSThread()
\t\t\tmu.Lock()
\t\t\ttotal += n
\t\t\tmu.Unlock()
\t\t}(i)
\t}
\twg.Wait()
\tif total != 120 {
\t\tt.Fatalf("total %d, want 120", total)
\t}
}
'''


@pytest.fixture
def profile(module_runner, tmp_path):
    """profile(**module_args) -> (result, path): one real run of the module writing into tmp_path."""
    runner = module_runner(MODULE)

    def run(name='go-tests.json', check=False, **args):
        path = str(tmp_path / 'seccomp' / name)
        result = runner.run(dict(args, path=path), check=check)
        return result, path
    return run


@pytest.fixture(scope='session')
def race_test_binary(tmp_path_factory, go_mirror):  # pylint: disable=redefined-outer-name
    """A Go test binary built with -race (cgo on) by the Go SDK archive of the test mirror."""
    work = tmp_path_factory.mktemp('seccomp-go')
    with tarfile.open(go_mirror.archive(GO_VERSION)) as archive:
        archive.extractall(str(work))
    module = work / 'mod'
    module.mkdir()
    (module / 'go.mod').write_text(GO_MOD)
    (module / 'threads_test.go').write_text(GO_TEST)
    env = dict(PATH='%s/go/bin:/usr/bin:/bin' % work, HOME=str(work), GOCACHE=str(work / 'cache'),
               GOPATH=str(work / 'gopath'), GOTOOLCHAIN='local', GOPROXY='off', GOFLAGS='-mod=mod', CGO_ENABLED='1')
    proc = subprocess.run(['go', 'test', '-race', '-c', '-o', 'threads.test', '.'], cwd=str(module), env=env,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=600,
                          check=False)
    assert proc.returncode == 0, proc.stdout
    return module / 'threads.test'
