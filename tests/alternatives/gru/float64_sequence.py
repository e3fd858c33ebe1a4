"""gru computed in float64 and cast back; gru_forward projects every input step at once, caches whole-sequence arrays, and BPTT sums weight gradients with einsum after the loop."""
import numpy as np


def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


def _sigmoid(a):
    return np.exp(-np.logaddexp(0.0, -a))


def _step(ax, h_prev, Wh, bh):
    """ax = x Wx + b[0] (N, 3H), float64. Returns z, r, h_tilde, ah, h_next."""
    H = h_prev.shape[1]
    ah = h_prev @ Wh + bh
    zr = _sigmoid(ax[:, :2 * H] + ah[:, :2 * H])
    z, r = zr[:, :H], zr[:, H:]
    h_tilde = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return z, r, h_tilde, ah, (1 - z) * h_tilde + z * h_prev


def _dpre(dh_next, h_prev, z, r, h_tilde, ah):
    """Gradients of ax and ah (N, 3H) from dh_next, all float64."""
    H = h_prev.shape[1]
    dcand = dh_next * (1 - z) * (1 - h_tilde**2)
    dz = dh_next * (h_prev - h_tilde) * z * (1 - z)
    dr = dcand * ah[:, 2 * H:] * r * (1 - r)
    return np.hstack([dz, dr, dcand]), np.hstack([dz, dr, dcand * r])


def gru_step_forward(x, h_prev, Wx, Wh, b):
    dtype = np.result_type(x, h_prev, Wx, Wh, b)
    x64, h64, Wx64, Wh64, b64 = _f64(x, h_prev, Wx, Wh, b)
    z, r, h_tilde, ah, h_next = _step(x64 @ Wx64 + b64[0], h64, Wh64, b64[1])
    cache = (dtype, x64, h64, Wx64, Wh64, z, r, h_tilde, ah)
    return h_next.astype(dtype), cache


def gru_step_backward(dh_next, cache):
    dtype, x, h_prev, Wx, Wh, z, r, h_tilde, ah = cache
    dtype = np.result_type(dtype, dh_next)
    (d,) = _f64(dh_next)
    dax, dah = _dpre(d, h_prev, z, r, h_tilde, ah)
    grads = (dax @ Wx.T, d * z + dah @ Wh.T, x.T @ dax, h_prev.T @ dah,
             np.vstack([dax.sum(axis=0), dah.sum(axis=0)]))
    return tuple(g.astype(dtype) for g in grads)


def gru_forward(x, h0, Wx, Wh, b):
    dtype = np.result_type(x, h0, Wx, Wh, b)
    x64, h64, Wx64, Wh64, b64 = _f64(x, h0, Wx, Wh, b)
    N, T, _ = x.shape
    H = h0.shape[1]
    ax_all = np.einsum("ntd,dk->ntk", x64, Wx64) + b64[0]
    seq = {name: np.empty((N, T, width)) for name, width in
           (("z", H), ("r", H), ("h_tilde", H), ("ah", 3 * H))}
    h_all = np.empty((N, T + 1, H))
    h_all[:, 0] = h64
    for t in range(T):
        seq["z"][:, t], seq["r"][:, t], seq["h_tilde"][:, t], seq["ah"][:, t], h_all[:, t + 1] = _step(
            ax_all[:, t], h_all[:, t], Wh64, b64[1])
    cache = {"dtype": dtype, "x": x64, "h_all": h_all, "Wx": Wx64, "Wh": Wh64, **seq}
    return h_all[:, 1:].astype(dtype), cache


def gru_backward(dh, cache):
    dtype = np.result_type(cache["dtype"], dh)
    (dh64,) = _f64(dh)
    N, T, H = dh64.shape
    h_all = cache["h_all"]
    dax_all = np.empty((N, T, 3 * H))
    dah_all = np.empty((N, T, 3 * H))
    dh_next = np.zeros((N, H))
    for k in range(T):
        t = T - 1 - k
        d = dh64[:, t] + dh_next
        dax_all[:, t], dah_all[:, t] = _dpre(d, h_all[:, t], cache["z"][:, t], cache["r"][:, t],
                                             cache["h_tilde"][:, t], cache["ah"][:, t])
        dh_next = d * cache["z"][:, t] + dah_all[:, t] @ cache["Wh"].T
    dx = np.einsum("ntk,dk->ntd", dax_all, cache["Wx"])
    dWx = np.einsum("ntd,ntk->dk", cache["x"], dax_all)
    dWh = np.einsum("ntj,ntk->jk", h_all[:, :-1], dah_all)
    db = np.stack([dax_all.sum(axis=(0, 1)), dah_all.sum(axis=(0, 1))])
    return tuple(g.astype(dtype) for g in (dx, dh_next, dWx, dWh, db))
