"""The hidden graders, proven both ways: full marks for right code, lost points for each mistake."""
import json
import sys

import numpy as np
import pytest

from rnnlab_grader import reference
from rnnlab_grader.grading import engine
from rnnlab_grader.paths import GRADERS


def test_reference_scores_full_marks(graded_examples):
    result = graded_examples["reference"]
    assert result["max_score"] > 0
    assert result["score"] == result["max_score"], [t["output"] for t in result["tests"] if t["output"]]


def test_untouched_stubs_score_zero_and_say_not_implemented(graded_examples):
    result = graded_examples["stubs"]
    assert result["score"] == 0
    assert all("not implemented yet" in t["output"] for t in result["tests"])


def test_feedback_gives_shapes_error_and_place_not_values(graded_examples):
    tests = {t["name"]: t for t in graded_examples["off_by_one_in_time"]["tests"]}
    output = tests["rnn_forward: values (float64 N=3 T=5 D=4 H=6)"]["output"]
    assert "(3, 5, 4) float64" in output            # the input case, by shape
    assert "worst relative error" in output and "tolerance" in output
    assert "t=" in output                            # where: which time step
    assert "[[" not in output                        # never the hidden values


def test_every_grader_test_has_points_and_a_group():
    tests = engine.catalogue()
    assert len(tests) >= 40
    assert all(t["points"] > 0 and t["group"].count(".") == 1 for t in tests)
    assert len({t["name"] for t in tests}) == len(tests), "test names must be unique"


def test_keras_tests_run_last(tmp_path):
    # They wait for TensorFlow's import, which the Keras worker starts as the numpy tests begin.
    engine._run_graders(tmp_path, tmp_path / "collected.json", ["--collect-only"])
    collected = json.loads((tmp_path / "collected.json").read_text())  # in the order they run
    in_keras_file = [test["id"].startswith("test_keras_models.py::") for test in collected]
    assert len(in_keras_file) == len(engine.catalogue()) and any(in_keras_file)
    assert in_keras_file == sorted(in_keras_file)


@pytest.mark.parametrize("function", ["architectures.greedy_decode", "architectures.generate"])
def test_decoding_cases_are_informative(function):
    """Random weights often make a decoder say one word forever; then feeding back the
    prediction, carrying the state or reading the encoder would change nothing."""
    sys.path.insert(0, str(GRADERS))
    import tables
    decode = reference.function(function)
    for case in [c for c in tables.VALUES if c.function == function]:
        words = decode(*case.inputs())
        assert len(np.unique(words)) >= 3, case.label
        assert len({tuple(row) for row in words}) >= 2, case.label
