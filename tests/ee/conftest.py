"""Fixtures of the execution-environment tests (tests/ee).

  awx_job(name, playbook, hosts, extravars=None, envvars=None, tags=None, skip_tags=None) -> AwxJob
        runs a playbook through ansible-runner's Python API the way AWX runs a job: a fresh private_data_dir with
        project/ (this checkout's playbooks/ and ansible.cfg, or a playbook importing gocompat.baseline.<name>),
        inventory/hosts, env/extravars, env/envvars and env/settings, the events taken from the event handler
        as they come
  container(suite, systemd, prefix)   the harness's network-less containers (prefix gcee- here)
  ee_play_vars                        variables that let harden/audit run in those containers: Go SDKs delivered
                                      by the controller from the test mirror on 127.0.0.1

The collections come from .build/collections (`make collection` and tests/tools/test-collections.sh for
community.docker), as an EE has them in /usr/share/ansible/collections. ansible-playbook is the one of
GOCOMPAT_ANSIBLE_VENV when set, else of the venv running pytest (which must have ansible-runner).
"""

import json
import os
import shutil

import pytest
import yaml

from harness import playbook
from harness.fixtures import container, docker_session, own_go_mirror  # noqa: F401  # pylint: disable=unused-import
from harness.paths import COLLECTIONS, ROOT

# one SDK (tests/playbooks installs two): its copy and extraction are most of the harden job's time
GO_VERSIONS = ['1.27.3']
PREFIX = 'gcee-'


class AwxJob(object):
    """One finished ansible-runner job: its Runner, the events in the order the handler got them, the statuses."""

    def __init__(self, private_data_dir, runner, events, statuses):
        self.private_data_dir = private_data_dir
        self.project = private_data_dir / 'project'
        self.runner = runner
        self.status = runner.status
        self.rc = runner.rc
        self.events = events
        self.statuses = statuses

    def of(self, kind, action=None, host=None):
        return [e for e in self.events if e.get('event') == kind
                and (action is None or e['event_data'].get('task_action') == action)
                and (host is None or e['event_data'].get('host') == host)]

    def stats(self):
        found = self.of('playbook_on_stats')
        assert len(found) == 1, [e.get('event') for e in self.events]
        return found[0]['event_data']

    def explain(self):
        output = ''.join(e.get('stdout', '') + '\n' for e in self.events)[-8000:]
        return 'status %s rc %s statuses %s\n%s' % (self.status, self.rc, self.statuses, output)


@pytest.fixture(scope='session')
def runner_module():
    try:
        import ansible_runner
    except ImportError:
        pytest.fail('ansible-runner is missing from %s: pip install -r requirements-dev.txt' % playbook.default_venv())
    if not (COLLECTIONS / 'ansible_collections' / 'community' / 'docker' / 'MANIFEST.json').exists():
        pytest.fail('community.docker is missing: bash tests/tools/test-collections.sh %s' % COLLECTIONS)
    return ansible_runner


@pytest.fixture
def awx_job(tmp_path, runner_module, monkeypatch):  # pylint: disable=redefined-outer-name
    venv = playbook.default_venv()
    # A job starts from AWX's environment, not from this test run's: ansible-runner passes its own process
    # environment on, so the pipeline's ANSIBLE_* and report settings (tests/run.sh exports them) go first.
    for key in list(os.environ):
        if key.startswith(('ANSIBLE_', 'GOCOMPAT_REPORT')):
            monkeypatch.delenv(key)

    def run(name, path, hosts, extravars=None, envvars=None, tags=None, skip_tags=None, timeout=600):
        """``path``: a playbook of this checkout ('playbooks/audit.yml'), run from a project that is this checkout,
        or a collection playbook ('gocompat.baseline.audit'), run from a project of one's own whose playbook
        imports it (no ansible.cfg there: the environment enables the report callback)."""
        data = tmp_path / name
        project = data / 'project'
        if path.startswith('gocompat.baseline.'):
            project.mkdir(parents=True)
            play = [{'name': 'The collection playbook %s' % path, 'ansible.builtin.import_playbook': path}]
            path = 'site-%s.yml' % path.rsplit('.', 1)[-1]
            (project / path).write_text(yaml.safe_dump(play))
        else:
            # this checkout as AWX syncs it: the playbooks and the project's ansible.cfg (callbacks_enabled)
            shutil.copytree(str(ROOT / 'playbooks'), str(project / 'playbooks'))
            shutil.copy2(str(ROOT / 'ansible.cfg'), str(project / 'ansible.cfg'))
        (data / 'inventory').mkdir()
        inventory = {'all': {'hosts': dict((h.name, {'ansible_connection': 'community.docker.docker',
                                                     'ansible_python_interpreter': '/usr/bin/python3'})
                                           for h in hosts)}}
        (data / 'inventory' / 'hosts').write_text(yaml.safe_dump(inventory))
        (data / 'env').mkdir()
        (data / 'env' / 'extravars').write_text(json.dumps(extravars or {}))
        env = {
            'PATH': '%s:%s' % (venv / 'bin', os.environ.get('PATH', '/usr/bin:/bin')),
            # the EE's /usr/share/ansible/collections; AWX likewise puts its paths before the project's ansible.cfg
            'ANSIBLE_COLLECTIONS_PATH': str(COLLECTIONS),
            'ANSIBLE_NOCOLOR': '1',
            # what the checkout's ansible.cfg sets, for the project without one
            'ANSIBLE_PIPELINING': 'True',
            'no_proxy': '127.0.0.1,localhost', 'NO_PROXY': '127.0.0.1,localhost',
        }
        env.update(envvars or {})
        (data / 'env' / 'envvars').write_text(json.dumps(env))
        (data / 'env' / 'settings').write_text(json.dumps({'job_timeout': timeout, 'suppress_ansible_output': True}))
        events, statuses = [], []
        # job tags and skip tags as a job template passes them (--tags, --skip-tags)
        runner = runner_module.run(private_data_dir=str(data), playbook=path, ident=name, quiet=True, tags=tags,
                                   skip_tags=skip_tags,
                                   event_handler=lambda event: events.append(event) or True,
                                   status_handler=lambda status, runner_config: statuses.append(status['status']))
        job = AwxJob(data, runner, events, statuses)
        print(job.explain())  # pytest shows it when the test fails
        return job

    return run


@pytest.fixture(scope='session')
def ee_go_mirror(own_go_mirror):  # pylint: disable=redefined-outer-name
    return own_go_mirror(GO_VERSIONS)


@pytest.fixture
def ee_play_vars(ee_go_mirror, tmp_path):  # pylint: disable=redefined-outer-name
    """The variables tests/playbooks passes harden.yml/audit.yml in these containers (no network on the hosts),
    with one SDK."""
    return {
        'go_sdk_delivery': 'controller',
        'go_sdk_mirror': ee_go_mirror.url,
        'go_sdk_controller_dir': str(tmp_path / 'go-archives'),
        'go_sdk_versions': ['1.27'],
        'go_sdk_default': '1.27',
        'go_sdk_env': {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off'},
        # containers cannot raise the hard open-file limit above the engine's
        'kernel_nofile_soft': 16384,
        'kernel_nofile_hard': 20000,
    }
