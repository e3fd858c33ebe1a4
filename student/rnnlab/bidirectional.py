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
    # TODO: implement bidirectional_forward (see the docstring).
    raise NotImplementedError("bidirectional_forward")


def bidirectional_backward(dh, cache):
    """Backward pass of bidirectional_forward.

    Args:
        dh: (N, T, 2H) for "concat", else (N, T, H): upstream gradient of the merged states.
        cache: from bidirectional_forward.

    Returns:
        dx: (N, T, D), dh0_fwd: (N, H), dh0_bwd: (N, H),
        grads_fwd, grads_bwd: dicts {"Wx", "Wh", "b"} shaped like the parameters.
    """
    # TODO: implement bidirectional_backward (see the docstring).
    raise NotImplementedError("bidirectional_backward")


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
    # TODO: implement count_params (see the docstring).
    raise NotImplementedError("count_params")
