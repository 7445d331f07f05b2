"""A fleet of network-less test containers reached over real SSH: the ssh connection plugin, ControlPersist,
pipelining and become through sudo work exactly as over a network, with no network at all.

Each host is a harness container (`--network none`). Its sshd runs in inetd mode, one process per connection,
started by the client's ProxyCommand ``docker exec -i <container> /usr/sbin/sshd -i``: the SSH protocol runs
over the pipe of `docker exec`. Every host has an unprivileged user ``deploy`` that logs in with a key pair
generated once per fleet in its work directory and may run anything through sudo without a password; the
host's own ed25519 host key is in the fleet's known_hosts, checked strictly.

    spec = HostSpec(suite='bookworm', systemd=False)
    fleet = start_fleet([spec, ...], prefix='gcfleet-', workdir=path)      # containers start in parallel
    fleet.hosts                  # [FleetHost(name, container, suite, systemd)]; name is the inventory name
    fleet.inventory(path, hosts=None, extra_vars=None, unreachable=())   # YAML inventory, returns its path
    fleet.ssh_env()              # env vars for ansible-playbook: ssh args, ControlPath dir, pipelining
    run_playbook(fleet, inventory, playbook, venv, env=None, ...)        # -> harness.playbook.PlaybookRun
    fleet.logins(host)           # how many times deploy logged in over SSH (sshd's own log in the host)
    fleet.remove()
"""

import collections
import json
import shutil
import subprocess
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import docker as docker_mod
from .paths import HarnessError
from .playbook import execute, playbook_command

USER = 'deploy'
SSHD = '/usr/sbin/sshd'
# sshd -E: every connection appends its log here (there is no syslog in a container without systemd)
SSHD_LOG = '/var/log/gcfleet-sshd.log'
# A unix socket path is at most 108 bytes; ssh adds ".XXXXXXXXXXXXXXXX" to the ControlPath while it binds and
# Ansible names each socket with 10 hex digits: the directory must stay well below that.
MAX_CONTROL_DIR = 64

# Run as root in each container once it is up (stdin: the public key of the fleet). The sudoers line
# `!requiretty` keeps pipelining working whatever a distribution's default is; the host name goes into
# /etc/hosts so sudo does not warn on every call (a container without network has no entry for it).
_PREPARE = r'''
set -e
id deploy >/dev/null 2>&1 || useradd --create-home --shell /bin/bash deploy
usermod -p '*' deploy
install -d -m 700 -o deploy -g deploy /home/deploy/.ssh
cat > /home/deploy/.ssh/authorized_keys
chown deploy:deploy /home/deploy/.ssh/authorized_keys
chmod 600 /home/deploy/.ssh/authorized_keys
printf 'Defaults:deploy !requiretty\ndeploy ALL=(ALL:ALL) NOPASSWD: ALL\n' > /etc/sudoers.d/gcfleet-deploy
chmod 440 /etc/sudoers.d/gcfleet-deploy
visudo -cq
grep -q "[[:space:]]$(hostname)\$" /etc/hosts || printf '127.0.1.1\t%s\n' "$(hostname)" >> /etc/hosts
install -d -m 755 /run/sshd
rm -f /etc/ssh/ssh_host_*key*
ssh-keygen -q -t ed25519 -N '' -C "$(hostname)" -f /etc/ssh/ssh_host_ed25519_key
cat > /etc/ssh/sshd_config.d/gcfleet.conf <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers deploy
EOF
: > "$1"
/usr/sbin/sshd -t
cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub
'''

HostSpec = collections.namedtuple('HostSpec', 'suite systemd')
HostSpec.__new__.__defaults__ = ('bookworm', False)

FleetHost = collections.namedtuple('FleetHost', 'name container suite systemd')


def proxy_command(container_name):
    """The ProxyCommand that runs one sshd in inetd mode in the container for each connection."""
    return 'docker exec -i %s %s -i -E %s' % (container_name, SSHD, SSHD_LOG)


def _control_dir(workdir):
    wanted = Path(workdir) / 'cp'
    if len(str(wanted)) <= MAX_CONTROL_DIR:
        wanted.mkdir(mode=0o700, exist_ok=True)
        return wanted, False
    return Path(tempfile.mkdtemp(prefix='gcfleet-cp-', dir='/tmp')), True


