"""Where student code runs: a worker process that cannot reach the graders.

`Sandbox(workdir, lane).spawn()` starts worker.py on a copy of the submission in `workdir`:

- always: its own session (process group), a clean environment, `python -I -S` with only
  numpy's site-packages on its path (so the tooling package is not importable), and limits on
  address space, CPU time, file size, processes, open files and core dumps;
- when the grader runs as root: the worker runs as an unprivileged, unnamed user of its own, in a private
  mount namespace in which the repository, the graders and the reference are covered by empty
  read-only file systems. The Python installation and site-packages it needs are bound into
  `workdir` first, so they stay reachable wherever they live (a home folder, say).

If the mount namespace cannot be made (a container without CAP_SYS_ADMIN), the worker keeps the
grader's user, with the limits above only (`rnnlab grade` warns once): a Python installation in a
home folder would not be reachable by another user. Not root: no user switch either; see the
threat model in the README.
"""
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
from pathlib import Path

from . import paths

MEMORY_LIMIT_BYTES = 4 * 2**30   # TensorFlow's import needs ~1.5 GiB of address space
CPU_LIMIT_S = 300
FILE_SIZE_LIMIT_BYTES = 64 * 2**20
MAX_PROCESSES = 512              # counts threads too (per user, so per submission): TensorFlow starts many
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


def hidden_paths():
    """What student code must not see: the repository, the graders, the reference."""
    candidates = sorted({p.resolve() for p in (paths.REPO, paths.AUTOGRADER, paths.GRADERS, paths.REFERENCE)
                         if p.exists()})
    # Covering a folder covers what is inside it (and mounting inside it would then fail).
    return [p for p in candidates if not any(q in p.parents for q in candidates)]


UID_BASE, UID_SPAN = 200_000, 100_000
# The workers a grading runs at once (see proxy.StudentCode), each with the modules it imports
# as it starts: Keras's imports TensorFlow while the numpy functions are graded.
LANES = {"numpy": (), "keras": ("keras",)}


def unprivileged_user(lane):
    """(uid, gid) for the worker when running as root, else None (no switch is possible).

    Each grading process gets its own unnamed uids, one for each of its workers (`lane`), so
    that submissions graded at the same time (-j N) cannot read or signal each other, one
    worker's clean-up (`kill_all`) cannot kill the other, and the process limit is per worker.
    """
    if os.geteuid() != 0:
        return None
    uid = UID_BASE + len(LANES) * (os.getpid() % (UID_SPAN // len(LANES))) + list(LANES).index(lane)
    return uid, uid


class Sandbox:
    """A worker process for one submission, in `workdir` (which holds rnnlab/)."""

    def __init__(self, workdir, lane):
        self.workdir = Path(workdir)
        self.warm_up = LANES[lane]
        self.user = unprivileged_user(lane)
        self.python_home = Path(sys.base_prefix).resolve()
        self.site_packages = Path(sysconfig.get_paths()["purelib"]).resolve()
        self.use_namespace = self.user is not None

    def _prepare(self):
        """Copy the worker script in, make mount points, hand the folder to the worker's user."""
        shutil.copy(Path(__file__).with_name("worker.py"), self.workdir / "worker.py")
        (self.workdir / "home").mkdir()
        if self.use_namespace:
            (self.workdir / ".python").mkdir()
            (self.workdir / ".site").mkdir()
        if self.user:
            for root, dirs, files in os.walk(self.workdir):
                for name in [root, *(os.path.join(root, f) for f in dirs + files)]:
                    os.chown(name, *self.user, follow_symlinks=False)
            os.chmod(self.workdir, 0o700)

    def command(self):
        if self.use_namespace:
            version = f"python{sys.version_info.major}.{sys.version_info.minor}"
            python, site = self.workdir / ".python" / "bin" / version, self.workdir / ".site"
        else:
            python, site = Path(getattr(sys, "_base_executable", sys.executable)), self.site_packages
        return [str(python), "-I", "-S", str(self.workdir / "worker.py"), str(self.workdir), str(site), *self.warm_up]

    def _enter(self):
        """Runs in the child between fork and exec, still as root when a user switch is due."""
        keep_niceness()
        if self.use_namespace:
            _check(_libc.unshare(CLONE_NEWNS), "unshare")
            _mount("none", "/", None, MS_REC | MS_PRIVATE)
            _mount(self.python_home, self.workdir / ".python", None, MS_BIND | MS_REC)
            _mount(self.site_packages, self.workdir / ".site", None, MS_BIND | MS_REC)
            for path in hidden_paths():
                _mount("tmpfs", path, "tmpfs", MS_RDONLY, "size=4k,mode=000")
        limits = [(resource.RLIMIT_AS, MEMORY_LIMIT_BYTES), (resource.RLIMIT_CPU, CPU_LIMIT_S),
                  (resource.RLIMIT_FSIZE, FILE_SIZE_LIMIT_BYTES), (resource.RLIMIT_CORE, 0),
                  (resource.RLIMIT_NOFILE, MAX_OPEN_FILES)]
        if self.user:
            uid, gid = self.user
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
            limits.append((resource.RLIMIT_NPROC, MAX_PROCESSES))  # per user: only nobody's
        for which, value in limits:
            resource.setrlimit(which, (value, value))

    def spawn(self):
        """Start the worker, which first imports its lane's modules (see worker.main); falls
        back to no namespace if the system refuses one."""
        self._prepare()
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workdir / "home"), "PYTHONDONTWRITEBYTECODE": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
        try:
            return self._popen(env)
        except subprocess.SubprocessError:
            if not self.use_namespace:
                raise
            # Without the namespace the Python installation may not be reachable by another
            # user (a home folder), so the worker keeps the grader's user: say so once.
            warn_once("could not make a private mount namespace for student code (a container "
                      "without CAP_SYS_ADMIN?); it runs as the grader's user, with resource limits "
                      "only (see the README's threat model)")
            self.use_namespace, self.user = False, None
            return self._popen(env)

    def _popen(self, env):
        return subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=self.workdir, env=env,
                                start_new_session=True, preexec_fn=self._enter)


    def kill_all(self):
        """Kill every process left by the worker's user (children that escaped its process group)."""
        if not self.user:
            return
        pid = os.fork()
        if pid == 0:  # a child takes the worker's uid: kill(-1) then reaches exactly its processes
            try:
                os.setgid(self.user[1])
                os.setuid(self.user[0])
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)


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


_warned = set()


def warn_once(message):
    if message not in _warned:
        _warned.add(message)
        print(f"rnnlab: warning: {message}", file=sys.stderr)
