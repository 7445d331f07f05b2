# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Runs the kernel_limits module (documented in plugins/modules/kernel_limits.py) through the collection's module call."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.gocompat.baseline.plugins.plugin_utils.module_call import ModuleCallAction


class ActionModule(ModuleCallAction):
    pass
