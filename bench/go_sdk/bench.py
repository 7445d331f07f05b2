# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Go SDK install benchmark driver (started by bench/go_sdk/run.sh, which serves the mirror).

Installs go1.26.5 and go1.27.3 on this machine, into temp dirs, from a go.dev-style mirror on
127.0.0.1, three ways, and compares:

  shell     curl + sha256sum -c + tar -xzf, one shell script (the lower bound)
  module    gocompat.baseline.go_sdk_install, one task: first install, re-run (exact versions),
            re-run (floating versions 1.26/1.27)
  get_url   ansible.builtin.get_url (pinned sha256) + ansible.builtin.unarchive (remote_src) per
            version: first install, re-run

Each sample starts from an empty root (first install) or from the root the previous sample of the
same approach installed (re-run). Ansible samples are timed twice: task time (first task start to
last task end, by bench/callback_plugins/task_clock.py) and the whole ansible-playbook process. The mirror's
request log counts the requests each sample made.
"""

import argparse
import json
import os
import shutil
import resource
import signal
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.dirname(HERE))  # bench/, for the shared benchlib

from benchlib import (BenchError, Interrupted, ansible_env, install_signal_handlers, loadavg, log,  # noqa: E402
                      markdown_table, median, spread, tail, with_clock)

EXACT = ['1.26.5', '1.27.3']
FLOATING = ['1.26', '1.27']
PROXY_VARS = ('http_proxy', 'https_proxy', 'all_proxy', 'ftp_proxy', 'HTTP_PROXY', 'HTTPS_PROXY',
              'ALL_PROXY', 'FTP_PROXY')
TARGET_FIRST_RATIO = 1.2
TARGET_RERUN_SECONDS = 1.0


class Mirror(object):
    """The served mirror: its URL, its index, and the requests its log shows."""

    def __init__(self, url, log_path):
        if not url.startswith('http://127.0.0.1:'):
            raise BenchError('the mirror must be on 127.0.0.1, got %s' % url)
        self.url = url if url.endswith('/') else url + '/'
        self.log_path = log_path
        with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(
                self.url + '?mode=json&include=all', timeout=30) as response:
            self.index = json.loads(response.read().decode('utf-8'))

    def sha256(self, version):
        name = 'go%s.linux-amd64.tar.gz' % version
        for release in self.index:
            for item in release['files']:
                if item['filename'] == name:
                    return item['sha256']
        raise BenchError('%s is not in the mirror index' % name)

    def offset(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def requests_since(self, offset):
        """Request lines ('GET /dl/... HTTP/1.1') logged after ``offset``."""
        try:
            with open(self.log_path, 'rb') as handle:
                handle.seek(offset)
                text = handle.read().decode('utf-8', 'replace')
        except OSError:
            return []
        found = []
        for line in text.splitlines():
            start = line.find('"')
            end = line.find('"', start + 1)
            if start >= 0 and end > start:
                request = line[start + 1:end]
                if request.split(' ', 1)[0] in ('GET', 'HEAD'):
                    found.append(request.split(' ')[1] if ' ' in request else request)
        return found


class Bench(object):
    def __init__(self, args):
        self.args = args
        self.work = os.path.abspath(args.workdir)
        self.mirror = Mirror(args.mirror, args.mirror_log)
        self.python = sys.executable
        self.playbook_cmd = os.path.join(os.path.dirname(self.python), 'ansible-playbook')
        if not os.access(self.playbook_cmd, os.X_OK):
            raise BenchError('%s not found next to %s' % (self.playbook_cmd, self.python))
        self.collections = args.collections
        self.child = None
        self.last_cpu = {}
        self.counter = 0
        for name in ('samples', 'logs', 'ansible-tmp', 'profile'):
            os.makedirs(os.path.join(self.work, name), exist_ok=True)
        self.samples = []

    # -- environment -------------------------------------------------------------------------------

    def env(self, clock_file=None):
        base = dict((k, v) for k, v in os.environ.items() if k not in PROXY_VARS)
        env = ansible_env(
            os.path.join(HERE, 'ansible.cfg'), self.collections, base=base,
            no_proxy='127.0.0.1,localhost', NO_PROXY='127.0.0.1,localhost', LANG='C.UTF-8', LC_ALL='C.UTF-8',
            ANSIBLE_REMOTE_TMP=os.path.join(self.work, 'ansible-tmp', 'remote'),
            ANSIBLE_LOCAL_TEMP=os.path.join(self.work, 'ansible-tmp', 'local'),
            PYTHON=self.python,
        )
        return with_clock(env, clock_file) if clock_file else env

    def layout(self, name):
        base = os.path.join(self.work, 'samples', name)
        return {'base': base, 'root': os.path.join(base, 'sdks'), 'link': os.path.join(base, 'go'),
                'bin_dir': os.path.join(base, 'bin'), 'downloads': os.path.join(base, 'downloads')}

    def fresh(self, name):
        """A new, empty sample directory. Nothing is deleted while the benchmark runs: on this kind of
        ext4, creating files soon after many were deleted is several times slower (see README), so
        every sample gets its own directory and run.sh removes them all at the end."""
        paths = self.layout(name)
        if os.path.exists(paths['base']):
            raise BenchError('%s exists already' % paths['base'])
        os.makedirs(paths['bin_dir'])
        return paths

    # -- running one sample ------------------------------------------------------------------------

    def run_process(self, cmd, env, label):
        """(rc, seconds, log path) of one command in its own process group."""
        self.counter += 1
        log_path = os.path.join(self.work, 'logs', '%03d-%s.log' % (self.counter, label))
        os.sync()  # the previous sample's writeback does not run into this one's clock
        with open(log_path, 'wb') as out:
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            self.child = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=self.work,
                                          start_new_session=True)
            rc = self.child.wait()
            seconds = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.child = None
        self.last_cpu = {'cpu_user': after.ru_utime - before.ru_utime, 'cpu_sys': after.ru_stime - before.ru_stime}
        return rc, seconds, log_path

    def kill_child(self):
        if self.child is not None and self.child.poll() is None:
            try:
                os.killpg(self.child.pid, signal.SIGTERM)
                self.child.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.child.pid, signal.SIGKILL)
                except OSError:
                    pass

    def sample_playbook(self, approach, phase, playbook, variables, paths, run_index):
        label = '%s-%s-run%d' % (approach, phase, run_index)
        vars_file = os.path.join(self.work, 'logs', label + '.vars.json')
        clock_file = os.path.join(self.work, 'logs', label + '.clock.json')
        with open(vars_file, 'w') as handle:
            json.dump(variables, handle)
        if os.path.exists(clock_file):
            os.remove(clock_file)
        cmd = [self.playbook_cmd, '-i', 'localhost,', '-c', 'local',
               '-e', 'ansible_python_interpreter=%s' % self.python, '-e', '@' + vars_file,
               os.path.join(HERE, 'playbooks', playbook)]
        load_before = loadavg()
        offset = self.mirror.offset()
        rc, seconds, log_path = self.run_process(cmd, self.env(clock_file), label)
        requests = self.mirror.requests_since(offset)
        clock = None
        if os.path.exists(clock_file):
            with open(clock_file) as handle:
                clock = json.load(handle)
        if rc != 0 or clock is None or clock.get('failed') or clock.get('task_seconds') is None:
            raise BenchError('%s failed (rc %d); log %s:\n%s' % (label, rc, log_path, tail(log_path)))
        sample = {'approach': approach, 'phase': phase, 'run': run_index, 'task_seconds': clock['task_seconds'],
                  'process_seconds': seconds, 'mirror_requests': len(requests), 'requested': requests,
                  'changed': any(t['changed'] for t in clock['tasks']),
                  'tasks': clock['tasks'], 'load_before': load_before, 'load_after': loadavg()}
        reported = [t['network_requests'] for t in clock['tasks'] if 'network_requests' in t]
        if reported:
            sample['network_requests'] = sum(reported)
        self.record(sample, paths)
        return sample

    def sample_shell(self, paths, run_index):
        label = 'shell-first-run%d' % run_index
        pairs = ['%s=%s' % (v, self.mirror.sha256(v)) for v in EXACT]
        cmd = ['bash', os.path.join(HERE, 'shell_install.sh'), self.mirror.url, paths['root'], paths['downloads'],
               paths['link'], paths['bin_dir'], EXACT[-1]] + pairs
        load_before = loadavg()
        offset = self.mirror.offset()
        rc, seconds, log_path = self.run_process(cmd, self.env(), label)
        requests = self.mirror.requests_since(offset)
        if rc != 0:
            raise BenchError('%s failed (rc %d); log %s:\n%s' % (label, rc, log_path, tail(log_path)))
        sample = {'approach': 'shell', 'phase': 'first', 'run': run_index, 'task_seconds': seconds,
                  'process_seconds': seconds, 'mirror_requests': len(requests), 'requested': requests,
                  'changed': True, 'load_before': load_before, 'load_after': loadavg()}
        self.record(sample, paths)
        return sample

    def record(self, sample, paths):
        sample.update(self.last_cpu)  # CPU of the whole process tree (rusage of the reaped children)
        self.verify(sample, paths)
        self.samples.append(sample)
        extra = ''
        if 'network_requests' in sample:
            extra = ', module network_requests %d' % sample['network_requests']
        log('  %-8s %-15s run %d: task %6.2fs, process %6.2fs (cpu user %5.2fs sys %5.2fs), changed %-5s, '
            'mirror requests %d%s, load %.1f'
            % (sample['approach'], sample['phase'], sample['run'], sample['task_seconds'],
               sample['process_seconds'], sample['cpu_user'], sample['cpu_sys'], sample['changed'],
               sample['mirror_requests'], extra, sample['load_before'] or 0.0))

    def verify(self, sample, paths):
        """Not timed: every approach must leave working SDKs, the link and the commands."""
        if sample['approach'] == 'floor':
            return
        if sample['phase'] == 'first' and not sample['changed']:
            raise BenchError('%s first install reported no change' % sample['approach'])
        if sample['phase'].startswith('rerun') and sample['changed']:
            raise BenchError('%s %s reported a change' % (sample['approach'], sample['phase']))
        env = {'GOTOOLCHAIN': 'local', 'GOENV': 'off', 'HOME': paths['base'], 'PATH': '/usr/bin:/bin',
               'GOCACHE': os.path.join(paths['base'], 'gocache')}
        for version in EXACT:
            go = os.path.join(paths['root'], 'go' + version, 'bin', 'go')
            out = subprocess.run([go, 'env', 'GOVERSION'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                 universal_newlines=True, env=env, check=False).stdout.strip()
            if out != 'go' + version:
                raise BenchError('%s: %s env GOVERSION printed %r' % (sample['approach'], go, out))
        out = subprocess.run([os.path.join(paths['bin_dir'], 'go'), 'env', 'GOVERSION'], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, universal_newlines=True, env=env, check=False).stdout.strip()
        if out != 'go' + EXACT[-1]:
            raise BenchError('%s: the go command runs %r, expected the default go%s' % (sample['approach'], out,
                                                                                        EXACT[-1]))

    # -- the three approaches ----------------------------------------------------------------------

    def module_vars(self, paths, versions, default):
        return {'go_versions': versions, 'go_default': default, 'go_root': paths['root'], 'go_link': paths['link'],
                'go_bin_dir': paths['bin_dir'], 'go_mirror': self.mirror.url}

    def run_module(self, run_index):
        paths = self.fresh('module-run%d' % run_index)
        self.sample_playbook('module', 'first', 'module.yml', self.module_vars(paths, EXACT, EXACT[-1]), paths,
                             run_index)
        self.sample_playbook('module', 'rerun', 'module.yml', self.module_vars(paths, EXACT, EXACT[-1]), paths,
                             run_index)
        if self.args.floating:
            self.sample_playbook('module', 'rerun-floating', 'module.yml',
                                 self.module_vars(paths, FLOATING, FLOATING[-1]), paths, run_index)

    def run_get_url(self, run_index):
        paths = self.fresh('get_url-run%d' % run_index)
        variables = {'go_sdks': [{'version': v, 'sha256': self.mirror.sha256(v)} for v in EXACT],
                     'go_default': EXACT[-1], 'go_root': paths['root'], 'go_download_dir': paths['downloads'],
                     'go_link': paths['link'], 'go_bin_dir': paths['bin_dir'], 'go_mirror': self.mirror.url}
        self.sample_playbook('get_url', 'first', 'get_url_unarchive.yml', variables, paths, run_index)
        self.sample_playbook('get_url', 'rerun', 'get_url_unarchive.yml', variables, paths, run_index)

    def run_floor(self, run_index):
        paths = self.fresh('floor-run%d' % run_index)
        self.sample_playbook('floor', 'rerun-floor', 'floor.yml', {}, paths, run_index)

    def run_shell(self, run_index):
        paths = self.fresh('shell-run%d' % run_index)
        self.sample_shell(paths, run_index)

    def run(self):
        approaches = [self.run_shell, self.run_module, self.run_get_url]
        if self.args.floor:
            approaches.append(self.run_floor)
        for index in range(1, self.args.runs + 1):
            log('run %d of %d' % (index, self.args.runs))
            # Rotate the order so no approach always runs first (or right after the heaviest one).
            shift = (index - 1) % len(approaches)
            for approach in approaches[shift:] + approaches[:shift]:
                approach(index)

    # -- where the module's first-install time goes -----------------------------------------------

    def profile(self):
        """One archive (go1.27.3), each step --profile-runs times (median), on fresh dirs: the module's
        own steps (download-and-hash, both extraction paths, the version check) next to curl,
        sha256sum and plain GNU tar."""
        sys.path.insert(0, self.collections)
        sys.path.insert(0, os.path.join(HERE, '..', '..', 'tests'))
        from ansible_collections.gocompat.baseline.plugins.module_utils import go_sdk_io as io
        from harness.local_exec import local_runner
        runner = local_runner()

        version = EXACT[-1]
        name = 'go%s.linux-amd64.tar.gz' % version
        base = os.path.join(self.work, 'profile')
        archive = os.path.join(base, name)
        curl_copy = os.path.join(base, 'curl-' + name)
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        counter = [0]

        def target(label):
            counter[0] += 1
            path = os.path.join(base, '%03d-%s' % (counter[0], label))
            os.makedirs(path)
            return path

        def module_download():
            with opener.open(self.mirror.url + name, timeout=60) as response:
                digest, _size = io.copy_and_hash(response, archive)
            io.verify_sha256(digest, self.mirror.sha256(version), name)

        def curl_download():
            subprocess.run(['curl', '-fsS', '-o', curl_copy, self.mirror.url + name], check=True, env=self.env())

        def gnu_sha256():
            subprocess.run(['sha256sum', curl_copy], check=True, stdout=subprocess.DEVNULL)

        gnu = io.find_gnu_tar(runner)

        def module_extract_gnu_tar():
            io.safe_extract(archive, target('module-gnutar'), runner, gnu_tar=gnu)

        def module_extract_tarfile():
            io.safe_extract(archive, target('module-tarfile'), runner)

        def go_check():
            goroot = os.path.join(base, '001-module-gnutar', 'go')
            env = {'GOTOOLCHAIN': 'local', 'GOROOT': goroot, 'GOENV': 'off', 'GOFLAGS': '', 'LANG': 'C',
                   'PATH': '/usr/bin:/bin', 'GOCACHE': os.path.join(base, 'gocache')}
            subprocess.run([os.path.join(goroot, 'bin', 'go'), 'env', 'GOVERSION'], check=True, env=env,
                           stdout=subprocess.DEVNULL)

        def plain_gnu_tar():
            subprocess.run(['tar', '-C', target('gnutar'), '-xzf', archive], check=True)

        if not gnu:
            raise BenchError('the profile compares against GNU tar, which this machine lacks (or gzip)')
        steps = [('module: download + sha256 (copy_and_hash)', module_download)]
        if shutil.which('curl'):
            steps += [('curl -fsS -o (download only)', curl_download), ('sha256sum (GNU)', gnu_sha256)]
        steps += [('module: safe_extract, GNU tar + tree check (the default)', module_extract_gnu_tar),
                  ('plain tar -xzf', plain_gnu_tar),
                  ('module: safe_extract, tarfile one pass (hosts without GNU tar)', module_extract_tarfile),
                  ('module: go env GOVERSION', go_check)]
        runs = self.args.profile_runs
        log('profile: one archive (%s), each step %d time(s), interleaved' % (name, runs))
        os.makedirs(base, exist_ok=True)
        times = dict((label, []) for label, _func in steps)
        for _index in range(runs):
            for label, func in steps:
                os.sync()
                started = time.perf_counter()
                func()
                times[label].append(time.perf_counter() - started)
        result = []
        for label, _func in steps:
            result.append({'step': label, 'seconds': median(times[label]), 'all': times[label]})
            each = ' '.join('%.2f' % t for t in times[label])
            log('  profile %-64s %7.3fs  (%s)' % (label, result[-1]['seconds'], each))
        return result


# -- summary -------------------------------------------------------------------------------------------

ROWS = [
    ('shell', 'first', 'shell: curl + sha256sum -c + tar -xzf, first install'),
    ('module', 'first', 'module go_sdk_install, first install'),
    ('module', 'rerun', 'module go_sdk_install, re-run (exact versions)'),
    ('module', 'rerun-floating', 'module go_sdk_install, re-run (floating 1.26/1.27)'),
    ('get_url', 'first', 'get_url + unarchive, first install'),
    ('get_url', 'rerun', 'get_url + unarchive, re-run'),
    ('floor', 'rerun-floor', 'floor: one ansible.builtin.ping task'),
]


def summarise(samples):
    rows = []
    for approach, phase, label in ROWS:
        chosen = [s for s in samples if s['approach'] == approach and s['phase'] == phase]
        if not chosen:
            continue
        row = {'approach': approach, 'phase': phase, 'label': label, 'runs': len(chosen)}
        for key in ('cpu_user', 'cpu_sys'):
            row[key] = median(s[key] for s in chosen)
        for key in ('task_seconds', 'process_seconds'):
            row[key], row[key + '_min'], row[key + '_max'] = spread(s[key] for s in chosen)
        row['mirror_requests'] = sorted(set(s['mirror_requests'] for s in chosen))
        row['network_requests'] = sorted(set(s['network_requests'] for s in chosen if 'network_requests' in s))
        row['changed'] = sorted(set(s['changed'] for s in chosen))
        rows.append(row)
    return rows


def slow_samples(samples):
    found = []
    for approach, phase, _label in ROWS:
        chosen = [s for s in samples if s['approach'] == approach and s['phase'] == phase]
        if len(chosen) < 2:
            continue
        typical = median(s['cpu_sys'] for s in chosen)
        for sample in chosen:
            if sample['cpu_sys'] > 2.5 * typical and sample['cpu_sys'] - typical > 1.0:
                found.append(dict(sample, row_sys=typical))
    return found


def find(rows, approach, phase):
    for row in rows:
        if row['approach'] == approach and row['phase'] == phase:
            return row
    return None


def fmt_set(values):
    return '/'.join(str(v) for v in values) if values else '-'


def table(rows):
    header = ['Approach', 'Task time, median (min-max)', 'Process time, median', 'CPU user / sys, median',
              'Mirror requests', 'Module network_requests', 'Changed']
    lines = []
    for row in rows:
        task = '%.2f s (%.2f-%.2f)' % (row['task_seconds'], row['task_seconds_min'], row['task_seconds_max'])
        if row['approach'] == 'shell':
            task += ' (= process)'
        lines.append([row['label'], task, '%.2f s' % row['process_seconds'],
                      '%.2f / %.2f s' % (row['cpu_user'], row['cpu_sys']), fmt_set(row['mirror_requests']),
                      fmt_set(row['network_requests']), fmt_set(row['changed'])])
    return markdown_table(header, lines)


def ratios(rows):
    lines = []
    shell = find(rows, 'shell', 'first')
    first = find(rows, 'module', 'first')
    rerun = find(rows, 'module', 'rerun')
    floating = find(rows, 'module', 'rerun-floating')
    gu_first = find(rows, 'get_url', 'first')
    gu_rerun = find(rows, 'get_url', 'rerun')
    verdicts = {}
    if shell and first:
        ratio = first['task_seconds'] / shell['task_seconds']
        verdicts['first_vs_shell'] = ratio
        lines.append('| module first install (task) / shell | %.2fx | within %.1fx | %s |' % (
            ratio, TARGET_FIRST_RATIO, 'met' if ratio <= TARGET_FIRST_RATIO else 'MISSED'))
        lines.append('| module first install (process) / shell | %.2fx | - | - |'
                     % (first['process_seconds'] / shell['task_seconds']))
    if rerun:
        ok_time = rerun['task_seconds'] < TARGET_RERUN_SECONDS
        no_net = rerun['network_requests'] == [0] and rerun['mirror_requests'] == [0]
        lines.append('| module re-run, task time (exact versions) | %.2f s | under %.1f s | %s |' % (
            rerun['task_seconds'], TARGET_RERUN_SECONDS, 'met' if ok_time else 'MISSED'))
        lines.append('| module re-run, requests (module / mirror log) | %s / %s | 0 | %s |' % (
            fmt_set(rerun['network_requests']), fmt_set(rerun['mirror_requests']), 'met' if no_net else 'MISSED'))
    if floating:
        lines.append('| module re-run, floating versions: task time, requests (module / mirror) | %.2f s, %s / %s '
                     '| index only (1) | %s |' % (
                         floating['task_seconds'], fmt_set(floating['network_requests']),
                         fmt_set(floating['mirror_requests']),
                         'met' if floating['mirror_requests'] == [1] else 'check'))
    floor = find(rows, 'floor', 'rerun-floor')
    if floor and rerun:
        lines.append('| module re-run above the one-ping-task floor (task) | +%.2f s (%.2f s vs %.2f s) | - | - |'
                     % (rerun['task_seconds'] - floor['task_seconds'], rerun['task_seconds'], floor['task_seconds']))
    if gu_first and first:
        lines.append('| get_url+unarchive first install / module first install (task) | %.2fx | - | - |'
                     % (gu_first['task_seconds'] / first['task_seconds']))
    if gu_first and shell:
        lines.append('| get_url+unarchive first install / shell | %.2fx | - | - |'
                     % (gu_first['task_seconds'] / shell['task_seconds']))
    if gu_rerun and rerun:
        lines.append('| get_url+unarchive re-run / module re-run (task) | %.2fx (%.2f s vs %.2f s) | - | - |'
                     % (gu_rerun['task_seconds'] / rerun['task_seconds'], gu_rerun['task_seconds'],
                        rerun['task_seconds']))
    head = ['| Comparison | Measured | Target | Verdict |', '|---|---|---|---|']
    return '\n'.join(head + lines), verdicts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n', 1)[0])
    parser.add_argument('--runs', type=int, default=int(os.environ.get('BENCH_RUNS', '3')))
    parser.add_argument('--mirror', required=True, help='mirror URL, http://127.0.0.1:PORT/dl/')
    parser.add_argument('--mirror-log', required=True, help="the serve command's request log (PIDFILE.log)")
    parser.add_argument('--workdir', required=True)
    parser.add_argument('--collections', default=os.path.join(REPO, '.build', 'collections'))
    parser.add_argument('--out', default=os.path.join(HERE, 'results.json'))
    parser.add_argument('--no-floating', dest='floating', action='store_false',
                        help='skip the floating-version re-run of the module')
    parser.add_argument('--no-floor', dest='floor', action='store_false',
                        help='skip the one-ping-task playbook (the floor of any module task)')
    parser.add_argument('--no-profile', dest='profile', action='store_false',
                        help='skip the per-step profile of one archive')
    parser.add_argument('--profile-runs', type=int, default=3, help='repetitions of each profile step (median)')
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error('--runs must be at least 1')
    install_signal_handlers((signal.SIGTERM, signal.SIGHUP))
    started = time.perf_counter()
    bench = None
    try:
        bench = Bench(args)
        log('mirror %s; %d run(s); %d CPU(s); load %.2f; curl: %s'
            % (bench.mirror.url, args.runs, os.cpu_count() or 0, loadavg() or 0.0, shutil.which('curl') or 'none'))
        bench.run()
        steps = bench.profile() if args.profile else []
    except (Interrupted, KeyboardInterrupt) as exc:
        if bench:
            bench.kill_child()
        sys.stderr.write('bench: interrupted (%s)\n' % (exc or 'Ctrl-C'))
        return 130
    except BenchError as exc:
        if bench:
            bench.kill_child()
        sys.stderr.write('bench: %s\n' % exc)
        return 1
    rows = summarise(bench.samples)
    ratio_table, _verdicts = ratios(rows)
    result = {
        'date': time.strftime('%Y-%m-%d %H:%M:%S %z'),
        'cpus': os.cpu_count(),
        'python': sys.version.split()[0],
        'runs': args.runs,
        'versions': EXACT,
        'floating': FLOATING if args.floating else None,
        'curl': shutil.which('curl'),
        'total_seconds': time.perf_counter() - started,
        'summary': rows,
        'profile': steps,
        'slow_samples': ['%s %s run %d' % (x['approach'], x['phase'], x['run']) for x in slow_samples(bench.samples)],
        'samples': bench.samples,
    }
    with open(args.out, 'w') as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
    log('')
    log('Medians of %d run(s), %d CPU(s) (task time: first task start to last task end; process time: the '
        'whole ansible-playbook):' % (args.runs, os.cpu_count() or 0))
    log('')
    log(table(rows))
    log('')
    log(ratio_table)
    if steps:
        log('')
        log('| Step, one archive (go%s) | Seconds |' % EXACT[-1])
        log('|---|---|')
        for step in steps:
            log('| %s | %.3f |' % (step['step'], step['seconds']))
    slow = slow_samples(bench.samples)
    if slow:
        log('')
        log('Samples with several times the usual kernel (sys) time, usually slow file creation after many '
            'deletions on this file system (README, caveats); the medians absorb one such run:')
        for sample in slow:
            log('  %s %s run %d: sys %.2f s (median of its row %.2f s), task %.2f s'
                % (sample['approach'], sample['phase'], sample['run'], sample['cpu_sys'], sample['row_sys'],
                   sample['task_seconds']))
    log('')
    log('driver time %.0f s; results in %s' % (result['total_seconds'], args.out))
    return 0


if __name__ == '__main__':
    sys.exit(main())
