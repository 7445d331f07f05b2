# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that every place naming the supported ansible-core range names the same one: requirements.txt,
meta/runtime.yml, the ends and sanity Pythons of tests/run.sh, and docs/compatibility.md.
Prints one line per disagreement and exits 1, or prints the range and exits 0."""

import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def read(path):
    with open(os.path.join(ROOT, path)) as handle:
        return handle.read()


def minor(text):
    return tuple(int(p) for p in text.split('.')[:2])


def bounds(spec, what, problems):
    """(lowest minor, highest minor) from '>=2.16[.0],<2.22[.0]'."""
    low = re.search(r'>=\s*(\d+\.\d+)', spec)
    high = re.search(r'<\s*(\d+)\.(\d+)', spec)
    if not low or not high:
        problems.append('%s: %r needs both a lower (>=) and an upper (<) bound' % (what, spec))
        return None
    return minor(low.group(1)), (int(high.group(1)), int(high.group(2)) - 1)


def main():
    problems = []
    req = re.search(r'^ansible-core\s*([^#\n]+)', read('requirements.txt'), re.M)
    runtime = re.search(r"^requires_ansible:\s*['\"]?([^'\"\n]+)", read('meta/runtime.yml'), re.M)
    ranges = {}
    for what, found in (('requirements.txt', req), ('meta/runtime.yml', runtime)):
        if not found:
            problems.append('%s: no ansible-core range found' % what)
        else:
            ranges[what] = bounds(found.group(1), what, problems)
    run_sh = read('tests/run.sh')
    ends = re.search(r'^ENDS=\(([^)]*)\)', run_sh, re.M)
    if ends:
        ends = sorted(minor(e) for e in ends.group(1).split())
        ranges['tests/run.sh ENDS'] = (ends[0], ends[-1])
    else:
        problems.append('tests/run.sh: no ENDS=(...) line')
    doc = read('docs/compatibility.md')
    rows = sorted(minor(m) for m in re.findall(r'^\|\s*(\d+\.\d+)\s*\|', doc, re.M))
    heading = re.search(r'ansible-core (\d+\.\d+) through (\d+\.\d+)', doc)
    if rows:
        ranges['docs/compatibility.md table'] = (rows[0], rows[-1])
    if heading:
        ranges['docs/compatibility.md heading'] = (minor(heading.group(1)), minor(heading.group(2)))
    else:
        problems.append('docs/compatibility.md: no "ansible-core X.Y through X.Z" heading')
    known = dict((k, v) for k, v in ranges.items() if v)
    if len(set(known.values())) > 1:
        problems.append('the range differs: %s' % '; '.join(
            '%s %d.%d-%d.%d' % ((k,) + v[0] + v[1]) for k, v in sorted(known.items())))
    if rows and known:
        low, high = list(known.values())[0]
        expected = [(low[0], m) for m in range(low[1], high[1] + 1)]
        if rows != expected:
            problems.append('docs/compatibility.md: table rows %s, expected one per release %s'
                            % (['%d.%d' % r for r in rows], ['%d.%d' % r for r in expected]))
    # sanity runs on the newest end: its array must exist
    if ends and not re.search(r'^SANITY_%d_%d=\(' % ends[-1], run_sh, re.M):
        problems.append('tests/run.sh: no SANITY_%d_%d=(...) for the newest end' % ends[-1])
    for problem in problems:
        print('check-core-range: %s' % problem)
    if problems:
        return 1
    low, high = list(known.values())[0]
    print('check-core-range: ansible-core %d.%d through %d.%d everywhere' % (low + high))
    return 0


if __name__ == '__main__':
    sys.exit(main())
