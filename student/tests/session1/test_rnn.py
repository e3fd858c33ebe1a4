"""Public tests for rnnlab/rnn.py: tiny cases with answers you can work out by hand.

When a case fails, its message names a common mistake if your result is what that mistake
gives on the case (see mistakes.py).
"""
import numpy as np
import pytest

from gradcheck import assert_backward, random_params
from mistakes import assert_close
from rnnlab import rnn

# Common mistakes, in the words the graders use.
MISSING_BIAS = "Your h_next equals the right one computed without the bias b: add b inside the tanh."
SIGMOID_NOT_TANH = "Your h_next equals the sigmoid of the right pre-activation (all values in (0, 1)): the vanilla RNN squashes with tanh."
H_PREV_IGNORED = "Your h_next equals tanh(x @ Wx + b), as if h_prev were zero: add the recurrent term h_prev @ Wh inside the tanh."
WH_TRANSPOSED = "Your h_next equals the right one with h_prev multiplied by Wh transposed: Wh (H, H) is in the Keras layout, multiply h_prev by Wh as it is."
NO_TANH_DERIVATIVE = "Your gradients leave out the tanh derivative: multiply dh_next elementwise by 1 - h_next^2 to get da, then compute dx, dh_prev, dWx, dWh and db from da."
TANH_TWICE = "Your gradients use 1 - tanh(h_next)^2 as the tanh derivative, applying tanh a second time: h_next already is tanh(a), so the derivative is 1 - h_next^2."
DWX_SKIPS_TANH = "Your dWx equals x.T times dh_next, skipping the tanh derivative (the other gradients are right): use the pre-activation gradient da, as for dWh."
DH_PREV_NOT_TRANSPOSED = "Your dh_prev equals da times Wh instead of da times Wh transposed (the other gradients are right): the gradient flows back to h_prev through Wh.T."
REVERSE_IGNORED = "With reverse=True your unfold still runs forward in time, so the outputs, final_state and caches are those of a forward run: with reverse, step from t = T-1 down to 0."
OUTPUTS_IN_RUN_ORDER = "With reverse=True your outputs come back in the order your loop visited them, backwards in time: store each step's output at its own time index t, so that it lines up with x[:, t]."
CACHES_IN_TIME_ORDER = "With reverse=True your caches come back in time order (t = 0 first): return them in the order your loop ran them, the last time step first."
OFF_BY_ONE_IN_TIME = "Your h equals the right one shifted by one step in time (h_0 .. h_{T-1}): store the state after step t, not the one before it."
READS_BACKWARDS = "Your h equals the states of an RNN that reads x from its last step to its first: run forward in time, t = 1 .. T, starting from h0."
H0_IGNORED = "Your h equals the right one started from zeros: the first step must read the given h0 as h_prev."
GRADIENT_NOT_CARRIED = "Your gradient equals the right one with dh_prev not carried back from step t+1: add the gradient that flows back from the next step to dh[:, t] before each step's backward."
BACKWARD_FORWARD_IN_TIME = "Your gradients come from a loop that runs forward in time, so each step receives the dh_prev of the step before it instead of the one after it: loop from t = T-1 down to 0."
WEIGHTS_NOT_SUMMED = "Your dWx, dWh and db equal the gradients of the first time step alone (the last one your loop visits): every step uses the same weights, so sum their gradients over time."


@pytest.mark.function("rnn.rnn_step_forward")
def test_step_forward_by_hand():
    # D = 2 inputs, H = 1 unit: x @ Wx = 1 * 0.5 + 2 * (-0.5) = -0.5, h_prev @ Wh = 2 * 0.5 = 1.0.
    x, h_prev = np.array([[1.0, 2.0]]), np.array([[2.0]])
    Wx, Wh, b = np.array([[0.5], [-0.5]]), np.array([[0.5]]), np.array([0.1])
    h_next, _ = rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)
    assert_close(h_next, np.tanh([[-0.5 + 1.0 + 0.1]]),
                 known=[(MISSING_BIAS, np.tanh([[-0.5 + 1.0]])),
                        (SIGMOID_NOT_TANH, 1 / (1 + np.exp([[-(-0.5 + 1.0 + 0.1)]]))),
                        (H_PREV_IGNORED, np.tanh([[-0.5 + 0.1]]))])


@pytest.mark.function("rnn.rnn_step_forward")
def test_step_forward_multiplies_h_prev_by_Wh_as_it_is():
    # Only the weight Wh[0, 1], from unit 0 of h_prev to unit 1 of h_next, is not zero.
    h_prev, Wh = np.array([[1.0, 2.0]]), np.array([[0.0, 1.0], [0.0, 0.0]])
    h_next, _ = rnn.rnn_step_forward(np.zeros((1, 1)), h_prev, np.zeros((1, 2)), Wh, np.zeros(2))
    assert_close(h_next, np.tanh([[0.0, 1.0]]),
                 known=[(WH_TRANSPOSED, np.tanh([[2.0, 0.0]])),  # unit 1 of h_prev to unit 0
                        (H_PREV_IGNORED, np.tanh([[0.0, 0.0]]))])


