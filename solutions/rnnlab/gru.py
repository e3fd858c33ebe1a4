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
    # BEGIN SOLUTION
    H = h_prev.shape[1]
    ax = x @ Wx + b[0]
    ah = h_prev @ Wh + b[1]
    z = sigmoid(ax[:, :H] + ah[:, :H])
    r = sigmoid(ax[:, H:2 * H] + ah[:, H:2 * H])
    h_tilde = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    h_next = z * h_prev + (1 - z) * h_tilde
    cache = {"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh,
             "z": z, "r": r, "h_tilde": h_tilde, "ah_h": ah[:, 2 * H:]}
    return h_next, cache
    # END SOLUTION


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
    # BEGIN SOLUTION
    z, r, h_tilde, ah_h = (cache[k] for k in ("z", "r", "h_tilde", "ah_h"))
    dz = dh_next * (cache["h_prev"] - h_tilde)
    da_h = dh_next * (1 - z) * (1 - h_tilde**2)  # pre-activation of the candidate
    dr = da_h * ah_h
    da_z = dz * z * (1 - z)
    da_r = dr * r * (1 - r)
    dax = np.concatenate([da_z, da_r, da_h], axis=1)
    dah = np.concatenate([da_z, da_r, da_h * r], axis=1)
    dx = dax @ cache["Wx"].T
    dh_prev = dh_next * z + dah @ cache["Wh"].T
    dWx = cache["x"].T @ dax
    dWh = cache["h_prev"].T @ dah
    db = np.stack([dax.sum(axis=0), dah.sum(axis=0)])
    return dx, dh_prev, dWx, dWh, db
    # END SOLUTION


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
    # BEGIN SOLUTION
    def step(x_t, h_prev):
        h_next, cache_t = gru_step_forward(x_t, h_prev, Wx, Wh, b)
        return h_next, h_next, cache_t

    h, _, step_caches = unfold(step, x, h0)
    return h, step_caches
    # END SOLUTION


def gru_backward(dh, cache):
    """Backpropagation through time for gru_forward.

    Args:
        dh: (N, T, H) upstream gradient of every hidden state h_1..h_T.
        cache: from gru_forward.

    Returns:
        dx: (N, T, D), dh0: (N, H), dWx: (D, 3H), dWh: (H, 3H), db: (2, 3H).
    """
    # BEGIN SOLUTION
    step_caches = cache
    T = dh.shape[1]
    dx_steps = [None] * T
    dh_prev = np.zeros_like(dh[:, 0])
    dWx = dWh = db = 0
    for t in range(T - 1, -1, -1):
        dx_t, dh_prev, dWx_t, dWh_t, db_t = gru_step_backward(dh[:, t] + dh_prev, step_caches[t])
        dx_steps[t] = dx_t
        dWx, dWh, db = dWx + dWx_t, dWh + dWh_t, db + db_t
    return np.stack(dx_steps, axis=1), dh_prev, dWx, dWh, db
    # END SOLUTION
