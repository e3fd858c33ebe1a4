"""lstm computed in float64 and cast back; lstm_forward projects all inputs at once and caches whole-sequence gate arrays; BPTT sums weight gradients with tensordot after the loop."""
import numpy as np

from .layers import sigmoid


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _cell(ax, h_prev, c_prev, Wh):
    """One step from the input projection ax = x Wx + b; all float64. Returns gates (N, 4H), c, h."""
    H = h_prev.shape[1]
    a = ax + h_prev @ Wh
    gates = np.empty_like(a)
    gates[:, :2 * H] = sigmoid(a[:, :2 * H])
    gates[:, 2 * H:3 * H] = np.tanh(a[:, 2 * H:3 * H])
    gates[:, 3 * H:] = sigmoid(a[:, 3 * H:])
    i, f, g, o = (gates[:, k * H:(k + 1) * H] for k in range(4))
    c = f * c_prev + i * g
    return gates, c, o * np.tanh(c)


def _dgates(dh_next, dc_next, gates, c_prev, c_next):
    """Gradient of the pre-activations (N, 4H) and of c_prev, all float64."""
    H = c_prev.shape[1]
    i, f, g, o = (gates[:, k * H:(k + 1) * H] for k in range(4))
    tanh_c = np.tanh(c_next)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    da = np.hstack([dc * g * i * (1 - i), dc * c_prev * f * (1 - f), dc * i * (1 - g**2),
                    dh_next * tanh_c * o * (1 - o)])
    return da, dc * f


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    dtype = np.result_type(x, h_prev, c_prev, Wx, Wh, b)
    x64, h64, c64, Wx64, Wh64, b64 = _f64(x, h_prev, c_prev, Wx, Wh, b)
    gates, c_next, h_next = _cell(x64 @ Wx64 + b64, h64, c64, Wh64)
    cache = {"x": x64, "h_prev": h64, "c_prev": c64, "c_next": c_next, "gates": gates,
             "Wx": Wx64, "Wh": Wh64, "dtype": dtype}
    return h_next.astype(dtype), c_next.astype(dtype), cache


def lstm_step_backward(dh_next, dc_next, cache):
    dtype = np.result_type(cache["dtype"], dh_next, dc_next)
    dh64, dc64 = _f64(dh_next, dc_next)
    da, dc_prev = _dgates(dh64, dc64, cache["gates"], cache["c_prev"], cache["c_next"])
    grads = (da @ cache["Wx"].T, da @ cache["Wh"].T, dc_prev, cache["x"].T @ da,
             cache["h_prev"].T @ da, da.sum(axis=0))
    return tuple(g.astype(dtype) for g in grads)


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    dtype = np.result_type(x, h0, Wx, Wh, b, *(() if c0 is None else (c0,)))
    x64, h64, Wx64, Wh64, b64 = _f64(x, h0, Wx, Wh, b)
    c64 = np.zeros_like(h64) if c0 is None else np.asarray(c0, dtype=np.float64)
    N, T, D = x.shape
    H = h0.shape[1]
    ax_all = (x64.reshape(N * T, D) @ Wx64 + b64).reshape(N, T, 4 * H)
    h_seq = np.empty((N, T + 1, H))  # h_0 .. h_T
    c_seq = np.empty((N, T + 1, H))  # c_0 .. c_T
    gates = np.empty((N, T, 4 * H))
    h_seq[:, 0], c_seq[:, 0] = h64, c64
    for t in range(T):
        gates[:, t], c_seq[:, t + 1], h_seq[:, t + 1] = _cell(ax_all[:, t], h_seq[:, t], c_seq[:, t], Wh64)
    cache = {"x": x64, "h_seq": h_seq, "c_seq": c_seq, "gates": gates, "Wx": Wx64, "Wh": Wh64,
             "dtype": dtype}
    return h_seq[:, 1:].astype(dtype), cache


def lstm_backward(dh, cache):
    dtype = np.result_type(cache["dtype"], dh)
    (dh64,) = _f64(dh)
    x, h_seq, c_seq, gates = cache["x"], cache["h_seq"], cache["c_seq"], cache["gates"]
    N, T, H = dh64.shape
    da_all = np.empty((N, T, 4 * H))
    dh_next = np.zeros((N, H))
    dc_next = np.zeros((N, H))
    for k in range(T):
        t = T - 1 - k
        da_all[:, t], dc_next = _dgates(dh64[:, t] + dh_next, dc_next, gates[:, t], c_seq[:, t], c_seq[:, t + 1])
        dh_next = da_all[:, t] @ cache["Wh"].T
    dx = np.tensordot(da_all, cache["Wx"], axes=([2], [1]))
    dWx = np.tensordot(x, da_all, axes=([0, 1], [0, 1]))
    dWh = np.tensordot(h_seq[:, :-1], da_all, axes=([0, 1], [0, 1]))
    db = da_all.sum(axis=(0, 1))
    return tuple(g.astype(dtype) for g in (dx, dh_next, dWx, dWh, db))
