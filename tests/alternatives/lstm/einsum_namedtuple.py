"""lstm via np.einsum with a namedtuple cache of pre-activations (gates recomputed in backward), sigmoid by the tanh identity, unfold over a list state."""
from collections import namedtuple

import numpy as np

from .rnn import unfold

StepCache = namedtuple("StepCache", "x h_prev c_prev c_next a Wx Wh")


def _sig(a):
    return 0.5 * (1 + np.tanh(0.5 * a))


def _gates(a):
    i, f, g, o = np.split(a, 4, axis=1)
    return _sig(i), _sig(f), np.tanh(g), _sig(o)


def lstm_step_forward(x, h_prev, c_prev, Wx, Wh, b):
    a = np.einsum("nd,dk->nk", x, Wx) + np.einsum("nj,jk->nk", h_prev, Wh) + b
    i, f, g, o = _gates(a)
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, StepCache(x, h_prev, c_prev, c_next, a, Wx, Wh)


def lstm_step_backward(dh_next, dc_next, cache):
    i, f, g, o = _gates(cache.a)
    tanh_c = np.tanh(cache.c_next)
    dc = dc_next + dh_next * o * (1 - tanh_c**2)
    da = np.concatenate([
        dc * g * i * (1 - i),
        dc * cache.c_prev * f * (1 - f),
        dc * i * (1 - g**2),
        dh_next * tanh_c * o * (1 - o),
    ], axis=1)
    dx = np.einsum("nk,dk->nd", da, cache.Wx)
    dh_prev = np.einsum("nk,jk->nj", da, cache.Wh)
    dWx = np.einsum("nd,nk->dk", cache.x, da)
    dWh = np.einsum("nj,nk->jk", cache.h_prev, da)
    db = np.einsum("nk->k", da)
    return dx, dh_prev, dc * f, dWx, dWh, db


def lstm_forward(x, h0, Wx, Wh, b, c0=None):
    if c0 is None:
        c0 = h0 * 0  # zeros shaped and typed like h0

    def step(x_t, state):
        h_prev, c_prev = state
        h_next, c_next, cache_t = lstm_step_forward(x_t, h_prev, c_prev, Wx, Wh, b)
        return h_next, [h_next, c_next], cache_t

    h, _, caches = unfold(step, x, [h0, c0])
    return h, tuple(caches)


def lstm_backward(dh, cache):
    N, T, H = dh.shape
    dx = np.empty(dh.shape[:2] + (cache[0].x.shape[1],), dtype=np.result_type(dh, cache[0].x))
    grads = [np.zeros_like(cache[0].Wx, dtype=dx.dtype), np.zeros_like(cache[0].Wh, dtype=dx.dtype),
             np.zeros(cache[0].Wx.shape[1], dtype=dx.dtype)]
    dh_next = np.zeros((N, H), dtype=dx.dtype)
    dc_next = np.zeros((N, H), dtype=dx.dtype)
    t = T
    while t > 0:
        t -= 1
        dx[:, t], dh_next, dc_next, *step_grads = lstm_step_backward(dh[:, t] + dh_next, dc_next, cache[t])
        grads = [total + g for total, g in zip(grads, step_grads)]
    return (dx, dh_next, *grads)
