# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark clock: wall time from the start of the first task to the end of the last task result.

Used by both benchmarks (bench/bench.py, bench/go_sdk/bench.py). Enable it with
ANSIBLE_CALLBACK_PLUGINS=<this directory> and ANSIBLE_CALLBACKS_ENABLED=task_clock, and name the output
file in BENCH_TASK_CLOCK_FILE. Playbook start-up (interpreter start, imports, inventory, playbook
parsing) comes before the first task and is therefore excluded; fact gathering counts as a task, so the
benchmark playbooks turn it off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_clock
type: aggregate
short_description: Write the wall time of a play's tasks to a JSON file
description:
  - Records the wall time from the start of the first task to the end of the last task result; per task
    its time, status, C(changed), the C(network_requests) a module reports (when it does), its role and
    task file, and C(module_calls) (1 per host result, or the loop items that were not skipped); and the
    per-host ok/changed/failed counts.
  - Writes them as JSON to the file named by the environment variable C(BENCH_TASK_CLOCK_FILE).
    Does nothing when that variable is not set.
requirements:
  - enable in configuration (ANSIBLE_CALLBACKS_ENABLED=task_clock)
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase

ENV_FILE = 'BENCH_TASK_CLOCK_FILE'


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'aggregate'
    CALLBACK_NAME = 'task_clock'
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._first_start = None
        self._last_end = None
        self._tasks = []

    def v2_playbook_on_task_start(self, task, is_conditional):
        now = time.perf_counter()
        if self._first_start is None:
            self._first_start = now
        path = task.get_path() or ''
        self._tasks.append({'name': task.get_name(), 'action': task.action, 'start': now, 'end': None,
                            'status': None, 'changed': False, 'module_calls': 0,
                            'role': task._role.get_name() if task._role else None,
                            'file': os.path.basename(path.rsplit(':', 1)[0]) if path else None})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, result, status):
        now = time.perf_counter()
        self._last_end = now
        if not self._tasks:
            return
        task = self._tasks[-1]
        task['end'] = now
        task['status'] = status
        data = result._result
        # with several hosts a task counts as changed when any host changed
        task['changed'] = task['changed'] or bool(data.get('changed', False))
        if 'results' in data:
            task['module_calls'] += sum(1 for item in data['results'] if not item.get('skipped'))
        elif status != 'skipped':
            task['module_calls'] += 1
        if 'network_requests' in data:
            task['network_requests'] = task.get('network_requests', 0) + data['network_requests']
        if status == 'failed':
            task['msg'] = str(data.get('msg', ''))[:2000]

    def v2_runner_on_ok(self, result):
        self._record(result, 'ok')

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, 'failed')

    def v2_runner_on_skipped(self, result):
        self._record(result, 'skipped')

    def v2_runner_on_unreachable(self, result):
        self._record(result, 'unreachable')

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get(ENV_FILE)
        if not path:
            return
        origin = self._first_start
        tasks = []
        for task in self._tasks:
            item = dict(task)
            end = task['end'] if task['end'] is not None else task['start']
            item['seconds'] = round(end - task['start'], 6)
            del item['start'], item['end']
            tasks.append(item)
        report = {
            'task_seconds': (round(self._last_end - origin, 6)
                             if origin is not None and self._last_end is not None else None),
            'tasks': tasks,
            'failed': any(t['status'] in ('failed', 'unreachable') for t in tasks),
            'hosts': dict((host, stats.summarize(host)) for host in sorted(stats.processed)),
        }
        with open(path, 'w') as handle:
            json.dump(report, handle, indent=2, sort_keys=True)
