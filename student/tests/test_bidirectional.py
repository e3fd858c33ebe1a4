"""Public tests for rnnlab/bidirectional.py."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from rnnlab import bidirectional, rnn


def rnn_params(rng, D, H):
    return {"Wx": rng.normal(size=(D, H)), "Wh": rng.normal(size=(H, H)), "b": rng.normal(size=H)}


@pytest.mark.parametrize("merge_mode, width", [("concat", 6), ("sum", 3), ("mul", 3), ("ave", 3)])
def test_merge_modes_give_their_shapes(merge_mode, width):
    rng = np.random.default_rng(0)
    x, h0 = rng.normal(size=(2, 4, 2)), np.zeros((2, 3))
    h, _ = bidirectional.bidirectional_forward(x, h0, h0, rnn_params(rng, 2, 3), rnn_params(rng, 2, 3),
                                               "rnn", merge_mode)
    assert h.shape == (2, 4, width)


def test_backward_direction_is_in_time_order():
    # At the last position the backward direction has read only the last input.
    rng = np.random.default_rng(1)
    x, h0 = rng.normal(size=(1, 5, 2)), rng.normal(size=(1, 3))
    fwd, bwd = rnn_params(rng, 2, 3), rnn_params(rng, 2, 3)
    h, _ = bidirectional.bidirectional_forward(x, h0, h0, fwd, bwd, "rnn", "concat")
    one_step, _ = rnn.rnn_step_forward(x[:, -1], h0, bwd["Wx"], bwd["Wh"], bwd["b"])
    assert_allclose(h[:, -1, 3:], one_step)


@pytest.mark.parametrize("cell, expected", [("rnn", 45), ("lstm", 180), ("gru", 150)])
def test_count_params_of_keras_layers(cell, expected):
    # SimpleRNN(5), LSTM(5), GRU(5) on 3 input features, as Keras counts them.
    assert bidirectional.count_params(cell, 3, 5) == expected
    assert bidirectional.count_params(cell, 3, 5, bidirectional=True) == 2 * expected
