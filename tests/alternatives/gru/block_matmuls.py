"""gru computing z, r and the candidate with separate matmuls on column slices, a tuple cache, h_next = h~ + z*(h_prev - h~), and explicit time loops."""
import numpy as np

from .layers import sigmoid


def _cols(k, H):
    return slice(k * H, (k + 1) * H)


def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    Z, R, C = _cols(0, H), _cols(1, H), _cols(2, H)
    z = sigmoid(x @ Wx[:, Z] + b[0, Z] + h_prev @ Wh[:, Z] + b[1, Z])
    r = sigmoid(x @ Wx[:, R] + b[0, R] + h_prev @ Wh[:, R] + b[1, R])
    ah_c = h_prev @ Wh[:, C] + b[1, C]
    h_tilde = np.tanh(x @ Wx[:, C] + b[0, C] + r * ah_c)
    h_next = h_tilde + z * (h_prev - h_tilde)
    return h_next, (x, h_prev, Wx, Wh, z, r, h_tilde, ah_c)


def gru_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, z, r, h_tilde, ah_c = cache
    H = h_prev.shape[1]
    Z, R, C = _cols(0, H), _cols(1, H), _cols(2, H)
    d_tilde = dh_next * (1 - z)
    d_cx = d_tilde * (1 - h_tilde**2)          # gradient of the candidate's pre-activation
    d_ch = d_cx * r                            # ... reaching ah_c
    d_z = dh_next * (h_prev - h_tilde) * z * (1 - z)
    d_r = d_cx * ah_c * r * (1 - r)
    dtype = np.result_type(dh_next, x, Wx)
    dWx = np.empty(Wx.shape, dtype=dtype)
    dWh = np.empty(Wh.shape, dtype=dtype)
    db = np.empty((2, Wx.shape[1]), dtype=dtype)
    dx = np.zeros(x.shape, dtype=dtype)
    dh_prev = dh_next * z
    for cols, d_in, d_rec in ((Z, d_z, d_z), (R, d_r, d_r), (C, d_cx, d_ch)):
        dWx[:, cols] = x.T @ d_in
        dWh[:, cols] = h_prev.T @ d_rec
        db[0, cols] = d_in.sum(axis=0)
        db[1, cols] = d_rec.sum(axis=0)
        dx = dx + d_in @ Wx[:, cols].T
        dh_prev = dh_prev + d_rec @ Wh[:, cols].T
    return dx, dh_prev, dWx, dWh, db


def gru_forward(x, h0, Wx, Wh, b):
    T = x.shape[1]
    states, caches = [], []
    h = h0
    for t in range(T):
        h, cache_t = gru_step_forward(x[:, t], h, Wx, Wh, b)
        states.append(h)
        caches.append(cache_t)
    return np.stack(states, axis=1), caches


def gru_backward(dh, cache):
    N, T, H = dh.shape
    dx = [None] * T
    carried = np.zeros((N, H), dtype=dh.dtype)
    dWx = dWh = db = None
    for t in range(T - 1, -1, -1):
        dx[t], carried, gWx, gWh, gb = gru_step_backward(dh[:, t] + carried, cache[t])
        if dWx is None:
            dWx, dWh, db = gWx, gWh, gb
        else:
            dWx, dWh, db = dWx + gWx, dWh + gWh, db + gb
    return np.stack(dx, axis=1), carried, dWx, dWh, db
