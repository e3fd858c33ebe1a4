"""Public tests for Session 3's Keras builders in rnnlab/keras_models.py (they import Keras, about 5 s).

Not part of a plain `pytest` run; run them with `pytest -m keras`.
"""
import pytest

pytestmark = pytest.mark.keras


@pytest.mark.function("keras_models.build_text_classifier")
def test_text_classifier_masks_the_padding(keras_models):
    import numpy as np
    classifier = keras_models.build_text_classifier("gru", 10, 4, 5, 3)
    ids, padded_more = np.array([[3, 4, 5, 0, 0]]), np.array([[3, 4, 5, 0, 0, 0, 0]])
    assert classifier(ids).shape == (1, 3)
    # The mask makes the padding invisible: more of it changes nothing.
    np.testing.assert_allclose(classifier(ids), classifier(padded_more), atol=1e-6)


@pytest.mark.function("keras_models.build_text_classifier")
def test_text_classifier_reads_both_ways_when_asked(keras_models):
    classifier = keras_models.build_text_classifier("gru", 10, 4, 5, 3, bidirectional=True)
    assert "Bidirectional" in [type(layer).__name__ for layer in classifier.layers], \
        "build_text_classifier(..., bidirectional=True) has no Bidirectional layer: pass bidirectional on"


def embeddings_masking(model):
    return [layer.mask_zero for layer in model.layers if type(layer).__name__ == "Embedding"]


@pytest.mark.function("keras_models.build_tagger")
def test_tagger_tags_every_step(keras_models):
    import numpy as np
    tagger = keras_models.build_tagger("lstm", 10, 4, 5, 6)
    assert tagger(np.array([[3, 4, 5, 0, 0]])).shape == (1, 5, 6)
    assert embeddings_masking(tagger) == [True], \
        "the tagger's Embedding does not mask the padding (mask_zero=True): its padding steps would be read as words"


@pytest.mark.function("keras_models.build_translator")
def test_translator_gives_scores_for_every_target_step(keras_models):
    import numpy as np
    translator = keras_models.build_translator("gru", 8, 9, 4, 5)
    assert translator([np.array([[3, 4, 0]]), np.array([[1, 5, 6, 7]])]).shape == (1, 4, 9)
    gru = 3 * (4 * 5 + 5 * 5 + 2 * 5)  # Keras' GRU (reset_after): two biases
    assert translator.count_params() == 8 * 4 + gru + 9 * 4 + gru + 5 * 9 + 9, \
        "the parameters are not an encoder's and a decoder's: each reads its own vocabulary (src_vocab, tgt_vocab)"
    assert embeddings_masking(translator) == [True, True], \
        "each Embedding, the encoder's and the decoder's, must mask the padding (mask_zero=True)"


@pytest.mark.function("keras_models.build_translator")
def test_translator_decoder_starts_from_the_encoders_state(keras_models):
    import numpy as np
    translator = keras_models.build_translator("lstm", 8, 9, 4, 5)
    tgt_in = np.array([[1, 5, 6]])
    first, second = (np.asarray(translator([np.array([src]), tgt_in])) for src in ([3, 4, 5], [6, 7, 2]))
    assert not np.allclose(first, second), \
        "two different sources give the same translation: start the decoder from the encoder's final states (initial_state)"


@pytest.mark.function("keras_models.build_cnn_classifier")
def test_cnn_classifier_shapes_and_parameters(keras_models):
    import numpy as np
    cnn = keras_models.build_cnn_classifier(10, 4, 6, 3, 2, padding="same")
    assert cnn(np.array([[3, 4, 5, 6]])).shape == (1, 2)
    assert cnn.count_params() == 10 * 4 + (3 * 4 * 6 + 6) + (6 * 2 + 2)
    (conv,) = [layer for layer in cnn.layers if type(layer).__name__ == "Conv1D"]
    assert conv.padding == "same", f"padding='same' gave a Conv1D with padding={conv.padding!r}: pass padding on"
    assert conv.activation.__name__ == "relu", "the convolution's features go through a ReLU (activation='relu')"
    assert "GlobalMaxPooling1D" in [type(layer).__name__ for layer in cnn.layers], \
        "pool the features over time with their maximum (GlobalMaxPooling1D): a feature found anywhere counts"
