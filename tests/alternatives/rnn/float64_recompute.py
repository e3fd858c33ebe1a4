"""rnn computed in float64 and cast back to the input dtype; caches hold only the inputs and backward passes recompute the forward; unfold fills a dict by time index."""
import numpy as np


def _dtype(*arrays):
    return np.result_type(*arrays)


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    x64, h64, Wx64, Wh64, b64 = _f64(x, h_prev, Wx, Wh, b)
    h_next = np.tanh(x64 @ Wx64 + h64 @ Wh64 + b64)
    cache = ("inputs", x, h_prev, Wx, Wh, b)
    return h_next.astype(_dtype(x, h_prev, Wx, Wh, b)), cache


def rnn_step_backward(dh_next, cache):
    _, x, h_prev, Wx, Wh, b = cache
    dtype = _dtype(dh_next, x, h_prev, Wx, Wh, b)
    x64, h64, Wx64, Wh64, b64, d64 = _f64(x, h_prev, Wx, Wh, b, dh_next)
    tanh_a = np.tanh(x64 @ Wx64 + h64 @ Wh64 + b64)  # recomputed
    da = d64 * (1 - tanh_a**2)
    grads = (da @ Wx64.T, da @ Wh64.T, x64.T @ da, h64.T @ da, da.sum(axis=0))
    return tuple(g.astype(dtype) for g in grads)


def unfold(step, x, state0, reverse=False):
    T = x.shape[1]
    by_time = {}
    caches = []
    state = state0
    for k in range(T):
        t = (T - 1) - k if reverse else k
        by_time[t], state, cache_t = step(x[:, t], state)
        caches.append(cache_t)
    return np.stack([by_time[t] for t in sorted(by_time)], axis=1), state, caches


def rnn_forward(x, h0, Wx, Wh, b):
    dtype = _dtype(x, h0, Wx, Wh, b)
    x64, h64, Wx64, Wh64, b64 = _f64(x, h0, Wx, Wh, b)

    def step(x_t, h_prev):
        h_next = np.tanh(x_t @ Wx64 + h_prev @ Wh64 + b64)
        return h_next, h_next, None

    h, _, _ = unfold(step, x64, h64)
    return h.astype(dtype), (x, h0, Wx, Wh, b)


def rnn_backward(dh, cache):
    x, h0, Wx, Wh, b = cache
    dtype = _dtype(dh, x, h0, Wx, Wh, b)
    x64, h064, Wx64, Wh64, b64, dh64 = _f64(x, h0, Wx, Wh, b, dh)
    N, T, _ = x.shape
    states = [h064]  # recompute h_0 .. h_T
    for t in range(T):
        states.append(np.tanh(x64[:, t] @ Wx64 + states[-1] @ Wh64 + b64))
    dx = np.zeros(x64.shape)
    dWx, dWh, db = np.zeros(Wx64.shape), np.zeros(Wh64.shape), np.zeros(b64.shape)
    dh_prev = np.zeros(h064.shape)
    for t in range(T - 1, -1, -1):
        da = (dh64[:, t] + dh_prev) * (1 - states[t + 1] ** 2)
        dx[:, t] = da @ Wx64.T
        dh_prev = da @ Wh64.T
        dWx += x64[:, t].T @ da
        dWh += states[t].T @ da
        db += da.sum(axis=0)
    return tuple(g.astype(dtype) for g in (dx, dh_prev, dWx, dWh, db))
