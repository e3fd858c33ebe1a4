"""Public tests for rnnlab/bidirectional.py.

When a case fails, its message names a common mistake if your result is what that mistake
gives on the case (see mistakes.py).
"""
import numpy as np
import pytest

from gradcheck import assert_gradients, scaled
from mistakes import assert_close
from rnnlab import bidirectional, rnn

# Common mistakes, in the words the graders use.
NOT_REVERSED_BACK = "Your backward direction's states are left in reversed time order: flip them back in time before merging, so that at step t the backward state has read x_t .. x_T."
INPUT_NOT_REVERSED = "Your backward direction runs on x in its original order, so it is a second forward RNN with params_bwd: run it on x reversed in time, then reverse its states back."
FORWARD_PARAMS_FOR_BOTH = "Your backward direction runs with the forward direction's Wx and Wh: the two directions do not share weights, so run the backward one with params_bwd."
CONCAT_BACKWARD_FIRST = 'Your "concat" merge puts the backward states first: the forward half comes first, [h_fwd, h_bwd].'
MERGE_MODE_IGNORED = 'Your h is always the concatenation (N, T, 2H), whatever merge_mode: merge by "sum", "mul" or "ave" when asked, to shape (N, T, H).'
AVE_NOT_HALVED = 'Your "ave" merge equals h_fwd + h_bwd, the sum: divide it by 2 for the average.'
GRADS_SWAPPED = "Your grads_fwd and grads_bwd are swapped: grads_fwd must hold the forward direction's gradients and grads_bwd the backward direction's."
AVE_GRADIENT_NOT_HALVED = 'Your "ave" gradients pass dh to both directions without halving it, twice too large: each direction contributes half of h, so each gets dh / 2.'
GRU_ONE_BIAS_ROW = "Your count for a GRU is short by 3 * units per direction: with reset_after=True a GRU has two bias rows, an input bias and a recurrent bias."
NOT_DOUBLED = "Your count for a bidirectional layer is that of one direction: the two directions have independent weights, so the count doubles."
RECURRENT_SQUARE = "Your count takes the recurrent kernel as units x units: like the input kernel it has one block per gate, units x (gate blocks * units)."


def rnn_params(rng, D, H):
    return {"Wx": rng.normal(size=(D, H)), "Wh": rng.normal(size=(H, H)), "b": rng.normal(size=H)}


@pytest.mark.function("bidirectional.bidirectional_forward")
@pytest.mark.parametrize("merge_mode, width", [("concat", 6), ("sum", 3), ("mul", 3), ("ave", 3)])
def test_merge_modes_give_their_shapes(merge_mode, width):
    rng = np.random.default_rng(0)
    x, h0 = rng.normal(size=(2, 4, 2)), np.zeros((2, 3))
    h, _ = bidirectional.bidirectional_forward(x, h0, h0, rnn_params(rng, 2, 3), rnn_params(rng, 2, 3),
                                               "rnn", merge_mode)
    assert_close(h.shape, (2, 4, width), known=[(MERGE_MODE_IGNORED, (2, 4, 6))])


@pytest.mark.function("bidirectional.bidirectional_forward")
def test_merge_modes_combine_the_two_directions():
    rng = np.random.default_rng(2)
    x, h0 = rng.normal(size=(2, 4, 2)), np.zeros((2, 3))
    fwd, bwd = rnn_params(rng, 2, 3), rnn_params(rng, 2, 3)
    both, _ = bidirectional.bidirectional_forward(x, h0, h0, fwd, bwd, "rnn", "concat")
    h_fwd, h_bwd = both[..., :3], both[..., 3:]
    merged = {mode: bidirectional.bidirectional_forward(x, h0, h0, fwd, bwd, "rnn", mode)[0]
              for mode in ("sum", "mul", "ave")}
    assert_close(merged["sum"], h_fwd + h_bwd)
    assert_close(merged["mul"], h_fwd * h_bwd)
    assert_close(merged["ave"], (h_fwd + h_bwd) / 2, known=[(AVE_NOT_HALVED, h_fwd + h_bwd)])


