"""Expected values computed by Keras itself, stored so that grading needs no TensorFlow.

`python autograder/graders/keras_fixtures.py` rewrites fixtures/ (run it after changing a
case); the project's tests recompute every fixture with the installed Keras and fail if it
no longer matches. A forward fixture holds the function's arguments by name (float32, as
Keras computes; a dict argument as `params_fwd.Wx` ..., a string as a text array) and
`keras_output`. keras_counts.json holds `count_params()` of every cell, uni- and bidirectional.
"""
import json
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}
KERAS_LAYER = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}
FORWARD = {"rnn": "rnn.rnn_forward", "lstm": "lstm.lstm_forward", "gru": "gru.gru_forward",
           "bidirectional": "bidirectional.bidirectional_forward"}

# name -> (cell, merge_mode or None for one direction, dims, random initial state)
FORWARD_CASES = {
    "simple_rnn_h0": ("rnn", None, {"N": 3, "T": 6, "D": 4, "H": 5}, True),
    "simple_rnn_zero_h0": ("rnn", None, {"N": 2, "T": 10, "D": 3, "H": 8}, False),
    "lstm_h0_c0": ("lstm", None, {"N": 3, "T": 7, "D": 4, "H": 5}, True),
    "lstm_zero_state": ("lstm", None, {"N": 2, "T": 5, "D": 6, "H": 3}, False),
    "gru_h0": ("gru", None, {"N": 3, "T": 7, "D": 4, "H": 5}, True),
    "gru_zero_h0": ("gru", None, {"N": 2, "T": 5, "D": 2, "H": 6}, False),
    "bidirectional_rnn_concat": ("rnn", "concat", {"N": 2, "T": 6, "D": 3, "H": 4}, True),
    "bidirectional_lstm_sum": ("lstm", "sum", {"N": 2, "T": 5, "D": 4, "H": 3}, True),
    "bidirectional_gru_mul": ("gru", "mul", {"N": 3, "T": 4, "D": 3, "H": 5}, True),
    "bidirectional_gru_ave": ("gru", "ave", {"N": 2, "T": 6, "D": 5, "H": 4}, True),
    "bidirectional_lstm_concat": ("lstm", "concat", {"N": 2, "T": 5, "D": 3, "H": 4}, True),
}
# name -> (stride, padding, dims): architectures.conv1d_forward against keras.layers.Conv1D
CONV_CASES = {
    "conv1d_valid": (1, "valid", {"N": 2, "T": 9, "D": 3, "K": 3, "F": 4}),
    "conv1d_valid_stride2": (2, "valid", {"N": 2, "T": 8, "D": 2, "K": 3, "F": 3}),
    "conv1d_same_even_kernel": (1, "same", {"N": 2, "T": 7, "D": 3, "K": 4, "F": 2}),
    "conv1d_same_stride2": (2, "same", {"N": 3, "T": 9, "D": 2, "K": 3, "F": 4}),
    "conv1d_same_stride3": (3, "same", {"N": 2, "T": 10, "D": 3, "K": 2, "F": 3}),
    "conv1d_causal": (1, "causal", {"N": 2, "T": 6, "D": 2, "K": 3, "F": 3}),
}
COUNT_GRID = [(cell, D, H, bidirectional) for cell in GATE_BLOCKS for D, H in ((3, 5), (16, 32), (1, 1))
              for bidirectional in (False, True)]


def forward_function(name):
    """The graded function a forward fixture belongs to, e.g. "lstm.lstm_forward"."""
    if name in CONV_CASES:
        return "architectures.conv1d_forward"
    cell, merge_mode, _, _ = FORWARD_CASES[name]
    return FORWARD["bidirectional" if merge_mode else cell]


def _direction(rng, cell, D, H):
    blocks = GATE_BLOCKS[cell] * H
    bias_shape = (2, blocks) if cell == "gru" else (blocks,)
    return {"Wx": rng.standard_normal((D, blocks)) / np.sqrt(D),
            "Wh": rng.standard_normal((H, blocks)) / np.sqrt(H),
            "b": rng.standard_normal(bias_shape) * 0.3}


