"""Session 2: the LSTM, a recurrent cell with a separate, gated memory.

    a = x @ Wx + h_prev @ Wh + b                 (N, 4H), gate blocks [i | f | g | o]
    i = sigmoid(a_i)   input gate
    f = sigmoid(a_f)   forget gate
    g = tanh(a_g)      candidate values (Keras calls this block "c")
    o = sigmoid(a_o)   output gate
    c_next = f * c_prev + i * g
    h_next = o * tanh(c_next)

Weights follow the Keras `LSTM` layout: `layer.get_weights()` gives
`[Wx (D, 4H), Wh (H, 4H), b (4H,)]` with the gate blocks side by side in the order i, f, g, o.

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np

from .layers import sigmoid
from .rnn import unfold


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    """One time step of an LSTM.

    Args:
        x: (N, D) inputs at this step.
        h_prev: (N, H) previous hidden state.
        c_prev: (N, H) previous cell state.
        Wx: (D, 4H) input weights, gate blocks [i | f | g | o].
        Wh: (H, 4H) recurrent weights, same blocks.
        b: (4H,) bias, same blocks.

    Returns:
        h_next: (N, H) new hidden state.
        c_next: (N, H) new cell state.
        cache: whatever lstm_step_backward needs.
    """
    # TODO: implement lstm_step_forward (see the docstring).
    raise NotImplementedError("lstm_step_forward")


def lstm_step_backward(dh_next, dc_next, cache):
    """Backward pass of one LSTM step.

    The cell state receives gradient from two places: directly (dc_next) and through
    h_next = o * tanh(c_next). It flows back to c_prev through the forget gate:
        dc = dc_next + dh_next * o * (1 - tanh(c_next)**2),   dc_prev = dc * f

    Args:
        dh_next: (N, H) gradient with respect to h_next.
        dc_next: (N, H) gradient with respect to c_next.
        cache: from lstm_step_forward.

    Returns:
        dx: (N, D), dh_prev: (N, H), dc_prev: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,).
    """
    # TODO: implement lstm_step_backward (see the docstring).
    raise NotImplementedError("lstm_step_backward")


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    """An LSTM run over a whole sequence.

    Args:
        x: (N, T, D) input sequence.
        h0: (N, H) initial hidden state.
        Wx: (D, 4H), Wh: (H, 4H), b: (4H,) as in lstm_step_forward.
        c0: (N, H) initial cell state; None means zeros (as Keras).

    Returns:
        h: (N, T, H) hidden states h_1..h_T.
        cache: whatever lstm_backward needs.

    Hint: `unfold` carries any state, for instance the pair (h, c).
    """
    # TODO: implement lstm_forward (see the docstring).
    raise NotImplementedError("lstm_forward")


def lstm_backward(dh, cache):
    """Backpropagation through time for lstm_forward.

    Args:
        dh: (N, T, H) upstream gradient of every hidden state h_1..h_T.
        cache: from lstm_forward.

    Returns:
        dx: (N, T, D), dh0: (N, H), dWx: (D, 4H), dWh: (H, 4H), db: (4H,).
        (No gradient for c0: graders and Keras start it at zero.)
    """
    # TODO: implement lstm_backward (see the docstring).
    raise NotImplementedError("lstm_backward")