@pytest.mark.function("bidirectional.bidirectional_forward")
def test_backward_direction_is_in_time_order():
    # At the last position the backward direction has read only the last input.
    rng = np.random.default_rng(1)
    x, h0 = rng.normal(size=(1, 5, 2)), rng.normal(size=(1, 3))
    fwd, bwd = rnn_params(rng, 2, 3), rnn_params(rng, 2, 3)
    h, _ = bidirectional.bidirectional_forward(x, h0, h0, fwd, bwd, "rnn", "concat")
    one_step, _ = rnn.rnn_step_forward(x[:, -1], h0, bwd["Wx"], bwd["Wh"], bwd["b"])

    def state_after(params, inputs):  # the state of an RNN after reading inputs[:, 0], inputs[:, 1], ...
        h_t = h0
        for t in range(inputs.shape[1]):
            h_t, _ = rnn.rnn_step_forward(inputs[:, t], h_t, params["Wx"], params["Wh"], params["b"])
        return h_t
    with_fwd_weights, _ = rnn.rnn_step_forward(x[:, -1], h0, fwd["Wx"], fwd["Wh"], bwd["b"])
    assert_close(h[:, -1, 3:], one_step,
                 known=[(NOT_REVERSED_BACK, state_after(bwd, x[:, ::-1])),  # after reading all of x backwards
                        (INPUT_NOT_REVERSED, state_after(bwd, x[:, :1])),  # after reading x_1 alone
                        (FORWARD_PARAMS_FOR_BOTH, with_fwd_weights),
                        (CONCAT_BACKWARD_FIRST, state_after(fwd, x))])  # the forward direction's last state


def directions_swapped(numeric):
    """The gradients with grads_fwd and grads_bwd exchanged."""
    return {f"{name}_{side}": numeric[f"{name}_{other}"]
            for name in ("Wx", "Wh", "b") for side, other in (("fwd", "bwd"), ("bwd", "fwd"))}


@pytest.mark.function("bidirectional.bidirectional_backward")
@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave"])
def test_backward_gradients(merge_mode):
    rng = np.random.default_rng(3)
    params = {"x": rng.normal(size=(2, 3, 4))}  # N, T, D, H all different
    for side in ("fwd", "bwd"):
        params.update({f"{name}_{side}": value / 2 for name, value in rnn_params(rng, 4, 5).items()})
    h0 = np.zeros((2, 5))
    upstream = rng.normal(size=(2, 3, 10 if merge_mode == "concat" else 5))

    def loss_and_grads():
        fwd, bwd = ({name: params[f"{name}_{side}"] for name in ("Wx", "Wh", "b")} for side in ("fwd", "bwd"))
        h, cache = bidirectional.bidirectional_forward(params["x"], h0, h0, fwd, bwd, "rnn", merge_mode)
        dx, _, _, grads_fwd, grads_bwd = bidirectional.bidirectional_backward(upstream, cache)
        grads = {"x": dx}
        for side, side_grads in (("fwd", grads_fwd), ("bwd", grads_bwd)):
            grads.update({f"{name}_{side}": grad for name, grad in side_grads.items()})
        return np.sum(h * upstream), grads
    known = [(GRADS_SWAPPED, directions_swapped)]
    if merge_mode == "ave":
        known.append((AVE_GRADIENT_NOT_HALVED, scaled(2)))  # h = (h_fwd + h_bwd) / 2
    assert_gradients(loss_and_grads, params, known)


# SimpleRNN(5), LSTM(5), GRU(5) on 3 input features, as Keras counts them; and their counts with a
# recurrent kernel of only 5 x 5 (3 x 25 short for an LSTM's 4 blocks, 2 x 25 for a GRU's 3).
@pytest.mark.parametrize("cell, expected, square_recurrent", [("rnn", 45, 45), ("lstm", 180, 180 - 3 * 25),
                                                              ("gru", 150, 150 - 2 * 25)])
@pytest.mark.function("bidirectional.count_params")
def test_count_params_of_keras_layers(cell, expected, square_recurrent):
    known = [(RECURRENT_SQUARE, square_recurrent)]
    if cell == "gru":
        known.append((GRU_ONE_BIAS_ROW, 150 - 3 * 5))  # one bias row of 3 blocks x 5 units short
    assert_close(bidirectional.count_params(cell, 3, 5), expected, known=known)
    assert_close(bidirectional.count_params(cell, 3, 5, bidirectional=True), 2 * expected,
                 known=[(NOT_DOUBLED, expected)])
