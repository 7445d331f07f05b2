"""What the fleet tests share: the fleet's make-up, the play's policy, and readers of a run's output and of the
mirror's access log."""

import re

from harness import fleet as fleet_mod

GO_VERSIONS = ['1.26.5', '1.27.3']
ARCHIVES = ['go%s.linux-amd64.tar.gz' % v for v in GO_VERSIONS]
CONVERGED = [fleet_mod.HostSpec('bookworm', True), fleet_mod.HostSpec('bookworm', False),
             fleet_mod.HostSpec('trixie', True), fleet_mod.HostSpec('trixie', False)]
FRESH = fleet_mod.HostSpec('trixie', False)
# Only a per-network-namespace key (as in tests/playbooks/test_audit.py).
NET_ONLY = [{'key': 'net.core.somaxconn', 'value': 65535, 'compare': 'min'}]
# Deviations no harden can fix here: the VM boots with hybrid cgroups, the image has no gcc for the race test.
WAIVERS = [{'control': 'host.cgroup_v2', 'reason': 'the test VM boots with hybrid cgroups'},
           {'control': 'probe.race.*', 'reason': 'the test image has no gcc'}]
ARCHIVE_DIR = '/var/cache/gocompat/go-archives'
COPY_TASK = 'gocompat.baseline.go_sdk : Copy the missing archives to the host'
INSTALL_TASK = 'gocompat.baseline.go_sdk : Install Go SDKs from the copied archives'
GO_ENV_TASK = 'gocompat.baseline.go_env : Write the Go environment for login shells, user managers and system services'
HOSTILE_PATH = '/etc/profile.d/gocompat-go.sh'
# result lines of a task that ran for a host (a loop over nothing prints only 'skipping: [host]')
RAN = ('ok', 'changed', 'failed', 'fatal')

# Runs in the fresh host while the troubled harden runs: every archive that lands in the archive dir gets bytes
# appended once, after the copy and before the install reads it (a copy damaged on the host's disk).
DAMAGE = r'''
mkdir -p /run/gcfleet-damaged
end=$(( $(date +%s) + 900 ))
while [ "$(date +%s)" -lt "$end" ]; do
  for f in /var/cache/gocompat/go-archives/go*.tar.gz; do
    [ -f "$f" ] || continue
    mark=/run/gcfleet-damaged/$(basename "$f")
    [ -e "$mark" ] && continue
    printf 'damaged on the host' >> "$f" && : > "$mark"
  done
  sleep 0.05
done
'''


def downloads(mirror_):
    """{archive: GET count} from the mirror server's access log."""
    log = (mirror_.dir / 'serve.pid.log').read_text()
    return dict((name, len(re.findall(r'"GET /dl/%s HTTP' % re.escape(name), log))) for name in ARCHIVES)


def task_lines(run, task):
    """The output lines of ``task`` (its TASK [...] header up to the next header) in a run's stdout."""
    out, inside = [], False
    for line in run.stdout.splitlines():
        if line.startswith('TASK [') or line.startswith('RUNNING HANDLER [') or line.startswith('PLAY '):
            inside = line.startswith('TASK [%s]' % task) or line.startswith('RUNNING HANDLER [%s]' % task)
            continue
        if inside:
            out.append(line)
    return out


def results_for(lines, host, kinds=('ok', 'changed', 'failed', 'fatal', 'skipping')):
    """Result lines of ``host`` among a task's lines, e.g. 'changed: [host] => (item=...)'."""
    return [line for line in lines if re.match(r'(%s): \[%s\]' % ('|'.join(kinds), re.escape(host)), line)]