@pytest.mark.function("rnn.rnn_step_backward")
def test_step_backward_by_hand():
    x, h_prev = np.array([[1.0]]), np.array([[2.0]])
    Wx, Wh, b = np.array([[0.5]]), np.array([[0.25]]), np.array([0.0])
    h_next, cache = rnn.rnn_step_forward(x, h_prev, Wx, Wh, b)
    dx, dh_prev, dWx, dWh, db = rnn.rnn_step_backward(np.ones((1, 1)), cache)
    da = 1 - h_next**2  # tanh'(a)
    assert_close(dx, da * 0.5, known=[(NO_TANH_DERIVATIVE, [[0.5]]),
                                      (TANH_TWICE, (1 - np.tanh(h_next) ** 2) * 0.5)])
    assert_close(dh_prev, da * 0.25)
    assert_close(dWx, da * 1.0, known=[(DWX_SKIPS_TANH, [[1.0]])])  # x times dh_next
    assert_close(dWh, da * 2.0)
    assert_close(db, da[0])


@pytest.mark.function("rnn.rnn_step_backward")
def test_step_backward_sends_dh_prev_back_through_Wh_transposed():
    # x, h_prev and b are zero, so h_next = tanh(0) = 0 and da = dh_next.
    Wh = np.array([[0.0, 1.0], [0.0, 0.0]])
    _, cache = rnn.rnn_step_forward(np.zeros((1, 1)), np.zeros((1, 2)), np.zeros((1, 2)), Wh, np.zeros(2))
    _, dh_prev, _, _, _ = rnn.rnn_step_backward(np.array([[1.0, 2.0]]), cache)
    # Unit 0 of h_prev fed unit 1 of h_next (through Wh[0, 1]): it gets unit 1's gradient.
    assert_close(dh_prev, [[2.0, 0.0]], known=[(DH_PREV_NOT_TRANSPOSED, [[0.0, 1.0]])])


def counting_step(x_t, state):
    """Adds up what it has seen; outputs the running total; its cache is the input it read."""
    new_state = state + x_t
    return new_state, new_state, float(x_t[0, 0])


@pytest.mark.function("rnn.unfold")
def test_unfold_runs_forward_in_time():
    x = np.array([[[1.0], [10.0], [100.0]]])
    outputs, final_state, caches = rnn.unfold(counting_step, x, np.zeros((1, 1)))
    assert_close(outputs[0, :, 0], [1.0, 11.0, 111.0])
    assert_close(final_state, [[111.0]])
    assert len(caches) == 3


@pytest.mark.function("rnn.unfold")
def test_unfold_reverse_keeps_time_order_of_x():
    x = np.array([[[1.0], [10.0], [100.0]]])
    outputs, final_state, caches = rnn.unfold(counting_step, x, np.zeros((1, 1)), reverse=True)
    assert_close(outputs[0, :, 0], [111.0, 110.0, 100.0],
                 known=[(REVERSE_IGNORED, [1.0, 11.0, 111.0]),
                        (OUTPUTS_IN_RUN_ORDER, [100.0, 110.0, 111.0])])
    assert_close(final_state, [[111.0]])
    # The caches come in the order the steps ran: x_3 was read first.
    assert_close(caches, [100.0, 10.0, 1.0], known=[(CACHES_IN_TIME_ORDER, [1.0, 10.0, 100.0])])


@pytest.mark.function("rnn.rnn_forward")
def test_forward_holds_h1_to_hT():
    # With Wh = 0 every step forgets the past, so h_t = tanh(x_t Wx + b).
    x = np.array([[[0.5], [-1.0]]])
    h, _ = rnn.rnn_forward(x, np.ones((1, 3)), np.ones((1, 3)), np.zeros((3, 3)), np.zeros(3))
    assert h.shape == (1, 2, 3)
    assert_close(h[0, :, 0], np.tanh([0.5, -1.0]),
                 known=[(OFF_BY_ONE_IN_TIME, [1.0, np.tanh(0.5)]),  # [h0, h1]
                        (SIGMOID_NOT_TANH, 1 / (1 + np.exp([-0.5, 1.0])))])


@pytest.mark.function("rnn.rnn_forward")
def test_forward_carries_the_state_from_h0():
    # One unit, Wx = Wh = 1 and b = 0: h_t = tanh(x_t + h_{t-1}), from h0 = 0.5.
    x, h0 = np.array([[[1.0], [-1.0]]]), np.array([[0.5]])
    h, _ = rnn.rnn_forward(x, h0, np.ones((1, 1)), np.ones((1, 1)), np.zeros(1))
    h1 = np.tanh(1.0 + 0.5)
    from_zeros = [np.tanh(1.0), np.tanh(-1.0 + np.tanh(1.0))]
    x2_read_first = np.tanh(-1.0 + 0.5)
    assert_close(h[0, :, 0], [h1, np.tanh(-1.0 + h1)],
                 known=[(H0_IGNORED, from_zeros),
                        (READS_BACKWARDS, [np.tanh(1.0 + x2_read_first), x2_read_first]),
                        (OFF_BY_ONE_IN_TIME, [0.5, h1])])


