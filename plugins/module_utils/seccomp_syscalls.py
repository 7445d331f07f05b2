# -*- coding: utf-8 -*-
# Copyright: gocompat.baseline contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Syscall data for seccomp profiles, kept as data so a review reads it like a table.

``KNOWN``: the syscall names libseccomp 2.5.4 (Debian 12) resolves to a real number on each architecture this
collection builds profiles for; ``ALL_KNOWN`` adds the names it knows only on other architectures. It is the
last resort of the name check, when neither libseccomp's Python
binding nor ``scmp_sys_resolver`` is on the host (tests/integration/seccomp_profile compares it with the
installed libseccomp).

``BASE_GROUPS``: the allow list of the collection's own deny-by-default profile. It follows what container
runtimes allow a container without extra capabilities (Docker's default profile allows about 350 names, runc
and crun apply the same list): everything a program needs to compute, do file, memory, process, signal,
time, socket and IPC work. Left out on purpose: syscalls that act on the whole host or need a capability a
container normally lacks (mount, module loading, reboot, clock setting, swap, kexec, bpf, perf, keyrings,
quotas, namespace and tracing calls), io_uring (runtimes dropped it from their defaults), and the calls the
Go-test switches manage one by one (``seccomp_profile.ADDITIONS``): clone, clone3, unshare, setns,
personality, ptrace, memfd_create, the pidfd calls, copy_file_range and rseq.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

# Known on all five architectures (x86_64, x86, x32, aarch64, arm).
COMMON = """
    accept accept4 acct add_key adjtimex bind bpf brk cachestat capget capset chdir chroot clock_adjtime
    clock_getres clock_gettime clock_nanosleep clock_settime clone clone3 close close_range connect
    copy_file_range delete_module dup dup3 epoll_create1 epoll_ctl epoll_pwait epoll_pwait2 eventfd2 execve
    execveat exit exit_group faccessat faccessat2 fallocate fanotify_init fanotify_mark fchdir fchmod fchmodat
    fchmodat2 fchown fchownat fcntl fdatasync fgetxattr finit_module flistxattr flock fremovexattr fsconfig
    fsetxattr fsmount fsopen fspick fstat fstatfs fsync ftruncate futex futex_requeue futex_wait futex_waitv
    futex_wake get_mempolicy get_robust_list getcpu getcwd getdents64 getegid geteuid getgid getgroups
    getitimer getpeername getpgid getpid getppid getpriority getrandom getresgid getresuid getrusage getsid
    getsockname getsockopt gettid gettimeofday getuid getxattr init_module inotify_add_watch inotify_init1
    inotify_rm_watch io_cancel io_destroy io_getevents io_pgetevents io_setup io_submit io_uring_enter
    io_uring_register io_uring_setup ioctl ioprio_get ioprio_set kcmp kexec_load keyctl kill landlock_add_rule
    landlock_create_ruleset landlock_restrict_self lgetxattr linkat listen listxattr llistxattr lookup_dcookie
    lremovexattr lseek lsetxattr madvise mbind membarrier memfd_create migrate_pages mincore mkdirat mknodat
    mlock mlock2 mlockall mount mount_setattr move_mount move_pages mprotect mq_getsetattr mq_notify mq_open
    mq_timedreceive mq_timedsend mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall munmap
    name_to_handle_at nanosleep open_by_handle_at open_tree openat openat2 perf_event_open personality
    pidfd_getfd pidfd_open pidfd_send_signal pipe2 pivot_root pkey_alloc pkey_free pkey_mprotect ppoll prctl
    pread64 preadv preadv2 prlimit64 process_madvise process_mrelease process_vm_readv process_vm_writev
    pselect6 ptrace pwrite64 pwritev pwritev2 quotactl quotactl_fd read readahead readlinkat readv reboot
    recvfrom recvmmsg recvmsg remap_file_pages removexattr renameat renameat2 request_key restart_syscall rseq
    rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend rt_sigtimedwait
    rt_tgsigqueueinfo sched_get_priority_max sched_get_priority_min sched_getaffinity sched_getattr
    sched_getparam sched_getscheduler sched_rr_get_interval sched_setaffinity sched_setattr sched_setparam
    sched_setscheduler sched_yield seccomp semctl semget semop semtimedop sendfile sendmmsg sendmsg sendto
    set_mempolicy set_mempolicy_home_node set_robust_list set_tid_address setdomainname setfsgid setfsuid
    setgid setgroups sethostname setitimer setns setpgid setpriority setregid setresgid setresuid setreuid
    setrlimit setsid setsockopt settimeofday setuid setxattr shmat shmctl shmdt shmget shutdown sigaltstack
    signalfd4 socket socketpair splice statfs statx swapoff swapon symlinkat sync syncfs sysinfo syslog tee
    tgkill timer_create timer_delete timer_getoverrun timer_gettime timer_settime timerfd_create
    timerfd_gettime timerfd_settime times tkill truncate umask umount2 uname unlinkat unshare userfaultfd
    utimensat vhangup vmsplice wait4 waitid write writev
"""

