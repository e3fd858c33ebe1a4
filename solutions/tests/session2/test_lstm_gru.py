"""Public tests for rnnlab/lstm.py and rnnlab/gru.py: cases small enough to work out by hand.

With all weights zero every sigmoid gate is exactly 0.5, which makes the answers easy.

When a case fails, its message names a common mistake if your result is what that mistake
gives on the case (see mistakes.py).
"""
import numpy as np
import pytest

from gradcheck import assert_backward, random_params
from mistakes import assert_close
from rnnlab import gru, lstm

# Common mistakes, in the words the graders use.
FORGET_GATE_TANH = "Your h_next and c_next use tanh for the forget gate f: f is a gate, squash its block with a sigmoid like i and o."
CANDIDATE_SIGMOID = "Your h_next and c_next use a sigmoid for the candidate g, so g only takes values in (0, 1): the candidate uses tanh, only the gates i, f, o use the sigmoid."
OUTPUT_WITHOUT_TANH = "Your h_next equals o * c_next, without the tanh (your c_next is right): the output gate o multiplies tanh(c_next)."
LSTM_GATE_ORDER = "Your h_next and c_next read the gate blocks of a as [i | f | o | g]: Keras orders them [i | f | g | o], so the candidate g is the third block and the output gate o the fourth."
LSTM_NO_BIAS = "Your h_next and c_next are computed without the bias b: add b to the pre-activation a before splitting it into the gate blocks."
FORGET_GATE_SKIPPED = "Your dc_prev equals dc, with the forget gate left out (the other gradients are right): c_prev reaches c_next through f, so multiply dc by f."
DC_NEXT_IGNORED = "Your gradients leave out dc_next, the cell gradient arriving from the next step: dc is dc_next plus the part that comes through h_next."
CELL_TANH_DERIVATIVE_MISSING = "Your gradients pass dh_next * o to the cell without the tanh derivative: on the way from h_next to c_next, multiply it by 1 - tanh(c_next)^2."
OUTPUT_GATE_MISSING_TANH = "Your gradients take the output gate's gradient as dh_next alone, without the factor tanh(c_next): h_next is o times tanh(c_next), so do is dh_next times tanh(c_next)."
LSTM_BACKWARD_GATE_ORDER = "Your dx, dh_prev, dWx, dWh and db stack the gate gradients as [i | f | o | g]: keep the block order of the forward, [i | f | g | o]."
C0_IGNORED = "Your h equals the right one with the cell state started at zeros even when c0 is given: use c0 when it is passed, zeros only when it is None."
RETURNS_CELL_STATES = "Your h holds the cell states c_1 .. c_T instead of the hidden states h_1 .. h_T: output h_next at each step and carry the pair (h, c) as the state."
INPUT_FORGET_SWAPPED = "Your c_next equals i * c_prev + f * g, the input and forget gates swapped: the forget gate f scales c_prev and the input gate i scales g."
CELL_GRADIENT_NOT_CARRIED = "Your gradients pass zeros as dc_next to every step, so the cell gradient from step t+1 is lost: carry each step's dc_prev into the backward of the step before it."
HIDDEN_GRADIENT_NOT_CARRIED = "Your gradients drop the hidden-state gradient flowing back from step t+1 (the cell gradient is carried): add the next step's dh_prev to dh[:, t] before each step's backward."
LSTM_WEIGHTS_NOT_SUMMED = "Your dWx, dWh and db equal those of time step t = 0 alone, the last one your loop visits: every step uses the same weights, so add up their gradients over all T steps."
RESET_BEFORE = "Your candidate h~ applies the reset gate r to h_prev before the product with Wh (reset_after=False): with reset_after=True, r multiplies the candidate block of h_prev @ Wh + b[1], after the product."
RESET_FORGOTTEN = "Your candidate h~ leaves out the reset gate: inside the tanh, multiply the recurrent part of the candidate block by r."
RECURRENT_BIAS_FORGOTTEN = "Your h_next is computed without the recurrent bias b[1]: add b[1] to h_prev @ Wh, as you add b[0] to x @ Wx."
INTERPOLATION_FLIPPED = "Your h_next equals (1 - z) * h_prev + z * h~, the update gate on the wrong side: z weights h_prev and 1 - z weights the candidate h~."
UPDATE_RESET_SWAPPED = "Your h_next reads the gate blocks as [r | z | h]: Keras orders them [z | r | h], so the update gate z is the first block and the reset gate r the second."
INPUT_BIAS_FORGOTTEN = "Your h_next is computed without the input bias b[0]: add b[0] to x @ Wx, as you add b[1] to h_prev @ Wh."
DIRECT_PATH_MISSING = "Your dh_prev leaves out the direct path: h_prev also reaches h_next through z * h_prev, so add dh_next * z to what comes back through Wh."
UPDATE_SIGN = "Your gradients through the update gate have the wrong sign: the derivative of h_next with respect to z is h_prev - h~, not h~ - h_prev."
RESET_NOT_APPLIED = "Your dh_prev, dWh and db[1] leave out the reset gate on the candidate block: the recurrent part of the candidate was multiplied by r, so its gradient must be too."
GRU_OFF_BY_ONE = "Your h holds h_0 .. h_{T-1}, each state one step late: store the state after step t, not the one the step started from."
GRU_READS_BACKWARDS = "Your h equals the states of a GRU reading x from its end to its start: run forward in time from h0."
GRU_H0_IGNORED = "Your h equals the right one started from zeros instead of h0: the first GRU step must read the given h0."
GRU_GRADIENT_NOT_CARRIED = "Your gradient equals the right one with dh_prev not carried back from step t+1: add the gradient flowing back from the next step to dh[:, t] before each step's backward."
GRU_WEIGHTS_NOT_SUMMED = "Your dWx, dWh and db equal the first time step's gradients only: Wx, Wh and b serve all T steps, so sum every step's gradients."
RECURRENT_BIAS_COPIED = "Your db[1] equals db[0]: the recurrent bias gets its own gradient, in which the candidate block is multiplied by the reset gate r."


