"""The hidden graders, proven both ways: full marks for right code, lost points for each mistake."""
import json
import sys

import numpy as np
import pytest

from rnnlab_grader import reference
from rnnlab_grader.grading import checks, engine
from rnnlab_grader.grading.checks import GradingFailure
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


@pytest.mark.parametrize("variant", [b"", b"one grading", b"another grading"])
@pytest.mark.parametrize("function", ["architectures.greedy_decode", "architectures.generate"])
def test_decoding_cases_are_informative(function, variant):
    """Random weights often make a decoder say one word forever; then feeding back the
    prediction, carrying the state or reading the encoder would change nothing."""
    sys.path.insert(0, str(GRADERS))
    import tables
    decode = reference.function(function)
    for case in [c.varied(variant) for c in tables.VALUES if c.function == function]:
        words = decode(*case.inputs())
        assert len(np.unique(words)) >= 3, case.label
        assert len({tuple(row) for row in words}) >= 2, case.label


def failure_of(*args, **kwargs):
    with pytest.raises(GradingFailure) as failure:
        checks.compare(*args, **kwargs)
    return str(failure.value)


def test_feedback_by_kind_of_result():
    # Integers (tokens, paddings): the first that differs, expected and got, never a relative error.
    assert failure_of("tokens", np.array([[1, 2, 3], [4, 5, 9]]), np.array([[1, 2, 3], [4, 0, 6]]), 1e-9, "NT") == \
        "tokens: expected 0 at n=1, t=1, got 5 (2 of 6 differ)"
    assert failure_of("padding", (2, 2), (0, 1), 1e-9) == "padding[0]: expected 0, got 2"
    # Against an expected 0, the value itself (a relative error was 4e+30).
    assert failure_of("dh0", np.array([0.0, 1e-3]), np.zeros(2), 1e-9, "H") == "dh0: expected 0, got 1.0e-03 at h=1"
    # A dict of gradients: each wrong key with its error, and the right ones.
    got = {"Wx": np.ones(2), "Wh": np.full(2, 2.0), "b": np.zeros(2)}
    message = failure_of("dparams", got, {"Wx": np.ones(2), "Wh": np.ones(2), "b": np.zeros(2)}, 1e-6)
    assert message.startswith("dparams['Wh']: worst relative error 1.0e+00") and message.endswith("(right: 'Wx', 'b')")
    # A parameter says where by its axes, a cell's columns by gate, read from the shape of its Wh.
    lstm = {"Wx": np.ones((3, 8)), "Wh": np.ones((2, 8)), "b": np.ones(8), "W_out": np.ones((2, 4))}
    got = dict(lstm, Wh=lstm["Wh"] + np.eye(2, 8, 2) * 0.5, W_out=lstm["W_out"] + np.eye(2, 4, -1))
    assert failure_of("dparams", got, lstm, 1e-6) == (
        "dparams['Wh']: worst relative error 5.0e-01 (tolerance 1e-06), largest at h=0, gate f, unit 0; "
        "dparams['W_out']: worst relative error 1.0e+00 (tolerance 1e-06), largest at h=1, c=0 (right: 'Wx', 'b')")
    gru = {"Wh_dec": np.ones((2, 6)), "b_dec": np.ones((2, 6))}
    wrong_bias = gru["b_dec"].copy()
    wrong_bias[1, 4] = 2.0
    assert failure_of("dparams", dict(gru, b_dec=wrong_bias), gru, 1e-6).endswith(
        "largest at b=1, gate h, unit 0 (right: 'Wh_dec')")
    rnn = {"Wh": np.ones((2, 2)), "b": np.ones(2)}
    assert failure_of("dparams", dict(rnn, b=np.array([1.0, 3.0])), rnn, 1e-6).endswith("largest at h=1 (right: 'Wh')")
    # An embedding's gradient: the token id of the wrong row, and the time steps that read it.
    expected = {"W_embed": np.arange(12.0).reshape(6, 2), "Wx": np.ones((2, 3))}
    got = {"W_embed": expected["W_embed"] + np.eye(6, 2, -4) * 3.0, "Wx": np.ones((2, 3))}  # row 4 wrong
    try:
        checks.compare("dparams", got, expected, 1e-9)
    except checks.GradingFailure as failure:
        message = str(checks._with_steps(failure, ("ids", "lengths"), (np.array([[1, 4, 2], [4, 0, 0]]), None)))
    assert message.endswith("largest at v=4, d=0 (right: 'Wx') (id 4 is read at n=0, t=1; n=1, t=0)")
    checks.compare("count", 12.0, np.int64(12), 0)  # an integer as a float is still that integer