# Known on one architecture besides the common ones.
_ONLY = {
    'SCMP_ARCH_X86_64': """
    _sysctl access afs_syscall alarm arch_prctl chmod chown creat create_module dup2 epoll_create
    epoll_ctl_old epoll_wait epoll_wait_old eventfd fadvise64 fork futimesat get_kernel_syms get_thread_area
    getdents getpgrp getpmsg getrlimit inotify_init ioperm iopl kexec_file_load lchown link lstat
    map_shadow_stack memfd_secret mkdir mknod mmap modify_ldt newfstatat nfsservctl open pause pipe poll
    putpmsg query_module readlink rename rmdir security select set_thread_area signalfd stat symlink
    sync_file_range sysfs time tuxcall unlink uselib ustat utime utimes vfork vserver
""",
    'SCMP_ARCH_X86': """
    _llseek _newselect _sysctl access afs_syscall alarm arch_prctl bdflush break chmod chown chown32
    clock_adjtime64 clock_getres_time64 clock_gettime64 clock_nanosleep_time64 clock_settime64 creat
    create_module dup2 epoll_create epoll_wait eventfd fadvise64 fadvise64_64 fchown32 fcntl64 fork fstat64
    fstatat64 fstatfs64 ftime ftruncate64 futex_time64 futimesat get_kernel_syms get_thread_area getdents
    getegid32 geteuid32 getgid32 getgroups32 getpgrp getpmsg getresgid32 getresuid32 getrlimit getuid32 gtty
    idle inotify_init io_pgetevents_time64 ioperm iopl ipc lchown lchown32 link lock lstat lstat64
    map_shadow_stack memfd_secret mkdir mknod mmap mmap2 modify_ldt mpx mq_timedreceive_time64
    mq_timedsend_time64 nfsservctl nice oldfstat oldlstat oldolduname oldstat olduname open pause pipe poll
    ppoll_time64 prof profil pselect6_time64 putpmsg query_module readdir readlink recv recvmmsg_time64 rename
    rmdir rt_sigtimedwait_time64 sched_rr_get_interval_time64 select semtimedop_time64 send sendfile64
    set_thread_area setfsgid32 setfsuid32 setgid32 setgroups32 setregid32 setresgid32 setresuid32 setreuid32
    setuid32 sgetmask sigaction signal signalfd sigpending sigprocmask sigreturn sigsuspend socketcall
    ssetmask stat stat64 statfs64 stime stty symlink sync_file_range sysfs time timer_gettime64
    timer_settime64 timerfd_gettime64 timerfd_settime64 truncate64 ugetrlimit ulimit umount unlink uselib
    ustat utime utimensat_time64 utimes vfork vm86 vm86old vserver waitpid
""",
    'SCMP_ARCH_X32': """
    access afs_syscall alarm arch_prctl chmod chown creat dup2 epoll_create epoll_wait eventfd fadvise64 fork
    futimesat getdents getpgrp getpmsg getrlimit inotify_init ioperm iopl kexec_file_load lchown link lstat
    memfd_secret mkdir mknod mmap modify_ldt newfstatat open pause pipe poll putpmsg readlink rename rmdir
    security select signalfd stat symlink sync_file_range sysfs time tuxcall unlink ustat utime utimes vfork
""",
    'SCMP_ARCH_AARCH64': """
    fadvise64 getrlimit kexec_file_load map_shadow_stack memfd_secret mmap newfstatat nfsservctl
    sync_file_range
""",
    'SCMP_ARCH_ARM': """
    _llseek _newselect _sysctl access arm_fadvise64_64 arm_sync_file_range bdflush breakpoint cacheflush chmod
    chown chown32 clock_adjtime64 clock_getres_time64 clock_gettime64 clock_nanosleep_time64 clock_settime64
    creat dup2 epoll_create epoll_wait eventfd fchown32 fcntl64 fork fstat64 fstatat64 fstatfs64 ftruncate64
    futex_time64 futimesat get_tls getdents getegid32 geteuid32 getgid32 getgroups32 getpgrp getresgid32
    getresuid32 getuid32 inotify_init io_pgetevents_time64 kexec_file_load lchown lchown32 link lstat lstat64
    map_shadow_stack mkdir mknod mmap2 mq_timedreceive_time64 mq_timedsend_time64 nfsservctl nice open pause
    pciconfig_iobase pciconfig_read pciconfig_write pipe poll ppoll_time64 pselect6_time64 readlink recv
    recvmmsg_time64 rename rmdir rt_sigtimedwait_time64 sched_rr_get_interval_time64 semtimedop_time64 send
    sendfile64 set_tls setfsgid32 setfsuid32 setgid32 setgroups32 setregid32 setresgid32 setresuid32
    setreuid32 setuid32 sigaction signalfd sigpending sigprocmask sigreturn sigsuspend stat stat64 statfs64
    symlink sysfs timer_gettime64 timer_settime64 timerfd_gettime64 timerfd_settime64 truncate64 ugetrlimit
    unlink uselib usr26 usr32 ustat utimensat_time64 utimes vfork vserver
""",
}

