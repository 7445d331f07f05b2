"""Load a seccomp profile (Docker/moby JSON form) into this process with libseccomp's Python binding, the way
a container runtime does for a container without extra capabilities, then try syscalls and print what they
returned as JSON.

Run it with the system Python, which has Debian's python3-seccomp:
    /usr/bin/python3 load_profile.py PROFILE.json     -> {"loaded": {...}, "checks": {...}}
    /usr/bin/python3 load_profile.py --known          -> {SCMP_ARCH_...: [names libseccomp resolves]}
"""

import ctypes
import errno
import json
import os
import sys
import threading

import seccomp

ARCHES = {'SCMP_ARCH_X86_64': seccomp.Arch.X86_64, 'SCMP_ARCH_X86': seccomp.Arch.X86,
          'SCMP_ARCH_X32': seccomp.Arch.X32, 'SCMP_ARCH_AARCH64': seccomp.Arch.AARCH64,
          'SCMP_ARCH_ARM': seccomp.Arch.ARM}
GO_NAMES = {'SCMP_ARCH_X86_64': 'amd64', 'SCMP_ARCH_AARCH64': 'arm64'}
OPS = {'SCMP_CMP_NE': seccomp.NE, 'SCMP_CMP_LT': seccomp.LT, 'SCMP_CMP_LE': seccomp.LE, 'SCMP_CMP_EQ': seccomp.EQ,
       'SCMP_CMP_GE': seccomp.GE, 'SCMP_CMP_GT': seccomp.GT, 'SCMP_CMP_MASKED_EQ': seccomp.MASKED_EQ}
# the binding gives Arch tokens signed and system_arch() unsigned
NATIVE = dict((v & 0xffffffff, k) for k, v in ARCHES.items())[seccomp.system_arch() & 0xffffffff]

CLONE_NEWUTS = 0x04000000
ADDR_NO_RANDOMIZE = 0x0040000
SYSLOG_ACTION_SIZE_BUFFER = 10


def action(name, errno_ret, default_errno):
    if name == 'SCMP_ACT_ERRNO':
        return seccomp.ERRNO(errno_ret if errno_ret is not None else default_errno)
    if name == 'SCMP_ACT_TRACE':
        return seccomp.TRACE(errno_ret or 0)
    return {'SCMP_ACT_ALLOW': seccomp.ALLOW, 'SCMP_ACT_KILL': seccomp.KILL, 'SCMP_ACT_KILL_THREAD': seccomp.KILL,
            'SCMP_ACT_KILL_PROCESS': seccomp.KILL_PROCESS, 'SCMP_ACT_TRAP': seccomp.TRAP,
            'SCMP_ACT_LOG': seccomp.LOG}[name]


def applies(rule):
    """What a runtime decides for a container on this machine without added capabilities."""
    go_arch = GO_NAMES[NATIVE]
    inc, exc = rule.get('includes') or {}, rule.get('excludes') or {}
    if inc.get('arches') and go_arch not in inc['arches']:
        return False
    if exc.get('arches') and go_arch in exc['arches']:
        return False
    return not inc.get('caps')


def build(profile):
    default_errno = profile.get('defaultErrnoRet', 1)
    default = action(profile['defaultAction'], None, default_errno)
    filt = seccomp.SyscallFilter(defaction=default)
    for entry in profile.get('archMap') or []:
        if entry['architecture'] == NATIVE:
            for sub in entry.get('subArchitectures') or []:
                filt.add_arch(ARCHES[sub])
    added, skipped = 0, 0
    for rule in profile.get('syscalls') or []:
        if not applies(rule):
            continue
        act = action(rule['action'], rule.get('errnoRet'), default_errno)
        if rule['action'] == profile['defaultAction'] and (rule.get('errnoRet') or default_errno) == default_errno:
            continue  # libseccomp refuses a rule with the default action; runtimes skip it too
        args = [seccomp.Arg(a['index'], OPS[a['op']], a.get('value', 0), a.get('valueTwo', 0))
                for a in rule.get('args') or []]
        for name in rule['names']:
            try:
                filt.add_rule(act, name, *args)
                added += 1
            except (OSError, RuntimeError, ValueError):
                skipped += 1   # a name of another architecture only (runtimes skip it as well)
    return filt, added, skipped


def call(libc, number, *args):
    ctypes.set_errno(0)
    result = libc.syscall(ctypes.c_long(number), *[ctypes.c_ulong(a) for a in args])
    return result, ctypes.get_errno()


def number(name):
    return seccomp.resolve_syscall(ARCHES[NATIVE], name)


def checks():
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    out = {}
    _r, err = call(libc, number('clone3'), 0, 0)
    out['clone3'] = errno.errorcode.get(err, str(err))     # ENOSYS under the profile, EFAULT/EINVAL without
    done = []
    try:
        worker = threading.Thread(target=lambda: done.append(threading.get_native_id()))
        worker.start()
        worker.join()
        out['thread'] = 'started' if done and done[0] != threading.get_native_id() else 'not run'
    except RuntimeError as exc:
        out['thread'] = 'failed: %s' % exc
    res, err = call(libc, number('unshare'), CLONE_NEWUTS)
    out['unshare'] = 'ok' if res == 0 else errno.errorcode.get(err, str(err))
    res, err = call(libc, number('personality'), 0xffffffff)
    current = res
    res, err = call(libc, number('personality'), current | ADDR_NO_RANDOMIZE)
    out['personality_addr_no_randomize'] = 'ok' if res >= 0 else errno.errorcode.get(err, str(err))
    res, err = call(libc, number('personality'), 0x0400000)   # another persona flag the profile does not list
    out['personality_other'] = 'ok' if res >= 0 else errno.errorcode.get(err, str(err))
    res, err = call(libc, number('syslog'), SYSLOG_ACTION_SIZE_BUFFER, 0, 0)   # not in the profile
    out['syslog'] = 'ok' if res >= 0 else errno.errorcode.get(err, str(err))
    out['getpid'] = 'ok' if os.getpid() > 0 else 'failed'
    pid = os.fork()
    if pid == 0:
        os._exit(7)
    out['fork'] = os.waitpid(pid, 0)[1] >> 8
    return out


def known():
    """Per architecture, the names libseccomp resolves to a syscall there (names gathered from the number
    tables of every architecture it has, then asked by name: x86 resolves socket calls it has only through
    socketcall); under '*' every name it knows."""
    found = set()
    every = [getattr(seccomp.Arch, n) for n in dir(seccomp.Arch) if n.isupper() and n != 'NATIVE']
    for arch in every:
        # mips numbers start at 4000 (o32), 5000 (n64) and 6000 (n32); arm's private calls at 0xf0000
        for num in list(range(0, 1200)) + list(range(4000, 7000)) + list(range(0xf0000, 0xf0010)):
            try:
                resolved = seccomp.resolve_syscall(arch, num)
            except (OSError, ValueError, RuntimeError):
                continue
            if resolved and not resolved.startswith(b'UNKNOWN'):
                found.add(resolved.decode())
    result = dict((name, sorted(n for n in found if seccomp.resolve_syscall(arch, n) >= 0))
                  for name, arch in sorted(ARCHES.items()))
    result['*'] = sorted(found)
    return result


def main():
    if sys.argv[1] == '--known':
        json.dump(known(), sys.stdout)
        return
    with open(sys.argv[1]) as handle:
        profile = json.load(handle)
    filt, added, skipped = build(profile)
    filt.load()
    json.dump({'loaded': {'rules': added, 'skipped': skipped, 'arch': NATIVE}, 'checks': checks()}, sys.stdout)


if __name__ == '__main__':
    main()