class Fleet(object):
    """Running hosts, the key pair and known_hosts that reach them, and the ControlPath directory."""

    def __init__(self, hosts, workdir, key, known_hosts, control_dir, own_control_dir):
        self.hosts = list(hosts)
        self.workdir = Path(workdir)
        self.key = Path(key)
        self.known_hosts = Path(known_hosts)
        self.control_dir = Path(control_dir)
        self._own_control_dir = own_control_dir

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

    def host(self, name):
        for host in self.hosts:
            if host.name == name:
                return host
        raise KeyError(name)

    def _ssh_common_args(self, name):
        # ProxyCommand per host (the container behind the name); strict host key checking against the
        # fleet's own known_hosts; only the fleet's key is offered.
        return ' '.join([
            "-o 'ProxyCommand=%s'" % proxy_command(name),
            "-o 'UserKnownHostsFile=%s'" % self.known_hosts,
            '-o StrictHostKeyChecking=yes',
            '-o IdentitiesOnly=yes',
        ])

    def inventory(self, path, hosts=None, extra_vars=None, unreachable=(), become=True):
        """Write a YAML inventory of ``hosts`` (default: all, FleetHosts or names) plus the ``unreachable``
        names (their ProxyCommand names a container that does not exist), return its path.

        become=True: every host has ansible_become (sudo); 'play': only ``gocompat_become: true`` in the
        group vars, the README's fleet example (the playbooks' play keyword then asks for become).
        extra_vars go into the group vars of `all`."""
        chosen = self.hosts if hosts is None else [self.host(h) if isinstance(h, str) else h for h in hosts]
        entries = {}
        for name in [h.name for h in chosen] + list(unreachable):
            entry = {
                'ansible_host': name,
                'ansible_connection': 'ansible.builtin.ssh',
                'ansible_user': USER,
                'ansible_ssh_private_key_file': str(self.key),
                'ansible_ssh_common_args': self._ssh_common_args(name),
                'ansible_python_interpreter': '/usr/bin/python3',
            }
            if become is True:
                entry.update(ansible_become=True, ansible_become_method='ansible.builtin.sudo')
            entries[name] = entry
        group_vars = dict(extra_vars or {})
        if become:
            group_vars['gocompat_become'] = True
        path = Path(path)
        # JSON is YAML: no YAML library needed on the controller
        path.write_text(json.dumps({'all': {'hosts': entries, 'vars': group_vars}}, indent=2, sort_keys=True))
        return path

    def ssh_env(self, control_persist='60s', pipelining=True, compression=False, extra_ssh_args=()):
        """Environment for ansible-playbook: the ssh connection's settings, meant to be varied (bench).
        control_persist None or '' turns connection sharing off."""
        args = []
        if compression:
            args.append('-C')
        if control_persist:
            args += ['-o', 'ControlMaster=auto', '-o', 'ControlPersist=%s' % control_persist]
        else:
            args += ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']
        args += ['-o', 'BatchMode=yes', '-o', 'ServerAliveInterval=15'] + list(extra_ssh_args)
        return {
            'ANSIBLE_SSH_ARGS': ' '.join(args),
            'ANSIBLE_SSH_CONTROL_PATH_DIR': str(self.control_dir),
            'ANSIBLE_PIPELINING': 'True' if pipelining else 'False',
            # the fleet's known_hosts is checked (StrictHostKeyChecking in each host's ssh args)
            'ANSIBLE_HOST_KEY_CHECKING': 'True',
            'ANSIBLE_SSH_RETRIES': '0',
            'ANSIBLE_TIMEOUT': '30',
        }

    def ssh(self, host, command, timeout=60):
        """Run ``command`` on ``host`` as deploy over the same SSH path (no connection sharing)."""
        name = host if isinstance(host, str) else host.name
        cmd = ['ssh', '-i', str(self.key), '-o', 'BatchMode=yes', '-o', 'ProxyCommand=%s' % proxy_command(name),
               '-o', 'UserKnownHostsFile=%s' % self.known_hosts, '-o', 'StrictHostKeyChecking=yes',
               '-o', 'IdentitiesOnly=yes', '-o', 'ControlPath=none', '%s@%s' % (USER, name), command]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)

    def logins(self, host):
        """Public-key logins of deploy recorded by the host's sshd so far."""
        name = host if isinstance(host, str) else host.name
        text = self.host(name).container.read(SSHD_LOG) or ''
        return text.count('Accepted publickey for %s ' % USER)

    def control_sockets(self):
        return sorted(p for p in self.control_dir.iterdir() if p.is_socket()) if self.control_dir.exists() else []

    def close_connections(self):
        """Stop the ControlPersist masters of this fleet (they would otherwise outlive the run by their
        persist time)."""
        for sock in self.control_sockets():
            subprocess.run(['ssh', '-o', 'ControlPath=%s' % sock, '-O', 'exit', 'fleet'], capture_output=True,
                           timeout=30, check=False)

    def remove(self):
        self.close_connections()
        with ThreadPoolExecutor(max_workers=max(1, min(16, len(self.hosts)))) as pool:
            list(pool.map(lambda h: h.container.remove(), self.hosts))
        if self._own_control_dir:
            shutil.rmtree(str(self.control_dir), ignore_errors=True)