# Known to libseccomp only on other architectures (mips, parisc, ppc, riscv, s390): profiles written for many
# architectures, as containers-common's, list them.
OTHER_ARCHES = """
    cachectl multiplexer riscv_flush_icache rtas s390_guarded_storage s390_pci_mmio_read s390_pci_mmio_write
    s390_runtime_instr s390_sthyi spu_create spu_run subpage_prot swapcontext switch_endian sync_file_range2
    sys_debug_setcontext syscall sysmips timerfd
"""

KNOWN = dict((arch, frozenset(COMMON.split()) | frozenset(extra.split())) for arch, extra in _ONLY.items())
ALL_KNOWN = frozenset().union(*KNOWN.values()) | frozenset(OTHER_ARCHES.split())

# The collection's deny-by-default base: (group, why, names). 32-bit names (stat64, chown32, *_time64) are
# listed with their 64-bit forms: a runtime skips a name its architecture does not have.
BASE_GROUPS = (
    ('file descriptors and plain I/O', 'reading, writing and moving data between descriptors', """
        close close_range dup dup2 dup3 fadvise64 fadvise64_64 fallocate fcntl fcntl64 fdatasync flock fsync
        ioctl lseek _llseek pipe pipe2 pread64 preadv preadv2 pwrite64 pwritev pwritev2 read readahead readv
        sendfile sendfile64 splice sync sync_file_range syncfs tee vmsplice write writev
    """),
    ('opening files and path lookup', 'open, access checks and the working directory', """
        access chdir creat faccessat faccessat2 fchdir getcwd open openat openat2 readlink readlinkat
    """),
    ('file metadata', 'stat, permissions, ownership and times of files the process may already change', """
        chmod chown chown32 fchmod fchmodat fchown fchown32 fchownat fstat fstat64 fstatat64 fstatfs fstatfs64
        ftruncate ftruncate64 futimesat lchown lchown32 lstat lstat64 newfstatat stat stat64 statfs statfs64
        statx truncate truncate64 umask utime utimensat utimensat_time64 utimes
    """),
    ('extended attributes', 'xattrs, checked by the kernel against the file permissions', """
        fgetxattr flistxattr fremovexattr fsetxattr getxattr lgetxattr listxattr llistxattr lremovexattr
        lsetxattr removexattr setxattr
    """),
    ('directories and links', 'creating, renaming and removing names (mknod still needs CAP_MKNOD)', """
        getdents getdents64 link linkat mkdir mkdirat mknod mknodat rename renameat renameat2 rmdir symlink
        symlinkat unlink unlinkat
    """),
    ('memory', 'the address space of the process itself', """
        brk madvise membarrier mincore mlock mlock2 mlockall mmap mmap2 mprotect mremap msync munlock
        munlockall munmap pkey_alloc pkey_free pkey_mprotect remap_file_pages
    """),
    ('processes and threads', 'starting programs, waiting, futexes and thread bookkeeping (clone family: switches)', """
        capget capset execve execveat exit exit_group fork futex futex_time64 futex_waitv get_robust_list
        getpgid getpgrp getpid getppid getsid gettid prctl set_robust_list set_tid_address setpgid setsid
        vfork wait4 waitid waitpid
    """),
    ('signals', 'signal delivery, masks and handlers', """
        alarm kill pause rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
        rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sigaction sigaltstack signal signalfd
        signalfd4 sigpending sigprocmask sigreturn sigsuspend tgkill tkill
    """),
    ('time and timers', 'reading clocks and sleeping; setting clocks needs CAP_SYS_TIME and is left out', """
        clock_getres clock_getres_time64 clock_gettime clock_gettime64 clock_nanosleep
        clock_nanosleep_time64 getitimer gettimeofday nanosleep setitimer time timer_create timer_delete
        timer_getoverrun timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create
        timerfd_gettime timerfd_gettime64 timerfd_settime timerfd_settime64 times
    """),
    ('polling, events and asynchronous I/O', 'the Go netpoller (epoll), inotify, eventfd and Linux AIO', """
        _newselect epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
        epoll_wait_old eventfd eventfd2 inotify_add_watch inotify_init inotify_init1 inotify_rm_watch
        io_cancel io_destroy io_getevents io_pgetevents io_pgetevents_time64 io_setup io_submit poll ppoll
        ppoll_time64 pselect6 pselect6_time64 select
    """),
    ('sockets', 'network calls; what a socket may reach is the network namespace\'s business', """
        accept accept4 bind connect getpeername getsockname getsockopt listen recv recvfrom recvmmsg
        recvmmsg_time64 recvmsg send sendmmsg sendmsg sendto setsockopt shutdown socket socketcall socketpair
    """),
    ('System V and POSIX IPC', 'message queues, semaphores and shared memory of the IPC namespace', """
        ipc mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
        mq_timedsend_time64 mq_unlink msgctl msgget msgrcv msgsnd semctl semget semop semtimedop
        semtimedop_time64 shmat shmctl shmdt shmget
    """),
    ('user and group identity', 'the kernel checks CAP_SETUID/CAP_SETGID itself', """
        getegid getegid32 geteuid geteuid32 getgid getgid32 getgroups getgroups32 getresgid getresgid32
        getresuid getresuid32 getuid getuid32 setfsgid setfsgid32 setfsuid setfsuid32 setgid setgid32
        setgroups setgroups32 setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid
        setreuid32 setuid setuid32
    """),
    ('scheduling and resource limits', 'CPU affinity (GOMAXPROCS), priorities and rlimits of the process', """
        getpriority getrlimit getrusage ioprio_get ioprio_set prlimit64 sched_get_priority_max
        sched_get_priority_min sched_getaffinity sched_getattr sched_getparam sched_getscheduler
        sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr sched_setparam
        sched_setscheduler sched_yield setpriority setrlimit ugetrlimit
    """),
    ('system information and the rest', 'uname, randomness, restarts, thread areas and self-sandboxing', """
        get_thread_area getcpu getrandom landlock_add_rule landlock_create_ruleset landlock_restrict_self
        name_to_handle_at restart_syscall seccomp set_thread_area sysinfo uname
    """),
)

# Architecture-bound groups: (group, why, Docker-style includes.arches, names).
ARCH_GROUPS = (
    ('x86', 'thread-local storage and the LDT of x86 processes', ('amd64', 'x32', 'x86'), """
        arch_prctl modify_ldt
    """),
    ('arm', 'the arm and arm64 private calls and argument orders', ('arm', 'arm64'), """
        arm_fadvise64_64 arm_sync_file_range breakpoint cacheflush set_tls
    """),
)


def base_names():
    """Every name of the base allow list, sorted."""
    names = set()
    for group in BASE_GROUPS:
        names.update(group[2].split())
    return sorted(names)
