"""A broken submission scores zero on what it broke, and everything else is still graded."""
import os
import zipfile

from conftest import lost_groups, make_submission
from rnnlab_grader import dependencies, engine


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


def test_endless_loop_times_out_and_the_rest_is_graded(tmp_path):
    submission = make_submission(tmp_path, "loop", "layers.py", "    shifted = a - np.max(",
                                 "    while True:\n        pass\n    shifted = a - np.max(")
    result = engine.grade_submission(submission, call_timeout=1)
    assert lost_groups(result) == {"layers.softmax"}
    assert all("did not finish within 1 s" in o for o in outputs(result, "layers.softmax"))


def test_exiting_process_costs_only_that_function(tmp_path):
    submission = make_submission(tmp_path, "exit", "layers.py", '    out = W[ids]\n',
                                 "    import os; os._exit(3)\n")
    result = engine.grade_submission(submission)
    assert lost_groups(result) == {"layers.embedding_forward", "layers.embedding_backward"}
    assert all("crashed the Python process (exit code 3)" in o for o in outputs(result, "layers.embedding_forward"))


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
