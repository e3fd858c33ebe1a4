"""Only plain data crosses between the worker and the grader."""
import io

import numpy as np
import pytest

from rnnlab_grader.isolation.worker import Handle, Step, read_frame, write_frame


def roundtrip(value):
    buffer = io.BytesIO()
    write_frame(buffer, value)
    buffer.seek(0)
    return read_frame(buffer)


def test_arrays_keep_dtype_shape_and_values():
    arrays = [np.arange(6, dtype=np.float32).reshape(2, 3), np.array([np.nan, np.inf]),
              np.array([[True, False]]), np.arange(3, dtype=np.int64), np.zeros((0, 4))]
    for array, back in zip(arrays, roundtrip(arrays)):
        assert back.dtype == array.dtype and back.shape == array.shape
        np.testing.assert_array_equal(back, array)


def test_containers_numbers_and_markers_survive():
    value = {"a": (1, 2.5, None, "s", [True]), "h": Handle(3), "step": Step("leaky_sum"),
             "scalar": np.float64(0.5)}
    back = roundtrip(value)
    assert back["a"] == (1, 2.5, None, "s", [True])
    assert isinstance(back["h"], Handle) and back["h"].key == 3
    assert isinstance(back["step"], Step) and back["step"].name == "leaky_sum"
    assert back["scalar"] == 0.5 and type(back["scalar"]) is float


def test_an_ndarray_subclass_arrives_as_a_plain_array():
    class AlwaysEqual(np.ndarray):
        def __eq__(self, other):
            return True

    back = roundtrip(np.zeros(3).view(AlwaysEqual))
    assert type(back) is np.ndarray


@pytest.mark.parametrize("junk", [np.array([object()]), object(), {1: "non-string key"}, lambda: 0])
def test_anything_else_is_refused(junk):
    with pytest.raises(TypeError):
        roundtrip(junk)


def test_delegation_restores_a_dispatch_tuple_patched_twice():
    """CELLS["rnn"] = (rnn_forward, rnn_backward) is patched once per function when both are
    delegated together; the student's own functions must both come back afterwards."""
    from rnnlab_grader.paths import SOLUTIONS
    from rnnlab_grader.isolation.proxy import StudentCode

    rng = np.random.default_rng(0)
    params = {"Wx": rng.normal(size=(2, 3)), "Wh": rng.normal(size=(3, 3)), "b": rng.normal(size=3)}
    args = (rng.normal(size=(1, 4, 2)), np.zeros((1, 3)), np.zeros((1, 3)), params, params, "rnn", "concat")
    with StudentCode(SOLUTIONS) as student:
        with student.delegating(["rnn.rnn_forward", "rnn.rnn_backward"]):
            delegated, _ = student.call("bidirectional.bidirectional_forward", *args)
        own, _ = student.call("bidirectional.bidirectional_forward", *args)  # no callback left behind
    np.testing.assert_allclose(own, delegated)


def test_a_delegated_function_takes_keyword_arguments():
    """next_token_probs calls softmax(scaled, axis=1): the stand-in must pass `axis` on."""
    from rnnlab_grader.paths import SOLUTIONS
    from rnnlab_grader.isolation.proxy import StudentCode

    logits = np.random.default_rng(0).normal(size=(3, 5))
    with StudentCode(SOLUTIONS) as student:
        own = student.call("architectures.next_token_probs", logits, 0.5, None)
        with student.delegating(["layers.softmax"]):
            delegated = student.call("architectures.next_token_probs", logits, 0.5, None)
    np.testing.assert_allclose(delegated, own)
