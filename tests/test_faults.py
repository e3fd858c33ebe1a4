"""A broken submission scores zero on what it broke, and everything else is still graded."""
import fcntl
import json
import os
import re
import subprocess
import sys
import signal
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from conftest import HOGS, lost_groups, make_submission, processes_running_as, reference_with
from rnnlab_grader import reference
from rnnlab_grader.grading import dependencies, engine, examples, known_models
from rnnlab_grader.isolation import cgroups, confine, sandbox
from rnnlab_grader.isolation.proxy import StudentCode, StudentError


def outputs(result, group):
    return [t["output"] for t in result["tests"] if t["extra_data"]["group"] == group and t["output"]]


def test_syntax_error_costs_only_its_module(tmp_path):
    submission = make_submission(tmp_path, "syntax", "rnn.py", "def unfold(", "def unfold(:")
    result = engine.grade_submission(submission)
    # rnn.py and the modules that import it (lstm, gru, bidirectional, architectures, timeseries)
    # score zero; layers and the Keras builders are graded as usual.
    assert {group.split(".")[0] for group in lost_groups(result)} == dependencies.importers("rnn")
    assert all(t["score"] == 0 for t in result["tests"] if t["extra_data"]["group"].startswith("rnn."))
    assert all("could not import your module: SyntaxError" in o for o in outputs(result, "rnn.rnn_forward"))


def test_workers_load_the_modules_the_grader_compiled_from_their_source(tmp_path):
    # The grader compiles the package once (hash-checked bytecode, flags 3 in a .pyc's header); a
    # worker that compiled a module itself would write a timestamp one (flags 0), or none.
    submission = make_submission(tmp_path, "flags", "layers.py", "    return np.exp(-np.logaddexp(0, -a))",
                                 "    return np.full(np.shape(a), open(__cached__, 'rb').read()[4] + 0.0)")
    with StudentCode(submission, timeout=5) as student:
        np.testing.assert_array_equal(student.call("layers.sigmoid", np.zeros(2)), [3.0, 3.0])
        student.close()  # a new worker, a new copy: the same bytecode
        np.testing.assert_array_equal(student.call("layers.sigmoid", np.zeros(2)), [3.0, 3.0])


def test_endless_loop_times_out_and_the_rest_is_graded(tmp_path):
    submission = make_submission(tmp_path, "loop", "layers.py", "    shifted = a - np.max(",
                                 "    while True:\n        pass\n    shifted = a - np.max(")
    result = engine.grade_submission(submission, call_timeout=1)
    assert lost_groups(result) == {"layers.softmax"}
    feedback = outputs(result, "layers.softmax")
    assert all("did not finish within 1 s" in o for o in feedback)
    # One call waited for the timeout; softmax was not run again (softmax's dependents were
    # graded with the reference's softmax, so they kept their points without waiting).
    assert sum("in an earlier call" not in o for o in feedback) == 1


LOOP_IN_STEP = ("rnn.py", "    h_next = np.tanh(", "    while True:\n        pass\n    h_next = np.tanh(")


def rnn_inputs(seed=0, N=2, T=3, D=4, H=5):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((N, T, D)), rng.standard_normal((N, H)), rng.standard_normal((D, H)),
            rng.standard_normal((H, H)), rng.standard_normal(H))


