"""Fleet tests: harden.yml and audit.yml over a mixed fleet of network-less containers reached over real SSH as
the unprivileged user `deploy` with become through sudo (tests/harness/fleet.py, docs/fleet.md).

One fleet serves every test of the session (starting it is cheap, converging it is not):

  fleet       five hosts (bookworm and trixie, with and without systemd as PID 1); the first four form the
              converged fleet, the fifth stays fresh until the troubled run
  mirror      a Go mirror of this layer's own (index of GO_VERSIONS), whose access log counts the downloads
  converge    harden, harden again, audit over the four hosts, run once, their PlaybookRuns and reports
  troubled    one more harden over the fleet plus a host that cannot be reached, with a failing step on one
              converged host and a damaged archive copy on the fresh host

The play variables are those of tests/playbooks (controller delivery from the local mirror, open-file limits
within the engine's cap), with test_audit.py's sysctl policy and waivers.
"""

import json
import shutil

import pytest

from harness import fleet as fleet_mod
from harness import playbook
from harness.docker import IMAGE, docker, engine_problem
from harness.fixtures import docker_session, own_go_mirror  # noqa: F401  # pylint: disable=unused-import
from harness.paths import HarnessError

from fleet_env import CONVERGED, DAMAGE, FRESH, GO_VERSIONS, HOSTILE_PATH, NET_ONLY, WAIVERS, downloads


@pytest.fixture(scope='session', autouse=True)
def _engine(docker_session):  # pylint: disable=redefined-outer-name,unused-argument
    problem = engine_problem([IMAGE % 'bookworm', IMAGE % 'trixie'])
    if problem:
        pytest.fail(problem)
    if not (shutil.which('ssh') and shutil.which('ssh-keygen')):
        pytest.fail('the fleet tests need the OpenSSH client on the controller: apt-get install openssh-client')


@pytest.fixture(scope='session')
def ansible_venv():
    venv = playbook.default_venv()
    try:
        playbook.ansible_core_version(venv)
    except HarnessError as exc:
        pytest.fail(str(exc))
    return venv


@pytest.fixture(scope='session')
def mirror(own_go_mirror):  # pylint: disable=redefined-outer-name
    """This layer's own mirror: its server's access log (serve.pid.log) is read only by these tests."""
    return own_go_mirror(GO_VERSIONS)


@pytest.fixture(scope='session')
def fleet(tmp_path_factory):
    workdir = tmp_path_factory.mktemp('fleet')
    try:
        made = fleet_mod.start_fleet(CONVERGED + [FRESH], prefix='gcfleet-', workdir=workdir)
    except HarnessError as exc:
        pytest.fail(str(exc))
    print('fleet of %d hosts started in %.1fs' % (len(made.hosts), made.start_seconds))
    yield made
    made.remove()


@pytest.fixture(scope='session')
def play_vars(mirror, fleet):  # pylint: disable=redefined-outer-name
    return {
        'go_sdk_delivery': 'controller',
        'go_sdk_mirror': mirror.url,
        'go_sdk_controller_dir': str(fleet.workdir / 'go-archives'),
        'go_sdk_versions': ['1.26', '1.27'],
        'go_sdk_default': '1.27',
        'go_sdk_env': {'GOTOOLCHAIN': 'local', 'GOPROXY': 'off', 'GOSUMDB': 'off'},
        'kernel_nofile_soft': 16384,
        'kernel_nofile_hard': 20000,
        'kernel_sysctl_policy': NET_ONLY,
        'gocompat_waivers': WAIVERS,
    }


class Step(object):
    """One playbook run over the fleet: the run, its report, the mirror's downloads and sshd logins after it."""

    def __init__(self, run, report_dir, mirror_downloads, logins):
        self.run = run
        self.report_dir = report_dir
        self.downloads = mirror_downloads
        self.logins = logins

    @property
    def report(self):
        return json.loads((self.report_dir / 'gocompat-report.json').read_text())


def run_step(fleet_, inventory, name, playbook_name, venv, mirror_, **options):  # pylint: disable=redefined-outer-name
    """Run a playbook over the fleet with its own report directory. The play variables go in as extra vars:
    the report callback reads its waivers from extra and play vars, never from the inventory."""
    report_dir = fleet_.workdir / ('report-%s' % name)
    run = fleet_mod.run_playbook(fleet_, inventory, playbook_name, venv, tag=name,
                                 env={'GOCOMPAT_REPORT_DIR': str(report_dir)}, **options)
    return Step(run, report_dir, downloads(mirror_), dict((h.name, fleet_.logins(h)) for h in fleet_.hosts))


@pytest.fixture(scope='session')
def converge(fleet, play_vars, ansible_venv, mirror):  # pylint: disable=redefined-outer-name
    """harden, harden again and audit over the four hosts of CONVERGED, as in the README's fleet example
    (ansible_user deploy, gocompat_become true)."""
    hosts = fleet.hosts[:len(CONVERGED)]
    inventory = fleet.inventory(fleet.workdir / 'converge.yml', hosts=hosts, become='play')
    steps = {'before': downloads(mirror)}
    # The probe (a real Go build and race test of every SDK on every host) is left out of every run: it is
    # tests/playbooks' subject, and at four hosts it would take more than this whole layer's time on two cores.
    steps['harden'] = run_step(fleet, inventory, 'harden', 'harden.yml', ansible_venv, mirror, extra_vars=play_vars,
                               skip_tags=['probe'])
    steps['sockets'] = fleet.control_sockets()
    steps['harden_again'] = run_step(fleet, inventory, 'harden-again', 'harden.yml', ansible_venv, mirror,
                                     extra_vars=play_vars, skip_tags=['probe'])
    steps['audit'] = run_step(fleet, inventory, 'audit', 'audit.yml', ansible_venv, mirror, extra_vars=play_vars,
                              skip_tags=['probe'])
    steps['hosts'] = hosts
    return steps


@pytest.fixture(scope='session')
def troubled(fleet, converge, play_vars, ansible_venv, mirror):  # pylint: disable=redefined-outer-name
    """harden over all five hosts and one name no container answers to. On the first converged host the go_env
    file is a directory (its module refuses, nothing changed); the fresh host's copied archives are damaged
    on its disk before the install reads them. The probe is left out, as in the converge."""
    hosts = fleet.hosts[:len(CONVERGED)]
    failing, fresh = hosts[0], fleet.hosts[len(CONVERGED)]
    failing.container.sh('rm -f "$1" && mkdir "$1" && touch "$1/keep"', HOSTILE_PATH)
    started = docker('exec', '-d', fresh.name, 'sh', '-c', DAMAGE)
    assert started.returncode == 0, started.stderr
    unreachable = 'gcfleet-gone-%s' % fleet.workdir.name[-6:].replace('_', '')
    inventory = fleet.inventory(fleet.workdir / 'troubled.yml', unreachable=[unreachable], become=True)
    step = run_step(fleet, inventory, 'troubled', 'harden.yml', ansible_venv, mirror, extra_vars=play_vars,
                    skip_tags=['probe'])
    return {'step': step, 'failing': failing, 'fresh': fresh, 'healthy': hosts[1:], 'unreachable': unreachable,
            'converge_hosts': hosts}