def zeros_lstm(D=1, H=1):
    return np.zeros((D, 4 * H)), np.zeros((H, 4 * H)), np.zeros(4 * H)


@pytest.mark.function("lstm.lstm_step_forward")
def test_lstm_step_with_zero_weights_halves_the_cell():
    Wx, Wh, b = zeros_lstm()
    h_next, c_next, _ = lstm.lstm_step_forward(np.ones((1, 1)), np.zeros((1, 1)), np.array([[2.0]]), Wx, Wh, b)
    assert_close(c_next, [[1.0]],                    # f * c_prev + i * tanh(0)
                 known=[(FORGET_GATE_TANH, [[0.0]]),    # f = tanh(0) = 0
                        (CANDIDATE_SIGMOID, [[1.25]])])  # g = sigmoid(0) = 0.5
    assert_close(h_next, [[0.5 * np.tanh(1.0)]],     # o * tanh(c_next)
                 known=[(OUTPUT_WITHOUT_TANH, [[0.5 * 1.0]])])


@pytest.mark.function("lstm.lstm_step_forward")
def test_lstm_gate_blocks_are_i_f_g_o():
    Wx, Wh, b = zeros_lstm()
    b[:] = np.log(3.0), 0.0, 1.0, -1.0  # i = 0.75, f = 0.5, g = tanh(1), o = sigmoid(-1)
    c_prev = np.array([[2.0]])
    _, c_next, _ = lstm.lstm_step_forward(np.zeros((1, 1)), np.zeros((1, 1)), c_prev, Wx, Wh, b)
    assert_close(c_next, [[0.5 * 2.0 + 0.75 * np.tanh(1.0)]],  # f * c_prev + i * g
                 known=[(LSTM_GATE_ORDER, [[0.5 * 2.0 + 0.75 * np.tanh(-1.0)]]),  # g read from the fourth block
                        (INPUT_FORGET_SWAPPED, [[0.75 * 2.0 + 0.5 * np.tanh(1.0)]]),
                        (LSTM_NO_BIAS, [[0.5 * 2.0 + 0.5 * np.tanh(0.0)]]),
                        (CANDIDATE_SIGMOID, [[0.5 * 2.0 + 0.75 / (1 + np.exp(-1.0))]]),
                        (FORGET_GATE_TANH, [[0.0 * 2.0 + 0.75 * np.tanh(1.0)]])])  # f = tanh(0)


