# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Make this checkout importable as ``ansible_collections.gocompat.baseline``.

At import time a temporary directory gets ``ansible_collections/gocompat/baseline`` as a symlink to the
repository root, and that directory goes first on sys.path, so the tests exercise the code in this
checkout and not an installed copy of the collection.
"""

from __future__ import absolute_import, division, print_function

import atexit
import os
import shutil
import sys
import tempfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _make_collection_root():
    root = tempfile.mkdtemp(prefix='gocompat-baseline-unit-')
    namespace_dir = os.path.join(root, 'ansible_collections', 'gocompat')
    os.makedirs(namespace_dir)
    os.symlink(REPO_ROOT, os.path.join(namespace_dir, 'baseline'))
    atexit.register(shutil.rmtree, root, True)  # removes the link, never follows it
    return root


COLLECTIONS_ROOT = _make_collection_root()
sys.path.insert(0, COLLECTIONS_ROOT)
