"""Where student code runs: a worker process that cannot reach the graders, nor anyone else.

`Sandbox(workdir, lane).spawn()` starts worker.py on a copy of the submission in `workdir`:

- always: its own session (process group), a clean environment, `python -I -S` with only
  numpy's site-packages on its path (so the tooling package is not importable), and limits on
  address space, CPU time, file size, processes, open files and core dumps;
- when the grader runs as root: the worker runs as an unprivileged, unnamed user of its own, with
  its own mount, IPC and network namespaces and a file system built from a whitelist
  (confine.enter_root): the system's programs and libraries, the Python installation and its
  site-packages (read-only), its own folder, private size-limited /tmp, /var/tmp and /dev/shm, and a
  /proc that shows its own processes only. The repository, the graders, the reference, other
  submissions and other gradings are not in it. The numpy lane's site-packages has no
  TensorFlow, Keras, JAX or PyTorch in it (each covered by an empty, unreadable folder).

If the namespaces cannot be made (a container without CAP_SYS_ADMIN, such as Gradescope's), root
can still change user: the worker keeps its own unprivileged user, the secret folders (graders,
reference, corpus, master notebooks) are made root-only, the frameworks' folders readable by root
and the Keras lanes' group only (FRAMEWORK_GID), and the folders on the way to the Python
installation traversable (`open_for_workers`), with the limits above. Only if a worker of another
user still could not run Python, or could read a secret, does it keep the grader's user: the
grading's `isolation` then says so. Not root: no user switch either; see docs/threat-model.md.

A batch's workers are forked from a `Zygote` of their lane instead, which has imported numpy (or
TensorFlow) once: they take the same steps (confine.py) after the fork, in ~10 ms for numpy (a
worker started afresh takes ~90 ms) and ~0.3 s for Keras (3-4 core-seconds afresh).
"""
import fcntl
import functools
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from .. import paths
from . import confine
from .confine import SYSTEM_PATHS, enter_pid_namespace, enter_root, enter_user_namespace, isolate, join_group, \
    keep_niceness, limit


def _outermost(folders):
    """The existing `folders`, resolved, without those inside another: covering (or closing) a
    folder covers what is inside it (and mounting inside it would then fail)."""
    candidates = sorted({folder.resolve() for folder in folders if folder.exists()})
    return [p for p in candidates if not any(q in p.parents for q in candidates)]


def hidden_paths():
    """What student code must not see: the repository, the graders, the reference."""
    return _outermost([paths.REPO, paths.AUTOGRADER, paths.GRADERS, paths.REFERENCE])


UID_BASE, UID_SPAN = 200_000, 100_000
# The workers a grading runs at once (see proxy.StudentCode), each with the modules it imports
# as it starts: Keras's imports TensorFlow while the numpy functions are graded. The rebuilder rebuilds
# the models Keras's worker describes, and never loads student code.
LANES = {"numpy": (), "keras": ("keras",), "rebuilder": ("keras",)}
# Only the Keras lanes have the frameworks: the from-scratch exercises cannot borrow their autodiff.
FRAMEWORKS = ("tensorflow", "keras", "tf_keras", "tensorboard", "jax", "jaxlib", "torch")
# Where no namespace hides them, the frameworks' folders belong to this group, which only the Keras
# lanes' workers have (as their group): a numpy worker, of another group, cannot read them.
FRAMEWORK_GID = 199_999


def unprivileged_user(lane):
    """(uid, gid) for the worker when running as root, else None (no switch is possible). The gid
    is the uid's own, or FRAMEWORK_GID for the Keras lanes.

    Each grading process gets its own unnamed uids, one for each of its workers (`lane`), so
    that submissions graded at the same time (-j N) cannot read or signal each other, one
    worker's clean-up (`kill_all`) cannot kill the other, and the process limit is per worker.
    A uid is held, for as long as the process that took it lives, by a lock that no other
    grading on the machine can take (see _allocate_uid): two gradings never share one.
    """
    if os.geteuid() != 0:
        return None
    if lane not in _held:
        _held[lane] = _allocate_uid()
    uid = _held[lane][0]
    return uid, FRAMEWORK_GID if "keras" in LANES[lane] else uid


_held = {}  # lane -> (uid, the open file whose lock holds it)
UID_LOCKS = Path("/tmp/rnnlab-uids")  # one place for every grading on the machine, whatever its TMPDIR


