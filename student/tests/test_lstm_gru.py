"""Public tests for rnnlab/lstm.py and rnnlab/gru.py: cases small enough to work out by hand.

With all weights zero every sigmoid gate is exactly 0.5, which makes the answers easy.
"""
import numpy as np
from numpy.testing import assert_allclose

from rnnlab import gru, lstm


def zeros_lstm(D=1, H=1):
    return np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)


def test_lstm_step_with_zero_weights_halves_the_cell():
    Wx, Wh, b = zeros_lstm()
    h_next, c_next, _ = lstm.lstm_step_forward(np.ones((1, 1)), np.zeros((1, 1)), np.array([[2.0]]), Wx, Wh, b)
    assert_allclose(c_next, [[1.0]])                 # f * c_prev + i * tanh(0)
    assert_allclose(h_next, [[0.5 * np.tanh(1.0)]])  # o * tanh(c_next)


def test_lstm_gate_blocks_are_i_f_g_o():
    Wx, Wh, b = zeros_lstm()
    b[2] = 1.0  # only the candidate block g gets a bias
    _, c_next, _ = lstm.lstm_step_forward(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 1)), Wx, Wh, b)
    assert_allclose(c_next, [[0.5 * np.tanh(1.0)]])


def test_lstm_cell_gradient_flows_through_the_forget_gate():
    Wx, Wh, b = zeros_lstm()
    _, _, cache = lstm.lstm_step_forward(np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), Wx, Wh, b)
    dx, dh_prev, dc_prev, dWx, dWh, db = lstm.lstm_step_backward(np.zeros((1, 1)), np.ones((1, 1)), cache)
    assert_allclose(dc_prev, [[0.5]])
    assert (dx.shape, dWx.shape, dWh.shape, db.shape) == ((1, 1), (1, 4), (1, 4), (4,))


def test_lstm_forward_starts_from_zero_cell_by_default():
    rng = np.random.default_rng(0)
    x, h0 = rng.normal(size=(2, 3, 2)), rng.normal(size=(2, 4))
    Wx, Wh, b = rng.normal(size=(2, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    h_default, _ = lstm.lstm_forward(x, h0, Wx, Wh, b)
    h_zero_c0, _ = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=np.zeros((2, 4)))
    assert h_default.shape == (2, 3, 4)
    assert_allclose(h_default, h_zero_c0)


def test_gru_step_with_zero_weights_halves_the_state():
    h_next, _ = gru.gru_step_forward(np.ones((1, 1)), np.array([[0.8]]), np.zeros((1, 3)), np.zeros((1, 3)),
                                     np.zeros((2, 3)))
    assert_allclose(h_next, [[0.4]])  # z * h_prev + (1 - z) * tanh(0)


def test_gru_resets_after_the_recurrent_product():
    b = np.zeros((2, 3))
    b[1, 2] = 1.0  # recurrent bias of the candidate block: reset_after scales it by r = 0.5
    h_next, _ = gru.gru_step_forward(np.zeros((1, 1)), np.zeros((1, 1)), np.zeros((1, 3)), np.zeros((1, 3)), b)
    assert_allclose(h_next, [[0.5 * np.tanh(0.5)]])


def test_gru_backward_shapes():
    rng = np.random.default_rng(1)
    h, cache = gru.gru_forward(rng.normal(size=(2, 3, 2)), np.zeros((2, 4)), rng.normal(size=(2, 12)),
                               rng.normal(size=(4, 12)), rng.normal(size=(2, 12)))
    dx, dh0, dWx, dWh, db = gru.gru_backward(np.ones_like(h), cache)
    assert (dx.shape, dh0.shape, dWx.shape, dWh.shape, db.shape) == ((2, 3, 2), (2, 4), (2, 12), (4, 12), (2, 12))
