# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Controller-side Python libraries the filters need, imported when a filter first uses them.

To resolve any one filter of a collection, Ansible loads every filter file of that collection, in every worker
process that templates one. A top-level import of a large library (netaddr takes about 50 ms) would therefore be
paid by every task that uses any gocompat filter, whether or not it needs that library."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import importlib

from ansible.errors import AnsibleFilterError


def require(module, filter_name, install_hint=None):
    """The imported ``module``, or an AnsibleFilterError naming the filter and how to install the library."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise AnsibleFilterError('the gocompat.baseline.%s filter needs the %s Python library on the controller (%s)'
                                 % (filter_name, module, install_hint or 'pip install %s' % module))
