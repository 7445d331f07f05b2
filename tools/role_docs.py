# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write the role variable tables of README.md and roles/*/README.md from roles/*/meta/argument_specs.yml.

A default is then written in two places, defaults/main.yml and the argument spec (tests compare those
two), and every README table follows from the spec. The tables live between markers:

    <!-- BEGIN role_docs ROLE -->
    ...generated...
    <!-- END role_docs ROLE -->

The top-level README has one pair per role; a role's own README has the pair for itself.

    python3 tools/role_docs.py           rewrite the tables
    python3 tools/role_docs.py --check   exit 1 and name every stale or missing table, change nothing
"""

from __future__ import absolute_import, division, print_function

import argparse
import os
import re
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKUP = re.compile(r'\b[CVOIB]\(([^()]*)\)')
# Defaults longer than this point at defaults/main.yml instead of filling the table cell.
MAX_DEFAULT = 60


class DocsError(Exception):
    """A README or spec that cannot be processed; the message names the file."""


def begin(role):
    return '<!-- BEGIN role_docs %s -->' % role


def end(role):
    return '<!-- END role_docs %s -->' % role


def load_spec(root, role):
    path = os.path.join(root, 'roles', role, 'meta', 'argument_specs.yml')
    with open(path) as handle:
        doc = yaml.safe_load(handle)
    try:
        return (entry_point(doc['argument_specs']) or {}).get('options') or {}
    except (KeyError, TypeError, AttributeError):
        raise DocsError('%s: no argument_specs.main (nor a single other entry point)' % os.path.relpath(path, root))


def entry_point(specs):
    """The entry point a role's table documents: ``main``, or the only one of a role without ``main`` (a role
    that is used as a dependency for its handlers adds no argument check to plays that way)."""
    if 'main' in specs:
        return specs['main']
    if len(specs) == 1:
        return list(specs.values())[0]
    raise KeyError('main')


def roles(root):
    base = os.path.join(root, 'roles')
    return sorted(r for r in os.listdir(base)
                  if os.path.isfile(os.path.join(base, r, 'meta', 'argument_specs.yml')))


def plain(text):
    """Description text for a Markdown cell: ansible-doc markup as code, one line, pipes escaped."""
    if isinstance(text, list):
        text = ' '.join(str(t) for t in text)
    text = MARKUP.sub(lambda m: '`%s`' % m.group(1), str(text or ''))
    return ' '.join(text.split()).replace('|', '\\|')


def show_default(spec):
    if 'default' not in spec:
        return 'not set' if not spec.get('required') else 'required'
    value = spec['default']
    if isinstance(value, bool):
        text = 'true' if value else 'false'
    elif value == '':
        text = '""'
    elif isinstance(value, (list, dict)):
        text = yaml.safe_dump(value, default_flow_style=True, width=float('inf')).strip()
    else:
        text = str(value)
    if len(text) > MAX_DEFAULT:
        what = '%d entries' % len(value) if isinstance(value, (list, dict)) else 'long value'
        return '%s, see `defaults/main.yml`' % what
    return '`%s`' % text.replace('|', '\\|')


def table(spec):
    lines = ['| variable | type | default | meaning |', '|---|---|---|---|']
    for name, option in spec.items():
        option = option or {}
        kind = option.get('type', 'str')
        if option.get('elements'):
            kind = '%s of %s' % (kind, option['elements'])
        meaning = plain(option.get('description'))
        if option.get('choices'):
            meaning += '%sOne of %s.' % (' ' if meaning else '', ', '.join('`%s`' % c for c in option['choices']))
        lines.append('| `%s` | %s | %s | %s |' % (name, kind, show_default(option), meaning))
    return '\n'.join(lines) + '\n'


def replace_block(text, role, body, where):
    start, stop = begin(role), end(role)
    if text.count(start) != 1 or text.count(stop) != 1:
        raise DocsError('%s: needs exactly one %s ... %s pair' % (where, start, stop))
    head, rest = text.split(start, 1)
    _old, tail = rest.split(stop, 1)
    return '%s%s\n%s%s%s' % (head, start, body, stop, tail)


def targets(root):
    """{README path: [roles whose table it holds]}."""
    found = {os.path.join(root, 'README.md'): roles(root)}
    for role in roles(root):
        readme = os.path.join(root, 'roles', role, 'README.md')
        if os.path.isfile(readme):
            found[readme] = [role]
    return found


def render(root):
    """{path: (old text, new text)} for every README with tables."""
    tables = dict((role, table(load_spec(root, role))) for role in roles(root))
    result = {}
    for path, held in targets(root).items():
        with open(path) as handle:
            old = handle.read()
        new = old
        for role in held:
            new = replace_block(new, role, tables[role], os.path.relpath(path, root))
        result[path] = (old, new)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n', maxsplit=1)[0])
    parser.add_argument('--check', action='store_true', help='report stale tables, change nothing')
    parser.add_argument('--root', default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        rendered = render(args.root)
    except (DocsError, EnvironmentError, yaml.YAMLError) as exc:
        print('role_docs: %s' % exc, file=sys.stderr)
        return 2
    stale = sorted(os.path.relpath(p, args.root) for p, (old, new) in rendered.items() if old != new)
    if args.check:
        for path in stale:
            print('role_docs: %s: variable table out of date; run python3 tools/role_docs.py' % path, file=sys.stderr)
        return 1 if stale else 0
    for path, (old, new) in rendered.items():
        if old != new:
            with open(path, 'w') as handle:
                handle.write(new)
    for path in stale:
        print('role_docs: wrote %s' % path)
    return 0


if __name__ == '__main__':
    sys.exit(main())
