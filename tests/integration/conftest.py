"""Host-level integration tests: modules run through ansible-playbook on this machine, one folder per
module (tests/integration/<module>/). The fixtures are the shared harness's (tests/harness/fixtures.py);
a module's folder adds its own in its conftest.py."""

from harness.fixtures import go_mirror, module_runner, private_mounts, sysctl_snapshot  # noqa: F401  # pylint: disable=unused-import