def test_a_hung_function_is_named_and_not_run_again(tmp_path):
    submission = make_submission(tmp_path, "loop_in_step", *LOOP_IN_STEP)
    with StudentCode(submission, timeout=1) as student:
        with pytest.raises(StudentError, match=r"rnn_forward did not finish within 1 s \(an endless loop\?\)\. "
                                               r"It was running rnn_step_forward in rnnlab/rnn\.py"):
            student.call("rnn.rnn_forward", *rnn_inputs())
        assert student.hung == ["rnn.rnn_step_forward"]
        # Reached again, it raises at once; called itself, it is not sent to the worker.
        with pytest.raises(StudentError, match="rnn_forward raised RuntimeError: rnn_step_forward did not "
                                               "finish in an earlier call"):
            student.call("rnn.rnn_forward", *rnn_inputs())
        with pytest.raises(StudentError, match="rnn_step_forward did not finish within 1 s in an earlier call"):
            student.call("rnn.rnn_step_forward", *[a[:, 0] if a.ndim == 3 else a for a in rnn_inputs()])
        # Computed by the reference for rnn_forward (a charged-once rerun), it is there again.
        with student.delegating(["rnn.rnn_step_forward"]):
            h, _ = student.call("rnn.rnn_forward", *rnn_inputs())
    np.testing.assert_allclose(h, reference.function("rnn.rnn_forward")(*rnn_inputs())[0])


# rnn_forward asks the lent rnn_step_forward (through the stand-in's own pipe) for an answer larger
# than a pipe holds, and never reads it: the grader's write must not wait for ever.
DEAF_CALLER = """    import time
    replies = [c.cell_contents for c in rnn_step_forward.__closure__ if hasattr(c.cell_contents, "write")]
    worker = __import__("sys").modules.get("worker") or __import__("sys").modules["__main__"]
    for stream in replies:
        try:
            worker.write_frame(stream, {"callback": "rnn.rnn_step_forward", "kwargs": {},
                                        "args": [np.ones((300, 1)), np.ones((300, 100)), np.ones((1, 100)),
                                                 np.ones((100, 100)), np.ones(100)]})
        except Exception:
            pass
    time.sleep(600)
"""


def test_a_worker_that_does_not_read_cannot_hold_the_grader(tmp_path):
    submission = make_submission(tmp_path, "deaf", "rnn.py", "    h, _, step_caches = unfold(step, x, h0)\n",
                                 DEAF_CALLER + "    h, _, step_caches = unfold(step, x, h0)\n")
    finished = []

    def grade():
        with StudentCode(submission, timeout=2) as student, student.delegating(["rnn.rnn_step_forward"]):
            with pytest.raises(StudentError, match="did not finish within 2 s"):
                student.call("rnn.rnn_forward", *rnn_inputs())
        finished.append(True)

    grading = threading.Thread(target=grade, daemon=True)
    grading.start()
    grading.join(timeout=60)
    assert finished, "the grader waited on a worker that does not read"


@pytest.mark.skipif(os.geteuid() != 0, reason="workers have uids of their own only when grading as root")
def test_a_grading_stopped_at_its_time_limit_leaves_nothing_running(tmp_path):
    # The engine kills the graders' process at the submission's limit: the worker, in a session of
    # its own, and a daemon it started would live on, unless the engine ends them by their uids.
    submission = make_submission(tmp_path, "daemon", "layers.py", "    shifted = a - np.max(",
                                 "    import os, time\n    if os.fork() == 0:\n        os.setsid()\n"
                                 "        time.sleep(1000)\n    while True:\n        pass\n    shifted = a - np.max(")
    result = engine.grade_submission(submission, groups={"layers.softmax"}, timeout=20, call_timeout=600)
    assert "took longer than 20 s" in result["output"]
    assert result["worker_uids"]
    assert not processes_running_as(result["worker_uids"])


def test_a_grading_stopped_at_its_time_limit_keeps_the_tests_it_finished(tmp_path):
    # rmse's one case comes after sigmoid's three in the graders' order: they keep their points.
    submission = make_submission(tmp_path, "slow_rmse", "timeseries.py", "    return float(np.sqrt(np.mean(",
                                 "    while True:\n        pass\n    return float(np.sqrt(np.mean(")
    result = engine.grade_submission(submission, groups={"layers.sigmoid", "timeseries.rmse"}, timeout=20,
                                     call_timeout=600)
    assert "took longer than 20 s" in result["output"]
    assert engine.group_scores(result) == {"layers.sigmoid": (3, 3), "timeseries.rmse": (0, 1)}
    assert all(t["output"].startswith("not graded: grading took longer than 20 s")
               for t in result["tests"] if t["extra_data"]["group"] == "timeseries.rmse")


