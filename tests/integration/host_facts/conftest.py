"""host_facts on this machine and in network-less containers of local/gocompat-debian:bookworm."""

from harness.fixtures import container, docker_session  # noqa: F401  # pylint: disable=unused-import
