"""The steps that make a process a sandboxed worker (see sandbox.py), in the order they are taken.

Self-contained (the standard library only): a worker started by `Sandbox.spawn` takes them between
fork and exec, and one forked by the zygote (zygote.py), where the grading package is not
importable, takes them after the fork.
"""
import ctypes
import os
import resource

MEMORY_LIMIT_BYTES = 4 * 2**30   # TensorFlow's import needs ~1.5 GiB of address space
CPU_LIMIT_S = 300
FILE_SIZE_LIMIT_BYTES = 64 * 2**20
MAX_PROCESSES = 512              # counts threads too (per user, so per worker): TensorFlow starts many
MAX_OPEN_FILES = 256

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_BIND, MS_REC, MS_PRIVATE = 0x1, 0x1000, 0x4000, 0x40000

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, options=None):
    _check(_libc.mount(str(source).encode(), str(target).encode(), fstype and fstype.encode(),
                       flags, options and options.encode()), f"mount {target}")


def keep_niceness():
    """Give a process that has just started a session the niceness it runs with. A new session
    starts a new scheduling group (Linux autogroup) at nice 0, which would undo a `nice rnnlab
    grade` for the student code it runs."""
    niceness = os.nice(0)
    if niceness > 0:
        try:
            fd = os.open("/proc/self/autogroup", os.O_WRONLY)
        except OSError:  # no autogroups here: plain niceness applies
            return
        try:
            os.write(fd, str(niceness).encode())
        except OSError:
            pass
        finally:
            os.close(fd)


def isolate(binds, hidden):
    """Enter a private mount namespace (as root) in which each (source, target) of `binds` is
    bound, and then each folder of `hidden` is covered by an empty, read-only file system. What
    is bound first stays reachable, even from inside a hidden folder (a virtualenv in the
    repository, say)."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    for source, target in binds:
        _mount(source, target, None, MS_BIND | MS_REC)
    for path in hidden:
        _mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=4k,mode=000")


def limit(user):
    """Set the resource limits and, given `user` (uid, gid), become that user: the last step,
    after which nothing above can be undone."""
    limits = [(resource.RLIMIT_AS, MEMORY_LIMIT_BYTES), (resource.RLIMIT_CPU, CPU_LIMIT_S),
              (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_BYTES), (resource.RLIMIT_CORE, 0),
              (resource.RLIMIT_NOFILE, MAX_OPEN_FILES)]
    if user:
        uid, gid = user
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        limits.append((resource.RLIMIT_NPROC, MAX_PROCESSES))  # per user: only the worker's
    for which, value in limits:
        resource.setrlimit(which, (value, value))
