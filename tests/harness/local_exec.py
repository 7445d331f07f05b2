"""Starting processes outside a module: the executor the collection's Runner takes in unit tests and
benchmarks (in a module, AnsibleModule.run_command starts them)."""

import os
import subprocess

from ansible_collections.gocompat.baseline.plugins.module_utils.command import Runner


def popen_execute(argv, env_update, cwd, data):
    """Runner executor: (rc, stdout, stderr) as text, undecodable bytes kept as surrogates like
    run_command keeps them."""
    env = dict(os.environ)
    env.update(env_update or {})
    proc = subprocess.run(argv, input=data.encode('utf-8') if data is not None else None,
                          stdin=None if data is not None else subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd, env=env, check=False)
    return (proc.returncode, proc.stdout.decode('utf-8', 'surrogateescape'),
            proc.stderr.decode('utf-8', 'surrogateescape'))


def local_runner(**kwargs):
    """A Runner that starts processes on this machine."""
    return Runner(execute=popen_execute, **kwargs)