def _prepare(container, public_key):
    proc = container.sh(_PREPARE, SSHD_LOG, check=False, stdin=public_key)
    if proc.returncode != 0:
        raise HarnessError('preparing sshd/deploy in %s failed (exit %d): %s%s'
                           % (container.name, proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout.strip().splitlines()[-1]


def start_fleet(specs, prefix='gcfleet-', workdir=None, image=None, label=docker_mod.SESSION_LABEL, workers=16):
    """Start one container per HostSpec in parallel (threads), prepare deploy, sudo and sshd in each, and
    return a Fleet. ``image`` overrides local/gocompat-debian:<suite> (a format string with %s, or a name).
    Raises HarnessError with every container of the attempt removed when any host cannot be started."""
    specs = [s if isinstance(s, HostSpec) else HostSpec(*s) for s in specs]
    workdir = Path(workdir or tempfile.mkdtemp(prefix='gcfleet-'))
    workdir.mkdir(parents=True, exist_ok=True)
    key = workdir / 'id_ed25519'
    if not key.exists():
        proc = subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', 'gcfleet-%s' % uuid.uuid4().hex[:8],
                               '-f', str(key)], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise HarnessError('ssh-keygen failed (is openssh-client installed?): %s' % proc.stderr.strip())
    public_key = (workdir / 'id_ed25519.pub').read_text()

    def start(spec):
        wanted = image or docker_mod.IMAGE
        wanted = wanted % spec.suite if '%s' in wanted else wanted
        name_prefix = '%s%s-%s-' % (prefix, spec.suite, 'sd' if spec.systemd else 'nosd')
        container = docker_mod.start_container(wanted, name_prefix, systemd=spec.systemd, label=label)
        try:
            host_key = _prepare(container, public_key)
        except Exception:
            container.remove()
            raise
        return FleetHost(container.name, container, spec.suite, spec.systemd), host_key

    started = time.time()
    results, errors = [], []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(specs)))) as pool:
        for future in [pool.submit(start, spec) for spec in specs]:
            try:
                results.append(future.result())
            except Exception as exc:  # pylint: disable=broad-except
                errors.append(exc)
    if errors:
        for host, _key in results:
            host.container.remove()
        raise HarnessError('fleet start failed: %s' % '; '.join(str(e) for e in errors))
    known_hosts = workdir / 'known_hosts'
    known_hosts.write_text(''.join('%s %s\n' % (host.name, host_key) for host, host_key in results))
    control_dir, own = _control_dir(workdir)
    fleet = Fleet([host for host, _key in results], workdir, key, known_hosts, control_dir, own)
    fleet.start_seconds = time.time() - started
    return fleet


def run_playbook(fleet, inventory, playbook, venv, env=None, extra_vars=None, check=False, diff=False, tags=None,
                 skip_tags=None, forks=None, tag=None, timeout=900):
    """ansible-playbook ``playbook`` (a path, or a name under playbooks/) over ``inventory`` (Fleet.inventory)
    from ``venv``, with the fleet's ssh settings (``fleet.ssh_env()`` unless ``env`` gives others) plus
    ``env``'s other entries. The report callback writes to <workdir>/report-<tag> unless env sets
    GOCOMPAT_REPORT_DIR. Returns a PlaybookRun (rc, stdout, recap per host, seconds)."""
    tag = tag or uuid.uuid4().hex[:8]
    cmd = playbook_command(venv, playbook, inventory, fleet.workdir, tag, extra_vars=extra_vars, check=check, diff=diff,
                           tags=tags, skip_tags=skip_tags, forks=forks)
    settings = fleet.ssh_env()
    # the report of the run stays in the fleet's work directory, never in the checkout
    settings['GOCOMPAT_REPORT_DIR'] = str(Path(fleet.workdir) / ('report-%s' % tag))
    settings.update(env or {})
    return execute(cmd, venv, timeout=timeout, **settings)


__all__ = ['HostSpec', 'FleetHost', 'Fleet', 'start_fleet', 'run_playbook', 'proxy_command', 'USER', 'SSHD_LOG']