def test_a_control_group_holds_every_descendant_and_ends_them():
    # A child that starts its own session stays in its grading's group (and so keeps its CPU share:
    # autogroups apply in the root group only); killing the group ends it, and the group goes.
    group = cgroups.ControlGroup.create(f"rnnlab-test-{os.getpid()}")
    if group is None:
        pytest.skip("no control group can be made here: the per-process limits are all there is")
    try:
        script = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
                  "        print(os.getpid(), flush=True)\n    time.sleep(1000)\nelse:\n    time.sleep(1000)\n")
        parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                  preexec_fn=lambda: confine.join_group(group.procs_files()))
        grandchild = int(parent.stdout.readline())
        assert {parent.pid, grandchild} < group.pids()
        assert group.kill() and not group.pids()
        assert parent.wait(timeout=10) == -signal.SIGKILL
    finally:
        group.remove()
    assert not any(Path(procs).parent.exists() for procs in group.procs_files())


@pytest.mark.skipif(os.geteuid() != 0, reason="control groups are made when grading as root")
def test_a_submission_is_bounded_as_a_whole(tmp_path):
    # Five children of 1 GiB each: within each process's limit, beyond the grading's. The kernel
    # kills children as the group reaches its limit; the worker, smaller, answers, and nothing is left.
    result = engine.grade_submission(reference_with(tmp_path, "memory_hog", HOGS["memory_hog"]),
                                     groups={"layers.softmax"})
    if result["peak_memory_mib"] is None:
        pytest.skip(f"no memory controller here: {result['control_group']}")
    assert result["score"] == result["max_score"], result["tests"]
    assert 2048 < result["peak_memory_mib"] <= cgroups.MEMORY_BYTES / 2**20
    assert not processes_running_as(result["worker_uids"])


def test_code_that_takes_the_signal_over_keeps_a_timeout_per_call(tmp_path):
    submission = make_submission(tmp_path, "deaf_loop", *LOOP_IN_STEP)
    (submission / "rnnlab" / "rnn.py").write_text(
        "import signal\nsignal.signal(signal.SIGUSR1, signal.SIG_IGN)\n" + (submission / "rnnlab" / "rnn.py").read_text())
    with StudentCode(submission, timeout=1) as student:
        for _ in range(2):  # nothing learnt: each call waits, as before, and nothing else is lost
            with pytest.raises(StudentError, match=r"rnn_forward did not finish within 1 s \(an endless loop\?\)\.$"):
                student.call("rnn.rnn_forward", *rnn_inputs())
        assert student.hung == []


def test_code_that_signals_itself_still_gets_its_result(tmp_path):
    submission = make_submission(tmp_path, "self_signal", "rnn.py", "    h_next = np.tanh(",
                                 "    import os, signal\n    os.kill(os.getpid(), signal.SIGUSR1)\n    h_next = np.tanh(")
    with StudentCode(submission, timeout=5) as student:
        h, _ = student.call("rnn.rnn_forward", *rnn_inputs())
        assert student.hung == []
    np.testing.assert_allclose(h, reference.function("rnn.rnn_forward")(*rnn_inputs())[0])


def test_exiting_process_costs_only_that_function(tmp_path):
    submission = make_submission(tmp_path, "exit", "layers.py", '    out = W[ids]\n',
                                 "    import os; os._exit(3)\n")
    result = engine.grade_submission(submission)
    assert lost_groups(result) == {"layers.embedding_forward", "layers.embedding_backward"}
    assert all("crashed the Python process (exit code 3)" in o for o in outputs(result, "layers.embedding_forward"))


GRU_LAYER = ("keras_models.recurrent_layer", "gru", 4, False, "concat", True)


