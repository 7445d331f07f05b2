"""Runs that a test starts, kills and waits for: a run in a PID namespace of its own, so that killing it
kills every process of the run (Ansible's worker calls setsid(), so a module is outside the playbook's
process group), and polling with a deadline."""

import os
import signal
import subprocess
import time


def start_in_pid_namespace(cmd, env=None, cwd=None):
    """Popen of ``cmd`` as the first process of a new PID namespace (output discarded)."""
    return subprocess.Popen(['unshare', '--pid', '--fork', '--kill-child'] + list(cmd), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env, cwd=cwd, start_new_session=True)


def wait_for(predicate, timeout=120, step=0.05):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def namespace_members(unshare_pid):
    """PIDs (as seen here) of the processes in the PID namespace whose first process unshare forked."""
    try:
        with open('/proc/%d/task/%d/children' % (unshare_pid, unshare_pid)) as handle:
            children = [int(pid) for pid in handle.read().split()]
    except OSError:
        return []
    members = []
    for child in children:
        namespace = os.readlink('/proc/%d/ns/pid' % child)
        for name in os.listdir('/proc'):
            if name.isdigit():
                try:
                    if os.readlink('/proc/%s/ns/pid' % name) == namespace:
                        members.append(int(name))
                except OSError:
                    pass
    return members


def kill_run(proc):
    """SIGKILL a run started by start_in_pid_namespace: unshare --kill-child passes the signal to the
    namespace's first process, and the kernel kills all others when it dies. Returns once nothing of the run
    is left."""
    pids = namespace_members(proc.pid)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    assert wait_for(lambda: not any(os.path.exists('/proc/%d' % pid) for pid in pids), timeout=60), \
        'processes of the killed run still exist: %s' % pids