@pytest.mark.function("lstm.lstm_step_backward")
def test_lstm_cell_gradient_flows_through_the_forget_gate():
    # Zero weights: every gate is 0.5 and g = tanh(0) = 0, so c_next = 0.5 * c_prev = 0.5.
    Wx, Wh, b = zeros_lstm()
    _, _, cache = lstm.lstm_step_forward(np.ones((1, 1)), np.zeros((1, 1)), np.ones((1, 1)), Wx, Wh, b)
    dx, dh_prev, dc_prev, dWx, dWh, db = lstm.lstm_step_backward(np.ones((1, 1)), np.ones((1, 1)), cache)
    assert (dx.shape, dWx.shape, dWh.shape, db.shape) == ((1, 1), (1, 4), (1, 4), (4,))
    dc = 1.0 + 1.0 * 0.5 * (1 - np.tanh(0.5) ** 2)  # dc_next + dh_next * o * tanh'(c_next)
    assert_close(dc_prev, [[0.5 * dc]],  # dc * f
                 known=[(FORGET_GATE_SKIPPED, [[dc]]),
                        (DC_NEXT_IGNORED, [[0.5 * (dc - 1.0)]]),
                        (CELL_TANH_DERIVATIVE_MISSING, [[0.5 * (1.0 + 1.0 * 0.5)]]),
                        (FORGET_GATE_TANH, [[0.0]])])  # f = tanh(0) = 0
    # db is the gradient at the pre-activations of the blocks [i | f | g | o] (N = 1): i multiplies
    # g = 0; f multiplies c_prev = 1; g (tanh'(0) = 1) is multiplied by i; o multiplies tanh(c_next).
    assert_close(db, [0.0, 0.25 * dc, 0.5 * dc, 0.25 * np.tanh(0.5)],
                 known=[(OUTPUT_GATE_MISSING_TANH, [0.0, 0.25 * dc, 0.5 * dc, 0.25 * 1.0]),
                        (LSTM_BACKWARD_GATE_ORDER, [0.0, 0.25 * dc, 0.25 * np.tanh(0.5), 0.5 * dc])])


@pytest.mark.function("lstm.lstm_forward")
def test_lstm_forward_starts_from_c0_or_zeros():
    rng = np.random.default_rng(0)
    x, h0, c0 = rng.normal(size=(2, 3, 5)), rng.normal(size=(2, 4)), rng.normal(size=(2, 4))
    Wx, Wh, b = rng.normal(size=(5, 16)), rng.normal(size=(4, 16)), rng.normal(size=16)
    h_default, _ = lstm.lstm_forward(x, h0, Wx, Wh, b)
    h_zero_c0, _ = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=np.zeros((2, 4)))
    assert h_default.shape == (2, 3, 4)
    assert_close(h_default, h_zero_c0)
    # Given c0, the first step starts from (h0, c0) and outputs its h.
    h, _ = lstm.lstm_forward(x, h0, Wx, Wh, b, c0=c0.copy())
    h1, c1, _ = lstm.lstm_step_forward(x[:, 0], h0, c0.copy(), Wx, Wh, b)
    assert_close(h[:, 0], h1, known=[(C0_IGNORED, h_zero_c0[:, 0]), (RETURNS_CELL_STATES, c1)])


