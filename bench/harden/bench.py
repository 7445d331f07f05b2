# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Harden re-run benchmark driver (started by bench/harden/run.sh, which checks the prerequisites).

What a scheduled re-apply costs: playbooks/harden.yml (every role, exact Go SDK versions) re-run on a host
it already hardened, so that nothing changes, against one ansible.builtin.ping task on the same host and
connection, in one run. The host is one network-less container that runs the controller itself
(connection local, localhost): this checkout, the venv and its Python are bind-mounted read-only at their
own paths, and the Go mirror is served on the container's own loopback. playbooks/audit.yml (check mode)
on the hardened host is measured the same way.

Each sample runs ping, the harden re-run and the audit back to back (order rotated). Task time is first
task start to last task end (bench/callback_plugins/task_clock.py); the process time is the whole
ansible-playbook. The task list of the last re-run gives the module calls per concern (role/task file):
tasks that ran on the host (loop items counted, skipped ones not), controller-only actions (set_fact,
assert, debug, include_*, meta ...) left out.
"""

from __future__ import absolute_import, division, print_function

import argparse
import datetime
import json
import os
import subprocess
import sys
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))  # bench/, for the shared benchlib

from benchlib import (BenchError, Interrupted, ansible_env, docker, install_signal_handlers, log,  # noqa: E402
                      machine, markdown_table, median, ratio, runs_on_host, short_action, spread)

CACHE = os.environ.get('GOCOMPAT_CACHE_DIR', '/var/cache/gocompat-test')
DEFAULT_IMAGE = 'local/gocompat-debian:bookworm'
MIRROR_PORT = 18080  # on the container's own loopback (network none)
EXACT = ['1.26.5', '1.27.3']
LABEL_KEY = 'gocompat.bench.run'
TARGET_RATIO = 6.0
PLAYBOOK_TIMEOUT = 900
# Runs ansible-playbook inside the container and records the CPU time of its whole process tree (workers
# and modules are reaped children): unlike wall time, it hardly grows when other work shares the cores.
CPU_WRAPPER = ('import json, resource, subprocess, sys\n'
               'rc = subprocess.call(sys.argv[2:])\n'
               'use = resource.getrusage(resource.RUSAGE_CHILDREN)\n'
               'json.dump({"cpu_seconds": use.ru_utime + use.ru_stime}, open(sys.argv[1], "w"))\n'
               'sys.exit(rc)\n')
PLAYS = {
    'ping': os.path.join(HERE, 'playbooks', 'ping.yml'),
    'harden': os.path.join(ROOT, 'playbooks', 'harden.yml'),
    'audit': os.path.join(ROOT, 'playbooks', 'audit.yml'),
}


def module_calls(clock):
    """{concern: {'calls': N, 'tasks': [...]}} of the host-side module calls of one run."""
    concerns = {}
    for task in clock['tasks']:
        if not runs_on_host(task['action']) or not task.get('module_calls'):
            continue
        role = (task.get('role') or 'play').rsplit('.', 1)[-1]
        stem = (task.get('file') or '').rsplit('.', 1)[0]
        concern = '%s/%s' % (role, stem) if stem and role != 'play' else role
        entry = concerns.setdefault(concern, {'calls': 0, 'tasks': []})
        entry['calls'] += task['module_calls']
        entry['tasks'].append('%s (%s%s)' % (task['name'].split(' : ', 1)[-1], short_action(task['action']),
                                             ', %d items' % task['module_calls'] if task['module_calls'] > 1 else ''))
    return concerns


class Host(object):
    """The benchmark container: the controller and the managed host at once."""

    def __init__(self, args, run_id, workdir):
        self.args = args
        self.name = 'gocompat-bench-harden-%s' % run_id
        self.run_id = run_id
        self.workdir = workdir
        self.tags = args.tags
        self.venv = os.path.realpath(args.venv)
        self.python = os.path.join(self.venv, 'bin', 'python')
        base = subprocess.run([self.python, '-c', 'import sys; print(sys.base_prefix)'], stdout=subprocess.PIPE,
                              universal_newlines=True, check=True).stdout.strip()
        self.mounts = [self.venv, os.path.realpath(base), ROOT, os.path.realpath(args.mirror_dir), workdir]
        self.counter = 0

    def start(self):
        cmd = ['run', '-d', '--name', self.name, '--label', '%s=%s' % (LABEL_KEY, self.run_id), '--network', 'none',
               '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN', '--security-opt', 'seccomp=unconfined']
        for path in self.mounts:
            cmd += ['-v', '%s:%s:ro' % (path, path)]
        proc = docker(*(cmd + [self.args.image, 'sleep', 'infinity']))
        if proc.returncode != 0:
            raise BenchError('docker run failed: %s' % proc.stderr.strip())
        self.sh('mount -o remount,bind,rw /proc/sys')
        self.sh('mkdir -p /tmp/bench')
        docker('exec', '-d', self.name, self.python, os.path.join(ROOT, 'tests', 'tools', 'go-mirror.py'), 'serve',
               self.workdir, '--port', str(MIRROR_PORT), '--pidfile', '/tmp/bench/mirror.pid', '--foreground')
        probe = ('import urllib.request, time\n'
                 'for _ in range(100):\n'
                 '    try:\n'
                 '        urllib.request.urlopen("http://127.0.0.1:%d/dl/index.json", timeout=2); break\n'
                 '    except Exception:\n'
                 '        time.sleep(0.1)\n'
                 'else:\n'
                 '    raise SystemExit("mirror did not answer")\n' % MIRROR_PORT)
        self.sh('"$1" -c "$2"', self.python, probe)

    def remove(self):
        docker('rm', '-f', self.name)

    def sh(self, script, *args, **kwargs):
        proc = docker('exec', '-i', self.name, 'sh', '-c', script, 'sh', *args, **kwargs)
        if proc.returncode != 0:
            raise BenchError('in %s: %s: exit %d: %s' % (self.name, script, proc.returncode, proc.stderr.strip()))
        return proc.stdout

    def playbook(self, kind, variables, expect):
        """Run one playbook of ``kind`` in the container; returns the sample."""
        self.counter += 1
        tag = '%03d-%s' % (self.counter, kind)
        vars_file = '/tmp/bench/vars-%s.json' % tag
        clock_file = '/tmp/bench/clock-%s.json' % tag
        self.sh('cat > "$1"', vars_file, input=json.dumps(variables))
        env = ansible_env(os.path.join(HERE, 'ansible.cfg'), os.path.join(ROOT, '.build', 'collections'),
                          base={'PATH': '%s/bin:/usr/sbin:/usr/bin:/sbin:/bin' % self.venv, 'HOME': '/root',
                                'LANG': 'C.UTF-8', 'no_proxy': '127.0.0.1', 'NO_PROXY': '127.0.0.1'},
                          ANSIBLE_PIPELINING='True', ANSIBLE_LOCAL_TEMP='/tmp/bench/ansible-local',
                          BENCH_TASK_CLOCK_FILE=clock_file)
        cmd = ['exec', '-w', ROOT]
        for key, value in sorted(env.items()):
            cmd += ['-e', '%s=%s' % (key, value)]
        cpu_file = '/tmp/bench/cpu-%s.json' % tag
        cmd += [self.name, self.python, '-c', CPU_WRAPPER, cpu_file,
                os.path.join(self.venv, 'bin', 'ansible-playbook'), '-i', 'localhost,', '-c', 'local',
                '-e', 'ansible_python_interpreter=%s' % self.python, '-e', '@%s' % vars_file, PLAYS[kind]]
        if self.tags and kind != 'ping':
            cmd += ['--tags', self.tags]
        started = time.perf_counter()
        proc = docker(*cmd, timeout=PLAYBOOK_TIMEOUT)
        seconds = time.perf_counter() - started
        log_path = os.path.join(self.workdir, 'log-%s.txt' % tag)
        with open(log_path, 'w') as handle:
            handle.write('%s\n%s' % (proc.stdout, proc.stderr))
        try:
            clock = json.loads(self.sh('cat "$1"', clock_file))
        except (BenchError, ValueError):
            clock = None
        if clock is None or clock.get('task_seconds') is None:
            raise BenchError('%s: no task clock (exit %d); log %s:\n%s'
                             % (tag, proc.returncode, log_path, '\n'.join(proc.stdout.splitlines()[-30:])))
        counts = clock['hosts'].get('localhost', {})
        cpu = json.loads(self.sh('cat "$1"', cpu_file))['cpu_seconds']
        sample = {'kind': kind, 'rc': proc.returncode, 'task_seconds': clock['task_seconds'],
                  'process_seconds': round(seconds, 6), 'cpu_seconds': round(cpu, 3), 'changed': counts.get('changed'),
                  'failed': counts.get('failures'), 'tasks': len(clock['tasks']), 'clock': clock}
        if expect == 'no-change' and (proc.returncode != 0 or counts.get('changed') or counts.get('failures')):
            raise BenchError('%s: expected a run without changes, got exit %d, %s (log %s)'
                             % (tag, proc.returncode, counts, log_path))
        if expect == 'success' and proc.returncode != 0:
            raise BenchError('%s failed, exit %d (log %s):\n%s'
                             % (tag, proc.returncode, log_path, '\n'.join(proc.stdout.splitlines()[-30:])))
        return sample


def write_mirror(workdir, mirror_dir):
    """An index of our own (EXACT only) over the shared mirror's archives, so other runs may rewrite theirs."""
    dl = os.path.join(workdir, 'dl')
    os.makedirs(dl)
    releases = []
    for version in reversed(EXACT):
        name = 'go%s.linux-amd64.tar.gz' % version
        source = os.path.join(os.path.realpath(mirror_dir), 'dl', name)
        with open(source + '.sha256') as handle:
            digest = handle.read().split()[0]
        os.symlink(source, os.path.join(dl, name))
        releases.append({'version': 'go' + version, 'stable': True, 'files': [
            {'filename': name, 'os': 'linux', 'arch': 'amd64', 'version': 'go' + version, 'sha256': digest,
             'size': os.path.getsize(source), 'kind': 'archive'}]})
    for index in ('index.json', 'index.html'):
        with open(os.path.join(dl, index), 'w') as handle:
            json.dump(releases, handle)