def test_keras_functions_run_in_a_worker_that_imported_tensorflow_as_it_started(tmp_path):
    # So that, started early, it imports TensorFlow while the numpy tests run.
    submission = make_submission(tmp_path, "probe", "keras_models.py", "import keras\n",
                                 "import sys\n_early = 'tensorflow' in sys.modules\nimport keras\n")
    keras_models = submission / "rnnlab" / "keras_models.py"
    keras_models.write_text(keras_models.read_text().replace(
        'return_sequences=False):\n', 'return_sequences=False):\n    raise RuntimeError(f"TensorFlow came first: {_early}")\n', 1))
    with StudentCode(submission) as student:
        student.start_keras()
        with pytest.raises(StudentError, match="TensorFlow came first: True"):
            student.call(*GRU_LAYER, keras_input_shape=(3, 2))


# Code that would travel with a model's configuration: a Lambda's bytecode, a class of the
# submission's own, a module that is not Keras's. The rebuilder rebuilds none of them.
UNBUILDABLE = {
    "lambda": "    return keras.layers.Lambda(lambda x: x)\n",
    "own_class": "    class Mine(keras.layers.Layer):\n        def call(self, x):\n            return x\n"
                 "    return Mine()\n",
    "not_keras": "    import sys, json\n"
                 "    worker = sys.modules.get('worker') or sys.modules['__main__']\n"
                 "    worker._describe_keras = lambda value: json.dumps(value)\n"
                 "    return {'module': 'os', 'class_name': 'system', 'config': {'command': 'true'}}\n",
}


@pytest.mark.parametrize("name", UNBUILDABLE)
def test_the_rebuilder_rebuilds_only_kerass_own_layers(tmp_path, name):
    submission = make_submission(tmp_path, name, "keras_models.py", "    layer = LAYERS[cell](units, ",
                                 UNBUILDABLE[name] + "    layer = LAYERS[cell](units, ")
    with StudentCode(submission) as student:
        with pytest.raises(StudentError, match="recurrent_layer's model could not be rebuilt from its configuration"):
            student.call(*GRU_LAYER, keras_input_shape=(3, 2))
        assert "rebuilder" in student.workers and not (student.workers["rebuilder"].workdir / "rnnlab").exists()


def test_the_rebuilder_summarises_what_the_builder_built(tmp_path):
    # The student's worker summarises nothing: a summariser replaced there changes no summary.
    submission = make_submission(tmp_path, "forger", "keras_models.py", "    layer = LAYERS[cell](units, ",
                                 "    import sys\n    worker = sys.modules.get('worker') or sys.modules['__main__']\n"
                                 "    worker._summarize_keras = lambda value, shape: {'layers': 'forged'}\n"
                                 "    layer = LAYERS[cell](units, ")
    with StudentCode(submission) as student:
        summary = student.call(*GRU_LAYER, keras_input_shape=(3, 2))
    assert summary["layers"][-1]["class"] == "GRU" and summary["output_shape"] == [None, 3, 4]


def test_a_batch_rebuilds_each_described_model_once(tmp_path):
    # The same builder describes the same configuration in every worker (names from scratch each
    # call), so a later submission's identical model is summarised from the batch's cache.
    first, second = (make_submission(tmp_path, name, "keras_models.py", "def recurrent_layer(", "def recurrent_layer(")
                     for name in ("first", "second"))
    cache = tmp_path / "models"
    cache.mkdir()
    summaries = []
    for models_before, submission in enumerate((first, second, first)):
        with StudentCode(submission, model_cache=cache) as student:
            for _ in range(models_before):  # Keras's default names used up differently in each
                student.call("keras_models.build_sequence_classifier", "gru", 6, 3, 5, 7, True)
            summaries.append(student.call(*GRU_LAYER, keras_input_shape=(3, 2)))
            rebuilt = "rebuilder" in student.workers
        assert rebuilt == (models_before < 2)  # the classifier is new in the second
    assert summaries[0] == summaries[1] == summaries[2] and len(list(cache.iterdir())) == 2


