"""Session 2: the GRU, a gated cell without a separate memory.

Keras' default form (`reset_after=True`, as cuDNN computes it): the reset gate scales the
recurrent contribution *after* the product with Wh.

    ax = x @ Wx + b[0]          ah = h_prev @ Wh + b[1]          (N, 3H), blocks [z | r | h]
    z = sigmoid(ax_z + ah_z)    update gate
    r = sigmoid(ax_r + ah_r)    reset gate
    h~ = tanh(ax_h + r * ah_h)  candidate state
    h_next = z * h_prev + (1 - z) * h~

Weights follow the Keras `GRU` layout: `layer.get_weights()` gives
`[Wx (D, 3H), Wh (H, 3H), b (2, 3H)]`, b[0] the input bias, b[1] the recurrent bias.

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np

from .layers import sigmoid
from .rnn import unfold


def gru_step_forward(x, h_prev, Wx, Wh, b):
    """One time step of a GRU (reset_after=True).

    Args:
        x: (N, D) inputs at this step.
        h_prev: (N, H) previous hidden state.
        Wx: (D, 3H) input weights, gate blocks [z | r | h].
        Wh: (H, 3H) recurrent weights, same blocks.
        b: (2, 3H) biases: b[0] input bias, b[1] recurrent bias.

    Returns:
        h_next: (N, H) new hidden state.
        cache: whatever gru_step_backward needs.
    """
    # TODO: implement gru_step_forward (see the docstring).
    raise NotImplementedError("gru_step_forward")


def gru_step_backward(dh_next, cache):
    """Backward pass of one GRU step.

    Work back through the forward equations (module docstring), from dh_next = dL/dh_next.
    With da_* the gradients at the pre-activations (the arguments of the sigmoids and the tanh):

        h_next = z * h_prev + (1 - z) * h~:
            dz     = dh_next * (h_prev - h~)
            dh~    = dh_next * (1 - z)             and h_prev gets dh_next * z directly
        h~ = tanh(ax_h + r * ah_h):
            da_h   = dh~ * (1 - h~^2)
            dr     = da_h * ah_h                   and ah_h gets da_h * r (the reset is after Wh)
        z = sigmoid(ax_z + ah_z), r = sigmoid(ax_r + ah_r):
            da_z   = dz * z * (1 - z),   da_r = dr * r * (1 - r)

    The input side ax = x @ Wx + b[0] gets dax = [da_z | da_r | da_h]; the recurrent side
    ah = h_prev @ Wh + b[1] gets dah = [da_z | da_r | da_h * r]. Then, as for any affine map:
    dx = dax @ Wx.T, dWx = x.T @ dax, dWh = h_prev.T @ dah, db = [sum of dax over the batch,
    sum of dah over the batch], and dh_prev = dh_next * z + dah @ Wh.T.

    Args:
        dh_next: (N, H) gradient with respect to h_next.
        cache: from gru_step_forward.

    Returns:
        dx: (N, D), dh_prev: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (2, 3H).
    """
    # TODO: implement gru_step_backward (see the docstring).
    raise NotImplementedError("gru_step_backward")


def gru_forward(x, h0, Wx, Wh, b):
    """A GRU run over a whole sequence.

    Args:
        x: (N, T, D) input sequence.
        h0: (N, H) initial hidden state.
        Wx: (D, 3H), Wh: (H, 3H), b: (2, 3H) as in gru_step_forward.

    Returns:
        h: (N, T, H) hidden states h_1..h_T.
        cache: whatever gru_backward needs.
    """
    # TODO: implement gru_forward (see the docstring).
    raise NotImplementedError("gru_forward")


def gru_backward(dh, cache):
    """Backpropagation through time for gru_forward.

    Args:
        dh: (N, T, H) upstream gradient of every hidden state h_1..h_T.
        cache: from gru_forward.

    Returns:
        dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (2, 3H).
    """
    # TODO: implement gru_backward (see the docstring).
    raise NotImplementedError("gru_backward")
