"""Test containers: always `--network none`, SYS_ADMIN and NET_ADMIN (mounts and the container's own
network namespace), seccomp unconfined; with systemd as PID 1 in a private cgroup namespace or with
`sleep infinity`. Every container carries its session's label, so whatever a finalizer missed is removed at
the end of the session."""

import json
import shutil
import subprocess
import uuid

from .paths import HarnessError

IMAGE = 'local/gocompat-debian:%s'
RUN_FLAGS = ('--network', 'none', '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN',
             '--security-opt', 'seccomp=unconfined')
# systemd as PID 1 in a private cgroup namespace; never the host's cgroup tree read-write
SYSTEMD_FLAGS = ('--cgroupns', 'private', '--tmpfs', '/run', '--tmpfs', '/run/lock')
SESSION_LABEL = 'gocompat.test.session=%s' % uuid.uuid4().hex

# What a fingerprint prints for each path under the given ones: sha256, mode and owner of a file, the target
# of a link, the type and mode of anything else.
_FINGERPRINT = r'''
for top in "$@"; do
  [ -e "$top" ] || [ -L "$top" ] || continue
  find "$top" | sort | while read -r p; do
    if [ -L "$p" ]; then printf '%s\tlink -> %s\n' "$p" "$(readlink "$p")"
    elif [ -f "$p" ]; then printf '%s\t%s %s\n' "$p" "$(sha256sum <"$p" | cut -d' ' -f1)" "$(stat -c '%a %u:%g' "$p")"
    else printf '%s\t%s\n' "$p" "$(stat -c '%F %a' "$p")"
    fi
  done
done
'''


# Files into and out of a container as JSON, text that is not UTF-8 kept byte for byte (surrogateescape).
_WRITE_FILES = r'''
import json, os, sys
for path, text in json.load(sys.stdin).items():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as handle:
        handle.write(text.encode('utf-8', 'surrogateescape'))
'''
_READ_FILES = r'''
import json, sys
out = {}
for path in sys.argv[1:]:
    try:
        with open(path, 'rb') as handle:
            out[path] = handle.read().decode('utf-8', 'surrogateescape')
    except FileNotFoundError:
        out[path] = None
print(json.dumps(out))
'''


def docker(*args, **kwargs):
    kwargs.setdefault('timeout', 180)
    return subprocess.run(['docker'] + list(args), capture_output=True, text=True, check=False, **kwargs)


def engine_problem(images=()):
    """Why containers cannot run here (no engine, an image missing), or None."""
    if shutil.which('docker') is None or docker('info').returncode != 0:
        return 'no running Docker engine: bash tests/tools/docker-engine.sh start'
    for image in images:
        if docker('image', 'inspect', image).returncode != 0:
            return 'image %s is missing: bash molecule/images/build.sh %s' % (image, image.rsplit(':', 1)[-1])
    return None


def remove_session_containers(label=SESSION_LABEL):
    left = docker('ps', '-aq', '--filter', 'label=%s' % label).stdout.split()
    if left:
        docker('rm', '-f', *left)
    return left


class Container(object):
    """A running test container and the ways a test looks into it."""

    def __init__(self, name, image, systemd=False):
        self.name = name
        self.image = image
        self.suite = image.rsplit(':', 1)[-1]
        self.systemd = systemd

    def sh(self, script, *args, check=True, stdin=None, workdir=None):
        cmd = ['exec', '-i'] + (['-w', workdir] if workdir else []) + [self.name, 'sh', '-c', script, 'sh']
        proc = docker(*(cmd + list(args)), input=stdin)
        if check and proc.returncode != 0:
            raise AssertionError('in %s: %s\nexit %d\nstdout: %s\nstderr: %s'
                                 % (self.name, script.strip(), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def write_files(self, files):
        """Write ``{path: text}`` in the container (parents created)."""
        if files:
            self.sh('python3 -c "$1"', _WRITE_FILES, stdin=json.dumps(files))

    def read_files(self, paths):
        """``{path: text or None}`` of files in the container."""
        return json.loads(self.sh('python3 -c "$1" "$@"', _READ_FILES, *paths).stdout)

    def read(self, path):
        return self.read_files([path])[path]

    def exists(self, path):
        return self.sh('test -e "$1" || test -L "$1"', path, check=False).returncode == 0

    def fingerprint(self, *paths):
        """{path: 'sha256 mode uid:gid' | 'link -> target' | 'type mode'} of every path under the given ones."""
        out = self.sh(_FINGERPRINT, *paths).stdout
        return dict(line.split('\t', 1) for line in out.splitlines() if line)

    def inventory_line(self):
        return '%s ansible_connection=community.docker.docker ansible_python_interpreter=/usr/bin/python3' % self.name

    def remove(self):
        docker('rm', '-f', self.name)


def start_container(image, prefix, systemd=False, label=SESSION_LABEL):
    """Start a container of ``image`` named (and host-named) ``prefix`` + a random tag. With systemd, wait until
    it has booted.
    Raises HarnessError (the container removed) when it cannot."""
    name = '%s%s' % (prefix, uuid.uuid4().hex[:10])
    cmd = ['run', '-d', '--name', name, '--hostname', name[:60], '--label', label] + list(RUN_FLAGS)
    if systemd:
        cmd += list(SYSTEMD_FLAGS) + [image, '/sbin/init']
    else:
        cmd += [image, 'sleep', 'infinity']
    proc = docker(*cmd)
    container = Container(name, image, systemd)
    if proc.returncode != 0:
        container.remove()
        raise HarnessError('docker run %s failed: %s' % (image, proc.stderr.strip()))
    if systemd:
        # right after the start systemctl cannot reach the manager yet: poll until it says booted
        state = container.sh('for _ in $(seq 180); do s=$(systemctl is-system-running 2>/dev/null); '
                             'case "$s" in running|degraded) break ;; esac; sleep 0.5; done; echo "$s"',
                             check=False).stdout.strip()
        if state not in ('running', 'degraded'):
            container.remove()
            raise HarnessError('systemd in %s did not finish booting: %r' % (name, state))
    return container
