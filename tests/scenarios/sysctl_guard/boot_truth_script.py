"""Runs INSIDE a scenario container (python3 -c), once per step of a boot-truth case:
  prepare  reset the sysctl configuration to the image's pristine state, set the case's keys to their kernel
           defaults, build the case's host state, then measure (with the truth);
  measure  files and live values only;
  truth    files, live values, and the truth.
The truth of a key is what the real boot program leaves: set the key to its kernel default, run
`systemd-sysctl --prefix=KEY` (systemd hosts) or `sysctl --system` (hosts without systemd), read the value,
then put the live value back as it was. Only /proc/sys/net is writable in the container, so nothing
outside the container's network namespace can change. Prints one JSON object.
"""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys

TREES = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/root/sysctl-test',
         '/etc/other']
SINGLE = ['/etc/sysctl.conf', '/usr/sbin/init']


def proc(key):
    return '/proc/sys/' + key.replace('.', '/')


def read(key):
    with open(proc(key)) as handle:
        return ' '.join(handle.read().split())


def write(key, value):
    with open(proc(key), 'w') as handle:
        handle.write(value + '\n')


def show(path):
    return path.encode('utf-8', 'surrogateescape').decode('utf-8', 'backslashreplace')


def describe(path):
    if os.path.islink(path):
        return 'link -> ' + show(os.readlink(path))
    if os.path.isfile(path):
        with open(path, 'rb') as handle:
            digest = hashlib.sha256(handle.read()).hexdigest()
        st = os.stat(path)
        return '%s %o %d:%d' % (digest, st.st_mode & 0o7777, st.st_uid, st.st_gid)
    return 'other'


def fingerprint():
    out = {}
    for tree in TREES:
        for directory, dirs, files in os.walk(tree):
            for name in dirs + files:
                path = os.path.join(directory, name)
                if not os.path.isdir(path) or os.path.islink(path):
                    out[show(path)] = describe(path)
    for path in SINGLE:
        if os.path.lexists(path):
            out[path] = describe(path)
    return out


def reset(case):
    for tree in TREES:
        if os.path.islink(tree) or os.path.isfile(tree):
            os.unlink(tree)
        else:
            shutil.rmtree(tree, ignore_errors=True)
    for path in SINGLE:
        if os.path.lexists(path):
            os.unlink(path)
    subprocess.check_call(['tar', '-xpf', '/pristine.tar', '-C', '/'])
    for key, default in case['keys']:
        write(key, default)


def build(case):
    for path, data in sorted(case['files'].items()):
        parent = os.path.dirname(path)
        if not os.path.isdir(parent):
            os.makedirs(parent)
        with open(path, 'wb') as handle:
            handle.write(base64.b64decode(data))
    if case['commands']:
        subprocess.check_call(['sh', '-ec', '\n'.join(case['commands'])])


def truth(case):
    """The boot value of every key; `sysctl --system` sets all keys at once, so every live value is put
    back only after all measurements."""
    current = dict((key, read(key)) for key, _d in case['keys'])
    out = {}
    try:
        for key, default in case['keys']:
            write(key, default)
            if case['mechanism'] == 'procps':
                argv = ['sysctl', '-q', '--system']
            else:
                argv = ['/usr/lib/systemd/systemd-sysctl', '--prefix=' + key]
            subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=False)
            out[key] = read(key)
    finally:
        for key, value in current.items():
            write(key, value)
    return out


def main():
    case = json.loads(sys.argv[1])
    mode = sys.argv[2]
    if mode == 'prepare':
        reset(case)
        build(case)
    result = {'files': fingerprint(), 'live': dict((key, read(key)) for key, _d in case['keys'])}
    if mode in ('prepare', 'truth'):
        result['truth'] = truth(case)
        result['live_after_truth'] = dict((key, read(key)) for key, _d in case['keys'])
    print(json.dumps(result))


main()
