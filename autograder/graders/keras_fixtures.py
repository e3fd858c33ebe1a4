"""Expected outputs computed by Keras itself, stored so that grading needs no TensorFlow.

`python autograder/graders/keras_fixtures.py` rewrites fixtures/*.npz (run it after changing
a case); the project's tests recompute every fixture with the installed Keras and fail if
it no longer matches. Each fixture holds the inputs and weights (float32, as Keras computes)
and `keras_output`.
"""
from pathlib import Path

import numpy as np

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# name -> (dims, whether h0 is random; Keras' own default is zeros)
SIMPLE_RNN_CASES = {
    "simple_rnn_h0": ({"N": 3, "T": 6, "D": 4, "H": 5}, True),
    "simple_rnn_zero_h0": ({"N": 2, "T": 10, "D": 3, "H": 8}, False),
}


def simple_rnn_inputs(dims, random_h0, seed):
    """x, h0, Wx, Wh, b for rnn_forward, float32."""
    rng = np.random.default_rng(seed)
    N, T, D, H = (dims[k] for k in "NTDH")
    arrays = {"x": rng.standard_normal((N, T, D)),
              "h0": rng.standard_normal((N, H)) * 0.5 if random_h0 else np.zeros((N, H)),
              "Wx": rng.standard_normal((D, H)) / np.sqrt(D),
              "Wh": rng.standard_normal((H, H)) / np.sqrt(H),
              "b": rng.standard_normal(H) * 0.3}
    return {k: v.astype(np.float32) for k, v in arrays.items()}


def keras_simple_rnn(arrays):
    """The output of keras.layers.SimpleRNN(return_sequences=True) with the given weights."""
    import keras  # only here: grading never imports TensorFlow

    layer = keras.layers.SimpleRNN(arrays["Wh"].shape[0], return_sequences=True)
    layer.build(arrays["x"].shape)
    layer.set_weights([arrays["Wx"], arrays["Wh"], arrays["b"]])
    return np.asarray(layer(arrays["x"], initial_state=[arrays["h0"]]))


def make_fixtures():
    """name -> dict of arrays, computed now with the installed Keras."""
    fixtures = {}
    for seed, (name, (dims, random_h0)) in enumerate(SIMPLE_RNN_CASES.items()):
        arrays = simple_rnn_inputs(dims, random_h0, seed)
        fixtures[name] = {**arrays, "keras_output": keras_simple_rnn(arrays)}
    return fixtures


def load_fixture(name):
    with np.load(FIXTURES / f"{name}.npz", allow_pickle=False) as data:
        return dict(data)


if __name__ == "__main__":
    FIXTURES.mkdir(exist_ok=True)
    for name, arrays in make_fixtures().items():
        np.savez(FIXTURES / f"{name}.npz", **arrays)
        print(f"wrote {FIXTURES / name}.npz")
