"""Where things are, and how to call ansible-playbook the same way from every test layer."""

import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / 'tests'
TOOLS = TESTS / 'tools'
COLLECTIONS = ROOT / '.build' / 'collections'
CACHE = Path(os.environ.get('GOCOMPAT_CACHE_DIR', '/var/cache/gocompat-test'))


class HarnessError(AssertionError):
    """The harness could not do what a test asked (an engine, image, tool or result is missing)."""


def ansible_playbook(venv=None):
    """ansible-playbook of ``venv``, else the one next to this Python, else the checkout's .venv, else PATH."""
    if venv:
        return str(Path(venv) / 'bin' / 'ansible-playbook')
    for candidate in (Path(sys.executable).parent / 'ansible-playbook', ROOT / '.venv' / 'bin' / 'ansible-playbook'):
        if candidate.exists():
            return str(candidate)
    found = shutil.which('ansible-playbook')
    if not found:
        raise HarnessError('ansible-playbook not found next to %s nor on PATH' % sys.executable)
    return found


def ansible_env(venv=None, **extra):
    """The environment every test runs ansible-playbook with: this checkout's config and collections, no
    colour, no retry files, pipelining, no proxy for the loopback mirror."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR='1', ANSIBLE_FORCE_COLOR='0',
               ANSIBLE_RETRY_FILES_ENABLED='False', ANSIBLE_PIPELINING='True',
               no_proxy='127.0.0.1,localhost', NO_PROXY='127.0.0.1,localhost')
    if (ROOT / 'ansible.cfg').exists():
        env['ANSIBLE_CONFIG'] = str(ROOT / 'ansible.cfg')
    if venv:
        env['PATH'] = '%s:%s' % (Path(venv) / 'bin', os.environ.get('PATH', '/usr/bin:/bin'))
    env.update(extra)
    return env


def collection_modules():
    """(host-side modules, controller-side actions) of the collection, by name. Every module file has an action
    plugin of its name: the collection's module call (ModuleCallAction) for a module that runs on the host, an
    action of its own for one that only documents a controller-side action (findings_summary)."""
    import importlib
    from ansible_collections.gocompat.baseline.plugins.plugin_utils.module_call import ModuleCallAction
    host, controller = [], []
    for name in sorted(n[:-3] for n in os.listdir(str(ROOT / 'plugins' / 'modules'))
                       if n.endswith('.py') and not n.startswith('_')):
        try:
            action = importlib.import_module('ansible_collections.gocompat.baseline.plugins.action.%s' % name)
        except ImportError:
            raise HarnessError('plugins/modules/%s.py has no action plugin plugins/action/%s.py' % (name, name))
        (host if issubclass(action.ActionModule, ModuleCallAction) else controller).append(name)
    return host, controller