def harden_vars():
    return {
        'go_sdk_delivery': 'direct',
        'go_sdk_mirror': 'http://127.0.0.1:%d/dl/' % MIRROR_PORT,
        'go_sdk_versions': list(EXACT),
        'go_sdk_default': EXACT[-1],
        'go_sdk_env': {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off'},
        # a container cannot raise its hard open-file limit above the engine's (20000 here)
        'kernel_nofile_soft': 16384,
        'kernel_nofile_hard': 20000,
    }


def summarise(samples):
    rows = {}
    for kind in PLAYS:
        chosen = [s for s in samples if s['kind'] == kind]
        if not chosen:
            continue
        row = {'runs': len(chosen), 'tasks': chosen[-1]['tasks']}
        for metric in ('task_seconds', 'process_seconds', 'cpu_seconds'):
            row[metric], row[metric + '_min'], row[metric + '_max'] = spread(s[metric] for s in chosen)
        rows[kind] = row
    for kind in ('harden', 'audit'):
        if kind in rows and 'ping' in rows:
            rows[kind]['task_seconds_min_ratio_to_ping'] = ratio(rows[kind]['task_seconds_min'],
                                                                 rows['ping']['task_seconds_min'])
            for metric in ('task_seconds', 'process_seconds', 'cpu_seconds'):
                rows[kind]['%s_ratio_to_ping' % metric] = ratio(rows[kind][metric], rows['ping'][metric])
            by_sample = {}
            for s in samples:
                by_sample.setdefault(s['sample'], {})[s['kind']] = s['task_seconds']
            pairs = [p[kind] / p['ping'] for p in by_sample.values() if kind in p and p.get('ping')]
            rows[kind]['task_seconds_paired_ratio_median'] = round(median(pairs), 3) if pairs else None
    return rows


def report(rows, calls, label):
    lines = ['Harden re-run benchmark (%s): medians of %d sample(s); task = first task start to last task end'
             % (label, rows['ping']['runs']), '']
    body = []
    for kind, title in (('ping', 'one ansible.builtin.ping task'), ('harden', 'harden.yml re-run (no change)'),
                        ('audit', 'audit.yml (check mode, hardened host)')):
        if kind not in rows:
            continue
        row = rows[kind]
        body.append([title, row['tasks'], '%.2f s (%.2f-%.2f)' % (row['task_seconds'], row['task_seconds_min'],
                                                                  row['task_seconds_max']),
                     '%.2f s' % row['process_seconds'],
                     '%.2fx (min %.2fx)' % (row['task_seconds_ratio_to_ping'], row['task_seconds_min_ratio_to_ping'])
                     if kind != 'ping' else '1x',
                     '%.2f s' % row['cpu_seconds'],
                     '%.2fx' % row['cpu_seconds_ratio_to_ping'] if kind != 'ping' else '1x',
                     str(sum(c['calls'] for c in calls.get(kind, {}).values())) if kind != 'ping' else '1'])
    lines.append(markdown_table(['Run', 'Tasks', 'Task time, median (min-max)', 'Process time', 'Task time / ping',
                                 'CPU time (process tree)', 'CPU time / ping', 'Module calls'], body))
    for kind in ('harden', 'audit'):
        if kind not in calls:
            continue
        lines += ['', 'Module calls per concern, %s:' % kind, '']
        lines.append(markdown_table(['Concern (role/task file)', 'Calls', 'Tasks'],
                                    [[name, c['calls'], '; '.join(c['tasks'])] for name, c in sorted(calls[kind].items())]))
    if 'harden' in rows:
        value = rows['harden']['task_seconds_ratio_to_ping']
        lines += ['', 'target: harden re-run within %.0fx of one ping task: %.2fx (paired %.2fx, min/min %.2fx) -> %s'
                  % (TARGET_RATIO, value, rows['harden']['task_seconds_paired_ratio_median'] or 0,
                     rows['harden']['task_seconds_min_ratio_to_ping'] or 0, 'met' if value <= TARGET_RATIO else 'MISSED')]
    return '\n'.join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--runs', type=int, default=int(os.environ.get('BENCH_RUNS', '5')))
    parser.add_argument('--warmup', type=int, default=1, help='unrecorded rounds after the converge (default 1)')
    parser.add_argument('--label', default='current roles', help='what is measured (printed and saved)')
    parser.add_argument('--image', default=os.environ.get('BENCH_IMAGE', DEFAULT_IMAGE))
    parser.add_argument('--venv', default=os.environ.get('BENCH_VENV', os.path.join(ROOT, '.venv')))
    parser.add_argument('--mirror-dir', default=os.path.join(CACHE, 'go-mirror'))
    parser.add_argument('--workdir', required=True)
    parser.add_argument('--run-id', default=os.environ.get('BENCH_RUN_ID') or uuid.uuid4().hex[:10])
    parser.add_argument('--out', default=os.path.join(HERE, 'results.json'))
    parser.add_argument('--tags', default='',
                        help='run harden and audit with these tags only, e.g. kernel,go_sdk,go_env (default: all roles)')
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error('--runs must be at least 1 and --warmup at least 0')
    install_signal_handlers()
    started = time.perf_counter()
    host = None
    samples = []
    try:
        write_mirror(args.workdir, args.mirror_dir)
        host = Host(args, args.run_id, args.workdir)
        env = machine(host.python)
        log('harden bench (%s): %d run(s), %d CPU(s), load %s, ansible-core %s'
            % (args.label, args.runs, env['cpus'], env['load_average_at_start'][0], env['ansible_core']))
        host.start()
        converge = host.playbook('harden', harden_vars(), 'success')
        log('  converge: task %.2fs, process %.2fs, changed %s'
            % (converge['task_seconds'], converge['process_seconds'], converge['changed']))
        if not converge['changed']:
            raise BenchError('the first harden changed nothing: the host was not fresh')
        expect = {'ping': 'success', 'harden': 'no-change', 'audit': None}
        kinds = list(PLAYS)
        for index in range(args.warmup + args.runs):
            order = kinds[index % 3:] + kinds[:index % 3]
            round_samples = []
            for kind in order:
                sample = host.playbook(kind, harden_vars(), expect[kind])
                sample['sample'] = index - args.warmup + 1
                round_samples.append(sample)
            text = ', '.join('%s %.2fs (cpu %.2fs)' % (s['kind'], s['task_seconds'], s['cpu_seconds'])
                             for s in round_samples)
            if index < args.warmup:
                log('  warm-up %d: %s' % (index + 1, text))
            else:
                samples.extend(round_samples)
                log('  run %d/%d: %s' % (index - args.warmup + 1, args.runs, text))
    except BenchError as exc:
        sys.stderr.write('harden bench: %s\n' % exc)
        return 1
    except Interrupted as exc:
        sys.stderr.write('harden bench: interrupted (%s)\n' % exc)
        return 130
    finally:
        if host:
            host.remove()
    rows = summarise(samples)
    last = {}
    for sample in samples:
        last[sample['kind']] = sample
    calls = dict((kind, module_calls(last[kind]['clock'])) for kind in ('harden', 'audit') if kind in last)
    audit_rc = sorted(set(s['rc'] for s in samples if s['kind'] == 'audit'))
    result = {
        'label': args.label,
        'tags': args.tags or 'all roles',
        'date': datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        'runs': args.runs,
        'versions': EXACT,
        'environment': dict(env, load_average_at_end=[round(x, 2) for x in os.getloadavg()]),
        'total_seconds': round(time.perf_counter() - started, 1),
        'converge': dict((k, v) for k, v in converge.items() if k != 'clock'),
        'summary': rows,
        'audit_exit_codes': audit_rc,
        'module_calls': calls,
        'last_rerun_tasks': last['harden']['clock']['tasks'],
        'samples': [dict((k, v) for k, v in s.items() if k != 'clock') for s in samples],
    }
    with open(args.out, 'w') as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
    log('')
    log(report(rows, calls, args.label))
    log('audit exit codes: %s' % audit_rc)
    log('driver time %.0f s; results in %s' % (result['total_seconds'], args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
