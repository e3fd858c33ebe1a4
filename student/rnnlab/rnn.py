"""Session 1: the vanilla RNN, unfolded through time, trained by BPTT.

    h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b)

Weights follow the Keras `SimpleRNN` layout, so `layer.get_weights()`
gives `[Wx, Wh, b]` exactly as these functions take them:
Wx (D, H) is the `kernel`, Wh (H, H) the `recurrent_kernel`, b (H,) the `bias`.
Sequences are batch first: x is (N, T, D).

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    """One time step of a vanilla RNN.

    h_next = tanh(x @ Wx + h_prev @ Wh + b)

    Args:
        x: (N, D) inputs at this step.
        h_prev: (N, H) hidden state from the previous step.
        Wx: (D, H) input-to-hidden weights (a Keras `kernel`).
        Wh: (H, H) hidden-to-hidden weights (a Keras `recurrent_kernel`).
        b: (H,) bias.

    Returns:
        h_next: (N, H) the new hidden state.
        cache: whatever rnn_step_backward needs.
    """
    # TODO: implement rnn_step_forward (see the docstring).
    raise NotImplementedError("rnn_step_forward")


def rnn_step_backward(dh_next, cache):
    """Backward pass of one RNN step.

    With a = x @ Wx + h_prev @ Wh + b and h_next = tanh(a):
        da = dh_next * (1 - h_next**2)
        dx = da @ Wx.T,  dh_prev = da @ Wh.T
        dWx = x.T @ da,  dWh = h_prev.T @ da,  db = sum of da over the batch

    Args:
        dh_next: (N, H) gradient of the loss with respect to h_next.
        cache: from rnn_step_forward.

    Returns:
        dx: (N, D), dh_prev: (N, H), dWx: (D, H), dWh: (H, H), db: (H,).
    """
    # TODO: implement rnn_step_backward (see the docstring).
    raise NotImplementedError("rnn_step_backward")


def unfold(step, x, state0, reverse=False):
    """Apply one step function along the time axis: the unfolded graph.

    For t = 0, 1, ..., T-1 (or T-1, ..., 0 when `reverse`):
        output_t, state, cache_t = step(x[:, t], state)

    Args:
        step: a function `step(x_t, state) -> (output_t, new_state, cache_t)`
            with x_t of shape (N, D); `state` can be anything the step uses
            (an array, or a tuple such as (h, c) for an LSTM).
        x: (N, T, D) input sequence.
        state0: the state before the first step.
        reverse: read the sequence from its end, as the backward half of a
            bidirectional RNN does.

    Returns:
        outputs: (N, T, ...) the outputs stacked in the time order of `x`,
            so outputs[:, t] belongs to x[:, t] even when `reverse`.
        final_state: the state after the last step that ran.
        caches: list of the T step caches, in the order the steps ran.
    """
    T = x.shape[1]
    times = range(T - 1, -1, -1) if reverse else range(T)
    outputs = [None] * T
    caches = []
    state = state0
    for t in times:
        outputs[t], state, cache_t = step(x[:, t], state)
        caches.append(cache_t)
    return np.stack(outputs, axis=1), state, caches


def rnn_forward(x, h0, Wx, Wh, b):
    """A vanilla RNN run over a whole sequence.

    h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + b) for t = 1..T, starting from h0.

    Args:
        x: (N, T, D) input sequence.
        h0: (N, H) initial hidden state.
        Wx: (D, H), Wh: (H, H), b: (H,) as in rnn_step_forward.

    Returns:
        h: (N, T, H) the hidden states h_1..h_T (h0 is not included).
        cache: whatever rnn_backward needs.

    Hint: `unfold` with a step built on rnn_step_forward does the time loop.
    """
    # TODO: implement rnn_forward (see the docstring).
    raise NotImplementedError("rnn_forward")


def rnn_backward(dh, cache):
    """Backpropagation through time for rnn_forward.

    h_t feeds both the loss (through dh[:, t]) and the next step, so the
    gradient reaching h_t is dh[:, t] plus what flows back from step t+1.
    The weights are shared by every step: their gradients sum over time.

    Args:
        dh: (N, T, H) upstream gradient of every hidden state h_1..h_T.
        cache: from rnn_forward.

    Returns:
        dx: (N, T, D), dh0: (N, H), dWx: (D, H), dWh: (H, H), db: (H,).
    """
    # TODO: implement rnn_backward (see the docstring).
    raise NotImplementedError("rnn_backward")
