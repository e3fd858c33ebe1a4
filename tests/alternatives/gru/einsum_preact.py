"""gru via np.einsum with a dict cache of pre-activations only (gates recomputed in backward), np.where sigmoid, forward via unfold."""
import numpy as np

from .rnn import unfold


def _sig(a):
    # 1/(1+exp(-a)) for a >= 0, exp(a)/(1+exp(a)) for a < 0: the exp argument is never positive
    e = np.exp(np.where(a >= 0, -a, a))
    return np.where(a >= 0, 1 / (1 + e), e / (1 + e))


def _activations(ax, ah, H):
    z = _sig(ax[:, :H] + ah[:, :H])
    r = _sig(ax[:, H:2 * H] + ah[:, H:2 * H])
    h_tilde = np.tanh(ax[:, 2 * H:] + r * ah[:, 2 * H:])
    return z, r, h_tilde


def gru_step_forward(x, h_prev, Wx, Wh, b):
    H = h_prev.shape[1]
    ax = np.einsum("nd,dk->nk", x, Wx) + b[0]
    ah = np.einsum("nj,jk->nk", h_prev, Wh) + b[1]
    z, r, h_tilde = _activations(ax, ah, H)
    h_next = z * h_prev + (1 - z) * h_tilde
    return h_next, {"x": x, "h_prev": h_prev, "Wx": Wx, "Wh": Wh, "ax": ax, "ah": ah}


def gru_step_backward(dh_next, cache):
    x, h_prev, Wx, Wh, ax, ah = (cache[k] for k in ("x", "h_prev", "Wx", "Wh", "ax", "ah"))
    H = h_prev.shape[1]
    z, r, h_tilde = _activations(ax, ah, H)
    dpre_h = dh_next * (1 - z) * (1 - h_tilde**2)
    dpre_z = dh_next * (h_prev - h_tilde) * z * (1 - z)
    dpre_r = dpre_h * ah[:, 2 * H:] * r * (1 - r)
    dax = np.concatenate([dpre_z, dpre_r, dpre_h], axis=1)
    dah = np.concatenate([dpre_z, dpre_r, dpre_h * r], axis=1)
    dx = np.einsum("nk,dk->nd", dax, Wx)
    dh_prev = dh_next * z + np.einsum("nk,jk->nj", dah, Wh)
    dWx = np.einsum("nd,nk->dk", x, dax)
    dWh = np.einsum("nj,nk->jk", h_prev, dah)
    db = np.einsum("snk->sk", np.stack([dax, dah]))
    return dx, dh_prev, dWx, dWh, db


def gru_forward(x, h0, Wx, Wh, b):
    def step(x_t, h_prev):
        h_next, cache_t = gru_step_forward(x_t, h_prev, Wx, Wh, b)
        return h_next, h_next, cache_t

    h, _, caches = unfold(step, x, h0)
    return h, {"steps": caches}


def gru_backward(dh, cache):
    steps = cache["steps"]
    T = len(steps)
    dx = np.empty(dh.shape[:2] + steps[0]["x"].shape[1:], dtype=np.result_type(dh, steps[0]["x"]))
    dh_prev = np.zeros_like(dh[:, 0])
    sums = None
    for k in range(T):
        t = T - 1 - k
        dx[:, t], dh_prev, *grads = gru_step_backward(dh[:, t] + dh_prev, steps[t])
        sums = grads if sums is None else [s + g for s, g in zip(sums, grads)]
    return (dx, dh_prev, *sums)
