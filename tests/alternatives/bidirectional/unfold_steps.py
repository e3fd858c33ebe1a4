"""bidirectional via rnn.unfold(reverse=True) with steps built on the cells' step functions (x is never reversed), and BPTT written over the step caches."""
import numpy as np

from . import gru, lstm, rnn

CELLS = {
    "rnn": (rnn.rnn_forward, rnn.rnn_backward),
    "lstm": (lstm.lstm_forward, lstm.lstm_backward),
    "gru": (gru.gru_forward, gru.gru_backward),
}
MERGE_MODES = ("concat", "sum", "mul", "ave")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def _stepper(cell, params):
    """step(x_t, state) -> (h_t, new_state, cache) for unfold, and the state before the first step."""
    Wx, Wh, b = params["Wx"], params["Wh"], params["b"]
    if cell == "lstm":
        def step(x_t, state):
            h, c, cache = lstm.lstm_step_forward(x_t, state[0], state[1], Wx, Wh, b)
            return h, (h, c), cache
    else:
        step_forward = rnn.rnn_step_forward if cell == "rnn" else gru.gru_step_forward

        def step(x_t, h_prev):
            h, cache = step_forward(x_t, h_prev, Wx, Wh, b)
            return h, h, cache
    return step


def _initial_state(cell, h0):
    return (h0, np.zeros_like(h0)) if cell == "lstm" else h0


def _bptt(cell, dh, caches, reverse):
    """Backpropagate through one direction's step caches (in the order the steps ran)."""
    N, T, H = dh.shape
    dx_steps = [None] * T
    dh_carry = np.zeros((N, H), dtype=dh.dtype)
    dc_carry = np.zeros((N, H), dtype=dh.dtype)
    totals = None
    for k in range(T - 1, -1, -1):  # last step that ran first
        t = T - 1 - k if reverse else k
        if cell == "lstm":
            dx_t, dh_carry, dc_carry, *grads = lstm.lstm_step_backward(dh[:, t] + dh_carry, dc_carry, caches[k])
        else:
            step_backward = rnn.rnn_step_backward if cell == "rnn" else gru.gru_step_backward
            dx_t, dh_carry, *grads = step_backward(dh[:, t] + dh_carry, caches[k])
        dx_steps[t] = dx_t
        totals = grads if totals is None else [a + g for a, g in zip(totals, grads)]
    return np.stack(dx_steps, axis=1), dh_carry, dict(zip(("Wx", "Wh", "b"), totals))


def bidirectional_forward(x, h0_fwd, h0_bwd, params_fwd, params_bwd, cell="rnn", merge_mode="concat"):
    if cell not in GATE_BLOCKS:
        raise ValueError(f"unknown cell {cell!r}")
    h_fwd, _, caches_fwd = rnn.unfold(_stepper(cell, params_fwd), x, _initial_state(cell, h0_fwd))
    h_bwd, _, caches_bwd = rnn.unfold(_stepper(cell, params_bwd), x, _initial_state(cell, h0_bwd), reverse=True)
    if merge_mode == "concat":
        h = np.concatenate([h_fwd, h_bwd], axis=2)
    elif merge_mode == "sum":
        h = h_fwd + h_bwd
    elif merge_mode == "mul":
        h = h_fwd * h_bwd
    elif merge_mode == "ave":
        h = 0.5 * (h_fwd + h_bwd)
    else:
        raise ValueError(f"unknown merge_mode {merge_mode!r}")
    cache = {"cell": cell, "merge_mode": merge_mode, "h_fwd": h_fwd, "h_bwd": h_bwd,
             "caches_fwd": caches_fwd, "caches_bwd": caches_bwd}
    return h, cache


def bidirectional_backward(dh, cache):
    merge_mode, h_fwd, h_bwd = cache["merge_mode"], cache["h_fwd"], cache["h_bwd"]
    H = h_fwd.shape[2]
    if merge_mode == "concat":
        dh_fwd, dh_bwd = dh[:, :, :H], dh[:, :, H:]
    elif merge_mode == "sum":
        dh_fwd = dh_bwd = dh
    elif merge_mode == "mul":
        dh_fwd, dh_bwd = dh * h_bwd, dh * h_fwd
    else:
        dh_fwd = dh_bwd = 0.5 * dh
    dx_fwd, dh0_fwd, grads_fwd = _bptt(cache["cell"], dh_fwd, cache["caches_fwd"], reverse=False)
    dx_bwd, dh0_bwd, grads_bwd = _bptt(cache["cell"], dh_bwd, cache["caches_bwd"], reverse=True)
    return dx_fwd + dx_bwd, dh0_fwd, dh0_bwd, grads_fwd, grads_bwd


def count_params(cell, input_dim, units, bidirectional=False):
    k = GATE_BLOCKS[cell]
    per_direction = k * units * (input_dim + units + (2 if cell == "gru" else 1))
    return per_direction * 2 if bidirectional else per_direction
