"""The zygote: Keras workers forked with TensorFlow imported are sandboxed like those started afresh."""
import os
import time

import pytest

from conftest import make_submission
from rnnlab_grader.grading import engine
from rnnlab_grader.isolation.confine import MEMORY_LIMIT_BYTES
from rnnlab_grader.paths import REPO
from rnnlab_grader.isolation.proxy import StudentCode, StudentError
from rnnlab_grader.isolation.sandbox import Zygote

GRU_LAYER = ("keras_models.recurrent_layer", "gru", 4, False, "concat", True)
AS_ROOT = os.geteuid() == 0

PROBE = """\
import glob, os, resource, socket, sys
def _open_files():
    for fd in os.listdir("/proc/self/fd"):
        try:
            yield os.readlink(f"/proc/self/fd/{fd}")
        except OSError:  # the listing's own
            pass
def _probe():
    seen = {"forked": sys.argv[0].endswith("zygote.py"), "tensorflow": "tensorflow" in sys.modules,
            "uid": os.getuid(), "memory": resource.getrlimit(resource.RLIMIT_AS)[0],
            "sockets": [f for f in _open_files() if f.startswith(("socket:", "anon_inode:"))]}
    try:
        open(%r).read()
        seen["repository"] = "readable"
    except OSError as error:
        seen["repository"] = type(error).__name__
    zygotes = glob.glob("/tmp/rnnlab-zygote-*/socket/zygote")
    seen["zygotes found"] = len(zygotes)
    for address in zygotes + [os.path.join(os.path.dirname(sys.argv[0]), "socket", "zygote")]:
        with socket.socket(socket.AF_UNIX) as s:
            try:
                s.connect(address)
                seen["zygote reached"] = True
            except OSError:
                pass
    try:  # the zygote, or the grader: outside its PID namespace, where it has no parent (0)
        if os.getppid():
            os.kill(os.getppid(), 0)
            seen["parent signalled"] = True
    except OSError:
        pass
    return seen
_seen = _probe()
""" % str(REPO / "README.md")


def probing(tmp_path, name="probe"):
    """The reference, whose recurrent_layer raises with what its worker saw as it imported."""
    submission = make_submission(tmp_path, name, "keras_models.py", "import keras\n", PROBE + "import keras\n")
    keras_models = submission / "rnnlab" / "keras_models.py"
    keras_models.write_text(keras_models.read_text().replace(
        'return_sequences=False):\n', 'return_sequences=False):\n    raise RuntimeError(f"seen {_seen}")\n', 1))
    return submission


def seen_by(student):
    with pytest.raises(StudentError, match="seen") as failure:
        student.call(*GRU_LAYER, keras_input_shape=(3, 2))
    return eval(str(failure.value).split("seen ", 1)[1].split("}")[0] + "}")


def test_a_forked_keras_worker_has_tensorflow_and_nothing_of_the_zygote(tmp_path):
    with Zygote() as zygote, StudentCode(probing(tmp_path), zygotes={"keras": zygote}) as student:
        seen = seen_by(student)
    assert seen["forked"] and seen["tensorflow"]
    assert seen["sockets"] == []  # the zygote's listener and other graders' connections are closed
    assert seen["memory"] == MEMORY_LIMIT_BYTES
    if AS_ROOT:
        assert "zygote reached" not in seen and "parent signalled" not in seen
        assert seen["uid"] >= 200_000
        assert seen["repository"] == "FileNotFoundError"  # not in its file system at all
        assert seen["zygotes found"] == 0  # its socket's folder is hidden


def test_a_batch_forks_its_keras_workers_from_one_zygote(tmp_path):
    paths = [probing(tmp_path, "first"), probing(tmp_path, "second")]
    results = engine.grade_batch(paths, jobs=2, groups={p: {"keras_models.recurrent_layer"} for p in paths})
    for result in results:
        output = " ".join(t["output"] for t in result["tests"])
        assert "'forked': True" in output and "'sockets': []" in output


def test_a_forked_worker_that_crashes_costs_that_call_and_is_reaped(tmp_path):
    submission = make_submission(tmp_path, "exits", "keras_models.py", 'return_sequences=False):\n',
                                 'return_sequences=False):\n    if units == 3:\n        import os; os._exit(3)\n')
    zygote = Zygote()
    with zygote as address:
        with StudentCode(submission, zygotes={"keras": address}) as student:
            with pytest.raises(StudentError, match=r"crashed the Python process \(exit code 3\)"):
                student.call("keras_models.recurrent_layer", "gru", 3, keras_input_shape=(3, 2))
            assert student.call(*GRU_LAYER, keras_input_shape=(3, 2))["params"] > 0  # a fresh fork
        children = f"/proc/{zygote.process.pid}/task/{zygote.process.pid}/children"
        for _ in range(50):
            if not open(children).read().split():
                break
            time.sleep(0.1)
        assert open(children).read().split() == []


def test_without_its_zygote_a_grading_starts_the_keras_worker_itself(tmp_path):
    zygote = Zygote()
    address = zygote.__enter__()
    zygote.process.kill()
    zygote.process.wait()
    try:
        with StudentCode(probing(tmp_path), zygotes={"keras": address}) as student:
            seen = seen_by(student)
        assert not seen["forked"] and seen["tensorflow"]
    finally:
        zygote.__exit__(None, None, None)