def forward_inputs(name, seed):
    """The arguments of the graded function for one case, float32."""
    cell, merge_mode, dims, random_state = FORWARD_CASES[name]
    rng = np.random.default_rng(seed)
    N, T, D, H = (dims[k] for k in "NTDH")

    def state():
        return rng.standard_normal((N, H)) * 0.5 if random_state else np.zeros((N, H))

    arrays = {"x": rng.standard_normal((N, T, D))}
    if merge_mode:
        arrays.update({"h0_fwd": state(), "h0_bwd": state()})
        for direction in ("params_fwd", "params_bwd"):
            arrays.update({f"{direction}.{k}": v for k, v in _direction(rng, cell, D, H).items()})
    else:
        arrays.update({"h0": state(), **_direction(rng, cell, D, H)})
        if cell == "lstm" and random_state:
            arrays["c0"] = state()
    arrays = {k: v.astype(np.float32) for k, v in arrays.items()}
    if merge_mode:
        arrays.update({"cell": np.array(cell), "merge_mode": np.array(merge_mode)})
    return arrays


def keras_forward(name, arrays):
    """What Keras computes for the case: the layer with these weights, return_sequences=True."""
    import keras  # only here: grading never imports TensorFlow

    cell, merge_mode, _, _ = FORWARD_CASES[name]
    units = (arrays.get("h0") if "h0" in arrays else arrays["h0_fwd"]).shape[1]
    layer = getattr(keras.layers, KERAS_LAYER[cell])(units, return_sequences=True)
    zeros = np.zeros_like
    if merge_mode:
        layer = keras.layers.Bidirectional(layer, merge_mode=merge_mode)
        weights = [arrays[f"{d}.{k}"] for d in ("params_fwd", "params_bwd") for k in ("Wx", "Wh", "b")]
        h_fwd, h_bwd = arrays["h0_fwd"], arrays["h0_bwd"]
        state = [h_fwd, zeros(h_fwd), h_bwd, zeros(h_bwd)] if cell == "lstm" else [h_fwd, h_bwd]
    else:
        weights = [arrays["Wx"], arrays["Wh"], arrays["b"]]
        state = [arrays["h0"]] + ([arrays.get("c0", zeros(arrays["h0"]))] if cell == "lstm" else [])
    layer.build(arrays["x"].shape)
    layer.set_weights(weights)
    return np.asarray(layer(arrays["x"], initial_state=state))


def conv_fixture(name, seed):
    """Arguments of conv1d_forward for one case (float32) and what Keras' Conv1D computes."""
    import keras

    stride, padding, dims = CONV_CASES[name]
    rng = np.random.default_rng(seed)
    N, T, D, K, F = (dims[k] for k in "NTDKF")
    arrays = {"x": rng.standard_normal((N, T, D)), "W": rng.standard_normal((K, D, F)) / np.sqrt(K * D),
              "b": rng.standard_normal(F) * 0.3}
    arrays = {k: v.astype(np.float32) for k, v in arrays.items()}
    layer = keras.layers.Conv1D(F, K, strides=stride, padding=padding)
    layer.build(arrays["x"].shape)
    layer.set_weights([arrays["W"], arrays["b"]])
    return {**arrays, "stride": np.array(stride), "padding": np.array(padding),
            "keras_output": np.asarray(layer(arrays["x"]))}


def keras_count(cell, input_dim, units, bidirectional):
    import keras

    layer = getattr(keras.layers, KERAS_LAYER[cell])(units)
    if bidirectional:
        layer = keras.layers.Bidirectional(layer)
    layer.build((None, None, input_dim))
    return int(layer.count_params())


def make_fixtures():
    """(forward fixtures by name, parameter counts), computed now with the installed Keras."""
    forwards = {}
    for seed, name in enumerate(FORWARD_CASES):
        arrays = forward_inputs(name, seed)
        forwards[name] = {**arrays, "keras_output": keras_forward(name, arrays)}
    for seed, name in enumerate(CONV_CASES, start=len(FORWARD_CASES)):
        forwards[name] = conv_fixture(name, seed)
    counts = [[cell, D, H, bidirectional, keras_count(cell, D, H, bidirectional)]
              for cell, D, H, bidirectional in COUNT_GRID]
    return forwards, counts


def load_fixture(name):
    with np.load(FIXTURES / f"{name}.npz", allow_pickle=False) as data:
        return dict(data)


def load_counts():
    """[(cell, input_dim, units, bidirectional, keras count)] as Keras reported them."""
    return [tuple(row) for row in json.loads((FIXTURES / "keras_counts.json").read_text())]


if __name__ == "__main__":
    FIXTURES.mkdir(exist_ok=True)
    forwards, counts = make_fixtures()
    for name, arrays in forwards.items():
        np.savez(FIXTURES / f"{name}.npz", **arrays)
    (FIXTURES / "keras_counts.json").write_text(json.dumps(counts) + "\n")
    print(f"wrote {len(forwards)} forward fixtures and {len(counts)} counts to {FIXTURES}")