@pytest.mark.function("lstm.lstm_backward")
def test_lstm_backward_carries_both_gradients_back_through_time():
    # Two steps by hand with lstm_step_forward and lstm_step_backward; only h_2 gets gradient.
    rng = np.random.default_rng(4)
    x, h0 = rng.normal(size=(1, 2, 1)), rng.normal(size=(1, 2))
    Wx, Wh, b = rng.normal(size=(1, 8)), rng.normal(size=(2, 8)), rng.normal(size=8)
    h1, c1, cache1 = lstm.lstm_step_forward(x[:, 0], h0, np.zeros((1, 2)), Wx, Wh, b)
    _, _, cache2 = lstm.lstm_step_forward(x[:, 1], h1, c1, Wx, Wh, b)
    _, dh1, dc1, _, dWh2, _ = lstm.lstm_step_backward(np.ones((1, 2)), np.zeros((1, 2)), cache2)
    _, dh0_expected, _, _, dWh1, _ = lstm.lstm_step_backward(dh1, dc1, cache1)
    without_dc1 = lstm.lstm_step_backward(dh1, np.zeros((1, 2)), cache1)[1]
    without_dh1 = lstm.lstm_step_backward(np.zeros((1, 2)), dc1, cache1)[1]
    _, cache = lstm.lstm_forward(x, h0, Wx, Wh, b)
    _, dh0, _, dWh, _ = lstm.lstm_backward(np.stack([np.zeros((1, 2)), np.ones((1, 2))], axis=1), cache)
    assert_close(dh0, dh0_expected, known=[(CELL_GRADIENT_NOT_CARRIED, without_dc1),
                                           (HIDDEN_GRADIENT_NOT_CARRIED, without_dh1)])
    assert_close(dWh, dWh1 + dWh2, known=[(LSTM_WEIGHTS_NOT_SUMMED, dWh1)])  # both steps use Wh


@pytest.mark.function("gru.gru_step_forward")
def test_gru_step_with_zero_weights_halves_the_state():
    h_next, _ = gru.gru_step_forward(np.ones((1, 1)), np.array([[0.8]]), np.zeros((1, 3)), np.zeros((1, 3)),
                                     np.zeros((2, 3)))
    assert_close(h_next, [[0.4]])  # z * h_prev + (1 - z) * tanh(0)


def gru_mix(z, h_prev, h_tilde):
    return [[z * h_prev + (1 - z) * h_tilde]]


@pytest.mark.function("gru.gru_step_forward")
def test_gru_resets_after_the_recurrent_product():
    # h_prev = 1, x = 0; only the candidate column of Wh (1) and its recurrent bias b[1, 2] (1) are
    # not zero, so z = r = 0.5, and reset_after scales h_prev @ Wh + b[1] = 2 by r: h~ = tanh(0.5 * 2).
    Wh, b = np.array([[0.0, 0.0, 1.0]]), np.zeros((2, 3))
    b[1, 2] = 1.0
    h_next, _ = gru.gru_step_forward(np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 3)), Wh, b)
    assert_close(h_next, gru_mix(0.5, 1.0, np.tanh(0.5 * 2.0)),
                 known=[(RESET_BEFORE, gru_mix(0.5, 1.0, np.tanh(0.5 * 1.0 + 1.0))),  # (r * h_prev) @ Wh + b[1]
                        (RESET_FORGOTTEN, gru_mix(0.5, 1.0, np.tanh(2.0))),
                        (RECURRENT_BIAS_FORGOTTEN, gru_mix(0.5, 1.0, np.tanh(0.5 * 1.0)))])


@pytest.mark.function("gru.gru_step_forward")
def test_gru_update_gate_is_the_first_block_and_weights_h_prev():
    # The input biases log 3 and log 4 make the update gate z = 0.75 and the reset gate r = 0.8;
    # h_prev = 1 and the candidate column of Wh is 1, so h~ = tanh(r * 1).
    Wh, b = np.array([[0.0, 0.0, 1.0]]), np.zeros((2, 3))
    b[0, :2] = np.log(3.0), np.log(4.0)
    h_next, _ = gru.gru_step_forward(np.zeros((1, 1)), np.ones((1, 1)), np.zeros((1, 3)), Wh, b)
    assert_close(h_next, gru_mix(0.75, 1.0, np.tanh(0.8)),
                 known=[(INTERPOLATION_FLIPPED, gru_mix(0.25, 1.0, np.tanh(0.8))),
                        (UPDATE_RESET_SWAPPED, gru_mix(0.8, 1.0, np.tanh(0.75))),  # z = 0.8, r = 0.75
                        (INPUT_BIAS_FORGOTTEN, gru_mix(0.5, 1.0, np.tanh(0.5))),
                        (RESET_FORGOTTEN, gru_mix(0.75, 1.0, np.tanh(1.0)))])


