# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark driver: sysctl_guard (one call for all keys) against ansible.posix.sysctl (one task per key).

For every sample, key count and side, a fresh container is started and the side's playbook runs twice
against it: a first converge (every key differs from the container's value) and an idempotent re-run.
Each playbook run yields the task time (first task start to last task end, from the task_clock
callback) and the whole ansible-playbook process wall time. Medians over the samples, and the ratio
anchor / ours, are printed as a table and saved as JSON with the raw samples.

Usually started by bench/run.sh, which checks the prerequisites first.
"""

from __future__ import absolute_import, division, print_function

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import jinja2
import yaml

from benchlib import BenchError, Interrupted, ansible_env, install_signal_handlers, machine, median, text_table, with_clock

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COLLECTIONS = ROOT / '.build' / 'collections'
DEFAULT_IMAGE = 'local/gocompat-debian:bookworm'
KEYS_FILE = HERE / 'keys.yml'
OURS_PLAYBOOK = HERE / 'playbooks' / 'ours.yml'
ANCHOR_TEMPLATE = HERE / 'playbooks' / 'anchor.yml.j2'
ANCHOR_LOOP_PLAYBOOK = HERE / 'playbooks' / 'anchor_loop.yml'
OURS_FILE = '/etc/sysctl.d/90-gocompat-baseline.conf'
ANCHOR_FILE = '/etc/sysctl.d/90-anchor.conf'
SIDES = ('ours', 'anchor')
LOOP_SIDE = 'anchor_loop'  # optional: the anchor written as one task looping over the keys
DESCRIPTIONS = {
    'ours': 'gocompat.baseline.sysctl_guard, one call with every key, path %s, shadowed fix, apply true' % OURS_FILE,
    'anchor': 'ansible.posix.sysctl, one task per key, state present, sysctl_set true, reload true, sysctl_file %s'
              % ANCHOR_FILE,
    LOOP_SIDE: 'ansible.posix.sysctl as the anchor, but one task with a loop item per key',
}
PHASES = ('converge', 'rerun')
LABEL_KEY = 'gocompat.bench.run'
PLAYBOOK_TIMEOUT = 600


def docker(*args, **kwargs):
    kwargs.setdefault('timeout', 120)
    return subprocess.run(['docker'] + list(args), capture_output=True, text=True, check=False, **kwargs)


def normalize(value):
    return ' '.join(str(value).split())


class Containers(object):
    """Starts the benchmark containers and removes every one of them, also on failure."""

    def __init__(self, image, run_id):
        self.image = image
        self.run_id = run_id
        self.alive = []
        self.count = 0

    def start(self):
        self.count += 1
        name = 'gocompat-bench-%s-%d' % (self.run_id, self.count)
        self.alive.append(name)  # tracked before it exists, so a half-created container is removed too
        proc = docker('run', '-d', '--name', name, '--label', '%s=%s' % (LABEL_KEY, self.run_id),
                      '--network', 'none', '--cap-add', 'SYS_ADMIN', '--cap-add', 'NET_ADMIN',
                      '--security-opt', 'seccomp=unconfined', self.image, 'sleep', 'infinity')
        if proc.returncode != 0:
            raise BenchError('docker run failed: %s' % proc.stderr.strip())
        proc = docker('exec', name, 'mount', '-o', 'remount,bind,rw', '/proc/sys')
        if proc.returncode != 0:
            raise BenchError('cannot make /proc/sys writable in %s: %s' % (name, proc.stderr.strip()))
        return name

    def remove(self, name):
        docker('rm', '-f', name)
        if name in self.alive:
            self.alive.remove(name)

    def remove_all(self):
        for name in list(self.alive):
            self.remove(name)


def live_values(container, keys):
    proc = docker('exec', container, 'sysctl', '-n', *keys)
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(keys):
        raise BenchError('sysctl -n in %s failed: %s' % (container, proc.stderr.strip()))
    return dict(zip(keys, (normalize(line) for line in lines)))


def file_values(container, path):
    proc = docker('exec', container, 'cat', path)
    if proc.returncode != 0:
        raise BenchError('cannot read %s in %s: %s' % (path, container, proc.stderr.strip()))
    values = {}
    for line in proc.stdout.splitlines():
        line = line.strip()
        if not line or line[0] in '#;' or '=' not in line:
            continue
        key, value = line.split('=', 1)
        values[key.strip()] = normalize(value)
    return values


def check_state(container, settings, side, before):
    """Before the converge, every key must differ from its target; after it, live value and file must match."""
    keys = [item['key'] for item in settings]
    live = live_values(container, keys)
    wanted = dict((item['key'], normalize(item['value'])) for item in settings)
    if before:
        same = sorted(key for key in keys if live[key] == wanted[key])
        if same:
            raise BenchError('fresh container already has the target value of %s' % ', '.join(same))
        return
    persisted = file_values(container, OURS_FILE if side == 'ours' else ANCHOR_FILE)
    wrong = ['%s (live %s, file %s, wanted %s)' % (key, live[key], persisted.get(key), wanted[key])
             for key in keys if live[key] != wanted[key] or persisted.get(key) != wanted[key]]
    if wrong:
        raise BenchError('%s did not converge: %s' % (side, '; '.join(wrong)))


class Runner(object):
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.playbook_bin = str(Path(args.venv) / 'bin' / 'ansible-playbook')
        self.runs = 0
        # the benchmark's settings only, whatever ANSIBLE_* the caller exported
        self.env = ansible_env(HERE / 'ansible.cfg', COLLECTIONS, ANSIBLE_PIPELINING='True')
        template = jinja2.Template(ANCHOR_TEMPLATE.read_text(), keep_trailing_newline=True,
                                   trim_blocks=True, lstrip_blocks=True)
        self.playbooks = {}
        for count in args.sizes:
            path = workdir / ('anchor-%d.yml' % count)
            path.write_text(template.render(keys=args.settings[:count]))
            self.playbooks[('anchor', count)] = path
            self.playbooks[('ours', count)] = OURS_PLAYBOOK
            self.playbooks[(LOOP_SIDE, count)] = ANCHOR_LOOP_PLAYBOOK

    def playbook(self, side, count, container, phase):
        self.runs += 1
        tag = '%03d-%s-%d-%s' % (self.runs, side, count, phase)
        clock_file = self.workdir / ('clock-%s.json' % tag)
        vars_file = self.workdir / ('vars-%s.json' % tag)
        inventory = self.workdir / ('inventory-%s.yml' % tag)
        log_file = self.workdir / ('log-%s.txt' % tag)
        vars_file.write_text(json.dumps({'bench_keys': self.args.settings[:count]}))
        inventory.write_text(yaml.safe_dump({'all': {'hosts': {container: {
            'ansible_connection': 'community.docker.docker',
            'ansible_python_interpreter': '/usr/bin/python3',
        }}}}))
        cmd = [self.playbook_bin, '-i', str(inventory), str(self.playbooks[(side, count)]), '-e', '@%s' % vars_file]
        env = with_clock(self.env, clock_file)
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=str(self.workdir),
                              timeout=PLAYBOOK_TIMEOUT, check=False)
        process_seconds = time.perf_counter() - started
        log_file.write_text('$ %s\n%s\n%s' % (' '.join(cmd), proc.stdout, proc.stderr))
        if proc.returncode != 0 or not clock_file.exists():
            tail = '\n'.join((proc.stdout + proc.stderr).splitlines()[-30:])
            raise BenchError('%s %s (%d keys) failed, exit %d (log: %s):\n%s'
                             % (side, phase, count, proc.returncode, log_file, tail))
        clock = json.loads(clock_file.read_text())
        counts = clock['hosts'].get(container, {})
        tasks_expected = count if side == 'anchor' else 1
        changed_expected = tasks_expected if phase == 'converge' else 0
        if len(clock['tasks']) != tasks_expected or counts.get('failures') or counts.get('unreachable'):
            raise BenchError('%s %s: unexpected play result %s (log: %s)' % (side, phase, counts, log_file))
        if counts.get('changed') != changed_expected:
            raise BenchError('%s %s (%d keys): %s tasks changed, expected %d (log: %s)'
                             % (side, phase, count, counts.get('changed'), changed_expected, log_file))
        return {'task_seconds': clock['task_seconds'], 'process_seconds': round(process_seconds, 6),
                'changed': counts.get('changed'), 'tasks': len(clock['tasks'])}


def measure_pair(runner, containers, side, count):
    """Fresh container; converge then re-run; both results, after checking the container's state."""
    settings = runner.args.settings[:count]
    container = containers.start()
    try:
        check_state(container, settings, side, before=True)
        converge = runner.playbook(side, count, container, 'converge')
        check_state(container, settings, side, before=False)
        rerun = runner.playbook(side, count, container, 'rerun')
        check_state(container, settings, side, before=False)
    finally:
        containers.remove(container)
    return {'converge': converge, 'rerun': rerun}


def paired(samples, count, phase, side, metric):
    by_sample = {}
    for item in samples:
        if item['keys'] == count and item['phase'] == phase and item['side'] in ('ours', side):
            by_sample.setdefault(item['sample'], {})[item['side']] = item[metric]
    return [pair[side] / pair['ours'] for pair in by_sample.values() if pair.get('ours') and side in pair]


def summarize(samples, sizes, sides):
    rows = []
    for count in sizes:
        for phase in PHASES:
            row = {'keys': count, 'phase': phase}
            for metric in ('task_seconds', 'process_seconds'):
                for side in sides:
                    values = [s[metric] for s in samples if s['keys'] == count and s['phase'] == phase and s['side'] == side]
                    row['%s_%s_median' % (side, metric)] = median(values)
                    row['%s_%s_min' % (side, metric)] = min(values) if values else None
                    row['%s_%s_max' % (side, metric)] = max(values) if values else None
                    row['%s_runs' % side] = len(values)
                ours = row['ours_%s_median' % metric]
                for side in sides[1:]:
                    other = row['%s_%s_median' % (side, metric)]
                    row['%s_%s_ratio' % (side, metric)] = round(other / ours, 3) if ours and other is not None else None
                    # paired: the two sides of one sample ran back to back, so load that comes and goes hits both
                    pairs = paired(samples, count, phase, side, metric)
                    row['%s_%s_paired_ratio_median' % (side, metric)] = round(median(pairs), 3) if pairs else None
            rows.append(row)
    return rows


def format_table(rows, sides):
    def cell(row, name):
        return '-' if row[name] is None else '%.3f' % row[name]

    def ratio(row, name):
        return '-' if row[name] is None else '%.2fx' % row[name]

    header = ['keys', 'phase']
    for metric, word in (('task_seconds', 'task'), ('process_seconds', 'process')):
        header.append('ours %s s' % word)
        for side in sides[1:]:
            header.extend(['%s %s s' % (side, word), 'ratio'])
    header.append('runs')
    lines = []
    for row in rows:
        line = [str(row['keys']), row['phase']]
        for metric in ('task_seconds', 'process_seconds'):
            line.append(cell(row, 'ours_%s_median' % metric))
            for side in sides[1:]:
                line.extend([cell(row, '%s_%s_median' % (side, metric)), ratio(row, '%s_%s_ratio' % (side, metric))])
        line.append(str(min(row['%s_runs' % side] for side in sides)))
        lines.append(line)
    return text_table(header, lines, left=2)


def collection_version(namespace, name):
    manifest = COLLECTIONS / 'ansible_collections' / namespace / name / 'MANIFEST.json'
    galaxy = COLLECTIONS / 'ansible_collections' / namespace / name / 'galaxy.yml'
    try:
        if manifest.exists():
            return json.loads(manifest.read_text())['collection_info']['version']
        return yaml.safe_load(galaxy.read_text())['version']
    except (OSError, ValueError, KeyError, TypeError):
        return None


def environment(args):
    return dict(machine(Path(args.venv) / 'bin' / 'python'), **{
        'docker_server': docker('version', '--format', '{{.Server.Version}}').stdout.strip(),
        'image': args.image,
        'image_id': docker('image', 'inspect', '--format', '{{.Id}}', args.image).stdout.strip(),
        'collections': {
            'gocompat.baseline': collection_version('gocompat', 'baseline'),
            'ansible.posix': collection_version('ansible', 'posix'),
            'community.docker': collection_version('community', 'docker'),
        },
    })


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', maxsplit=1)[0])
    parser.add_argument('--runs', type=int, default=int(os.environ.get('BENCH_RUNS', '5')),
                        help='samples per key count, side and phase (default: $BENCH_RUNS or 5)')
    parser.add_argument('--sizes', default=os.environ.get('BENCH_SIZES', '6,30'),
                        help='comma-separated key counts, each at most the number of keys in keys.yml (default: 6,30)')
    parser.add_argument('--warmup', type=int, default=int(os.environ.get('BENCH_WARMUP', '1')),
                        help='unrecorded rounds (6 keys, both sides) before measuring (default: 1)')
    parser.add_argument('--out', default=os.environ.get('BENCH_OUT', str(HERE / 'results.json')),
                        help='JSON results file (default: bench/results.json)')
    parser.add_argument('--image', default=os.environ.get('BENCH_IMAGE', DEFAULT_IMAGE))
    parser.add_argument('--venv', default=os.environ.get('BENCH_VENV', str(ROOT / '.venv')))
    parser.add_argument('--run-id', default=os.environ.get('BENCH_RUN_ID') or uuid.uuid4().hex[:10],
                        help='label value of this run\'s containers (%s=ID)' % LABEL_KEY)
    parser.add_argument('--anchor-loop', action='store_true',
                        help='also measure the anchor written as one task looping over the keys')
    parser.add_argument('--keep-workdir', action='store_true', help='keep generated playbooks, logs and clock files')
    args = parser.parse_args(argv)
    args.settings = yaml.safe_load(KEYS_FILE.read_text())['bench_keys']
    try:
        args.sizes = sorted(set(int(size) for size in args.sizes.split(',') if size.strip()))
    except ValueError:
        parser.error('--sizes takes integers, e.g. 6,30')
    if not args.sizes or args.sizes[0] < 1 or args.sizes[-1] > len(args.settings):
        parser.error('--sizes must be between 1 and %d' % len(args.settings))
    if args.runs < 1 or args.warmup < 0:
        parser.error('--runs must be at least 1 and --warmup at least 0')
    args.sides = SIDES + ((LOOP_SIDE,) if args.anchor_loop else ())
    return args


def main(argv=None):
    args = parse_args(argv)
    install_signal_handlers()
    workdir = Path(tempfile.mkdtemp(prefix='gocompat-bench-'))
    containers = Containers(args.image, args.run_id)
    runner = Runner(args, workdir)
    samples = []
    started = time.perf_counter()
    status = 'failed'
    results = {}
    env = None
    try:
        env = environment(args)
        print('bench: %d run(s), key counts %s, %d warm-up round(s); %d CPUs (load %s), ansible-core %s, ansible.posix %s'
              % (args.runs, args.sizes, args.warmup, env['cpus'], env['load_average_at_start'][0], env['ansible_core'],
                 env['collections']['ansible.posix']), flush=True)
        for index in range(args.warmup):
            for side in args.sides:
                measure_pair(runner, containers, side, min(6, args.sizes[-1]))
            print('bench: warm-up %d/%d done' % (index + 1, args.warmup), flush=True)
        for sample in range(args.runs):
            for count in args.sizes:
                # alternate which side goes first, so slow drift of the machine does not favour one side
                order = args.sides if sample % 2 == 0 else tuple(reversed(args.sides))
                for side in order:
                    pair = measure_pair(runner, containers, side, count)
                    for phase in PHASES:
                        samples.append(dict(pair[phase], sample=sample + 1, keys=count, side=side, phase=phase))
                    print('bench: run %d/%d  %2d keys  %-11s  converge %6.3fs task %6.3fs process   rerun %6.3fs task %6.3fs process'
                          % (sample + 1, args.runs, count, side, pair['converge']['task_seconds'],
                             pair['converge']['process_seconds'], pair['rerun']['task_seconds'],
                             pair['rerun']['process_seconds']), flush=True)
        status = 'complete'
    except BenchError as exc:
        print('bench: FAILED: %s' % exc, file=sys.stderr)
    except Interrupted as exc:
        print('bench: interrupted (%s)' % exc, file=sys.stderr)
        status = 'interrupted'
    finally:
        containers.remove_all()
        rows = summarize(samples, args.sizes, args.sides)
        results = {
            'status': status,
            'date': datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
            'runs': args.runs,
            'warmup_rounds': args.warmup,
            'sizes': args.sizes,
            'total_seconds': round(time.perf_counter() - started, 1),
            'measure': {
                'task_seconds': 'first task start to last task end of the play (task_clock callback)',
                'process_seconds': 'whole ansible-playbook process wall time',
                'ratio': 'median of the other side / median of ours',
                'paired_ratio_median': 'median over the samples of (other side / ours) within the same sample',
            },
            'sides': dict((side, DESCRIPTIONS[side]) for side in args.sides),
            'keys': args.settings[:args.sizes[-1]],
            'environment': dict(env or {}, load_average_at_end=[round(x, 2) for x in os.getloadavg()]),
            'summary': rows,
            'samples': samples,
        }
        # An incomplete run never replaces the results file: its figures go to the kept work directory.
        out = Path(args.out) if status == 'complete' else workdir / 'results.partial.json'
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + '\n')
        if args.keep_workdir or status != 'complete':
            print('bench: work files (playbooks, logs, clock files) kept in %s' % workdir, file=sys.stderr)
        else:
            shutil.rmtree(str(workdir), ignore_errors=True)
    if samples:
        print()
        print(format_table(rows, args.sides))
        print()
        print('task = first task start to last task end; process = whole ansible-playbook run; ratio = that side / ours (medians)')
    if status == 'complete':
        print('bench: results saved to %s (%.0fs in all)' % (args.out, results['total_seconds']))
        return 0
    return 1


if __name__ == '__main__':
    sys.exit(main())