@pytest.mark.function("rnn.rnn_forward")
def test_forward_works_in_float32():
    # The graders try float32 inputs too: the same states as in float64, to float32's precision.
    rng = np.random.default_rng(0)
    inputs = [rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 4)), rng.normal(size=(5, 4)),
              rng.normal(size=(4, 4)) / 2, rng.normal(size=4)]  # x, h0, Wx, Wh, b
    h64, _ = rnn.rnn_forward(*inputs)
    h32, _ = rnn.rnn_forward(*(a.astype(np.float32) for a in inputs))
    assert_close(h32, h64, rtol=0, atol=1e-5)


@pytest.mark.function("rnn.rnn_backward")
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
    h1 = np.tanh(0.5)
    h2 = np.tanh(h1)
    h3 = np.tanh(h2)
    assert_close(h[0, :, 0], [h1, h2, h3], err_msg="this case needs a right rnn_forward: see its tests first")
    tanh_grads = 1 - np.array([h1, h2, h3]) ** 2  # tanh' of steps 1, 2, 3
    assert_close(dh0, [[np.prod(tanh_grads)]],
                 known=[(GRADIENT_NOT_CARRIED, [[0.0]]),  # step 1 gets no gradient of its own
                        (BACKWARD_FORWARD_IN_TIME, [[tanh_grads[-1]]]),  # the loop ends at step 3
                        (NO_TANH_DERIVATIVE, [[1.0]]),
                        (TANH_TWICE, [[np.prod(1 - np.tanh([h1, h2, h3]) ** 2)]])])
    # The gradient at the pre-activation of step t: the tanh' of step t and of every later step.
    da = np.cumprod(tanh_grads[::-1])[::-1]
    h_prev = np.array([0.5, h1, h2])
    assert_close(dWh, [[np.sum(h_prev * da)]], known=[(WEIGHTS_NOT_SUMMED, [[h_prev[0] * da[0]]])])
    assert_close(db, [np.sum(da)], known=[(WEIGHTS_NOT_SUMMED, [da[0]])])


# Sizes that are all different (N = 2, T = 3, D = 4, H = 5): a transposed weight or a swapped axis
# cannot pass by symmetry, as it can where D = H or N = 1.

@pytest.mark.function("rnn.rnn_step_forward")
def test_step_forward_with_all_sizes_different():
    p = random_params(dict(x=(2, 4), h_prev=(2, 5), Wx=(4, 5), Wh=(5, 5), b=(5,)), 0)
    h_next, _ = rnn.rnn_step_forward(**p)
    assert h_next.shape == (2, 5), f"h_next has shape {h_next.shape}; the docstring's is (N, H) = (2, 5)"


@pytest.mark.function("rnn.rnn_step_backward")
def test_step_backward_is_the_gradient_of_the_step_with_all_sizes_different():
    p = random_params(dict(x=(2, 4), h_prev=(2, 5), Wx=(4, 5), Wh=(5, 5), b=(5,)), 1)
    assert_backward(rnn.rnn_step_forward, rnn.rnn_step_backward, p, upstream=[random_params(dict(dh=(2, 5)), 2)["dh"]])


def growing_step(x_t, state):
    """Adds up each row of x_t into every unit of the state; outputs the state and x_t's first column."""
    new_state = state + x_t.sum(axis=1, keepdims=True)
    return np.concatenate([new_state, x_t[:, :1]], axis=1), new_state, None


@pytest.mark.function("rnn.unfold")
def test_unfold_with_all_sizes_different():
    x, state0 = random_params(dict(x=(2, 3, 4), state0=(2, 5)), 3).values()
    outputs, final_state, caches = rnn.unfold(growing_step, x, state0)
    assert outputs.shape == (2, 3, 6), f"outputs has shape {outputs.shape}; the docstring's is (N, T, K) = (2, 3, 6)"
    running = state0[:, None, :] + np.cumsum(x.sum(axis=2), axis=1)[:, :, None]  # (N, T, H): the state after step t
    assert_close(outputs[:, :, :5], running)
    assert_close(outputs[:, :, 5], x[:, :, 0])
    assert_close(final_state, running[:, -1])
    assert len(caches) == 3


@pytest.mark.function("rnn.rnn_backward")
def test_backward_is_the_gradient_of_the_forward_with_all_sizes_different():
    p = random_params(dict(x=(2, 3, 4), h0=(2, 5), Wx=(4, 5), Wh=(5, 5), b=(5,)), 4)
    assert_backward(rnn.rnn_forward, rnn.rnn_backward, p, upstream=[random_params(dict(dh=(2, 3, 5)), 5)["dh"]])
