"""The steps that make a process a sandboxed worker (see sandbox.py), in the order they are taken.

Self-contained (the standard library only): a worker started by `Sandbox.spawn` takes them between
fork and exec, and one forked by the zygote (zygote.py), where the grading package is not
importable, takes them after the fork.
"""
import ctypes
import os
import resource
import signal

MEMORY_LIMIT_BYTES = 4 * 2**30   # TensorFlow's import needs ~1.5 GiB of address space
CPU_LIMIT_S = 300
FILE_SIZE_LIMIT_BYTES = 64 * 2**20
MAX_PROCESSES = 512              # counts threads too (per user, so per worker): TensorFlow starts many
MAX_OPEN_FILES = 256

CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWNET = 0x00020000, 0x08000000, 0x40000000
CLONE_NEWUSER, CLONE_NEWPID = 0x10000000, 0x20000000
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
# In a user namespace of its own (an ordinary user's grading), a worker is this uid and gid: not 0,
# so that the capabilities the namespace gives for the steps below are all dropped before its code runs.
NAMESPACE_ID = 1000
# What the grader signals a worker with, passed on by the relay a PID namespace leaves behind.
RELAYED_SIGNALS = (signal.SIGUSR1, signal.SIGCONT, signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 0x20, 0x1000, 0x4000, 0x40000

# What a worker's file system holds besides the Python it runs and its own folder: the system's
# programs and libraries (read-only), and nothing of anyone else's.
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
# Private, size-limited scratch space: nothing written there outlives the worker or reaches another.
SCRATCH_PATHS = ("/tmp", "/var/tmp", "/dev/shm")
SCRATCH_SIZE = "64m"

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


def join_group(procs_files):
    """Join the grading's control group (cgroups.py): one cgroup.procs file per hierarchy. As root,
    before the file system is entered (which has no /sys)."""
    for path in procs_files:
        with open(path, "w") as stream:
            stream.write(str(os.getpid()))


_own_user_namespace = []  # [True] once this process has entered a user namespace of its own


def enter_user_namespace():
    """As an ordinary user: enter a user namespace of its own, in which this process is NAMESPACE_ID
    (the user's own uid and gid outside, the only ones mapped) and holds the capabilities the steps
    after it need (mount, chroot), which `limit` drops. The first step, before any other namespace."""
    uid, gid = os.geteuid(), os.getegid()
    _check(_libc.unshare(CLONE_NEWUSER), "unshare")
    for name, text in (("setgroups", "deny"), ("uid_map", f"{NAMESPACE_ID} {uid} 1"),
                       ("gid_map", f"{NAMESPACE_ID} {gid} 1")):
        with open(f"/proc/self/{name}", "w") as stream:
            stream.write(text)
    _own_user_namespace.append(True)


def enter_pid_namespace():
    """Continue as process 1 of a new PID namespace: from it no process outside can be seen or
    signalled (the grader, the user's other processes), and when it ends everything it started
    ends. The process that called this stays behind as a relay, which holds no file (the worker's
    pipes close when the worker ends), passes on the signals the grader sends, and ends as the worker did."""
    _check(_libc.unshare(CLONE_NEWPID), "unshare")
    # Each ends when the one that started it does: a grading stopped at its time limit leaves nothing.
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    child = os.fork()
    if child == 0:
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
        return
    os.closerange(0, os.sysconf("SC_OPEN_MAX"))
    for signum in RELAYED_SIGNALS:
        signal.signal(signum, lambda signum, frame: os.kill(child, signum))
    _, status = os.waitpid(child, 0)  # retried after each relayed signal (PEP 475)
    code = os.waitstatus_to_exitcode(status)
    if code < 0:  # killed by a signal: so is the relay, for whoever reads its status
        signal.signal(-code, signal.SIG_DFL)
        os.kill(os.getpid(), -code)
    os._exit(code & 0xFF)


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


def enter_root(root, keep, writable, hidden=()):
    """Enter private mount, IPC and network namespaces (as root) with a file system built from a
    whitelist, and make it this process's root (chroot). No network, no System V IPC or abstract
    socket shared with another process, and `root` (an empty folder) gets a fresh tmpfs with

    - private, size-limited tmpfs at SCRATCH_PATHS, and /proc showing this user's processes only
      (hidepid=2: no other process's command line, environment or files);
    - each folder of `keep` bound read-only at its own path (a link, such as /bin -> usr/bin, made
      again as a link), and `writable` (the worker's folder) bound read-write at its own path;
    - the harmless devices (DEVICES) and /dev/fd;
    - each folder of `hidden` that lies under those covered by an empty, unreadable file system.

    Paths stay what they were outside, so the command and the worker's folder need no translating.
    """
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWNET), "unshare")
    _mount("none", "/", None, MS_REC | MS_PRIVATE)
    _mount("tmpfs", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=755")
    inside = lambda path: os.path.join(root, path.lstrip("/"))  # noqa: E731
    under = lambda path, folders: any(path == f or path.startswith(f.rstrip("/") + "/") for f in folders)  # noqa: E731
    # Scratch space first: it holds what is bound next (the worker's folder, in /tmp).
    for path in SCRATCH_PATHS:
        os.makedirs(inside(path), exist_ok=True)
        _mount("tmpfs", inside(path), "tmpfs", MS_NOSUID | MS_NODEV, f"size={SCRATCH_SIZE},mode=1777")
    for device in DEVICES:
        open(inside(device), "w").close()
        _mount(device, inside(device), None, MS_BIND)
    os.symlink("/proc/self/fd", inside("/dev/fd"))
    os.makedirs(inside("/proc"))
    try:
        _mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    except OSError:  # a container that masks /proc may refuse a new one: then the worker has none
        pass
    bound = []
    for path in [*keep, writable]:
        if under(path, bound) or not os.path.lexists(path):
            continue
        if os.path.islink(path):
            os.symlink(os.readlink(path), inside(path))
            continue
        os.makedirs(inside(path), exist_ok=True)
        _mount(path, inside(path), None, MS_BIND | MS_REC)
        if path != writable:
            flags = _kept_flags(inside(path)) | MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID
            _mount("none", inside(path), None, flags)
        bound.append(path)
    for path in hidden:
        if under(path, bound) and os.path.isdir(inside(path)):
            _mount("tmpfs", inside(path), "tmpfs", MS_RDONLY, "size=4k,mode=000")
    os.chroot(root)
    os.chdir(writable)


# statvfs's flags of a mount -> mount's: in a user namespace, a remount must keep those of the mount
# it was bound from (they are locked), or it is refused.
_STATVFS_TO_MOUNT = {os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC, os.ST_NOATIME: 0x400,
                     os.ST_NODIRATIME: 0x800, os.ST_RELATIME: 0x200000}


def _kept_flags(path):
    found = os.statvfs(path).f_flag
    return sum(flag for st, flag in _STATVFS_TO_MOUNT.items() if found & st)


def limit(user):
    """Set the resource limits and, given `user` (uid, gid), become that user; in a user namespace
    of its own, drop every capability it gave: the last step, after which nothing above can be undone."""
    limits = [(resource.RLIMIT_AS, MEMORY_LIMIT_BYTES), (resource.RLIMIT_CPU, CPU_LIMIT_S),
              (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_BYTES), (resource.RLIMIT_CORE, 0),
              (resource.RLIMIT_NOFILE, MAX_OPEN_FILES)]
    if user:
        uid, gid = user
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
    if user or _own_user_namespace:
        limits.append((resource.RLIMIT_NPROC, MAX_PROCESSES))  # per user (in its namespace): only the worker's
    for which, value in limits:
        resource.setrlimit(which, (value, value))
    if _own_user_namespace:
        _drop_capabilities()


class _CapabilityHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapabilityData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def _drop_capabilities():
    """No capability left, and none to gain by an exec (a worker forked by the zygote never execs)."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl")
    header = _CapabilityHeader(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3: two 32-bit words
    _check(_libc.capset(ctypes.byref(header), ctypes.byref((_CapabilityData * 2)())), "capset")
