"""Public tests for Session 2's Keras builders in rnnlab/keras_models.py (they import Keras, about 5 s).

Not part of a plain `pytest` run; run them with `pytest -m keras`.
"""
import pytest

pytestmark = pytest.mark.keras


@pytest.mark.function("keras_models.recurrent_layer")
def test_recurrent_layer_in_a_model(keras, keras_models):
    model = keras.Sequential([keras.Input(shape=(7, 3)),
                              keras_models.recurrent_layer("lstm", 5, bidirectional=True)])
    assert type(model.layers[0]).__name__ == "Bidirectional"
    assert model.outputs[0].shape == (None, 10)  # concat of two directions
    assert model.count_params() == 360  # 2 x 4 x (3*5 + 5*5 + 5)


@pytest.mark.function("keras_models.recurrent_layer")
def test_recurrent_layer_returns_sequences_when_asked(keras, keras_models):
    model = keras.Sequential([keras.Input(shape=(7, 3)),
                              keras_models.recurrent_layer("gru", 4, return_sequences=True)])
    assert type(model.layers[0]).__name__ == "GRU"
    assert model.outputs[0].shape == (None, 7, 4)


@pytest.mark.function("keras_models.recurrent_layer")
def test_recurrent_layer_merges_as_asked(keras, keras_models):
    layer = keras_models.recurrent_layer("gru", 4, bidirectional=True, merge_mode="mul")
    model = keras.Sequential([keras.Input(shape=(7, 3)), layer])
    assert layer.merge_mode == "mul", \
        f"recurrent_layer(..., merge_mode='mul') built a Bidirectional with merge_mode={layer.merge_mode!r}: pass merge_mode on"
    assert model.outputs[0].shape == (None, 4)  # the product of the directions, not their concatenation


@pytest.mark.function("keras_models.build_sequence_classifier")
def test_build_sequence_classifier_ends_in_softmax(keras_models):
    import numpy as np
    model = keras_models.build_sequence_classifier("rnn", 6, 3, 5, num_classes=4)
    assert [type(layer).__name__ for layer in model.layers] == ["SimpleRNN", "Dense"]
    assert model.outputs[0].shape == (None, 4)
    assert model.count_params() == 45 + 5 * 4 + 4
    probs = np.asarray(model(np.random.default_rng(0).normal(size=(2, 6, 3))))
    assert np.all(probs >= 0) and np.allclose(probs.sum(axis=1), 1, atol=1e-5), \
        "the classifier's outputs are not probabilities (rows summing to 1): end with Dense(num_classes, activation='softmax')"


@pytest.mark.function("keras_models.build_sequence_classifier")
def test_build_sequence_classifier_passes_bidirectional_and_merge_mode_on(keras_models):
    model = keras_models.build_sequence_classifier("lstm", 6, 3, 5, num_classes=4, bidirectional=True,
                                                   merge_mode="sum")
    assert type(model.layers[0]).__name__ == "Bidirectional", "bidirectional=True must give a Bidirectional layer"
    assert model.layers[0].merge_mode == "sum", \
        f"merge_mode='sum' gave a Bidirectional with merge_mode={model.layers[0].merge_mode!r}: pass merge_mode on"
    assert model.count_params() == 2 * 4 * (3 * 5 + 5 * 5 + 5) + 5 * 4 + 4  # Dense reads 5 units: the sum