@pytest.mark.function("gru.gru_step_backward")
def test_gru_step_backward_with_zero_weights():
    # Zero weights: z = r = 0.5 and h~ = tanh(0) = 0, so h_next = 0.5 * h_prev.
    _, cache = gru.gru_step_forward(np.ones((1, 1)), np.array([[0.8]]), np.zeros((1, 3)), np.zeros((1, 3)),
                                    np.zeros((2, 3)))
    _, dh_prev, _, dWh, db = gru.gru_step_backward(np.ones((1, 1)), cache)
    assert_close(dh_prev, [[0.5]], known=[(DIRECT_PATH_MISSING, [[0.0]])])  # Wh = 0: only z * h_prev is left
    # The gradient at the pre-activations of the blocks [z | r | h~]: update block (h_prev - h~) z (1 - z)
    # = 0.8 * 0.25; reset block 0, as the recurrent part of the candidate is 0; candidate block
    # (1 - z) (1 - h~^2) = 0.5, which the recurrent side (dWh and db[1]) gets times r. dWh is h_prev = 0.8
    # times the recurrent side.
    assert_close(dWh, [[0.8 * 0.2, 0.0, 0.8 * 0.25]],
                 known=[(UPDATE_SIGN, [[-0.8 * 0.2, 0.0, 0.8 * 0.25]]),
                        (RESET_NOT_APPLIED, [[0.8 * 0.2, 0.0, 0.8 * 0.5]])])
    assert_close(db, [[0.2, 0.0, 0.5], [0.2, 0.0, 0.25]],
                 known=[(UPDATE_SIGN, [[-0.2, 0.0, 0.5], [-0.2, 0.0, 0.25]]),
                        (RECURRENT_BIAS_COPIED, [[0.2, 0.0, 0.5], [0.2, 0.0, 0.5]])])


def gru_two_steps(seed=3):
    """A GRU of 2 units over 2 steps of 1 feature: x, h0 and the weights, drawn from `seed`."""
    rng = np.random.default_rng(seed)
    x, h0 = rng.normal(size=(1, 2, 1)), rng.normal(size=(1, 2))
    return x, h0, rng.normal(size=(1, 6)), rng.normal(size=(2, 6)), rng.normal(size=(2, 6))


@pytest.mark.function("gru.gru_forward")
def test_gru_forward_runs_the_steps_in_time_order():
    # Two steps by hand with gru_step_forward.
    x, h0, Wx, Wh, b = gru_two_steps()

    def gru_step(x_t, h_prev):
        return gru.gru_step_forward(x_t, h_prev, Wx, Wh, b)[0]
    h1 = gru_step(x[:, 0], h0)
    h2 = gru_step(x[:, 1], h1)
    h, _ = gru.gru_forward(x, h0, Wx, Wh, b)
    from_zeros = gru_step(x[:, 0], np.zeros((1, 2)))
    x2_read_first = gru_step(x[:, 1], h0)
    assert_close(h, np.stack([h1, h2], axis=1),
                 known=[(GRU_OFF_BY_ONE, np.stack([h0, h1], axis=1)),
                        (GRU_H0_IGNORED, np.stack([from_zeros, gru_step(x[:, 1], from_zeros)], axis=1)),
                        (GRU_READS_BACKWARDS, np.stack([gru_step(x[:, 0], x2_read_first), x2_read_first], axis=1))])


@pytest.mark.function("gru.gru_backward")
def test_gru_backward_carries_the_gradient_back_through_time():
    # Two steps by hand with gru_step_forward and gru_step_backward; only h_2 gets gradient.
    x, h0, Wx, Wh, b = gru_two_steps()
    h1, cache1 = gru.gru_step_forward(x[:, 0], h0, Wx, Wh, b)
    _, cache2 = gru.gru_step_forward(x[:, 1], h1, Wx, Wh, b)
    _, cache = gru.gru_forward(x, h0, Wx, Wh, b)
    _, dh1, _, dWh2, _ = gru.gru_step_backward(np.ones((1, 2)), cache2)
    _, dh0_expected, _, dWh1, _ = gru.gru_step_backward(dh1, cache1)
    _, dh0, _, dWh, _ = gru.gru_backward(np.stack([np.zeros((1, 2)), np.ones((1, 2))], axis=1), cache)
    assert_close(dh0, dh0_expected, known=[(GRU_GRADIENT_NOT_CARRIED, np.zeros((1, 2)))])  # step 1 gets none of its own
    assert_close(dWh, dWh1 + dWh2, known=[(GRU_WEIGHTS_NOT_SUMMED, dWh1)])  # both steps use Wh


