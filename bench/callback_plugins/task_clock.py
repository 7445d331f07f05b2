# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Benchmark clock: wall time from the start of the first task to the end of the last task.

Enable it with ANSIBLE_CALLBACK_PLUGINS=<this directory> and ANSIBLE_CALLBACKS_ENABLED=task_clock,
and name the output file in BENCH_TASK_CLOCK_FILE. Playbook start-up (interpreter start, imports,
inventory, playbook parsing) comes before the first task and is therefore excluded; fact gathering
counts as a task, so the benchmark playbooks turn it off.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
name: task_clock
type: aggregate
short_description: Write the wall time of a play's tasks to a JSON file
description:
  - Records the wall time from the start of the first task to the end of the last task result, the
    time of every task, and the per-host ok/changed/failed counts.
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
        self._current = None
        self._tasks = []

    def _task_started(self, task):
        now = time.perf_counter()
        if self._first_start is None:
            self._first_start = now
        self._current = {'name': task.get_name(), 'action': task.action, 'start': now, 'end': None}
        self._tasks.append(self._current)

    def _result(self, *_args, **_kwargs):
        now = time.perf_counter()
        self._last_end = now
        if self._current is not None:
            self._current['end'] = now

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._task_started(task)

    def v2_playbook_on_handler_task_start(self, task):
        self._task_started(task)

    v2_runner_on_ok = _result
    v2_runner_on_failed = _result
    v2_runner_on_skipped = _result
    v2_runner_on_unreachable = _result

    def v2_playbook_on_stats(self, stats):
        path = os.environ.get(ENV_FILE)
        if not path:
            return
        origin = self._first_start
        tasks = []
        for task in self._tasks:
            end = task['end'] if task['end'] is not None else task['start']
            tasks.append({'name': task['name'], 'action': task['action'],
                          'seconds': round(end - task['start'], 6)})
        report = {
            'task_seconds': (round(self._last_end - origin, 6)
                             if origin is not None and self._last_end is not None else None),
            'tasks': tasks,
            'hosts': dict((host, stats.summarize(host)) for host in sorted(stats.processed)),
        }
        with open(path, 'w') as handle:
            json.dump(report, handle, indent=2, sort_keys=True)
