# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The action behind every host-side module of the collection: Ansible's own module call (the ``normal``
action), with the cyclic garbage collector switched off in the worker process first.

Ansible forks one worker process per task and host, and the worker ends with ``os._exit`` when the task is done,
which frees its memory without a collection. Building a module's payload parses the module and every
module_utils file it imports into syntax trees that Ansible links both ways (some 50,000 cyclic objects for
one of ours); the collector then runs full collections over them, and over the heap the worker inherited from
ansible-playbook (touching each object makes the kernel copy the parent's pages). None of that garbage outlives
the task, so the collections are wasted work: 20-30 ms per call (bench/harden/README.md has the figures).
Reference counting still frees everything that is not in a cycle; a loop keeps its items' cyclic garbage until
the worker exits (the payload is built once per task, so that is little).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gc
import multiprocessing

from ansible.plugins.action.normal import ActionModule as NormalAction


def collector_off_in_worker():
    """Switch the cyclic garbage collector off, only in a forked worker (never in the ansible-playbook process
    itself, nor in a test that runs the action in its own process). Returns True when this call did it."""
    if multiprocessing.parent_process() is None or not gc.isenabled():
        return False
    gc.disable()
    return True


class ModuleCallAction(NormalAction):
    """Ansible's normal module call (check mode, diff, async, module_defaults all as usual)."""

    def run(self, tmp=None, task_vars=None):
        collector_off_in_worker()
        return super(ModuleCallAction, self).run(tmp, task_vars)
