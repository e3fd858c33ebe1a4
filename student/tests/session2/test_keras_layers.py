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


@pytest.mark.function("keras_models.build_sequence_classifier")
def test_build_sequence_classifier_ends_in_softmax(keras_models):
    model = keras_models.build_sequence_classifier("rnn", 6, 3, 5, num_classes=4)
    assert [type(layer).__name__ for layer in model.layers] == ["SimpleRNN", "Dense"]
    assert model.outputs[0].shape == (None, 4)
    assert model.count_params() == 45 + 5 * 4 + 4
