# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One line of text per finding, as the playbooks print them: shared by the finding_line filter and the
findings_summary action."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def finding_line(finding):
    """``STATUS control: actual`` plus ``(expected ...)`` unless it passed or does not apply.
    Raises ValueError naming what is wrong when ``finding`` is not a finding."""
    try:
        line = '%-5s %s: %s' % (finding['status'].upper(), finding['control'], finding['actual'])
        if finding['status'] not in ('pass', 'skip'):
            line += ' (expected %s)' % finding['expected']
        return line
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError('a finding dict is expected, got %r: %s' % (finding, exc))
