"""Private mount namespaces for host-level tests that mount things (a small tmpfs, a read-only bind): the
command runs under `unshare --mount --propagation private --fork`, so its mounts disappear with it and
never reach this machine's mount table. Needs root (or CAP_SYS_ADMIN)."""

import subprocess

UNSHARE = ['unshare', '--mount', '--propagation', 'private', '--fork', '--']


def argv(command):
    """``command`` (an argument list) wrapped to run in a private mount namespace of its own."""
    return UNSHARE + list(command)


def run(script, *args, env=None, timeout=600):
    """Run the shell ``script`` (``$1``... = ``args``) in a private mount namespace; returns the
    CompletedProcess with stdout and stderr together."""
    return subprocess.run(argv(['sh', '-c', script, 'sh'] + [str(a) for a in args]), stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, universal_newlines=True, env=env, timeout=timeout, check=False)


def tmpfs(path, size, command, after=None, env=None, timeout=600):
    """Run ``command`` with a tmpfs of ``size`` (such as '40m') mounted on ``path``, in a private mount
    namespace; ``after``, a shell line, runs there too before the tmpfs goes (e.g. to list what was left:
    it finds the mount point in ``$mnt``). Exit status: the command's, 97 when the mount failed."""
    script = 'mnt=$2; mount -t tmpfs -o size="$1" tmpfs "$mnt" || exit 97; shift 2; "$@"; rc=$?; %s; exit $rc' % (
        after or ':')
    return run(script, size, path, *command, env=env, timeout=timeout)