def test_the_references_models_are_known_before_any_rebuild(tmp_path, monkeypatch):
    # The release's table of the reference's summaries seeds a batch's cache: the reference's own
    # layer is not rebuilt. A table made with another Keras or worker.py is not used.
    reference = make_submission(tmp_path, "reference", "keras_models.py", "def recurrent_layer(", "def recurrent_layer(")
    for stale, cache in ((False, tmp_path / "seeded"), (True, tmp_path / "stale")):
        cache.mkdir()
        if stale:
            table = json.loads(known_models.TABLE.read_text())
            monkeypatch.setattr(known_models, "TABLE", tmp_path / "stale.json")
            known_models.TABLE.write_text(json.dumps({**table, "stamp": {**table["stamp"], "keras": "2.0"}}))
        assert (known_models.seed(cache) == 0) == stale
        with StudentCode(reference, model_cache=cache) as student:
            summary = student.call("keras_models.recurrent_layer", "rnn", 5, False, "concat", True,
                                   keras_input_shape=(7, 3))  # a graded case's call
            assert summary["layers"][-1]["class"] == "SimpleRNN" and ("rebuilder" in student.workers) == stale


def test_a_crash_in_one_worker_leaves_the_other_running(tmp_path):
    # Each worker has a user of its own: the crashed one's clean-up kills its user's processes.
    submission = make_submission(tmp_path, "exit", "layers.py", "    out = W[ids]\n",
                                 "    import os; os._exit(3)\n")
    with StudentCode(submission) as student:
        student.start_keras()
        keras_worker = student.workers["keras"].process
        with pytest.raises(StudentError, match=r"crashed the Python process \(exit code 3\)"):
            student.call("layers.embedding_forward", np.array([[0, 1]]), np.ones((3, 2)))
        assert student.call(*GRU_LAYER, keras_input_shape=(3, 2))
        assert student.workers["keras"].process is keras_worker and keras_worker.poll() is None


def test_a_worker_that_died_between_calls_costs_the_next_call_only(tmp_path):
    submission = make_submission(tmp_path, "exits_later", "layers.py", "    shifted = a - np.max(",
                                 "    import os, threading\n    threading.Timer(0.2, os._exit, (4,)).start()\n"
                                 "    shifted = a - np.max(")
    with StudentCode(submission) as student:
        student.call("layers.softmax", np.ones((2, 3)))
        student.workers["numpy"].process.wait(timeout=30)  # gone: writing the next request to it fails
        with pytest.raises(StudentError, match=r"softmax crashed the Python process \(exit code 4\)"):
            student.call("layers.softmax", np.ones((2, 3)))


def test_sys_exit_and_printing_are_harmless(tmp_path):
    submission = make_submission(tmp_path, "sysexit", "layers.py", 'dx = dout @ cache["W"].T',
                                 "print('fake reply' * 1000); raise SystemExit(0)")
    result = engine.grade_submission(submission)
    assert lost_groups(result) == {"layers.affine_backward"}
    assert "affine_backward raised SystemExit" in outputs(result, "layers.affine_backward")[0]


def test_wrong_return_type_is_explained(tmp_path):
    submission = make_submission(tmp_path, "junk", "rnn.py", "    return h, step_caches\n",
                                 "    return 'h'\n")
    result = engine.grade_submission(submission)
    assert "should return 2 values (h, cache), got str" in outputs(result, "rnn.rnn_forward")[0]


def test_missing_package_scores_zero_with_a_message(tmp_path):
    (tmp_path / "empty").mkdir()
    result = engine.grade_submission(tmp_path / "empty")
    assert result["score"] == 0
    assert all("no rnnlab/ package folder" in t["output"] for t in result["tests"])


