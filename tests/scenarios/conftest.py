"""Scenario tests: modules run through ansible-playbook in fresh, network-less Debian containers, one folder
per module (tests/scenarios/<module>/). The fixtures are the shared harness's (tests/harness/fixtures.py);
a module's folder adds its own in its conftest.py."""

import pytest

from harness.fixtures import container, docker_session, module_runner  # noqa: F401  # pylint: disable=unused-import


@pytest.fixture(scope='session', autouse=True)
def _engine(docker_session):  # pylint: disable=redefined-outer-name,unused-argument
    """Every scenario needs the engine: fail the whole run early, with the reason, when there is none."""
