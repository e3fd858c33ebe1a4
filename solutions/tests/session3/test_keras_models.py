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


@pytest.mark.function("keras_models.build_tagger")
def test_tagger_tags_every_step(keras_models):
    import numpy as np
    tagger = keras_models.build_tagger("lstm", 10, 4, 5, 6)
    assert tagger(np.array([[3, 4, 5, 0, 0]])).shape == (1, 5, 6)


@pytest.mark.function("keras_models.build_translator")
def test_translator_gives_scores_for_every_target_step(keras_models):
    import numpy as np
    translator = keras_models.build_translator("gru", 8, 9, 4, 5)
    assert translator([np.array([[3, 4, 0]]), np.array([[1, 5, 6, 7]])]).shape == (1, 4, 9)


@pytest.mark.function("keras_models.build_cnn_classifier")
def test_cnn_classifier_shapes_and_parameters(keras_models):
    import numpy as np
    cnn = keras_models.build_cnn_classifier(10, 4, 6, 3, 2, padding="same")
    assert cnn(np.array([[3, 4, 5, 6]])).shape == (1, 2)
    assert cnn.count_params() == 10 * 4 + (3 * 4 * 6 + 6) + (6 * 2 + 2)
