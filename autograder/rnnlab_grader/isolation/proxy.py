"""The grader side of grading: call a submission's functions in a worker process.

`StudentCode(submission_dir).call("rnn.rnn_forward", x, h0, Wx, Wh, b)` runs the student's
function in a separate process (see worker.py) and returns its results as plain data,
with caches replaced by opaque handles that can be passed back to the student's own
backward function. A crash, hang or exit in student code raises a `StudentError` here,
costs only the call that caused it, and the next call starts a fresh worker. A function a call
hung in is not run again: later calls that reach it fail at once instead of waiting again.

Functions that return Keras objects run in a worker of their own, with TensorFlow imported: forked
from the batch's Keras zygote (see sandbox.Zygote) in ~0.3 s, or else started early (`start_keras`),
so that it imports TensorFlow (3-4 s) while the numpy tests run. The numpy functions' workers are
forked from the batch's numpy zygote where there is one. A Keras object leaves its worker only as
its configuration: the rebuilder, a worker of its own that never loads student code, rebuilds it and
gives the summary that is checked, so that nothing checked is computed where student code runs.
"""
import contextlib
import hashlib
import json
import os
import py_compile
import re
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from .. import reference
from . import worker
from ..contract import signature
from .sandbox import Sandbox

CALL_TIMEOUT_S = 20.0
KERAS_IMPORT_S = 60.0  # extra time for a call that returns a Keras object: the first imports TensorFlow


class StudentError(Exception):
    """The student's code could not give a result: it raised, crashed, hung or returned junk."""


class TooSlow(StudentError):
    """A call did not finish within the limit its caller set for it (see StudentCode.call)."""


CALLBACK_BYTES = 8 * 2**20  # the arrays a callback may hand the reference: it runs in the grader
ERROR_MESSAGE_CHARS = 300  # of an exception's message from the worker


