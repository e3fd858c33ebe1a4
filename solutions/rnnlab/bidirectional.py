"""Session 2: bidirectional RNNs, one recurrent layer reading forward and one reading backward.

The backward direction reads the sequence from its end; its hidden states are then put
back in the time order of the input (as Keras' `Bidirectional` does), so that at step t
the forward state has seen x_1..x_t and the backward state x_t..x_T. The two are merged:

    "concat": [h_fwd, h_bwd] along the last axis  -> (N, T, 2H), forward first
    "sum":    h_fwd + h_bwd                       -> (N, T, H)
    "mul":    h_fwd * h_bwd                       -> (N, T, H)
    "ave":    (h_fwd + h_bwd) / 2                 -> (N, T, H)

Each direction has its own parameters, a dict {"Wx", "Wh", "b"} in the Keras layout of its
cell: "rnn" (SimpleRNN), "lstm" or "gru".

Rules for every function here, which the tests and the graders check: leave the inputs as they
were (work on copies or new arrays, never `x += ...` on an argument), and give float64 results
for float64 inputs (for float32 ones, either).
"""
import numpy as np

from . import gru, lstm, rnn

CELLS = {
    "rnn": (rnn.rnn_forward, rnn.rnn_backward),
    "lstm": (lstm.lstm_forward, lstm.lstm_backward),
    "gru": (gru.gru_forward, gru.gru_backward),
}
MERGE_MODES = ("concat", "sum", "mul", "ave")
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def bidirectional_forward(x, h0_fwd, h0_bwd, params_fwd, params_bwd, cell="rnn", merge_mode="concat"):
    """A bidirectional recurrent layer.

    Args:
        x: (N, T, D) input sequence.
        h0_fwd, h0_bwd: (N, H) initial hidden states of the two directions.
        params_fwd, params_bwd: dicts {"Wx", "Wh", "b"} of the two directions.
        cell: "rnn", "lstm" or "gru".
        merge_mode: "concat", "sum", "mul" or "ave".

    Returns:
        h: (N, T, 2H) for "concat", else (N, T, H).
        cache: whatever bidirectional_backward needs.

    Hint: the backward direction is the cell's own forward function run on x reversed in time.
    """
    # BEGIN SOLUTION
    cell_forward, _ = CELLS[cell]
    h_fwd, cache_fwd = cell_forward(x, h0_fwd, params_fwd["Wx"], params_fwd["Wh"], params_fwd["b"])
    h_bwd_reversed, cache_bwd = cell_forward(x[:, ::-1], h0_bwd, params_bwd["Wx"], params_bwd["Wh"],
                                             params_bwd["b"])
    h_bwd = h_bwd_reversed[:, ::-1]
    if merge_mode == "concat":
        h = np.concatenate([h_fwd, h_bwd], axis=-1)
    elif merge_mode == "sum":
        h = h_fwd + h_bwd
    elif merge_mode == "mul":
        h = h_fwd * h_bwd
    elif merge_mode == "ave":
        h = (h_fwd + h_bwd) / 2
    else:
        raise ValueError(f"unknown merge_mode {merge_mode!r}; use one of {MERGE_MODES}")
    cache = {"cell": cell, "merge_mode": merge_mode, "h_fwd": h_fwd, "h_bwd": h_bwd,
             "cache_fwd": cache_fwd, "cache_bwd": cache_bwd}
    return h, cache
    # END SOLUTION


def bidirectional_backward(dh, cache):
    """Backward pass of bidirectional_forward.

    Args:
        dh: (N, T, 2H) for "concat", else (N, T, H): upstream gradient of the merged states.
        cache: from bidirectional_forward.

    Returns:
        dx: (N, T, D), dh0_fwd: (N, H), dh0_bwd: (N, H),
        grads_fwd, grads_bwd: dicts {"Wx", "Wh", "b"} shaped like the parameters.
    """
    # BEGIN SOLUTION
    _, cell_backward = CELLS[cache["cell"]]
    h_fwd, h_bwd, merge_mode = cache["h_fwd"], cache["h_bwd"], cache["merge_mode"]
    H = h_fwd.shape[-1]
    if merge_mode == "concat":
        dh_fwd, dh_bwd = dh[..., :H], dh[..., H:]
    elif merge_mode == "sum":
        dh_fwd, dh_bwd = dh, dh
    elif merge_mode == "mul":
        dh_fwd, dh_bwd = dh * h_bwd, dh * h_fwd
    else:  # "ave"
        dh_fwd, dh_bwd = dh / 2, dh / 2
    dx_fwd, dh0_fwd, *grads_fwd = cell_backward(dh_fwd, cache["cache_fwd"])
    dx_bwd_reversed, dh0_bwd, *grads_bwd = cell_backward(dh_bwd[:, ::-1], cache["cache_bwd"])
    names = ("Wx", "Wh", "b")
    return (dx_fwd + dx_bwd_reversed[:, ::-1], dh0_fwd, dh0_bwd,
            dict(zip(names, grads_fwd)), dict(zip(names, grads_bwd)))
    # END SOLUTION


def count_params(cell, input_dim, units, bidirectional=False):
    """The number of trainable parameters Keras reports for one recurrent layer.

    Args:
        cell: "rnn" (SimpleRNN), "lstm" or "gru" (reset_after=True, two bias rows).
        input_dim: D, features per time step.
        units: H, the hidden size.
        bidirectional: wrapped in keras.layers.Bidirectional (two independent directions).

    Returns:
        int, what `layer.count_params()` gives.
    """
    # BEGIN SOLUTION
    blocks = GATE_BLOCKS[cell] * units
    bias_rows = 2 if cell == "gru" else 1
    one_direction = input_dim * blocks + units * blocks + bias_rows * blocks
    return int(one_direction * (2 if bidirectional else 1))
    # END SOLUTION
