"""rnn via np.einsum with tuple caches holding pre-activations; rnn_forward keeps whole sequences and BPTT sums weight gradients after the time loop."""
import numpy as np


def rnn_step_forward(x, h_prev, Wx, Wh, b):
    a = np.einsum("nd,dh->nh", x, Wx) + np.einsum("nk,kh->nh", h_prev, Wh) + b
    return np.tanh(a), (x, h_prev, Wx, Wh, a)


def rnn_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, a = cache
    da = dh_next / np.cosh(a) ** 2  # d tanh(a) / da = sech(a)^2
    dx = np.einsum("nh,dh->nd", da, Wx)
    dh_prev = np.einsum("nh,kh->nk", da, Wh)
    dWx = np.einsum("nd,nh->dh", x, da)
    dWh = np.einsum("nk,nh->kh", h_prev, da)
    db = np.einsum("nh->h", da)
    return dx, dh_prev, dWx, dWh, db


def unfold(step, x, state0, reverse=False):
    T = x.shape[1]
    order = list(range(T))
    if reverse:
        order = order[::-1]
    ran, caches = [], []
    state = state0
    for t in order:
        out_t, state, cache_t = step(x[:, t], state)
        ran.append(out_t)
        caches.append(cache_t)
    in_time_order = ran[::-1] if reverse else ran
    return np.stack(in_time_order, axis=1), state, caches


def rnn_forward(x, h0, Wx, Wh, b):
    N, T, _ = x.shape
    xw = np.einsum("ntd,dh->nth", x, Wx) + b  # input projections of every step at once
    h = np.empty(xw.shape, dtype=np.result_type(xw, h0, Wh))
    h_prev = h0
    for t in range(T):
        h_prev = np.tanh(xw[:, t] + np.einsum("nk,kh->nh", h_prev, Wh))
        h[:, t] = h_prev
    return h, (x, h0, Wx, Wh, h)


def rnn_backward(dh, cache):
    x, h0, Wx, Wh, h = cache
    N, T, H = h.shape
    h_prevs = np.concatenate([h0[:, None, :], h[:, :-1]], axis=1)  # (N, T, H): h_0 .. h_{T-1}
    da = np.empty(h.shape, dtype=np.result_type(dh, h))
    carried = np.zeros((N, H), dtype=dh.dtype)
    for t in reversed(range(T)):
        da[:, t] = (dh[:, t] + carried) * (1 - h[:, t] ** 2)
        carried = np.einsum("nh,kh->nk", da[:, t], Wh)
    dx = np.einsum("nth,dh->ntd", da, Wx)
    dWx = np.einsum("ntd,nth->dh", x, da)
    dWh = np.einsum("ntk,nth->kh", h_prevs, da)
    db = np.einsum("nth->h", da)
    return dx, carried, dWx, dWh, db
