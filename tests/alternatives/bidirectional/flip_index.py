"""bidirectional reversing time with an index array, merges and their gradients as tables of functions, a tuple cache, and count_params from the weight shapes."""
import numpy as np

from . import gru, lstm, rnn

MODULES = {"rnn": rnn, "lstm": lstm, "gru": gru}
CELLS = {
    "rnn": (rnn.rnn_forward, rnn.rnn_backward),
    "lstm": (lstm.lstm_forward, lstm.lstm_backward),
    "gru": (gru.gru_forward, gru.gru_backward),
}
MERGE_MODES = ("concat", "sum", "mul", "ave")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}

MERGE = {
    "concat": lambda f, b: np.concatenate((f, b), axis=-1),
    "sum": lambda f, b: f + b,
    "mul": lambda f, b: f * b,
    "ave": lambda f, b: (f + b) / 2,
}
# gradient of the merged states -> gradients of (h_fwd, h_bwd)
MERGE_GRAD = {
    "concat": lambda d, f, b: (d[..., :f.shape[-1]], d[..., f.shape[-1]:]),
    "sum": lambda d, f, b: (d, d),
    "mul": lambda d, f, b: (d * b, d * f),
    "ave": lambda d, f, b: (d / 2, d / 2),
}


def _run(cell, x, h0, params):
    forward = getattr(MODULES[cell], f"{cell}_forward")
    return forward(x, h0, params["Wx"], params["Wh"], params["b"])


def _back(cell, dh, cache):
    backward = getattr(MODULES[cell], f"{cell}_backward")
    dx, dh0, dWx, dWh, db = backward(dh, cache)
    return dx, dh0, {"Wx": dWx, "Wh": dWh, "b": db}


def bidirectional_forward(x, h0_fwd, h0_bwd, params_fwd, params_bwd, cell="rnn", merge_mode="concat"):
    if merge_mode not in MERGE:
        raise ValueError(f"unknown merge_mode {merge_mode!r}; use one of {MERGE_MODES}")
    T = x.shape[1]
    backwards = (T - 1) - np.arange(T)  # index array: T-1, ..., 0 (its own inverse)
    h_fwd, cache_fwd = _run(cell, x, h0_fwd, params_fwd)
    h_bwd_run, cache_bwd = _run(cell, x[:, backwards], h0_bwd, params_bwd)
    h_bwd = h_bwd_run[:, backwards]
    return MERGE[merge_mode](h_fwd, h_bwd), (cell, merge_mode, backwards, h_fwd, h_bwd, cache_fwd, cache_bwd)


def bidirectional_backward(dh, cache):
    cell, merge_mode, backwards, h_fwd, h_bwd, cache_fwd, cache_bwd = cache
    dh_fwd, dh_bwd = MERGE_GRAD[merge_mode](dh, h_fwd, h_bwd)
    dx_fwd, dh0_fwd, grads_fwd = _back(cell, dh_fwd, cache_fwd)
    dx_bwd_run, dh0_bwd, grads_bwd = _back(cell, dh_bwd[:, backwards], cache_bwd)
    return dx_fwd + dx_bwd_run[:, backwards], dh0_fwd, dh0_bwd, grads_fwd, grads_bwd


def count_params(cell, input_dim, units, bidirectional=False):
    width = GATE_BLOCKS[cell] * units
    shapes = [(input_dim, width), (units, width), (2, width) if cell == "gru" else (width,)]
    directions = 2 if bidirectional else 1
    return directions * sum(int(np.prod(shape)) for shape in shapes)