def test_bad_zips_score_zero_and_the_batch_goes_on(tmp_path, example_dir):
    (tmp_path / "garbage.zip").write_bytes(b"not a zip")
    with zipfile.ZipFile(tmp_path / "escape.zip", "w") as archive:
        archive.writestr("../../evil/rnnlab/rnn.py", "x = 1")
    results = engine.grade_batch([tmp_path / "garbage.zip", tmp_path / "escape.zip",
                                  example_dir / "reference"], jobs=2)
    garbage, escape, reference = results
    assert garbage["score"] == 0 and "not a valid zip" in garbage["output"]
    assert escape["score"] == 0 and "unsafe path" in escape["output"]
    assert not os.path.exists(tmp_path.parent / "evil")
    assert reference["score"] == reference["max_score"]


@pytest.mark.skipif(not os.access("/proc/self/autogroup", os.W_OK), reason="no Linux autogroups to set here")
def test_student_code_runs_as_nice_as_its_grader(tmp_path):
    # A worker starts a session, hence a new autogroup at nice 0 unless the sandbox passes the
    # grader's niceness on (`nice rnnlab grade` would not slow the student code down otherwise).
    # The Keras worker is forked from a zygote started at nice 0: it takes the grader's niceness too.
    submission = make_submission(tmp_path, "autogroup", "layers.py", "    shifted = a - np.max(",
                                 "    raise RuntimeError(open('/proc/self/autogroup').read().strip())\n"
                                 "    shifted = a - np.max(")
    examples.apply_patch(submission / "rnnlab", {
        "name": "autograder_keras", "file": "keras_models.py", "find": "return_sequences=False):\n",
        "replace": "return_sequences=False):\n    raise RuntimeError(open('/proc/self/autogroup').read().strip())\n"})
    script = ("import os, sys\nfrom rnnlab_grader.isolation.proxy import StudentCode, StudentError\n"
              "from rnnlab_grader.isolation.sandbox import Zygote\n"
              "with Zygote() as zygote:\n    os.nice(7)\n    with StudentCode(sys.argv[1], zygotes={\"keras\": zygote}) as student:\n"
              "        for call in [('layers.softmax', [[1.0]]), ('keras_models.recurrent_layer', 'gru', 4)]:\n"
              "            try:\n                student.call(*call, keras_input_shape=(3, 2) if 'keras' in call[0] else None)\n"
              "            except StudentError as error:\n                print(error)\n")
    run = subprocess.run([sys.executable, "-c", script, str(submission)], capture_output=True, text=True, check=True)
    nice = min(os.nice(0) + 7, 19)  # the grader's: 7 more than this suite's, whatever that is
    assert re.search(rf"softmax raised RuntimeError: /autogroup-\d+ nice {nice} ", run.stdout), run.stdout
    assert re.search(rf"recurrent_layer raised RuntimeError: /autogroup-\d+ nice {nice} ", run.stdout), run.stdout


@pytest.mark.skipif(os.geteuid() != 0, reason="worker uids are switched to only when grading as root")
def test_gradings_running_at_once_never_share_a_worker_uid():
    """Each process takes its uids by a lock that lives as long as it does, not from its pid (two
    pids 50,000 apart gave two gradings the same uid where pid_max exceeds that; here every process
    says the same pid): eight processes at once get sixteen different uids, and a uid is free again
    once its process has ended."""
    script = ("import os, sys\nos.getpid = lambda: 4242\n"
              "from rnnlab_grader.isolation.sandbox import unprivileged_user\n"
              "print(unprivileged_user('numpy')[0], unprivileged_user('keras')[0], flush=True)\n"
              "sys.stdin.read()\n")
    holders = [subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                text=True) for _ in range(8)]
    uids = [uid for holder in holders for uid in map(int, holder.stdout.readline().split())]
    for holder in holders:
        holder.stdin.close()
        holder.wait()
    assert len(uids) == len(set(uids)) == 16
    for uid in uids:  # released with their processes
        with open(sandbox.UID_LOCKS / str(uid)) as lock:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