class _DeadlineReader:
    """A binary reader of a pipe that gives up at a deadline, even in the middle of a frame."""

    def __init__(self, stream, deadline):
        self.fd = stream.fileno()
        self.deadline = deadline

    def read(self, size):
        chunks, remaining = [], size
        while remaining:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                raise TimeoutError
            chunk = os.read(self.fd, min(remaining, 2**20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


def _write_by(stream, value, deadline):
    """Write one frame to a worker's pipe (non-blocking, see _Worker), giving up at `deadline`: a
    worker that does not read cannot hold the grader up."""
    data = memoryview(worker.frame(value))
    fd = stream.fileno()
    while data:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([], [fd], [], left)[1]:
            raise TimeoutError
        try:
            data = data[os.write(fd, data):]
        except BlockingIOError:
            continue


def _read_by(stream, deadline):
    """The worker's next frame, which must be a dict (anything else is a forged frame)."""
    reply = worker.read_frame(_DeadlineReader(stream, deadline))
    if type(reply) is not dict:
        raise ValueError(f"a frame that is a {type(reply).__name__}")
    return reply


class _Worker:
    """One worker process, in a fresh folder with the package: the student's code sees nothing
    else. Only the package's Python files are given, with their bytecode (see _pristine_copy)."""

    def __init__(self, package, lane, zygote=None):
        """`lane` is "numpy", "keras" or "rebuilder" (see sandbox.LANES): Keras's worker and the rebuilder
        import TensorFlow as they start, or are forked from the `zygote` (its address) that has.
        `package` is the grading's pristine copy (see _pristine_copy); the rebuilder has none: it
        never loads student code."""
        self.workdir = Path(tempfile.mkdtemp(prefix="rnnlab-worker-"))
        self.sandbox = Sandbox(self.workdir, lane)
        if package is not None:
            # A worker that runs as a user of its own gets hard links to the pristine copy's
            # read-only files (which it can read, not change: they stay the grader's, and
            # Sandbox._prepare hands over only files of one link); one that would run as the grader
            # gets copies. Links cost next to nothing; a copy ~0.4 ms a file on some disks.
            link = os.link if self.sandbox.user else shutil.copyfile
            shutil.copytree(package, self.workdir / "rnnlab", copy_function=link)
        try:
            self.process = self.sandbox.spawn(zygote)
        except BaseException:
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise
        os.set_blocking(self.process.stdin.fileno(), False)  # see _write_by

    def close(self):
        """Stop the worker and everything it started, and remove its folder."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        with contextlib.suppress(subprocess.TimeoutExpired):  # a zygote that cannot say: kill_all is next
            self.process.wait(timeout=10)
        for stream in (self.process.stdin, self.process.stdout):
            with contextlib.suppress(BrokenPipeError):  # a request the dead worker never read
                stream.close()
        self.sandbox.kill_all()
        self.sandbox.close()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def running_function(self):
        """The package's function ("module.function") the worker is stuck in, once a call has run
        out of time: asked with SIGUSR1, which the worker answers with a frame that names it (see
        worker._answer_where_it_runs). None if no answer comes within a second: the code took the
        signal over, is stuck in C, or waits for a callback."""
        try:
            os.kill(self.process.pid, signal.SIGCONT)  # a worker that stopped itself must run to answer
            os.kill(self.process.pid, signal.SIGUSR1)
            deadline = time.monotonic() + 1.0
            while "running" not in (reply := _read_by(self.process.stdout, deadline)):
                pass  # a reply or callback that came too late
        except (OSError, EOFError, ValueError, struct.error):  # TimeoutError included
            return None
        running = reply["running"]
        return running if isinstance(running, str) and re.fullmatch(r"\w+\.\w+", running) else None

    def exit_reason(self):
        """How the worker ended, in words for the feedback (" (exit code 3)"), or ""."""
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return ""
        if code is None:  # a forked worker whose zygote is gone
            return ""
        if code < 0:
            return f" (killed by signal {signal.Signals(-code).name})"
        return f" (exit code {code})"


class StudentCode:
    """A submission's `rnnlab` package, reachable only through worker processes.

    Args:
        submission_dir: a folder that holds the student's `rnnlab/` package.
        timeout: seconds one call may take before the worker is killed.
        zygotes: lane -> the address of a zygote that forks that lane's workers (see
            sandbox.Zygote); a lane without one starts its workers afresh.
        model_cache: a folder, writable by the grader only, where the summaries of rebuilt
            models are kept for the batch (a summary depends on the configuration alone; most
            submissions describe the same models).
    """

    def __init__(self, submission_dir, timeout=CALL_TIMEOUT_S, zygotes=None, model_cache=None):
        self.source = Path(submission_dir) / "rnnlab"
        self.timeout = timeout
        self.zygotes = zygotes or {}
        self.model_cache = Path(model_cache) if model_cache else None
        self.workers = {}  # lane -> its running _Worker
        self.imported = set()  # modules that were imported once: a later hang or crash is in a call
        self.failed_imports = {}  # module -> (what, detail): its import hung or crashed; not tried again
        self.hung = []  # functions a call was stuck in when it ran out of time: not run again
        self.delegated = ()  # functions the reference computes for the student's code, for now
        self.reference_caches = []  # caches of those reference calls, kept here behind handles
        self.lent_to = set()  # lanes whose worker called the reference: replaced once the lending ends
        self.pristine = None  # the folder of the package as every worker gets it (see _pristine_copy)

    # -- the workers' lives ----------------------------------------------------

    def _worker(self, lane):
        if lane not in self.workers:
            if lane == "rebuilder":  # no submission, and forked as Keras's worker is
                self.workers[lane] = _Worker(None, lane, self.zygotes.get("keras"))
            else:
                if self.pristine is None:
                    self.pristine = _pristine_copy(self.source)
                self.workers[lane] = _Worker(self.pristine, lane, self.zygotes.get(lane))
        return self.workers[lane]

    def start_keras(self):
        """Start the Keras functions' worker and the rebuilder now, so that they import TensorFlow
        while other tests run instead of in the first Keras test. A zygote forks them when they
        are needed: at once, or once the zygote has imported TensorFlow itself, which must not
        hold up the tests."""
        if self.source.is_dir() and "keras" not in self.zygotes:
            self._worker("keras")
            self._worker("rebuilder")

    def _stop(self, lane):
        self.workers.pop(lane).close()

    def close(self):
        """Stop every worker and everything they started, and remove their folders."""
        for lane in list(self.workers):
            self._stop(lane)
        if self.pristine is not None:
            shutil.rmtree(self.pristine.parent, ignore_errors=True)
            self.pristine = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- calls -----------------------------------------------------------------

    @contextlib.contextmanager
    def delegating(self, qualnames):
        """Within this block, the student's code that calls these functions gets the reference's
        results instead of its own (computed here, in the grader; the reference's caches stay
        here too). Grades a function on its own, whatever the state of those it builds on."""
        self.delegated = tuple(qualnames)
        try:
            yield self
        finally:
            self.delegated = ()
            # A worker that was lent the reference keeps nothing of it for later checks: it could
            # have recorded the reference's answers (see docs/threat-model.md).
            for lane in self.lent_to & set(self.workers):
                self._stop(lane)
            self.lent_to.clear()
            self.reference_caches.clear()

    def _answer_callback(self, request):
        """Run a delegated function with the reference, for the student's code in the worker."""
        qualname = request["callback"]
        if qualname not in self.delegated:
            return {"error": f"{qualname} cannot be called back here"}
        sig = signature(qualname)
        if _array_bytes(request) > CALLBACK_BYTES:  # it runs here, in the grader: bounded
            return {"error": f"arguments of more than {CALLBACK_BYTES // 2**20} MiB for the reference "
                             f"{qualname.split('.')[1]}"}
        try:
            args = [self.reference_caches[a.key] if isinstance(a, worker.Handle) else a for a in request["args"]]
            result = reference.function(qualname)(*args, **request.get("kwargs", {}))
        except Exception as error:  # the student's code passed arguments the reference refuses
            return {"error": f"the reference {qualname.split('.')[1]} refused its arguments: "
                             f"{type(error).__name__}: {str(error)[:ERROR_MESSAGE_CHARS]}"}
        values = list(result) if len(sig.returns) > 1 else [result]
        for i, name in enumerate(sig.returns):
            if name in sig.opaque:
                self.reference_caches.append(values[i])
                values[i] = worker.Handle(len(self.reference_caches) - 1)
        return {"result": tuple(values) if len(sig.returns) > 1 else values[0]}

    def call(self, qualname, *args, echo_args=False, keras_input_shape=None, within=None):
        """Run `rnnlab.<qualname>(*args)` in the worker and return its results.

        Returns the function's return value with caches as handles; with `echo_args`,
        a pair (result, args_after) where args_after holds the plain-data arguments as the
        function left them (None for others). A function that returns a Keras layer or model
        gives its summary (see worker._summarize_keras); `keras_input_shape` places a lone
        layer after an Input of that shape. `within` (seconds) is the caller's own limit for this call
        (at most the call timeout): a function that misses it is not taken for an endless loop, and
        is run again in later calls.
        """
        sig = signature(qualname)
        module, function = qualname.split(".")
        if not self.source.is_dir():
            raise StudentError("the submission has no rnnlab/ package folder")
        if module in self.failed_imports:
            what, detail = self.failed_imports[module]
            raise StudentError(f"importing rnnlab/{module}.py {what} earlier{detail}")
        timeout = self.timeout + (KERAS_IMPORT_S if sig.keras else 0)
        own_limit = within is not None
        if qualname in self.hung:
            raise StudentError(f"{function} did not finish within {timeout:.0f} s in an earlier call "
                               "(an endless loop?), so it is not run again")
        lane = "keras" if sig.keras else "numpy"
        process = self._worker(lane).process
        request = {"module": module, "function": function, "args": list(args),
                   "returns": list(sig.returns), "opaque": list(sig.opaque), "echo_args": echo_args,
                   "keras": sig.keras, "keras_input_shape": keras_input_shape,
                   "delegate": list(self.delegated), "hung": [q for q in self.hung if q not in self.delegated]}
        deadline = time.monotonic() + (min(within, timeout) if own_limit else timeout)  # writes, reads, callbacks
        try:
            _write_by(process.stdin, request, deadline)
            while True:  # frames before the reply: the import went through, or a callback
                reply = _read_by(process.stdout, deadline)
                if "imported" in reply:
                    self.imported.add(module)
                elif "callback" in reply:
                    self.lent_to.add(lane)
                    _write_by(process.stdin, self._answer_callback(reply), deadline)
                elif "running" not in reply:  # (a "running" frame here: the code signalled itself)
                    break
            forged = _not_a_reply(sig, reply, len(args) if echo_args else None)
            if forged:
                raise ValueError(forged)
        except TimeoutError:
            if module not in self.imported:
                self._stop(lane)
                self.failed_imports[module] = ("did not finish", " (an endless loop?)")
                raise StudentError(f"importing rnnlab/{module}.py did not finish within {timeout:.0f} s "
                                   f"(an endless loop?)") from None
            if own_limit:  # busy, not stuck for good: a fresh worker for the next call
                self._stop(lane)
                raise TooSlow(f"{function} did not finish within {min(within, timeout):.1f} s") from None
            running = self.workers[lane].running_function()
            self._stop(lane)
            where = ""
            if running:
                self.hung.append(running)
                if running != qualname:
                    where = " It was running {1} in rnnlab/{0}.py.".format(*running.split("."))
            raise StudentError(f"{function} did not finish within {timeout:.0f} s "
                               f"(an endless loop?).{where}") from None
        except ValueError as error:  # a frame too large to accept, not a frame at all, or not a reply
            self._stop(lane)
            raise StudentError(f"{function} returned data that cannot be checked: {error}") from None
        # TimeoutError is an OSError: it must be caught first.
        except (OSError, EOFError, struct.error) as error:
            reason = self.workers[lane].exit_reason()
            self._stop(lane)
            if module not in self.imported:  # an import runs the same code each time: once is enough
                self.failed_imports[module] = ("crashed the Python process", reason)
                raise StudentError(f"importing rnnlab/{module}.py crashed the Python process{reason}") from error
            raise StudentError(f"{function} crashed the Python process{reason}") from error
        if "error" in reply:
            raise StudentError(_explain(function, reply))
        if sig.keras:
            return self._rebuild(function, reply["result"], keras_input_shape, deadline)
        if echo_args:
            return reply["result"], reply["args_after"]
        return reply["result"]

    def _rebuild(self, function, config, input_shape, deadline):
        """The summary of the model that `function` described by its configuration (text: see
        _not_a_reply), made by the rebuilder: a worker that rebuilds it and never loads student
        code (see worker.rebuild_keras)."""
        request = {"rebuild": config, "keras_input_shape": input_shape}
        cached = None
        if self.model_cache:
            cached = self.model_cache / (hashlib.sha256(json.dumps(request).encode()).hexdigest() + ".json")
            with contextlib.suppress(OSError, ValueError):
                return json.loads(cached.read_text())
        rebuilder = self._worker("rebuilder").process
        try:
            _write_by(rebuilder.stdin, request, deadline)
            reply = _read_by(rebuilder.stdout, deadline)
        except (OSError, EOFError, ValueError, struct.error):  # TimeoutError included
            self._stop("rebuilder")
            raise StudentError(f"{function}'s model could not be rebuilt from its configuration "
                               f"in the time its call had") from None
        if "error" in reply:
            error = reply["error"]
            raise StudentError(f"{function}'s model could not be rebuilt from its configuration (only "
                               f"Keras's own layers can be: no Lambda, no class of your own): "
                               f"{error['type']}: {error['message']}")
        if cached:  # written whole or not at all: gradings running at once share the folder
            partial = cached.with_suffix(f".{os.getpid()}")
            partial.write_text(json.dumps(reply["result"]))
            partial.replace(cached)
        return reply["result"]


COMPILED_BYTES = 2**22  # of source compiled here; past it, the workers compile the rest themselves


def _pristine_copy(source):
    """The package as every worker of the grading gets it, made once, in a folder of the grader's:
    its Python files (no links, no data, no caches: see _skip), read-only, and the bytecode of its
    top-level modules, compiled here from those files and checked against their hash on import.
    A worker then loads instead of compiling, and a worker lent the reference is replaced (see
    StudentCode.delegating): with links, its start and first call into the architectures take ~26
    ms instead of ~46 ms here. Made here, never by a worker, so that no worker can leave anything
    for the next. A module that does not compile is left out: its worker compiles it and reports
    the error. Returns the copy's rnnlab/ folder, which is absent if `source` is not a folder."""
    package = Path(tempfile.mkdtemp(prefix="rnnlab-package-")) / "rnnlab"
    if not source.is_dir():
        return package
    shutil.copytree(source, package, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if _skip(Path(folder) / n)])
    budget = COMPILED_BYTES
    for path in sorted(package.glob("*.py")):
        budget -= path.stat().st_size
        if budget < 0:
            break
        with contextlib.suppress(py_compile.PyCompileError, MemoryError, RecursionError, ValueError, OSError):
            py_compile.compile(str(path), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)
    for path in package.rglob("*"):
        if path.is_file():
            path.chmod(0o444)
    return package


