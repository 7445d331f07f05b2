"""Make the shared test harness importable as ``harness`` from every test layer (unit, integration,
scenarios, playbooks): tests/ goes first on sys.path. The fixtures live in harness/fixtures.py; each
layer's conftest.py imports the ones it uses."""

import os
import sys

TESTS = os.path.dirname(os.path.abspath(__file__))
if TESTS not in sys.path:
    sys.path.insert(0, TESTS)
