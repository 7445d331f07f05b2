"""Fixtures for playbook-level tests: whole playbooks (harden, audit) run by ansible-playbook from a chosen
ansible-core venv against real, network-less Debian containers. Built on the shared harness (tests/harness).

  run_playbook(playbook, hosts, ...)   run a playbook, return a PlaybookRun (rc, stdout, recap per host)
  container(suite='bookworm', systemd=False)  a fresh container of this test, removed at its end (harness)
  go_mirror                            the test Go mirror on 127.0.0.1, for controller delivery of SDKs
  play_vars                            variables that let harden/audit run in these containers

The ansible-core venv is GOCOMPAT_ANSIBLE_VENV when set (tests/run.sh sets it to each venv of the
supported range), else the venv of the Python running pytest.
"""

import pytest

from harness import playbook
from harness.fixtures import container, docker_session, own_go_mirror  # noqa: F401  # pylint: disable=unused-import
from harness.paths import COLLECTIONS, HarnessError

# What the roles install in these tests: the newest patch of two minor releases, as the role default says.
GO_VERSIONS = ['1.26.5', '1.27.3']


@pytest.fixture(scope='session', autouse=True)
def _engine(docker_session):  # pylint: disable=redefined-outer-name,unused-argument
    if not (COLLECTIONS / 'ansible_collections' / 'community' / 'docker' / 'MANIFEST.json').exists():
        pytest.fail('community.docker is missing: bash tests/tools/test-collections.sh %s' % COLLECTIONS)


@pytest.fixture(scope='session')
def ansible_venv():
    """(venv path, ansible-core version) of the venv the playbooks run from."""
    venv = playbook.default_venv()
    try:
        return venv, playbook.ansible_core_version(venv)
    except HarnessError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def run_playbook(tmp_path, ansible_venv):  # pylint: disable=redefined-outer-name
    """run_playbook(playbook, hosts, check=False, diff=False, extra_vars=None, tags=None, skip_tags=None, venv=None,
    timeout=900) -> PlaybookRun.

    playbook: a path, or a name under playbooks/ ('harden.yml'); hosts: Container objects (one inventory
    group `all`); extra_vars: a dict passed as -e @file; venv: another ansible-core venv than the session's.
    """
    counter = [0]

    def run(path, hosts, venv=None, **options):
        counter[0] += 1
        return playbook.run_playbook(tmp_path, counter[0], path, hosts, venv or ansible_venv[0], **options)

    return run


@pytest.fixture(scope='session')
def go_mirror(own_go_mirror):  # pylint: disable=redefined-outer-name
    """A go.dev-style mirror on 127.0.0.1 serving GO_VERSIONS: an index of its own over the archives of the
    shared test mirror, so the integration tests may rewrite the shared index meanwhile."""
    return own_go_mirror(GO_VERSIONS)


@pytest.fixture
def play_vars(go_mirror, tmp_path):  # pylint: disable=redefined-outer-name
    """Variables for harden.yml/audit.yml against these containers: SDKs delivered by the controller from
    the local mirror (the containers have no network), limits within the engine's open-file cap."""
    return {
        'go_sdk_delivery': 'controller',
        'go_sdk_mirror': go_mirror.url,
        'go_sdk_controller_dir': str(tmp_path / 'go-archives'),
        'go_sdk_versions': ['1.26', '1.27'],
        'go_sdk_default': '1.27',
        'go_sdk_env': {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off'},
        # containers cannot raise the hard open-file limit above the engine's (20000 here)
        'kernel_nofile_soft': 16384,
        'kernel_nofile_hard': 20000,
    }