def _skip(path):
    """Not copied into the worker: links, caches, anything but folders and .py files."""
    if path.is_symlink():
        return True
    return path.name == "__pycache__" or not (path.is_dir() or path.suffix == ".py")


def _array_bytes(value):
    """The bytes of every array inside plain data."""
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, (list, tuple)):
        return sum(_array_bytes(v) for v in value)
    if isinstance(value, dict):
        return sum(_array_bytes(v) for v in value.values())
    return 0


def _not_a_reply(sig, reply, n_args=None):
    """What makes `reply` something the worker would never send for a call of a function with
    signature `sig` (a worker whose code was replaced), or "" if nothing does. `n_args`: the
    arguments echoed, if asked for."""
    if "error" in reply:
        error = reply["error"]
        fields_are_text = type(error) is dict and all(type(error.get(k)) is str for k in ("type", "message", "where"))
        return "" if fields_are_text and reply.get("phase") in ("import", "call") else "an error report that is not one"
    if "result" not in reply:
        return "a reply without its result"
    if n_args is not None and not (type(reply.get("args_after")) is list and len(reply["args_after"]) == n_args):
        return "a reply without the arguments as the call left them"
    result = reply["result"]
    if sig.keras:
        return "" if type(result) is str else "a model's configuration that is not text"
    values = result if len(sig.returns) > 1 else (result,)
    if len(sig.returns) > 1 and not (type(result) is tuple and len(result) == len(sig.returns)):
        return f"not the {len(sig.returns)} values ({', '.join(sig.returns)}) the worker sends"
    for name, value in zip(sig.returns, values):
        if (name in sig.opaque) != isinstance(value, worker.Handle):
            return f"{name} in a form the worker never sends"
    return ""


def _explain(function, reply):
    error = reply["error"]  # the worker's text, bounded here
    kind, message, where = error["type"][:100], error["message"][:ERROR_MESSAGE_CHARS], error["where"][:200]
    if reply["phase"] == "import":
        return f"could not import your module: {kind}: {message}{where}"
    if kind == "NotImplementedError":
        return f"{function} is not implemented yet (it raises NotImplementedError)"
    return f"{function} raised {kind}: {message}{where}"
