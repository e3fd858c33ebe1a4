"""bidirectional running the cells one batch element at a time (np.flip for time), merging in float64 and casting back, count_params in closed form."""
import numpy as np

from . import gru, lstm, rnn

CELLS = {
    "rnn": (rnn.rnn_forward, rnn.rnn_backward),
    "lstm": (lstm.lstm_forward, lstm.lstm_backward),
    "gru": (gru.gru_forward, gru.gru_backward),
}
MERGE_MODES = ("concat", "sum", "mul", "ave")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def _args(params):
    return params["Wx"], params["Wh"], params["b"]


def bidirectional_forward(x, h0_fwd, h0_bwd, params_fwd, params_bwd, cell="rnn", merge_mode="concat"):
    if merge_mode not in MERGE_MODES:
        raise ValueError(f"unknown merge_mode {merge_mode!r}")
    forward, _ = CELLS[cell]
    N = x.shape[0]
    fwd, bwd, caches = [], [], []
    for n in range(N):
        x_n = x[n:n + 1]
        h_f, cache_f = forward(x_n, h0_fwd[n:n + 1], *_args(params_fwd))
        h_b_run, cache_b = forward(np.flip(x_n, axis=1), h0_bwd[n:n + 1], *_args(params_bwd))
        fwd.append(h_f)
        bwd.append(np.flip(h_b_run, axis=1))
        caches.append((cache_f, cache_b))
    h_fwd, h_bwd = np.concatenate(fwd), np.concatenate(bwd)
    dtype = np.result_type(h_fwd, h_bwd)
    f64, b64 = h_fwd.astype(np.float64), h_bwd.astype(np.float64)
    if merge_mode == "concat":
        merged = np.dstack([f64, b64])
    elif merge_mode == "sum":
        merged = f64 + b64
    elif merge_mode == "mul":
        merged = f64 * b64
    else:
        merged = 0.5 * f64 + 0.5 * b64
    cache = {"cell": cell, "merge_mode": merge_mode, "h_fwd": f64, "h_bwd": b64, "per_sample": caches}
    return merged.astype(dtype), cache


def bidirectional_backward(dh, cache):
    _, backward = CELLS[cache["cell"]]
    f64, b64, mode = cache["h_fwd"], cache["h_bwd"], cache["merge_mode"]
    H = f64.shape[-1]
    if mode == "concat":
        dh_fwd, dh_bwd = dh[..., :H], dh[..., H:]
    elif mode == "sum":
        dh_fwd, dh_bwd = dh, dh
    elif mode == "mul":
        dh_fwd, dh_bwd = (dh * b64).astype(dh.dtype), (dh * f64).astype(dh.dtype)
    else:
        dh_fwd = dh_bwd = dh * 0.5
    dx, dh0_fwd, dh0_bwd = [], [], []
    grads_fwd = grads_bwd = None
    for n, (cache_f, cache_b) in enumerate(cache["per_sample"]):
        dx_f, dh0_f, *g_f = backward(dh_fwd[n:n + 1], cache_f)
        dx_b_run, dh0_b, *g_b = backward(np.flip(dh_bwd[n:n + 1], axis=1), cache_b)
        dx.append(dx_f + np.flip(dx_b_run, axis=1))
        dh0_fwd.append(dh0_f)
        dh0_bwd.append(dh0_b)
        grads_fwd = g_f if grads_fwd is None else [a + g for a, g in zip(grads_fwd, g_f)]
        grads_bwd = g_b if grads_bwd is None else [a + g for a, g in zip(grads_bwd, g_b)]
    names = ("Wx", "Wh", "b")
    return (np.concatenate(dx), np.concatenate(dh0_fwd), np.concatenate(dh0_bwd),
            dict(zip(names, grads_fwd)), dict(zip(names, grads_bwd)))


def count_params(cell, input_dim, units, bidirectional=False):
    blocks = GATE_BLOCKS[cell]
    bias = 2 * blocks * units if cell == "gru" else blocks * units
    total = blocks * units * input_dim + blocks * units * units + bias
    return int(total + total * bool(bidirectional))
