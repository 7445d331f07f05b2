# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Fleet benchmark driver (started by bench/fleet/run.sh, which checks the prerequisites).

How the work grows with the number of hosts, over real SSH with become (tests/harness/fleet.py: network-less
containers, sshd in inetd mode through a `docker exec` ProxyCommand, user deploy with sudo), forks = hosts:

- fleet: for each size (1, 4, 16 hosts), a fresh fleet; playbooks/harden.yml first run, then rounds of one
  ping task, the harden re-run (no change) and playbooks/audit.yml (check mode), order rotated per round;
- connection settings (at 4 hosts): the harden re-run with pipelining and ControlPersist on and off;
- kernel (at the largest size): the kernel role's sysctl step (one sysctl_guard call for every key) against
  ansible.posix.sysctl one task per key, converge then re-runs, on the same hosts;
- sdk (at the largest size): the go_sdk role with go_sdk_delivery controller against direct (every host
  downloading through its own pipe to the one mirror, bench/fleet/relay.py), into roots of their own.

Per run: wall time of ansible-playbook, task time and per-task times (bench/callback_plugins/task_clock.py),
CPU of the controller (ansible-playbook and everything it starts: ssh, the ProxyCommand's docker client, the
ControlPersist masters, in a cpuacct cgroup of its own), CPU of the hosts (their containers' cgroups), the
mirror requests (the mirror's request log), and the report callback's host states. SSH masters are closed
after every run, so each run starts cold as a separately scheduled run does.
"""

from __future__ import absolute_import, division, print_function

import argparse
import datetime
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)  # the shared benchlib
sys.path.insert(0, os.path.join(ROOT, 'tests'))  # the test harness (harness.fleet, harness.mirror)

from benchlib import (BenchError, Interrupted, ansible_env, docker, install_signal_handlers, loadavg, log,  # noqa: E402
                      machine, markdown_table, median, ratio, runs_on_host, spread, tail)
from harness import fleet as fleet_mod  # noqa: E402
from harness import mirror as mirror_mod  # noqa: E402
from harness.paths import HarnessError  # noqa: E402

import yaml  # noqa: E402

COLLECTIONS = os.path.join(ROOT, '.build', 'collections')
CONFIG = os.path.join(HERE, 'ansible.cfg')
PLAYBOOKS = {
    'ping': os.path.join(HERE, 'playbooks', 'ping.yml'),
    'harden': os.path.join(ROOT, 'playbooks', 'harden.yml'),
    'audit': os.path.join(ROOT, 'playbooks', 'audit.yml'),
    'kernel': os.path.join(HERE, 'playbooks', 'kernel.yml'),
    'go_sdk': os.path.join(HERE, 'playbooks', 'go_sdk.yml'),
}
ANCHOR_TEMPLATE = os.path.join(BENCH, 'playbooks', 'anchor.yml.j2')  # the sysctl benchmark's anchor, shared
KEYS_FILE = os.path.join(BENCH, 'keys.yml')
ANCHOR_FILE = '/etc/sysctl.d/90-anchor.conf'
OURS_FILE = '/etc/sysctl.d/90-gocompat-baseline.conf'
VERSIONS = ['1.26.5', '1.27.3']  # what the mirror serves; the plays ask for 1.26 and 1.27 (the role default)
RELAY_PORT = 18080
RELAY_SOCKET = '/var/lib/gcbench-relay/mirror.sock'
RELAY_SCRIPT = '/var/lib/gcbench-relay/relay.py'
CGROUP_ROOT = '/sys/fs/cgroup/cpuacct'
PLAYBOOK_TIMEOUT = 1500
REPORT_CALLBACK = 'gocompat.baseline.gocompat_report'


# -- CPU accounting ------------------------------------------------------------------------------------------

class Meter(object):
    """CPU time of the controller (a cpuacct cgroup holding ansible-playbook and every process it starts, the
    ControlPersist masters included) and of the hosts (their containers' cpuacct cgroups)."""

    def __init__(self, run_id):
        self.path = os.path.join(CGROUP_ROOT, 'gcbench-%s' % run_id)
        try:
            os.mkdir(self.path)
        except OSError as exc:
            raise BenchError('cannot create the controller cgroup %s: %s' % (self.path, exc))
        self._ids = {}

    def wrap(self, cmd):
        """``cmd`` started inside the controller cgroup."""
        return ['sh', '-c', 'echo $$ > "$0" && exec "$@"', os.path.join(self.path, 'cgroup.procs')] + list(cmd)

    def controller(self):
        with open(os.path.join(self.path, 'cpuacct.usage')) as handle:
            return int(handle.read()) / 1e9

    def hosts(self, containers):
        total = 0
        for name in containers:
            if name not in self._ids:
                self._ids[name] = docker('inspect', '--format', '{{.Id}}', name).stdout.strip()
            try:
                with open(os.path.join(CGROUP_ROOT, 'docker', self._ids[name], 'cpuacct.usage')) as handle:
                    total += int(handle.read())
            except (OSError, ValueError):
                raise BenchError('no cpuacct cgroup for container %s (cgroup v1 with the cgroupfs driver expected)'
                                 % name)
        return total / 1e9

    def leftovers(self):
        with open(os.path.join(self.path, 'cgroup.procs')) as handle:
            return [int(pid) for pid in handle.read().split()]

    def close_masters(self, wait=5.0):
        """Stop what the last run left running in the cgroup (the ssh ControlPersist masters and their
        ProxyCommands): processes this driver started, each by its id."""
        pids = self.leftovers()
        for pid in pids:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        deadline = time.time() + wait
        while self.leftovers() and time.time() < deadline:
            time.sleep(0.05)
        for pid in self.leftovers():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return len(pids)

    def remove(self):
        self.close_masters()
        for dummy in range(50):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)


# -- the mirror and its request log ----------------------------------------------------------------------------

class Mirror(object):
    """The test mirror (tests/harness/mirror.py): an index of VERSIONS of its own over the shared archives,
    served on 127.0.0.1 while the benchmark runs; requests counted from its log."""

    def __init__(self, workdir):
        mirror_mod.build()
        self.dir = mirror_mod.own_index(Path(_mkdir(os.path.join(workdir, 'mirror'))), VERSIONS)
        self.pidfile = os.path.join(workdir, 'mirror', 'serve.pid')
        self._serving = mirror_mod.serve(self.dir, self.pidfile)
        self.port = self._serving.__enter__()
        self.url = 'http://127.0.0.1:%d/dl/' % self.port
        self.log_path = self.pidfile + '.log'

    def offset(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def requests(self, offset):
        """{'index': n, 'archives': n, 'other': n} of the GET/HEAD requests logged after ``offset``."""
        counts = {'index': 0, 'archives': 0, 'other': 0}
        with open(self.log_path, 'rb') as handle:
            handle.seek(offset)
            for line in handle.read().decode('utf-8', 'replace').splitlines():
                if '"GET ' not in line and '"HEAD ' not in line:
                    continue
                path = line.split('"', 2)[1].split(' ')[1]
                if path.endswith('.tar.gz'):
                    counts['archives'] += 1
                elif path.startswith('/dl/'):
                    counts['index'] += 1
                else:
                    counts['other'] += 1
        return counts

    def stop(self):
        self._serving.__exit__(None, None, None)


def _mkdir(path):
    os.makedirs(path)
    return path


# -- one fleet and the runs on it ------------------------------------------------------------------------------

class Fleet(object):

    def __init__(self, bench, size):
        self.bench = bench
        self.size = size
        self.workdir = _mkdir(os.path.join(bench.workdir, 'fleet-%d' % size))
        started = time.perf_counter()
        specs = [fleet_mod.HostSpec(suite=bench.args.suite, systemd=False) for dummy in range(size)]
        self.fleet = None
        self.fleet = fleet_mod.start_fleet(specs, prefix='gcbench-%s-' % bench.run_id, workdir=self.workdir)
        self.start_seconds = round(time.perf_counter() - started, 3)
        self.names = [host.name for host in self.fleet.hosts]
        self.containers = [host.container.name for host in self.fleet.hosts]
        self.inventory = str(self.fleet.inventory(os.path.join(self.workdir, 'inventory.yml')))
        self.relay = None

    def remove(self):
        if self.relay is not None:
            self.relay.terminate()
            try:
                self.relay.wait(10)
            except subprocess.TimeoutExpired:
                self.relay.kill()
            self.relay = None
        if self.fleet is not None:
            self.fleet.remove()
            self.fleet = None

    def exec_all(self, script, *args):
        """Run ``script`` as root in every container (set-up and checks, never timed)."""
        out = {}
        for host in self.fleet.hosts:
            proc = docker('exec', '-i', host.container.name, 'sh', '-c', script, 'sh', *args)
            if proc.returncode != 0:
                raise BenchError('in %s: %s: exit %d: %s'
                                 % (host.container.name, script, proc.returncode, proc.stderr.strip()))
            out[host.name] = proc.stdout
        return out

    def start_relay(self):
        """The per-host pipe to the mirror for go_sdk_delivery direct (bench/fleet/relay.py)."""
        source = open(os.path.join(HERE, 'relay.py')).read()
        sockets = []
        for host in self.fleet.hosts:
            name = host.container.name
            host.container.write_files({RELAY_SCRIPT: source})
            pid = docker('inspect', '--format', '{{.State.Pid}}', name).stdout.strip()
            sockets.append('/proc/%s/root%s' % (pid, RELAY_SOCKET))
        self.relay = subprocess.Popen([sys.executable, os.path.join(HERE, 'relay.py'), 'host',
                                       '--to', '127.0.0.1:%d' % self.bench.mirror.port] + sockets,
                                      stdout=subprocess.PIPE, universal_newlines=True)
        line = self.relay.stdout.readline()
        if not line.startswith('relay:'):
            raise BenchError('the host side of the relay did not start: %r' % line)
        for host in self.fleet.hosts:
            proc = docker('exec', '-d', host.container.name, 'python3', RELAY_SCRIPT, 'container',
                          '--port', str(RELAY_PORT), '--socket', RELAY_SOCKET)
            if proc.returncode != 0:
                raise BenchError('relay in %s: %s' % (host.container.name, proc.stderr.strip()))
        probe = ('import time, urllib.request\n'
                 'for _ in range(100):\n'
                 '    try:\n'
                 '        urllib.request.urlopen("http://127.0.0.1:%d/dl/index.json", timeout=5).read(); break\n'
                 '    except Exception:\n'
                 '        time.sleep(0.1)\n'
                 'else:\n'
                 '    raise SystemExit("the mirror does not answer through the relay")\n' % RELAY_PORT)
        self.exec_all('python3 -c "$1"', probe)

    def relay_cpu(self):
        if self.relay is None:
            return 0.0
        try:
            with open('/proc/%d/stat' % self.relay.pid) as handle:
                fields = handle.read().rsplit(')', 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')
        except (OSError, ValueError, IndexError):
            return None


class Bench(object):

    def __init__(self, args):
        self.args = args
        self.run_id = args.run_id
        self.workdir = args.workdir
        self.meter = Meter(self.run_id)
        self.mirror = None
        self.counter = 0
        self.samples = []
        self.venv = os.path.realpath(args.venv)
        self.keys = yaml.safe_load(open(KEYS_FILE))['bench_keys'][:args.keys]

    def base_vars(self, fleet, name):
        return {
            'gocompat_become': True,
            'go_sdk_delivery': 'controller',
            'go_sdk_mirror': self.mirror.url,
            # a controller cache of its own per fleet: the first harden downloads, as on a new controller
            'go_sdk_controller_dir': os.path.join(fleet.workdir, 'go-archives-%s' % name),
            'go_sdk_versions': ['1.26', '1.27'],
            'go_sdk_default': '1.27',
            'go_sdk_env': {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off'},
            # containers cannot raise the hard open-file limit above the engine's (20000 here)
            'kernel_nofile_soft': 16384,
            'kernel_nofile_hard': 20000,
        }

    def env(self, fleet, clock_file, report_dir, pipelining=True, control_persist=True):
        # the harness's ssh settings (ControlPersist 60s, or no connection sharing at all)
        extra = fleet.fleet.ssh_env(control_persist='60s' if control_persist else None, pipelining=pipelining)
        extra.update({
            'ANSIBLE_FORKS': str(fleet.size),
            'ANSIBLE_CALLBACKS_ENABLED': 'task_clock,%s' % REPORT_CALLBACK,
            'GOCOMPAT_REPORT_DIR': report_dir,
            'BENCH_TASK_CLOCK_FILE': clock_file,
            'no_proxy': '127.0.0.1,localhost', 'NO_PROXY': '127.0.0.1,localhost',
            'PATH': '%s/bin:%s' % (self.venv, os.environ.get('PATH', '/usr/bin:/bin')),
        })
        return ansible_env(CONFIG, COLLECTIONS, **extra)

    def play(self, fleet, kind, playbook, expect, extra_vars=None, check=False, tags=None, skip_tags=None,
             pipelining=True, control_persist=True, record=True, **labels):
        """Run one playbook on the whole fleet; check the outcome; return (and record) its sample."""
        self.counter += 1
        tag = '%03d-%dh-%s' % (self.counter, fleet.size, kind)
        clock_file = os.path.join(self.workdir, 'clock-%s.json' % tag)
        report_dir = os.path.join(self.workdir, 'report-%s' % tag)
        log_path = os.path.join(self.workdir, 'log-%s.txt' % tag)
        cmd = [os.path.join(self.venv, 'bin', 'ansible-playbook'), '-i', fleet.inventory, playbook]
        if extra_vars is not None:
            vars_file = os.path.join(self.workdir, 'vars-%s.json' % tag)
            with open(vars_file, 'w') as handle:
                json.dump(extra_vars, handle)
            cmd += ['-e', '@%s' % vars_file]
        if check:
            cmd.append('--check')
        if tags:
            cmd += ['--tags', tags]
        if skip_tags:
            cmd += ['--skip-tags', skip_tags]
        env = self.env(fleet, clock_file, report_dir, pipelining, control_persist)
        offset = self.mirror.offset()
        load = loadavg()
        controller0, hosts0, relay0 = self.meter.controller(), self.meter.hosts(fleet.containers), fleet.relay_cpu()
        started = time.perf_counter()
        proc = subprocess.run(self.meter.wrap(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              universal_newlines=True, env=env, cwd=fleet.workdir, timeout=PLAYBOOK_TIMEOUT,
                              check=False)
        seconds = time.perf_counter() - started
        controller1, hosts1, relay1 = self.meter.controller(), self.meter.hosts(fleet.containers), fleet.relay_cpu()
        masters = self.meter.close_masters()
        with open(log_path, 'w') as handle:
            handle.write('$ %s\n%s' % (' '.join(cmd), proc.stdout))
        clock = None
        try:
            with open(clock_file) as handle:
                clock = json.load(handle)
        except (OSError, ValueError):
            pass
        if clock is None or clock.get('task_seconds') is None:
            raise BenchError('%s: no task clock (exit %d); log %s:\n%s'
                             % (tag, proc.returncode, log_path, tail(log_path, 30)))
        sample = dict(labels, kind=kind, hosts=fleet.size, rc=proc.returncode, load=load,
                      process_seconds=round(seconds, 3), task_seconds=round(clock['task_seconds'], 3),
                      controller_cpu=round(controller1 - controller0, 3), hosts_cpu=round(hosts1 - hosts0, 3),
                      mirror=self.mirror.requests(offset), tasks=len(clock['tasks']), masters_closed=masters,
                      pipelining=pipelining, control_persist=control_persist,
                      per_task=[{'name': t['name'], 'action': t['action'], 'role': t.get('role'),
                                 'seconds': t['seconds'], 'status': t['status'], 'module_calls': t['module_calls']}
                                for t in clock['tasks']])
        if relay0 is not None and relay1 is not None and fleet.relay is not None:
            sample['relay_cpu'] = round(relay1 - relay0, 3)
        recap = clock['hosts']
        sample['changed_hosts'] = sum(1 for name in fleet.names if recap.get(name, {}).get('changed'))
        sample['failed_hosts'] = sorted(name for name in fleet.names if recap.get(name, {}).get('failures'))
        sample['unreachable_hosts'] = sorted(name for name in fleet.names if recap.get(name, {}).get('unreachable'))
        sample['report'] = report_states(report_dir)
        problems = []
        missing = sorted(set(fleet.names) - set(recap))
        if missing:
            problems.append('hosts missing from the recap: %s' % ', '.join(missing))
        if sample['unreachable_hosts']:
            problems.append('unreachable: %s' % ', '.join(sample['unreachable_hosts']))
        if expect in ('changed', 'no-change', 'ok') and (proc.returncode != 0 or sample['failed_hosts']):
            problems.append('exit %d, failed hosts %s' % (proc.returncode, sample['failed_hosts']))
        if expect == 'changed' and sample['changed_hosts'] != fleet.size:
            problems.append('%d of %d hosts changed, expected all' % (sample['changed_hosts'], fleet.size))
        if expect == 'no-change' and sample['changed_hosts']:
            problems.append('%d hosts changed, expected none' % sample['changed_hosts'])
        if problems:
            raise BenchError('%s: %s (log %s):\n%s' % (tag, '; '.join(problems), log_path, tail(log_path, 40)))
        if record:
            self.samples.append(sample)
        return sample

    # -- the parts -------------------------------------------------------------------------------------------

    def first_run(self, fleet, harden_skip):
        first = self.play(fleet, 'harden_first', PLAYBOOKS['harden'], 'changed', self.base_vars(fleet, 'harden'),
                          skip_tags=harden_skip)
        log('  %2d hosts  harden first  %7.2fs (task %.2fs), controller cpu %.1fs, hosts cpu %.1fs, mirror %s'
            % (fleet.size, first['process_seconds'], first['task_seconds'], first['controller_cpu'],
               first['hosts_cpu'], first['mirror']))

    def rounds(self, fleets, harden_skip):
        """Every fleet size in every round, sizes and kinds rotated, so load that comes and goes while the
        benchmark runs hits every size alike (the paired ratios compare sizes within one round)."""
        kinds = ['ping', 'harden_rerun', 'audit']
        for index in range(self.args.runs):
            sizes = fleets[index % len(fleets):] + fleets[:index % len(fleets)]
            for fleet in sizes:
                order = kinds[index % 3:] + kinds[:index % 3]
                line = []
                for kind in order:
                    if kind == 'ping':
                        sample = self.play(fleet, 'ping', PLAYBOOKS['ping'], 'ok', round=index + 1)
                    elif kind == 'harden_rerun':
                        sample = self.play(fleet, 'harden_rerun', PLAYBOOKS['harden'], 'no-change',
                                           self.base_vars(fleet, 'harden'), skip_tags=harden_skip, round=index + 1)
                    else:
                        sample = self.play(fleet, 'audit', PLAYBOOKS['audit'], 'any', self.base_vars(fleet, 'harden'),
                                           skip_tags=harden_skip, round=index + 1)
                    line.append('%s %.2fs' % (kind, sample['process_seconds']))
                log('  %2d hosts  round %d/%d: %s (load %s)'
                    % (fleet.size, index + 1, self.args.runs, ', '.join(line), loadavg()))

    def connection_runs(self, fleet, harden_skip):
        variants = [(True, True), (False, True), (True, False), (False, False)]
        for index in range(self.args.connection_runs):
            order = variants if index % 2 == 0 else list(reversed(variants))
            line = []
            for pipelining, persist in order:
                sample = self.play(fleet, 'connection', PLAYBOOKS['harden'], 'no-change',
                                   self.base_vars(fleet, 'harden'), skip_tags=harden_skip, pipelining=pipelining,
                                   control_persist=persist, round=index + 1)
                line.append('pipelining %s/ControlPersist %s %.2fs' % ('on' if pipelining else 'off',
                                                                       'on' if persist else 'off',
                                                                       sample['process_seconds']))
            log('  %2d hosts  connection round %d/%d: %s' % (fleet.size, index + 1, self.args.connection_runs,
                                                             ', '.join(line)))

    def kernel_runs(self, fleet):
        """sysctl_guard (the kernel role's sysctl step) against ansible.posix.sysctl per key, same hosts."""
        import jinja2
        template = jinja2.Template(open(ANCHOR_TEMPLATE).read(), keep_trailing_newline=True, trim_blocks=True,
                                   lstrip_blocks=True)
        anchor = os.path.join(self.workdir, 'anchor-%d.yml' % len(self.keys))
        with open(anchor, 'w') as handle:
            handle.write(template.render(keys=self.keys))
        names = [item['key'] for item in self.keys]
        # network-namespace keys only (bench/keys.yml): writable once /proc/sys is, and private to each container
        fleet.exec_all('mount -o remount,bind,rw /proc/sys')
        try:
            before = fleet.exec_all('sysctl -n "$@"', *names)
            for name, out in before.items():
                same = [k for k, v in zip(self.keys, out.splitlines()) if _norm(v) == _norm(k['value'])]
                if same:
                    raise BenchError('%s already has the target of %s' % (name, ', '.join(k['key'] for k in same)))
            plays = {'ours': (PLAYBOOKS['kernel'], {'bench_keys': self.keys}), 'anchor': (anchor, None)}
            for side in ('ours', 'anchor'):
                playbook, variables = plays[side]
                sample = self.play(fleet, 'kernel_converge', playbook, 'changed', variables, side=side)
                self.check_sysctl(fleet, OURS_FILE if side == 'ours' else ANCHOR_FILE)
                log('  %2d hosts  kernel %-6s converge %6.2fs (task %.2fs), %d tasks'
                    % (fleet.size, side, sample['process_seconds'], sample['task_seconds'], sample['tasks']))
            for index in range(self.args.runs):
                order = ('ours', 'anchor') if index % 2 == 0 else ('anchor', 'ours')
                line = []
                for side in order:
                    playbook, variables = plays[side]
                    sample = self.play(fleet, 'kernel_rerun', playbook, 'no-change', variables, side=side,
                                       round=index + 1)
                    line.append('%s %.2fs (task %.2fs)' % (side, sample['process_seconds'], sample['task_seconds']))
                log('  %2d hosts  kernel re-run %d/%d: %s' % (fleet.size, index + 1, self.args.runs, ', '.join(line)))
        finally:
            fleet.exec_all('mount -o remount,bind,ro /proc/sys')

    def check_sysctl(self, fleet, path):
        wanted = dict((item['key'], _norm(item['value'])) for item in self.keys)
        live = fleet.exec_all('sysctl -n "$@"', *list(wanted))
        files = fleet.exec_all('cat "$1"', path)
        for name in fleet.names:
            values = dict(zip(wanted, (_norm(v) for v in live[name].splitlines())))
            persisted = {}
            for line in files[name].splitlines():
                if '=' in line and not line.lstrip().startswith(('#', ';')):
                    key, value = line.split('=', 1)
                    persisted[key.strip()] = _norm(value)
            wrong = [k for k in wanted if values.get(k) != wanted[k] or persisted.get(k) != wanted[k]]
            if wrong:
                raise BenchError('%s: %s not set live and in %s' % (name, ', '.join(wrong), path))

    def sdk_runs(self, fleet):
        """go_sdk role, delivery controller against direct, each into a root of its own (nothing deleted)."""
        fleet.start_relay()
        order = ('controller', 'direct') if not self.args.sdk_direct_first else ('direct', 'controller')
        for side in order:
            base = '/opt/gcbench-%s' % side
            variables = dict(self.base_vars(fleet, 'sdk-%s' % side), go_sdk_delivery=side,
                             go_sdk_root=base + '/sdk', go_sdk_link=base + '/go', go_sdk_bin_dir=base + '/bin',
                             go_sdk_host_archive_dir=base + '/archives')
            fleet.exec_all('install -d -m 755 "$1" "$1/bin"', base)  # the link's and the commands' directories
            if side == 'direct':
                variables['go_sdk_mirror'] = 'http://127.0.0.1:%d/dl/' % RELAY_PORT
            sample = self.play(fleet, 'sdk_first', PLAYBOOKS['go_sdk'], 'changed', variables, side=side)
            versions = fleet.exec_all('"$1/go1.26.5/bin/go" env GOVERSION && "$1/go1.27.3/bin/go" env GOVERSION',
                                      base + '/sdk')
            bad = sorted(name for name, out in versions.items() if out.split() != ['go1.26.5', 'go1.27.3'])
            if bad:
                raise BenchError('SDKs (%s) not installed on %s: %s' % (side, ', '.join(bad), versions[bad[0]]))
            log('  %2d hosts  go_sdk %-10s %7.2fs (task %.2fs), mirror %s, controller cpu %.1fs, hosts cpu %.1fs%s'
                % (fleet.size, side, sample['process_seconds'], sample['task_seconds'], sample['mirror'],
                   sample['controller_cpu'], sample['hosts_cpu'],
                   ', relay cpu %.1fs' % sample['relay_cpu'] if 'relay_cpu' in sample else ''))
            rerun = self.play(fleet, 'sdk_rerun', PLAYBOOKS['go_sdk'], 'no-change', variables, side=side)
            log('  %2d hosts  go_sdk %-10s re-run %6.2fs, mirror %s'
                % (fleet.size, side, rerun['process_seconds'], rerun['mirror']))


def _norm(value):
    return ' '.join(str(value).split())


def report_states(report_dir):
    try:
        with open(os.path.join(report_dir, 'gocompat-report.json')) as handle:
            report = json.load(handle)
    except (OSError, ValueError):
        return None
    return {'hosts': len(report.get('hosts', {})), 'host_states': report['summary']['host_states']}


# -- summary --------------------------------------------------------------------------------------------------

METRICS = ('process_seconds', 'task_seconds', 'controller_cpu', 'hosts_cpu')


def with_spreads(row, chosen):
    """``row`` with the median, min and max of every metric over the samples ``chosen``."""
    for metric in METRICS:
        row[metric], row[metric + '_min'], row[metric + '_max'] = spread(s[metric] for s in chosen)
    return row


def summarise(samples, sizes):
    out = {'fleet': [], 'per_task': {}, 'connection': [], 'kernel': [], 'sdk': []}
    smallest = {}
    for kind in ('harden_first', 'harden_rerun', 'audit', 'ping'):
        for size in sizes:
            chosen = [s for s in samples if s['kind'] == kind and s['hosts'] == size]
            if not chosen:
                continue
            row = with_spreads({'kind': kind, 'hosts': size, 'runs': len(chosen),
                                'audit_rc': sorted(set(s['rc'] for s in chosen)),
                                'report': chosen[-1]['report'], 'mirror': chosen[-1]['mirror']}, chosen)
            if size == sizes[0]:
                smallest[kind] = row
            base = smallest.get(kind)
            if base:
                row['ratio_to_%d_host' % sizes[0]] = ratio(row['process_seconds'], base['process_seconds'])
                row['task_ratio_to_%d_host' % sizes[0]] = ratio(row['task_seconds'], base['task_seconds'])
                pairs = []
                for sample in chosen:
                    other = [b for b in samples if b['kind'] == kind and b['hosts'] == base['hosts']
                             and b.get('round') == sample.get('round') and 'round' in sample]
                    if other:
                        pairs.append(sample['process_seconds'] / other[0]['process_seconds'])
                row['paired_ratio_to_%d_host' % sizes[0]] = round(median(pairs), 3) if pairs else None
                if size > base['hosts']:
                    row['seconds_per_extra_host'] = round((row['process_seconds'] - base['process_seconds'])
                                                          / (size - base['hosts']), 3)
            row['cpu_per_host'] = round((row['controller_cpu'] + row['hosts_cpu']) / size, 3)
            row['controller_cpu_per_host'] = round(row['controller_cpu'] / size, 3)
            row['hosts_cpu_per_host'] = round(row['hosts_cpu'] / size, 3)
            out['fleet'].append(row)
            out['per_task']['%s@%d' % (kind, size)] = per_task(chosen)
    for pipelining, persist in ((True, True), (False, True), (True, False), (False, False)):
        chosen = [s for s in samples if s['kind'] == 'connection' and s['pipelining'] == pipelining
                  and s['control_persist'] == persist]
        if chosen:
            out['connection'].append(with_spreads({'pipelining': pipelining, 'control_persist': persist,
                                                   'hosts': chosen[0]['hosts'], 'runs': len(chosen)}, chosen))
    for kind in ('kernel_converge', 'kernel_rerun'):
        for side in ('ours', 'anchor'):
            chosen = [s for s in samples if s['kind'] == kind and s.get('side') == side]
            if chosen:
                out['kernel'].append(with_spreads({'kind': kind, 'side': side, 'hosts': chosen[0]['hosts'],
                                                   'runs': len(chosen), 'tasks': chosen[-1]['tasks'],
                                                   'module_calls': host_calls(chosen[-1])}, chosen))
    for kind in ('sdk_first', 'sdk_rerun'):
        for side in ('controller', 'direct'):
            chosen = [s for s in samples if s['kind'] == kind and s.get('side') == side]
            if chosen:
                row = dict((k, chosen[-1].get(k)) for k in ('kind', 'side', 'hosts', 'mirror', 'relay_cpu') + METRICS)
                row['per_task'] = per_task(chosen)
                out['sdk'].append(row)
    return out


def host_calls(sample):
    """Module runs on the hosts in one run (loop items counted; controller-only actions and skips left out)."""
    return sum(t['module_calls'] for t in sample['per_task']
               if runs_on_host(t['action']))


def per_task(chosen):
    """Median seconds per task name (tasks run in the same order every run), largest first."""
    times = {}
    for sample in chosen:
        for task in sample['per_task']:
            times.setdefault(task['name'], []).append(task['seconds'])
    roles = dict((task['name'], task.get('role')) for sample in chosen for task in sample['per_task'])
    rows = [{'task': name, 'role': roles[name], 'seconds': round(median(values), 3)} for name, values in times.items()]
    return sorted(rows, key=lambda row: -row['seconds'])


def find(rows, **match):
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()):
            return row
    return None


def report_text(summary, sizes):
    lines = []
    first = sizes[0]
    body = []
    for kind, title in (('ping', 'one ping task'), ('harden_first', 'harden.yml, first run'),
                        ('harden_rerun', 'harden.yml, re-run (no change)'), ('audit', 'audit.yml (check mode)')):
        for size in sizes:
            row = find(summary['fleet'], kind=kind, hosts=size)
            if not row:
                continue
            spread = (row['process_seconds'], row['process_seconds_min'], row['process_seconds_max'])
            body.append([title, size, row['runs'], '%.2f s (%.2f-%.2f)' % spread,
                         '%.2f s' % row['task_seconds'],
                         ('%.2fx' % row['ratio_to_%d_host' % first]
                          + (' (paired %.2fx)' % row['paired_ratio_to_%d_host' % first]
                             if row.get('paired_ratio_to_%d_host' % first) and size != first else ''))
                         if row.get('ratio_to_%d_host' % first) else '-',
                         '%.2f s' % row['seconds_per_extra_host'] if 'seconds_per_extra_host' in row else '-',
                         '%.1f s / %.1f s' % (row['controller_cpu'], row['hosts_cpu']),
                         '%.2f s' % row['cpu_per_host']])
    lines.append(markdown_table(['Run', 'Hosts', 'Runs', 'Wall time, median (min-max)', 'Task time',
                                 'Wall / %d host' % first, 'Wall per extra host', 'CPU controller / hosts',
                                 'CPU per host'], body))
    lines += ['', 'Where the time goes: task time per role (sum of the per-task medians, seconds):', '']
    roles = {}
    columns = []
    for kind in ('harden_first', 'harden_rerun', 'audit'):
        for size in sizes:
            key = '%s@%d' % (kind, size)
            if key not in summary['per_task']:
                continue
            columns.append(key)
            for task in summary['per_task'][key]:
                role = (task.get('role') or 'play').rsplit('.', 1)[-1]
                roles.setdefault(role, {})
                roles[role][key] = roles[role].get(key, 0.0) + task['seconds']
    body = [[role] + ['%.2f' % roles[role].get(key, 0.0) for key in columns]
            for role in sorted(roles, key=lambda r: -sum(roles[r].values()))]
    body.append(['(tasks)'] + [str(len(summary['per_task'][key])) for key in columns])
    lines.append(markdown_table(['Role'] + columns, body))
    if summary['connection']:
        lines += ['', 'Connection settings, harden re-run:', '']
        body = [['on' if r['pipelining'] else 'off', 'on' if r['control_persist'] else 'off', r['hosts'], r['runs'],
                 '%.2f s (%.2f-%.2f)' % (r['process_seconds'], r['process_seconds_min'], r['process_seconds_max']),
                 '%.1f s / %.1f s' % (r['controller_cpu'], r['hosts_cpu'])] for r in summary['connection']]
        lines.append(markdown_table(['Pipelining', 'ControlPersist', 'Hosts', 'Runs', 'Wall time, median (min-max)',
                                     'CPU controller / hosts'], body))
    if summary['kernel']:
        lines += ['', 'Kernel parameters: the kernel role (sysctl_guard, one call) against ansible.posix.sysctl '
                      '(one task per key):', '']
        body = [[r['kind'].replace('kernel_', ''), r['side'], r['hosts'], r['runs'], r['tasks'], r['module_calls'],
                 '%.2f s (%.2f-%.2f)' % (r['process_seconds'], r['process_seconds_min'], r['process_seconds_max']),
                 '%.2f s' % r['task_seconds'], '%.1f s / %.1f s' % (r['controller_cpu'], r['hosts_cpu'])]
                for r in summary['kernel']]
        lines.append(markdown_table(['Phase', 'Side', 'Hosts', 'Runs', 'Tasks', 'Module calls', 'Wall time',
                                     'Task time', 'CPU controller / hosts'], body))
    if summary['sdk']:
        lines += ['', 'Go SDKs (go_sdk role alone), controller delivery against each host downloading:', '']
        body = [[r['kind'].replace('sdk_', ''), r['side'], r['hosts'], '%.2f s' % r['process_seconds'],
                 '%(index)d index + %(archives)d archives' % r['mirror'],
                 '%.1f s / %.1f s' % (r['controller_cpu'], r['hosts_cpu']),
                 '%.1f s' % r['relay_cpu'] if r.get('relay_cpu') is not None else '-'] for r in summary['sdk']]
        lines.append(markdown_table(['Phase', 'Delivery', 'Hosts', 'Wall time', 'Mirror requests',
                                     'CPU controller / hosts', 'CPU of the relay'], body))
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--sizes', default='1,4,16', help='fleet sizes (default 1,4,16); forks = hosts')
    parser.add_argument('--runs', type=int, default=int(os.environ.get('BENCH_RUNS', '3')),
                        help='rounds of ping / harden re-run / audit per size, and kernel re-runs (default 3)')
    parser.add_argument('--connection-size', type=int, default=4,
                        help='fleet size of the pipelining / ControlPersist runs (0: none; default 4)')
    parser.add_argument('--connection-runs', type=int, default=2)
    parser.add_argument('--keys', type=int, default=6, help='kernel keys from bench/keys.yml (default 6, the '
                        'size of the role\'s own policy)')
    parser.add_argument('--no-kernel', dest='kernel', action='store_false')
    parser.add_argument('--no-sdk', dest='sdk', action='store_false')
    parser.add_argument('--sdk-direct-first', action='store_true', help='run the direct side of the SDK comparison first')
    parser.add_argument('--no-fleet-runs', dest='fleet_runs', action='store_false',
                        help='leave out the harden first run, re-runs and audits (only the other parts)')
    parser.add_argument('--with-probe', action='store_true',
                        help='keep the Go probe (a real Go build and test per host) in harden and audit')
    parser.add_argument('--suite', default='bookworm')
    parser.add_argument('--venv', default=os.environ.get('BENCH_VENV', os.path.join(ROOT, '.venv')))
    parser.add_argument('--workdir', help='work directory (required unless --show)')
    parser.add_argument('--show', metavar='RESULTS', help='print the tables of a saved results file and exit')
    parser.add_argument('--run-id', default=os.environ.get('BENCH_RUN_ID') or uuid.uuid4().hex[:8])
    parser.add_argument('--out', default=os.path.join(HERE, 'results.json'))
    args = parser.parse_args(argv)
    if args.show:
        with open(args.show) as handle:
            saved = json.load(handle)
        saved['summary'] = summarise(saved['samples'], saved['sizes'])
        log(report_text(saved['summary'], saved['sizes']))
        return 0
    if not args.workdir:
        parser.error('--workdir is required')
    try:
        sizes = sorted(set(int(size) for size in args.sizes.split(',') if size.strip()))
    except ValueError:
        parser.error('--sizes takes integers, e.g. 1,4,16')
    if not sizes or sizes[0] < 1 or args.runs < 1 or not 1 <= args.keys <= 30:
        parser.error('--sizes at least 1, --runs at least 1, --keys 1-30')
    install_signal_handlers()
    started = time.perf_counter()
    harden_skip = None if args.with_probe else 'probe'
    env = machine(os.path.join(args.venv, 'bin', 'python'))
    bench = None
    fleets = []
    status = 'failed'
    try:
        bench = Bench(args)
        bench.mirror = Mirror(args.workdir)
        log('fleet bench: sizes %s, %d round(s), %d CPU(s), load %s at the start, ansible-core %s; mirror %s'
            % (sizes, args.runs, env['cpus'], env['load_average_at_start'], env['ansible_core'], bench.mirror.url))
        for size in sizes:
            fleets.append(Fleet(bench, size))
            log('  %2d hosts  fleet started in %.1fs (load %s)' % (size, fleets[-1].start_seconds, loadavg()))
        if args.fleet_runs:
            for fleet in fleets:
                bench.first_run(fleet, harden_skip)
            bench.rounds(fleets, harden_skip)
        for fleet in fleets:
            if fleet.size == args.connection_size:
                bench.connection_runs(fleet, harden_skip)
        largest = fleets.pop()
        for fleet in fleets:  # only the largest is needed from here on
            fleet.remove()
        fleets = [largest]
        if args.kernel:
            bench.kernel_runs(largest)
        if args.sdk:
            bench.sdk_runs(largest)
        status = 'complete'
    except (BenchError, HarnessError) as exc:
        sys.stderr.write('fleet bench: %s\n' % exc)
    except Interrupted as exc:
        sys.stderr.write('fleet bench: interrupted (%s)\n' % exc)
        status = 'interrupted'
    finally:
        for fleet in fleets:
            fleet.remove()
        if bench is not None:
            if bench.mirror is not None:
                bench.mirror.stop()
            bench.meter.remove()
    samples = bench.samples if bench else []
    summary = summarise(samples, sizes)
    result = {
        'status': status,
        'date': datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        'command': 'bash bench/fleet/run.sh ' + ' '.join(argv if argv is not None else sys.argv[1:]),
        'commit': subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short', 'HEAD'], stdout=subprocess.PIPE,
                                 universal_newlines=True, check=False).stdout.strip(),
        'sizes': sizes,
        'runs': args.runs,
        'keys': args.keys,
        'probe': args.with_probe,
        'environment': dict(env, load_average_at_end=[round(x, 2) for x in os.getloadavg()]),
        'total_seconds': round(time.perf_counter() - started, 1),
        'measure': {
            'process_seconds': 'wall time of the whole ansible-playbook (start-up, inventory, SSH set-up included)',
            'task_seconds': 'first task start to last task end (task_clock callback)',
            'controller_cpu': 'CPU seconds of ansible-playbook and every process it started (ssh, the '
                              'ProxyCommand docker client, ControlPersist masters): a cpuacct cgroup',
            'hosts_cpu': 'CPU seconds of all the fleet containers (sshd, sudo, modules, tar): their cgroups',
            'mirror': 'GET requests in the mirror log during the run',
        },
        'summary': summary,
        'samples': samples,
    }
    out = args.out if status == 'complete' else os.path.join(args.workdir, 'results.partial.json')
    with open(out, 'w') as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write('\n')
    if samples:
        log('')
        log(report_text(summary, sizes))
    log('')
    log('fleet bench: %s in %.0f s; results in %s' % (status, result['total_seconds'], out))
    return 0 if status == 'complete' else 1


if __name__ == '__main__':
    sys.exit(main())
