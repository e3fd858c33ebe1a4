"""rnn with explicit Python loops over the batch inside each step, a while-loop unfold with index arithmetic, and its own time loops."""
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    N, H = h_prev.shape
    h_next = np.empty((N, H), dtype=np.result_type(x, h_prev, Wx, Wh, b))
    for n in range(N):
        h_next[n] = np.tanh(x[n] @ Wx + h_prev[n] @ Wh + b)
    cache = {"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh, "h_next": h_next}
    return h_next, cache


def rnn_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, h_next = (cache[k] for k in ("x", "h_prev", "Wx", "Wh", "h_next"))
    N = x.shape[0]
    dx = np.empty_like(x, dtype=np.result_type(dh_next, Wx))
    dh_prev = np.empty_like(h_prev, dtype=np.result_type(dh_next, Wh))
    dWx = np.zeros(Wx.shape, dtype=np.result_type(dh_next, x))
    dWh = np.zeros(Wh.shape, dtype=np.result_type(dh_next, h_prev))
    db = np.zeros(Wh.shape[1], dtype=dh_next.dtype)
    for n in range(N):
        da = dh_next[n] * (1 - h_next[n] * h_next[n])
        dx[n] = Wx @ da
        dh_prev[n] = Wh @ da
        dWx += np.outer(x[n], da)
        dWh += np.outer(h_prev[n], da)
        db += da
    return dx, dh_prev, dWx, dWh, db


def unfold(step, x, state0, reverse=False):
    T = x.shape[1]
    outputs = None
    caches = []
    state = state0
    k = 0
    while k < T:
        t = T - 1 - k if reverse else k
        out_t, state, cache_t = step(x[:, t], state)
        out_t = np.asarray(out_t)
        if outputs is None:
            outputs = np.empty((out_t.shape[0], T) + out_t.shape[1:], dtype=out_t.dtype)
        outputs[:, t] = out_t
        caches.append(cache_t)
        k += 1
    return outputs, state, caches


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    h = np.empty((N, T, h0.shape[1]), dtype=np.result_type(x, h0, Wx, Wh, b))
    step_caches = []
    h_prev = h0
    for t in range(T):
        h_prev, cache_t = rnn_step_forward(x[:, t], h_prev, Wx, Wh, b)
        h[:, t] = h_prev
        step_caches.append(cache_t)
    return h, step_caches


def rnn_backward(dh, cache):
    N, T, H = dh.shape
    D = cache[0]["x"].shape[1]
    dtype = np.result_type(dh, cache[0]["x"], cache[0]["Wx"])
    dx = np.empty((N, T, D), dtype=dtype)
    dWx = np.zeros((D, H), dtype=dtype)
    dWh = np.zeros((H, H), dtype=dtype)
    db = np.zeros(H, dtype=dtype)
    carried = np.zeros((N, H), dtype=dtype)
    for k in range(T):
        t = T - 1 - k
        dx[:, t], carried, dWx_t, dWh_t, db_t = rnn_step_backward(dh[:, t] + carried, cache[t])
        dWx = dWx + dWx_t
        dWh = dWh + dWh_t
        db = db + db_t
    return dx, carried, dWx, dWh, db
