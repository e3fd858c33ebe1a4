"""Public tests for rnnlab/keras_models.py (they import Keras, about 5 s).

Not part of a plain `pytest` run; run them with `pytest -m keras`.
"""
import pytest

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def keras():
    # Imported here, not at collection, so that a plain `pytest` stays fast.
    return pytest.importorskip("keras")


@pytest.fixture(scope="module")
def keras_models(keras):
    from rnnlab import keras_models
    return keras_models


def test_recurrent_layer_in_a_model(keras, keras_models):
    model = keras.Sequential([keras.Input(shape=(7, 3)),
                              keras_models.recurrent_layer("lstm", 5, bidirectional=True)])
    assert type(model.layers[0]).__name__ == "Bidirectional"
    assert model.outputs[0].shape == (None, 10)  # concat of two directions
    assert model.count_params() == 360  # 2 x 4 x (3*5 + 5*5 + 5)


def test_recurrent_layer_returns_sequences_when_asked(keras, keras_models):
    model = keras.Sequential([keras.Input(shape=(7, 3)),
                              keras_models.recurrent_layer("gru", 4, return_sequences=True)])
    assert type(model.layers[0]).__name__ == "GRU"
    assert model.outputs[0].shape == (None, 7, 4)


def test_build_sequence_classifier_ends_in_softmax(keras_models):
    model = keras_models.build_sequence_classifier("rnn", 6, 3, 5, num_classes=4)
    assert [type(layer).__name__ for layer in model.layers] == ["SimpleRNN", "Dense"]
    assert model.outputs[0].shape == (None, 4)
    assert model.count_params() == 45 + 5 * 4 + 4


def test_text_classifier_and_tagger_mask_the_padding(keras, keras_models):
    import numpy as np
    classifier = keras_models.build_text_classifier("gru", 10, 4, 5, 3)
    tagger = keras_models.build_tagger("lstm", 10, 4, 5, 6)
    ids = np.array([[3, 4, 5, 0, 0]])
    padded_more = np.array([[3, 4, 5, 0, 0, 0, 0]])
    assert classifier(ids).shape == (1, 3) and tagger(ids).shape == (1, 5, 6)
    # The mask makes the padding invisible: more of it changes nothing.
    np.testing.assert_allclose(classifier(ids), classifier(padded_more), atol=1e-6)


def test_translator_and_cnn_classifier_shapes(keras, keras_models):
    import numpy as np
    translator = keras_models.build_translator("gru", 8, 9, 4, 5)
    assert translator([np.array([[3, 4, 0]]), np.array([[1, 5, 6, 7]])]).shape == (1, 4, 9)
    cnn = keras_models.build_cnn_classifier(10, 4, 6, 3, 2, padding="same")
    assert cnn(np.array([[3, 4, 5, 6]])).shape == (1, 2)
    assert cnn.count_params() == 10 * 4 + (3 * 4 * 6 + 6) + (6 * 2 + 2)