@pytest.mark.function("gru.gru_backward")
def test_gru_backward_shapes():
    rng = np.random.default_rng(1)
    h, cache = gru.gru_forward(rng.normal(size=(2, 3, 5)), np.zeros((2, 4)), rng.normal(size=(5, 12)),
                               rng.normal(size=(4, 12)), rng.normal(size=(2, 12)))
    dx, dh0, dWx, dWh, db = gru.gru_backward(np.ones_like(h), cache)
    assert (dx.shape, dh0.shape, dWx.shape, dWh.shape, db.shape) == ((2, 3, 5), (2, 4), (5, 12), (4, 12), (2, 12))


# Sizes that are all different (N = 2, T = 3, D = 5, H = 4, gate blocks 4H = 16 or 3H = 12): a
# transposed weight or a swapped axis cannot pass by symmetry.

def lstm_inputs(seed, T=None):
    x = (2, 3, 5) if T else (2, 5)
    state = {"h0": (2, 4)} if T else {"h_prev": (2, 4), "c_prev": (2, 4)}
    return random_params(dict(x=x, **state, Wx=(5, 16), Wh=(4, 16), b=(16,)), seed)


def gru_inputs(seed, T=None):
    x, state = ((2, 3, 5), "h0") if T else ((2, 5), "h_prev")
    return random_params(dict(x=x, **{state: (2, 4)}, Wx=(5, 12), Wh=(4, 12), b=(2, 12)), seed)


@pytest.mark.function("lstm.lstm_step_forward")
def test_lstm_step_forward_with_all_sizes_different():
    h_next, c_next, _ = lstm.lstm_step_forward(**lstm_inputs(0))
    assert (h_next.shape, c_next.shape) == ((2, 4), (2, 4)), "the docstring's h_next and c_next are (N, H) = (2, 4)"


@pytest.mark.function("lstm.lstm_step_backward")
def test_lstm_step_backward_is_the_gradient_of_the_step_with_all_sizes_different():
    upstream = random_params(dict(dh_next=(2, 4), dc_next=(2, 4)), 2)
    assert_backward(lstm.lstm_step_forward, lstm.lstm_step_backward, lstm_inputs(1), upstream=list(upstream.values()))


@pytest.mark.function("lstm.lstm_backward")
def test_lstm_backward_is_the_gradient_of_the_forward_with_all_sizes_different():
    dh = random_params(dict(dh=(2, 3, 4)), 4)["dh"]
    assert_backward(lstm.lstm_forward, lstm.lstm_backward, lstm_inputs(3, T=3), upstream=[dh])


@pytest.mark.function("gru.gru_step_forward")
def test_gru_step_forward_with_all_sizes_different():
    h_next, _ = gru.gru_step_forward(**gru_inputs(5))
    assert h_next.shape == (2, 4), f"h_next has shape {h_next.shape}; the docstring's is (N, H) = (2, 4)"


@pytest.mark.function("gru.gru_step_backward")
def test_gru_step_backward_is_the_gradient_of_the_step_with_all_sizes_different():
    dh_next = random_params(dict(dh_next=(2, 4)), 7)["dh_next"]
    assert_backward(gru.gru_step_forward, gru.gru_step_backward, gru_inputs(6), upstream=[dh_next])


@pytest.mark.function("gru.gru_forward")
def test_gru_forward_with_all_sizes_different():
    p = gru_inputs(8, T=3)
    h, _ = gru.gru_forward(**p)
    assert h.shape == (2, 3, 4), f"h has shape {h.shape}; the docstring's is (N, T, H) = (2, 3, 4)"
    h1, _ = gru.gru_step_forward(p["x"][:, 0], p["h0"], p["Wx"], p["Wh"], p["b"])
    assert_close(h[:, 0], h1)
