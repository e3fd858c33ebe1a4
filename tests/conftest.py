"""Shared fixtures: example submissions written and graded once per test session."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from every_stub import every_function_a_stub
from rnnlab_grader import course
from rnnlab_grader.grading import examples
from rnnlab_grader.release import build
from rnnlab_grader.isolation.confine import keep_niceness
from rnnlab_grader.grading.mutants import affected_groups, lost_groups  # noqa: F401 (tests import it from here)
from rnnlab_grader.paths import SOLUTIONS, STUDENT


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("examples")
    examples.write_examples(out, wrong=examples.mutants())  # the whole corpus
    return out


@pytest.fixture
def modes_restored():
    """Puts back, after the test, the owners and modes that a grading as root without namespaces
    changes for good (sandbox.open_for_workers: the secret folders root-only, the frameworks the
    Keras lanes' group's), as it may on a grading container but should not on a developer's machine."""
    from rnnlab_grader.isolation import sandbox
    paths = [*sandbox.secret_paths(), *(sandbox.SITE_PACKAGES / name for name in sandbox.FRAMEWORKS)]
    kept = {path: path.stat() for path in paths if path.exists()}
    yield
    for path, status in kept.items():
        os.chown(path, status.st_uid, status.st_gid)
        os.chmod(path, status.st_mode)


@pytest.fixture(scope="session")
def fresh_release(tmp_path_factory):
    """The release built from the sources into a temporary folder, once (not proven)."""
    root = tmp_path_factory.mktemp("release")
    return build.build(root / "student", dist=root / "dist")


def pytest_collection_modifyitems(config, items):
    """The tests that read `graded_examples` go last, and the grading they need starts now, in
    the background at the lowest priority (tests/example_batch.py): it takes the core the other
    tests leave idle, instead of five minutes of the suite's own."""
    late = [item for item in items if "graded_examples" in getattr(item, "fixturenames", ())]
    if late:
        items[:] = [item for item in items if item not in late] + late
        _example_batch.start()


def pytest_sessionfinish(session):
    _example_batch.stop()


class _ExampleBatch:
    """tests/example_batch.py, run as a process of its own at the lowest CPU priority."""

    process = out = None

    def start(self):
        self.out = Path(tempfile.mkdtemp(prefix="rnnlab-example-batch-"))
        with open(self.out / "stderr.txt", "w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("example_batch.py")), str(self.out / "results.json")],
                stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True, preexec_fn=_lowest_priority)

    def results(self):
        self.process.wait()
        assert self.process.returncode == 0, \
            f"grading the examples failed:\n{(self.out / 'stderr.txt').read_text()[-3000:]}"
        return json.loads((self.out / "results.json").read_text())

    def stop(self):
        if self.process is not None:
            if self.process.poll() is None:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            shutil.rmtree(self.out, ignore_errors=True)


def _lowest_priority():
    os.nice(19)  # inherited by the graders and, through the sandbox, by their workers
    keep_niceness()


_example_batch = _ExampleBatch()


@pytest.fixture(scope="session")
def graded_examples():
    """name -> result of every example submission (reference, stubs, the whole corpus), graded
    once, in the background (see pytest_collection_modifyitems and tests/example_batch.py)."""
    return _example_batch.results()


def make_submission(root, name, file, find, replace):
    """A copy of the reference with one find/replace patch in rnnlab/<file>."""
    return examples.write_mutant(root, {"name": name, "file": file, "find": find, "replace": replace})


def partly_done(target, done):
    """A student folder at `target`: the release's tests, and a package whose functions named in
    `done` ("module.function") and the given ones (the release hands them out finished) are the
    reference's, the others stubs."""
    shutil.copytree(STUDENT / "tests", target / "tests")
    shutil.copy(STUDENT / "pytest.ini", target)
    every_function_a_stub(target / "rnnlab", but={*done, *course.given_groups(course.sessions())})
    return target


SOFTMAX_BODY = "    shifted = a - np.max(a, axis=axis, keepdims=True)\n"
ONCE = "import os\nif not hasattr(os, 'done'):\n    os.done = True\n"  # once per worker process


def reference_with(root, name, code):
    """The reference, with `code` run at the start of softmax's body."""
    body = "".join(f"    {line}\n" for line in code.splitlines())
    return make_submission(root, name, "layers.py", SOFTMAX_BODY, body + SOFTMAX_BODY)


HOGS = {  # submissions that try to take more than their share: each must be graded as if it did not
    "fills_tmp": ONCE + "".join(
        f"    try:\n        with open('{folder}/fill', 'wb') as f:\n            while True:\n"
        f"                f.write(bytes(2**20))\n    except OSError:\n        pass\n" for folder in ("/tmp", "/dev/shm")),
    # Five children of 1 GiB each; it waits until each has its GiB or was killed for it.
    "memory_hog": ONCE + "    import select, time\n    ready, told = os.pipe()\n    children = []\n"
                         "    for _ in range(5):\n        child = os.fork()\n        if child == 0:\n"
                         "            hoard = b'x' * 2**30\n            os.write(told, b'!')\n            time.sleep(1000)\n"
                         "        children.append(child)\n    done, deadline = 0, time.time() + 15\n"
                         "    while done < 5 and time.time() < deadline:\n"
                         "        if select.select([ready], [], [], 0.1)[0]:\n            done += len(os.read(ready, 5))\n"
                         "        for child in list(children):\n            if os.waitpid(child, os.WNOHANG)[0]:\n"
                         "                children.remove(child)\n                done += 1\n",
    "process_hog": ONCE + "    import time\n    for _ in range(5000):\n        try:\n"
                          "            if os.fork() == 0:\n                time.sleep(1000)\n"
                          "        except OSError:\n            break\n",
}


def _live_processes():
    """(pid, uid, stat fields after the command name) of every process that is not a zombie (a zombie
    is dead, not running: on some machines nothing reaps an orphan's)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            uid = os.stat(f"/proc/{pid}").st_uid
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z":
            yield pid, uid, fields


def orphaned_workers_since(started):
    """The pids of worker processes (uid in the workers' range) that started after `started` (a
    time.time()) and lost their parent: what a grading left running."""
    from rnnlab_grader.isolation.sandbox import UID_BASE, UID_SPAN
    boot = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    ticks = os.sysconf("SC_CLK_TCK")
    return [pid for pid, uid, fields in _live_processes() if UID_BASE <= uid < UID_BASE + UID_SPAN
            and int(fields[1]) == 1 and boot + int(fields[19]) / ticks >= started]


def processes_running_as(uids):
    """The pids of the processes that run as one of `uids`."""
    return [pid for pid, uid, _ in _live_processes() if uid in uids]


def processes_in_group(group):
    """The pids of the live processes of process group `group`."""
    return [pid for pid, _, fields in _live_processes() if int(fields[2]) == group]
