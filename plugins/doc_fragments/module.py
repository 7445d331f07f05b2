# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """What every module of this collection shares: its attributes, and the notes on findings and
    rollback that follow from the one module shape (docs/architecture.md)."""

    DOCUMENTATION = r'''
attributes:
  check_mode:
    support: full
    description: Check mode reports exactly the changes and findings a real run would make.
  diff_mode:
    support: full
    description: Diff mode shows every file, link or live value the run changes, before and after.
  platform:
    support: full
    platforms: posix
    description: Runs on Linux hosts (WSL included) with Python 3.8 or newer.
notes:
  - Returns C(findings), one per control, each C({control, status, expected, actual, source, remediation}).
    C(status) is C(pass) (compliant before the run), C(fail) (non-compliant; in check mode, or not fixable by
    this run), C(fixed) (changed by this run), C(skip) (not applicable, the reason in C(actual)) or C(error).
    C(actual) is the state before the run; C(remediation) says what to do on every C(fail).
  - Every change is planned before the first one is made. If a change fails, the ones already made are undone
    in reverse order, files are left byte-identical, and the task fails with one line that names what failed and
    where, and whether every undo worked.
'''

    # The option every module that writes files has, with the same meaning (gocompat.baseline.module.backup)
    BACKUP = r'''
options:
  backup:
    description:
      - Keep a timestamped copy of every file this call replaces or removes, next to it (the copy does not end
        in the file's own suffix, so it is never read as configuration).
    type: bool
    default: false
'''

    # What a controller-side action of this collection shares (gocompat.baseline.module.controller_action): it runs
    # as an action plugin, changes nothing, and sends nothing to the host.
    CONTROLLER_ACTION = r'''
attributes:
  action:
    support: full
    description: Runs on the controller as an action plugin; no module is sent to the host.
  check_mode:
    support: full
    description: Changes nothing, so it runs the same way in check mode.
  diff_mode:
    support: none
    description: Changes nothing, so there is no diff.
  platform:
    support: full
    platforms: all
    description: Runs on the controller only, whatever the host is.
'''
