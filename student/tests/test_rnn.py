"""Public tests for rnnlab/rnn.py: tiny cases with answers you can work out by hand."""
import numpy as np
from numpy.testing import assert_allclose

from rnnlab import rnn


def test_step_forward_by_hand():
    x, h_prev = np.array([[1.0]]), np.array([[2.0]])
    Wx, Wh, b = np.array([[0.5]]), np.array([[-0.25]]), np.array([0.1])
    h_next, _ = rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)
    assert_allclose(h_next, np.tanh([[0.5 - 0.5 + 0.1]]))


def test_step_backward_by_hand():
    x, h_prev = np.array([[1.0]]), np.array([[2.0]])
    Wx, Wh, b = np.array([[0.5]]), np.array([[0.25]]), np.array([0.0])
    h_next, cache = rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)
    dx, dh_prev, dWx, dWh, db = rnn.rnn_step_backward(np.ones((1, 1)), cache)
    da = 1 - h_next**2  # tanh'(a)
    assert_allclose(dx, da * 0.5)
    assert_allclose(dh_prev, da * 0.25)
    assert_allclose(dWx, da * 1.0)
    assert_allclose(dWh, da * 2.0)
    assert_allclose(db, da[0])


def counting_step(x_t, state):
    """Adds up what it has seen; outputs the running total."""
    new_state = state + x_t
    return new_state, new_state, "cache"


def test_unfold_runs_forward_in_time():
    x = np.array([[[1.0], [10.0], [100.0]]])
    outputs, final_state, caches = rnn.unfold(counting_step, x, np.zeros((1, 1)))
    assert_allclose(outputs[0, :, 0], [1.0, 11.0, 111.0])
    assert_allclose(final_state, [[111.0]])
    assert len(caches) == 3


def test_unfold_reverse_keeps_time_order_of_x():
    x = np.array([[[1.0], [10.0], [100.0]]])
    outputs, final_state, _ = rnn.unfold(counting_step, x, np.zeros((1, 1)), reverse=True)
    assert_allclose(outputs[0, :, 0], [111.0, 110.0, 100.0])
    assert_allclose(final_state, [[111.0]])


def test_forward_holds_h1_to_hT():
    # With Wh = 0 every step forgets the past, so h_t = tanh(x_t Wx + b).
    x = np.array([[[0.5], [-1.0]]])
    h, _ = rnn.rnn_forward(x, np.ones((1, 3)), np.ones((1, 3)), np.zeros((3, 3)), np.zeros(3))
    assert h.shape == (1, 2, 3)
    assert_allclose(h[0, :, 0], np.tanh([0.5, -1.0]))


def test_backward_shapes_and_gradient_through_time():
    # One unit, Wx = 0, b = 0, Wh = 1: h_t = tanh(h_{t-1}). Only h_T gets gradient,
    # so dh0 is the product of the tanh' of every step.
    h0 = np.array([[0.5]])
    x = np.zeros((1, 3, 2))
    h, cache = rnn.rnn_forward(x, h0, np.zeros((2, 1)), np.ones((1, 1)), np.zeros(1))
    dh = np.zeros_like(h)
    dh[0, -1, 0] = 1.0
    dx, dh0, dWx, dWh, db = rnn.rnn_backward(dh, cache)
    assert (dx.shape, dh0.shape, dWx.shape, dWh.shape, db.shape) == ((1, 3, 2), (1, 1), (2, 1), (1, 1), (1,))
    assert_allclose(dh0, [[np.prod(1 - h[0, :, 0] ** 2)]])
