"""The grader side of grading: call a submission's functions in a worker process.

`StudentCode(submission_dir).call("rnn.rnn_forward", x, h0, Wx, Wh, b)` runs the student's
function in a separate process (see worker.py) and returns its results as plain data,
with caches replaced by opaque handles that can be passed back to the student's own
backward function. A crash, hang or exit in student code raises a `StudentError` here,
costs only the call that caused it, and the next call starts a fresh worker.
"""
import os
import resource
import select
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from . import worker
from .contract import signature

WORKER_SCRIPT = Path(worker.__file__).resolve()
CALL_TIMEOUT_S = 20.0
KERAS_IMPORT_S = 60.0  # extra time for a call that returns a Keras object: the first imports TensorFlow
MEMORY_LIMIT_BYTES = 4 * 2**30
CPU_LIMIT_S = 300


class StudentError(Exception):
    """The student's code could not give a result: it raised, crashed, hung or returned junk."""


def _limit_resources():
    """Runs in the worker before it starts: cap memory, CPU time and file size."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT_S, CPU_LIMIT_S))
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 2**20, 64 * 2**20))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class StudentCode:
    """A submission's `rnnlab` package, reachable only through a worker process.

    Args:
        submission_dir: a folder that holds the student's `rnnlab/` package.
        timeout: seconds one call may take before the worker is killed.
    """

    def __init__(self, submission_dir, timeout=CALL_TIMEOUT_S):
        self.source = Path(submission_dir) / "rnnlab"
        self.timeout = timeout
        self.process = None
        self.workdir = None

    # -- the worker's life ---------------------------------------------------

    def _start(self):
        # A clean folder with a copy of the package: the student's code sees nothing else.
        self.workdir = Path(tempfile.mkdtemp(prefix="rnnlab-worker-"))
        if self.source.is_dir():
            shutil.copytree(self.source, self.workdir / "rnnlab", symlinks=False,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.workdir), "PYTHONDONTWRITEBYTECODE": "1",
               "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
        self.process = subprocess.Popen(
            [sys.executable, "-I", str(WORKER_SCRIPT), str(self.workdir)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=self.workdir, env=env, start_new_session=True, preexec_fn=_limit_resources)

    def close(self):
        """Stop the worker and everything it started, and remove its folder."""
        if self.process is not None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.process.wait()
            for stream in (self.process.stdin, self.process.stdout):
                stream.close()
            self.process = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- calls -----------------------------------------------------------------

    def call(self, qualname, *args, echo_args=False, keras_input_shape=None):
        """Run `rnnlab.<qualname>(*args)` in the worker and return its results.

        Returns the function's return value with caches as handles; with `echo_args`,
        a pair (result, args_after) where args_after holds the plain-data arguments as the
        function left them (None for others). A function that returns a Keras layer or model
        gives its summary (see worker._summarize_keras); `keras_input_shape` places a lone
        layer after an Input of that shape.
        """
        sig = signature(qualname)
        module, function = qualname.split(".")
        if not self.source.is_dir():
            raise StudentError("the submission has no rnnlab/ package folder")
        if self.process is None:
            self._start()
        request = {"module": module, "function": function, "args": list(args),
                   "returns": list(sig.returns), "opaque": list(sig.opaque), "echo_args": echo_args,
                   "keras": sig.keras, "keras_input_shape": keras_input_shape}
        timeout = self.timeout + (KERAS_IMPORT_S if sig.keras else 0)
        try:
            worker.write_frame(self.process.stdin, request)
            reply = self._read_reply(timeout)
        except (BrokenPipeError, EOFError, ValueError) as error:
            raise StudentError(f"{function} crashed the Python process{self._exit_reason()}") from error
        except TimeoutError:
            self.close()
            raise StudentError(f"{function} did not finish within {timeout:.0f} s "
                               f"(an endless loop?)") from None
        if "error" in reply:
            raise StudentError(_explain(function, reply))
        if echo_args:
            return reply["result"], reply["args_after"]
        return reply["result"]

    def _read_reply(self, timeout):
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        return worker.read_frame(self.process.stdout)

    def _exit_reason(self):
        try:
            code = self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            code = None
        self.close()
        if code is None:
            return ""
        if code < 0:
            return f" (killed by signal {signal.Signals(-code).name})"
        return f" (exit code {code})"


def _explain(function, reply):
    error = reply["error"]
    if reply["phase"] == "import":
        return (f"could not import your module: {error['type']}: {error['message']}"
                f"{error['where']}")
    if error["type"] == "NotImplementedError":
        return f"{function} is not implemented yet (it raises NotImplementedError)"
    return f"{function} raised {error['type']}: {error['message']}{error['where']}"
