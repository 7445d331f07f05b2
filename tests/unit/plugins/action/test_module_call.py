# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugin_utils/module_call.py: the collector is switched off only in a forked worker."""

from __future__ import absolute_import, division, print_function

import gc
import multiprocessing

from ansible.plugins.action.normal import ActionModule as NormalAction

from ansible_collections.gocompat.baseline.plugins.plugin_utils import module_call


def _in_worker(conn):
    was = gc.isenabled()
    first = module_call.collector_off_in_worker()
    second = module_call.collector_off_in_worker()
    conn.send((was, first, second, gc.isenabled()))
    conn.close()


def test_a_forked_worker_switches_the_collector_off():
    ctx = multiprocessing.get_context('fork')  # how Ansible starts its workers
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_in_worker, args=(child,))
    proc.start()
    was, first, second, enabled = parent.recv()
    proc.join(30)
    assert proc.exitcode == 0
    assert (was, first, second, enabled) == (True, True, False, False)


def test_the_controller_process_keeps_its_collector():
    assert gc.isenabled()
    assert module_call.collector_off_in_worker() is False
    assert gc.isenabled()


def test_the_action_is_the_normal_module_call():
    # check mode, async and module_defaults stay what Ansible's normal action does
    assert issubclass(module_call.ModuleCallAction, NormalAction)
    assert module_call.ModuleCallAction._supports_async and module_call.ModuleCallAction._supports_check_mode
