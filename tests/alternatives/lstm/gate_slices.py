"""lstm with one matmul per gate on column slices of Wx/Wh/b, a piecewise np.where sigmoid, and its own time loops instead of unfold."""
import numpy as np

GATES = "ifgo"


def _sigmoid(a):
    e = np.exp(-np.abs(a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e)).astype(a.dtype)


def _block(W, k, H):
    return W[..., k * H:(k + 1) * H]


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    pre = {name: x @ _block(Wx, k, H) + h_prev @ _block(Wh, k, H) + _block(b, k, H)
           for k, name in enumerate(GATES)}
    act = {name: (np.tanh(a) if name == "g" else _sigmoid(a)) for name, a in pre.items()}
    c_next = act["f"] * c_prev + act["i"] * act["g"]
    h_next = act["o"] * np.tanh(c_next)
    cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "c_next": c_next, "Wx": Wx, "Wh": Wh, **act}
    return h_next, c_next, cache


def lstm_step_backward(dh_next, dc_next, cache):
    i, f, g, o = (cache[name] for name in GATES)
    x, h_prev, Wx, Wh = cache["x"], cache["h_prev"], cache["Wx"], cache["Wh"]
    H = h_prev.shape[1]
    tanh_c = np.tanh(cache["c_next"])
    dc = dc_next + dh_next * o * (1 - tanh_c * tanh_c)
    dpre = {
        "i": dc * g * i * (1 - i),
        "f": dc * cache["c_prev"] * f * (1 - f),
        "g": dc * i * (1 - g * g),
        "o": dh_next * tanh_c * o * (1 - o),
    }
    dtype = np.result_type(dh_next, dc_next, x, Wx)
    dx = np.zeros(x.shape, dtype=dtype)
    dh_prev = np.zeros(h_prev.shape, dtype=dtype)
    dWx = np.zeros(Wx.shape, dtype=dtype)
    dWh = np.zeros(Wh.shape, dtype=dtype)
    db = np.zeros(Wx.shape[1], dtype=dtype)
    for k, name in enumerate(GATES):
        cols = slice(k * H, (k + 1) * H)
        dx += dpre[name] @ Wx[:, cols].T
        dh_prev += dpre[name] @ Wh[:, cols].T
        dWx[:, cols] = x.T @ dpre[name]
        dWh[:, cols] = h_prev.T @ dpre[name]
        db[cols] = dpre[name].sum(axis=0)
    return dx, dh_prev, dc * f, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    N, T, _ = x.shape
    h_t = h0
    c_t = np.zeros(h0.shape, dtype=h0.dtype) if c0 is None else c0
    hs, caches = [], []
    for t in range(T):
        h_t, c_t, cache_t = lstm_step_forward(x[:, t], h_t, c_t, Wx, Wh, b)
        hs.append(h_t)
        caches.append(cache_t)
    return np.stack(hs, axis=1), caches


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dxs = [None] * T
    dh_carry = np.zeros((N, H), dtype=dh.dtype)
    dc_carry = np.zeros((N, H), dtype=dh.dtype)
    totals = None
    for t in reversed(range(T)):
        dx_t, dh_carry, dc_carry, *weights = lstm_step_backward(dh[:, t] + dh_carry, dc_carry, cache[t])
        dxs[t] = dx_t
        totals = weights if totals is None else [a + w for a, w in zip(totals, weights)]
    dWx, dWh, db = totals
    return np.stack(dxs, axis=1), dh_carry, dWx, dWh, db
