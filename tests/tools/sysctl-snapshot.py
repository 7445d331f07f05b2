"""Save the host's kernel parameters before container tests and put back the ones that changed.

Containers with a writable /proc/sys share vm.*, fs.* and most kernel.* keys with this machine, and a
systemd container applies its own sysctl.d files at boot, so tests can change the host. Usage:
  sysctl-snapshot.py save FILE
  sysctl-snapshot.py restore FILE
"""

import json
import os
import sys

PROC_SYS = '/proc/sys'
# Counters and one-shot knobs: they change on their own or writing them back has side effects.
SKIP_PREFIXES = ('kernel/random/', 'kernel/ns_last_pid', 'kernel/tainted', 'fs/dentry-state', 'fs/inode-',
                 'fs/file-nr', 'fs/quota/', 'vm/drop_caches', 'vm/compact_memory', 'kernel/sysrq',
                 'net/', 'fs/binfmt_misc/', 'kernel/usermodehelper/', 'debug/', 'vm/stat_refresh',
                 'kernel/sched_', 'kernel/perf_event', 'fs/pipe-user-pages-soft')


def walk():
    for dirpath, _dirs, files in os.walk(PROC_SYS):
        for name in files:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, PROC_SYS)
            if rel.startswith(SKIP_PREFIXES) or not os.access(path, os.W_OK):
                continue
            try:
                with open(path) as handle:
                    yield rel, handle.read()
            except OSError:
                continue


def main():
    action, snapshot = sys.argv[1], sys.argv[2]
    if action == 'save':
        with open(snapshot, 'w') as handle:
            json.dump(dict(walk()), handle)
        return 0
    with open(snapshot) as handle:
        saved = json.load(handle)
    restored, failed = [], []
    for rel, now in walk():
        if rel in saved and ' '.join(saved[rel].split()) != ' '.join(now.split()):
            try:
                with open(os.path.join(PROC_SYS, rel), 'w') as handle:
                    handle.write(saved[rel])
                restored.append(rel.replace('/', '.'))
            except OSError as exc:
                failed.append('%s (%s)' % (rel.replace('/', '.'), exc.strerror))
    print('sysctl-snapshot: restored %d host keys%s' % (len(restored), (': ' + ', '.join(restored)) if restored else ''))
    if failed:
        print('sysctl-snapshot: could not restore: ' + ', '.join(failed))
    return 0


if __name__ == '__main__':
    sys.exit(main())