def _allocate_uid():
    """A uid in [UID_BASE, UID_BASE + UID_SPAN) that no live process of any grading holds: its lock
    file (in a root-only folder) is locked (flock) for this process's lifetime, and released by the
    kernel when it ends, however it ends. Candidates start at a random place, so that gradings
    started together seldom try the same ones."""
    UID_LOCKS.mkdir(mode=0o700, exist_ok=True)
    start = int.from_bytes(os.urandom(4), "little") % UID_SPAN
    for offset in range(UID_SPAN):
        uid = UID_BASE + (start + offset) % UID_SPAN
        fd = os.open(UID_LOCKS / str(uid), os.O_CREAT | os.O_RDWR | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        return uid, fd
    raise RuntimeError(f"no free worker uid in {UID_BASE}..{UID_BASE + UID_SPAN - 1}")


@functools.lru_cache(maxsize=1)
def user_namespaces():
    """Whether this process, not root, can give workers namespaces of their own through a user
    namespace (Linux allows it unless a kernel setting or a seccomp filter forbids it): tried once,
    in a child that takes the steps a worker would."""
    probe = os.fork()
    if probe == 0:
        try:
            enter_user_namespace()
            confine._check(confine._libc.unshare(confine.CLONE_NEWNS | confine.CLONE_NEWNET | confine.CLONE_NEWIPC
                                                 | confine.CLONE_NEWPID), "unshare")
            os._exit(0)
        finally:
            os._exit(1)
    return os.geteuid() != 0 and os.waitpid(probe, 0)[1] == 0


# Set (to "1") by `rnnlab grade --unsandboxed`: the only way student code runs as the grader's own user.
UNSANDBOXED = "RNNLAB_UNSANDBOXED"
REFUSAL = ("rnnlab refuses to run student code here: not as root, and this system does not allow user "
           "namespaces (a kernel or distribution setting, a container's seccomp filter, or not Linux), so "
           "student code would run as your own user, able to read the hidden graders, the reference, your "
           "home folder and anything else you can, and to use the network. Grade where it can be kept apart: "
           "on Gradescope (the release's autograder zips), on a Linux machine or VM where user namespaces "
           "are allowed (e.g. sysctl kernel.unprivileged_userns_clone=1, or user.max_user_namespaces > 0), "
           "or as root in a container. To run it as your own user anyway, knowing that, add --unsandboxed.")


def may_run_unsandboxed():
    """Whether student code may run as the grader's own user, where nothing else keeps it apart."""
    return os.environ.get(UNSANDBOXED) == "1"


def worker_uids():
    """The uids this process's workers run as, one per lane, taken now if they were not yet
    (none when not grading as root)."""
    for lane in LANES:
        unprivileged_user(lane)
    return sorted(uid for uid, _ in _held.values())


_control_group = []  # the cgroup.procs files of this grading's control group (cgroups.py), if any


def use_control_group(procs_files):
    """Make every worker this process starts from now on join the grading's control group."""
    _control_group[:] = procs_files


PYTHON_HOME = Path(sys.base_prefix).resolve()
# Where numpy (and the frameworks beside it) are installed: the environment's own site-packages, or
# one that it reaches through a .pth file (a workers' `python -S` reads none).
SITE_PACKAGES = Path(np.__file__).resolve().parents[1]


def secret_paths():
    """What a worker must not read, where no namespace hides it: this package and the graders
    (autograder/, or the zip's folder), the reference, the master notebooks, the mutant corpus."""
    return _outermost([paths.AUTOGRADER, paths.SOLUTIONS, paths.ASSIGNMENTS, paths.REFERENCE.parent, paths.MUTANTS,
                       paths.GRADERS])


def _let_through(path):
    """Let every user traverse (not list) each folder from / to `path`."""
    for folder in [*reversed(Path(path).parents), Path(path)]:
        mode = folder.stat().st_mode
        if not mode & 0o001:
            os.chmod(folder, mode | 0o001)


def open_for_workers(uid):
    """Make what a worker of user `uid` needs reachable, and the secrets not, for workers that run
    without a namespace; True if a process of that user (and a numpy worker's group) can now run
    Python and read no secret, nor a framework. Changes modes and owners for good: on a grading
    container (Gradescope's), nothing else uses them; root still reads everything."""
    secrets = secret_paths()
    for folder in secrets:
        os.chmod(folder, folder.stat().st_mode & 0o7700)
    frameworks = [SITE_PACKAGES / name for name in FRAMEWORKS if (SITE_PACKAGES / name).is_dir()]
    for folder in frameworks:
        os.chown(folder, 0, FRAMEWORK_GID)
        os.chmod(folder, 0o750)
    python = Path(getattr(sys, "_base_executable", sys.executable)).resolve()
    for path in (python.parent, PYTHON_HOME, SITE_PACKAGES):
        _let_through(path)
    probe = os.fork()
    if probe == 0:  # as the worker's user: can it run Python, and read nothing secret?
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            reachable = os.access(python, os.X_OK) and os.access(SITE_PACKAGES / "numpy", os.R_OK | os.X_OK)
            hidden = not any(os.access(folder, os.R_OK) or os.access(folder, os.X_OK) for folder in secrets + frameworks)
            os._exit(0 if reachable and hidden else 1)
        finally:
            os._exit(1)
    return os.waitpid(probe, 0)[1] == 0


_opened = {}  # "ok": whether open_for_workers succeeded (it runs once a process)
_isolation = set()  # how this process's workers were isolated: see isolation()


ISOLATION_LEVELS = ("none", "own user", "full (user namespace)", "full")  # the weakest first


def isolation():
    """How this process's workers were isolated, the weakest first: "none" (the grader's own user:
    a worker could read what the grader can), "own user" (no namespace: secrets root-only), "full
    (user namespace)" (not root: namespaces through a user namespace, the grader's uid outside),
    "full" (namespaces and an own user), or "" (no worker started)."""
    return next((level for level in ISOLATION_LEVELS if level in _isolation), "")


def _interpreter(folder, use_namespace):
    """The Python executable and site-packages a sandboxed process runs with: those bound into
    `folder` in its mount namespace, or the grader's own without one."""
    if use_namespace:
        version = f"python{sys.version_info.major}.{sys.version_info.minor}"
        return folder / ".python" / "bin" / version, folder / ".site"
    return Path(getattr(sys, "_base_executable", sys.executable)), SITE_PACKAGES


def frameworks_hidden(lane, site):
    """The folders of `site` (SITE_PACKAGES, or where it is bound) a worker of `lane` must not import from."""
    return [] if "keras" in LANES[lane] else [str(Path(site) / name) for name in FRAMEWORKS if (SITE_PACKAGES / name).is_dir()]


def _binds(folder):
    """What a sandboxed process in `folder` needs bound into it: the Python installation and its
    site-packages, which may live in a hidden folder or a home folder."""
    (folder / ".python").mkdir()
    (folder / ".site").mkdir()
    return [(PYTHON_HOME, folder / ".python"), (SITE_PACKAGES, folder / ".site")]


# numpy's BLAS on one thread: a worker has a core of its own at most (and the graders, which take
# turns with their worker, likewise: engine._run_graders).
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _environment(home):
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "PYTHONDONTWRITEBYTECODE": "1", **ONE_THREAD,
            "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


class Sandbox:
    """A worker process for one submission, in `workdir` (which holds rnnlab/)."""

    def __init__(self, workdir, lane):
        self.workdir = Path(workdir)
        self.lane = lane
        self.warm_up = LANES[lane]
        self.user = unprivileged_user(lane)
        # Not root: the namespaces through a user namespace of the worker's own, where the system allows.
        self.own_user_namespace = self.user is None and user_namespaces()
        self.use_namespace = self.user is not None or self.own_user_namespace
        self.root = None  # the empty folder the worker's file system is built on

    def _prepare(self):
        """Copy the worker script in, make the root's folder, hand the folder to the worker's user."""
        shutil.copy(Path(__file__).with_name("worker.py"), self.workdir / "worker.py")
        (self.workdir / "home").mkdir()
        if self.use_namespace:
            self.root = Path(tempfile.mkdtemp(prefix="rnnlab-root-"))
        if self.user:
            for root, dirs, files in os.walk(self.workdir):
                for name in [root, *(os.path.join(root, f) for f in dirs + files)]:
                    # A file of several links is the grader's (the package's pristine copy, see
                    # proxy._pristine_copy): the worker reads it, and never owns it.
                    if os.path.isdir(name) or os.lstat(name).st_nlink == 1:
                        os.chown(name, *self.user, follow_symlinks=False)
            os.chmod(self.workdir, 0o700)

    def command(self):
        python, site = _interpreter(self.workdir, False)  # the same paths inside its root
        return [str(python), "-I", "-S", str(self.workdir / "worker.py"), str(self.workdir), str(site), *self.warm_up]

    def file_system(self, python_paths, site):
        """What enter_root takes for this worker, given the folders its Python runs from and the
        one of those that holds its site-packages."""
        return {"root": str(self.root), "keep": [*SYSTEM_PATHS, *map(str, python_paths)],
                "writable": str(self.workdir),
                "hidden": [*map(str, hidden_paths()), *frameworks_hidden(self.lane, site)]}

    def _enter(self):
        """Runs in the child between fork and exec, still as root when a user switch is due."""
        join_group(_control_group)
        keep_niceness()
        if self.own_user_namespace:
            enter_user_namespace()
        if self.use_namespace:
            enter_pid_namespace()
            enter_root(**self.file_system([PYTHON_HOME, SITE_PACKAGES], SITE_PACKAGES))
        limit(self.user)

    def close(self):
        if self.root:
            shutil.rmtree(self.root, ignore_errors=True)

    def spawn(self, zygote=None):
        """Start the worker, which first imports its lane's modules (see worker.main); falls
        back to no namespace if the system refuses one.

        Given the address of a `zygote` of its lane (see Zygote), the worker is forked from it
        instead, with those modules already imported; if the zygote is gone, the worker is started
        as above.
        """
        if os.geteuid() != 0 and not (self.own_user_namespace or may_run_unsandboxed()):
            raise RuntimeError(REFUSAL)  # no silent unsafe mode (root's own fallbacks are below)
        self._prepare()
        env = _environment(self.workdir / "home")
        if zygote:
            folder = Path(zygote).parent.parent  # the zygote's, which holds the Python it runs (as root)
            system = (self.file_system([PYTHON_HOME, SITE_PACKAGES], SITE_PACKAGES) if self.own_user_namespace
                      else self.file_system([folder], folder / ".site") if self.use_namespace else None)
            try:
                return self._started(ForkedWorker(zygote, self.workdir, self.user, env, system,
                                                  user_namespace=self.own_user_namespace))
            except (OSError, ValueError, KeyError):  # a zygote gone, or one that said something else
                pass
        try:
            return self._started(self._popen(env))
        except subprocess.SubprocessError:
            if not self.use_namespace:
                raise
            self.close()
            self.use_namespace = self.own_user_namespace = False
            if self.user and "ok" not in _opened:
                _opened["ok"] = open_for_workers(self.user[0])
            if self.user and _opened["ok"]:
                _let_through(self.workdir.parent)  # the grading's own folder is root's
            else:
                warn_once("could not make a private mount namespace for student code (a container without "
                          "CAP_SYS_ADMIN?), nor keep it from the graders as a user of its own: it runs as "
                          "the grader's user, with resource limits only (see docs/threat-model.md)")
                self.user = None
            return self._started(self._popen(env))

    def _popen(self, env):
        return subprocess.Popen(self.command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, cwd=self.workdir, env=env,
                                start_new_session=True, preexec_fn=self._enter)

    def _started(self, process):
        _isolation.add("full (user namespace)" if self.own_user_namespace else "full" if self.use_namespace
                       else "own user" if self.user else "none")
        return process

    def kill_all(self):
        """Kill every process left by the worker's user (children that escaped its process group);
        without a namespace, also remove what it left in the machine's shared scratch space, so that
        the next worker of its user (one replaced after a lent rerun) finds nothing of it there."""
        if self.user:
            kill_processes_of(self.user[0])
            if not self.use_namespace:
                remove_files_of(self.user[0])


SHARED_SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")  # writable by any user, where no namespace makes them private


def remove_files_of(uid, places=SHARED_SCRATCH):
    """Remove every file and folder that `uid` owns under `places`, in the folders any user can
    enter (where else could it have written?); links are not followed."""
    for place in places:
        for folder, dirs, files in os.walk(place):
            for name in list(dirs) + files:
                path = os.path.join(folder, name)
                try:
                    status = os.lstat(path)
                    is_folder = stat.S_ISDIR(status.st_mode)
                    if status.st_uid == uid and is_folder:
                        shutil.rmtree(path, ignore_errors=True)
                    elif status.st_uid == uid:
                        os.unlink(path)
                    if name in dirs and (not is_folder or status.st_uid == uid or not status.st_mode & 0o001):
                        dirs.remove(name)  # a link, removed, or closed to other users
                except OSError:  # gone meanwhile
                    continue


def kill_processes_of(uid):
    """Kill every process of `uid` (a worker's: see unprivileged_user), wherever it is."""
    if not UID_BASE <= uid < UID_BASE + UID_SPAN:
        raise ValueError(f"{uid} is not a worker's uid")
    pid = os.fork()
    if pid == 0:  # a child takes the uid: kill(-1) then reaches exactly its processes
        try:
            os.setgid(uid)
            os.setuid(uid)
            os.kill(-1, signal.SIGKILL)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


class Zygote:
    """A process that has imported a lane's modules (numpy; Keras), and forks that lane's workers for
    a batch (see zygote.py): a Keras worker then starts in ~0.3 s instead of importing TensorFlow,
    3-4 core-seconds, once per submission; a numpy worker in ~10 ms instead of ~90 ms, which counts
    because a worker that was lent the reference is replaced (see proxy.StudentCode.delegating).
    It lives in a mount namespace with the repository hidden and its Python bound into its folder,
    so that what it imports stays reachable; its socket's folder is hidden from the workers, and it
    serves only its own user.

    `with Zygote(lane) as address:` gives the address that `Sandbox.spawn` takes, or None if the
    zygote could not be started (the workers then start as usual).
    """

    FILES = ("zygote.py", "worker.py", "confine.py")

    def __init__(self, lane="keras"):
        self.lane = lane

    def __enter__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="rnnlab-zygote-"))
        os.chmod(self.folder, 0o755)  # the workers reach the Python bound here
        for name in self.FILES:
            shutil.copy(Path(__file__).with_name(name), self.folder / name)
        (self.folder / "home").mkdir()
        sockets = self.folder / "socket"
        sockets.mkdir(mode=0o700)
        address = str(sockets / "zygote")
        use_namespace = os.geteuid() == 0
        binds = _binds(self.folder) if use_namespace else []
        python, site = _interpreter(self.folder, use_namespace)

        def enter():
            keep_niceness()
            if use_namespace:
                isolate(binds, [*hidden_paths(), sockets])

        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(address)
            listener.listen(64)
            try:
                self.process = subprocess.Popen(
                    [str(python), "-I", "-S", str(self.folder / "zygote.py"), str(site), str(listener.fileno()),
                     *LANES[self.lane]],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    pass_fds=[listener.fileno()], cwd=self.folder, env=_environment(self.folder / "home"),
                    start_new_session=True, preexec_fn=enter)
            except (OSError, subprocess.SubprocessError):
                self.process = None
        # Only the zygote holds the listener now: once it is gone, asking it fails at once.
        return address if self.process else None

    def __exit__(self, *exc):
        """End the zygote, which holds nothing of value once the batch's gradings are over (it may
        still be importing TensorFlow). Were this process killed instead, the zygote's standard
        input would close, and it would end by itself."""
        if self.process:
            self.process.kill()
            self.process.wait()
            self.process.stdin.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class ForkedWorker:
    """A worker forked by a zygote, as much of a subprocess.Popen as a worker's grader uses: pid,
    stdin, stdout and wait(). The zygote reports how it ended (see zygote.py)."""

    def __init__(self, address, workdir, user, env, file_system=None, timeout=60, user_namespace=False):
        """`timeout`: how long the zygote may take to answer, which it does once it has imported
        TensorFlow (a few seconds, at the start of a batch). Given `file_system` (what
        confine.enter_root takes), the worker enters it (in a `user_namespace` of its own, if asked)
        before it becomes `user`."""
        self.returncode = None
        self.connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.connection.settimeout(timeout)  # the zygote may still be importing TensorFlow
        requests, replies = os.pipe(), os.pipe()
        try:
            self.connection.connect(address)
            request = {"workdir": str(workdir), "user": user, "niceness": os.nice(0), "env": env,
                       "file_system": file_system, "control_group": _control_group, "user_namespace": user_namespace}
            socket.send_fds(self.connection, [json.dumps(request).encode() + b"\n"], [requests[0], replies[1]])
            self._received = b""
            self.pid = self._message()["pid"]
        except BaseException:
            self.connection.close()
            for fd in (*requests, *replies):
                os.close(fd)
            raise
        os.close(requests[0])
        os.close(replies[1])
        self.stdin = open(requests[1], "wb")
        self.stdout = open(replies[0], "rb")

    def _message(self):
        """The zygote's next message: one JSON line."""
        while b"\n" not in self._received:
            chunk = self.connection.recv(4096)
            if not chunk:
                raise ConnectionError("the zygote is gone")
            self._received += chunk
        line, self._received = self._received.split(b"\n", 1)
        return json.loads(line)

    def wait(self, timeout=None):
        """The worker's exit code (negative: the signal that killed it), once it has ended;
        None if the zygote is gone and cannot say."""
        if self.returncode is None and self.connection.fileno() >= 0:
            self.connection.settimeout(timeout)
            try:
                self.returncode = self._message()["exit"]
            except (TimeoutError, socket.timeout):
                raise subprocess.TimeoutExpired(f"worker {self.pid}", timeout) from None
            except (OSError, ValueError, KeyError):
                pass
            self.connection.close()  # the zygote then reaps the worker
        return self.returncode


_warned = set()


def warn_once(message):
    if message not in _warned:
        _warned.add(message)
        print(f"rnnlab: warning: {message}", file=sys.stderr)
