"""The Keras builders make the right layers, shapes and parameter counts.

These run the student's Keras code in the worker (which then imports TensorFlow once);
the expected parameter counts are the ones Keras reported (fixtures/keras_counts.json).
"""
import pytest

from keras_fixtures import KERAS_LAYER, load_counts
from rnnlab_grader.grading.checks import check_keras_model

COUNTS = {row[:4]: row[4] for row in load_counts()}


def recurrent_summary(cell, input_dim, units, bidirectional, merge_mode, return_sequences, seq_len):
    """What recurrent_layer(...) placed after Input((seq_len, input_dim)) must look like."""
    width = 2 * units if bidirectional and merge_mode == "concat" else units
    inner = {"class": KERAS_LAYER[cell], "units": units, "return_sequences": return_sequences}
    layer = ({"class": "Bidirectional", "merge_mode": merge_mode, "inner": inner} if bidirectional else inner)
    layer["params"] = COUNTS[(cell, input_dim, units, bidirectional)]
    output = [None, seq_len, width] if return_sequences else [None, width]
    return {"layers": [layer], "output_shape": output}, width


LAYER_CASES = [  # cell, input_dim, units, bidirectional, merge_mode, return_sequences, seq_len
    ("rnn", 3, 5, False, "concat", True, 7),
    ("lstm", 16, 32, True, "concat", False, 9),
    ("gru", 3, 5, True, "sum", True, 4),
    ("gru", 16, 32, False, "concat", False, 6),
    ("lstm", 3, 5, True, "ave", False, 5),
]


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.recurrent_layer", points=2,
        name=f"recurrent_layer: layers, shapes, parameters {case[:-1]}")) for case in LAYER_CASES])
def test_recurrent_layer(student, case):
    cell, input_dim, units, bidirectional, merge_mode, return_sequences, seq_len = case
    expected, _ = recurrent_summary(*case)
    check_keras_model(student, "keras_models.recurrent_layer",
                      (cell, units, bidirectional, merge_mode, return_sequences), expected,
                      input_shape=(seq_len, input_dim))


CLASSIFIER_CASES = [  # cell, seq_len, input_dim, units, num_classes, bidirectional, merge_mode
    ("lstm", 9, 16, 32, 4, False, "concat"),
    ("gru", 6, 3, 5, 7, True, "concat"),
    ("rnn", 5, 3, 5, 2, True, "mul"),
]


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_sequence_classifier", points=2,
        name=f"build_sequence_classifier: layers, shapes, parameters {case}")) for case in CLASSIFIER_CASES])
def test_build_sequence_classifier(student, case):
    cell, seq_len, input_dim, units, num_classes, bidirectional, merge_mode = case
    recurrent, width = recurrent_summary(cell, input_dim, units, bidirectional, merge_mode, False, seq_len)
    dense = {"class": "Dense", "units": num_classes, "activation": "softmax",
             "params": width * num_classes + num_classes, "output_shape": [None, num_classes]}
    expected = {"layers": recurrent["layers"] + [dense], "output_shape": [None, num_classes],
                "params": recurrent["layers"][0]["params"] + dense["params"]}
    check_keras_model(student, "keras_models.build_sequence_classifier", case, expected)


# -- Session 3: models on token ids ---------------------------------------------------

def dense(inputs, units, sequences=False):
    return {"class": "Dense", "units": units, "activation": "softmax", "params": inputs * units + units,
            "output_shape": [None, None, units] if sequences else [None, units]}


def embedding(vocab_size, embed_dim, mask_zero):
    return {"class": "Embedding", "params": vocab_size * embed_dim, "mask_zero": mask_zero}


TEXT_CASES = [  # cell, vocab_size, embed_dim, units, classes or tags, bidirectional
    ("lstm", 50, 16, 32, 2, False),
    ("gru", 30, 3, 5, 4, True),
    ("rnn", 12, 3, 5, 3, False),
]


def text_model(case, sequences):
    cell, vocab_size, embed_dim, units, classes, bidirectional = case
    recurrent, width = recurrent_summary(cell, embed_dim, units, bidirectional, "concat", sequences, None)
    layers = [embedding(vocab_size, embed_dim, True), *recurrent["layers"], dense(width, classes, sequences)]
    return {"layers": layers, "output_shape": [None, None, classes] if sequences else [None, classes]}


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_text_classifier", points=2,
        name=f"build_text_classifier: layers, mask, shapes, parameters {case}")) for case in TEXT_CASES])
def test_build_text_classifier(student, case):
    check_keras_model(student, "keras_models.build_text_classifier", case, text_model(case, sequences=False))


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_tagger", points=2,
        name=f"build_tagger: layers, mask, shapes, parameters {case}")) for case in TEXT_CASES])
def test_build_tagger(student, case):
    check_keras_model(student, "keras_models.build_tagger", case, text_model(case, sequences=True))


TRANSLATOR_CASES = [  # cell, src_vocab, tgt_vocab, embed_dim, units
    ("lstm", 20, 25, 16, 32),
    ("gru", 11, 14, 3, 5),
    ("rnn", 9, 7, 3, 5),
]


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_translator", points=2,
        name=f"build_translator: layers, shapes, parameters {case}")) for case in TRANSLATOR_CASES])
def test_build_translator(student, case):
    cell, src_vocab, tgt_vocab, embed_dim, units = case
    recurrent = COUNTS[(cell, embed_dim, units, False)]
    expected = {"classes": sorted(["Embedding", "Embedding", KERAS_LAYER[cell], KERAS_LAYER[cell], "Dense"]),
                "masking_embeddings": 2,  # source and target padding are masked
                "output_shape": [None, None, tgt_vocab],
                "params": (src_vocab + tgt_vocab) * embed_dim + 2 * recurrent + units * tgt_vocab + tgt_vocab}
    check_keras_model(student, "keras_models.build_translator", case, expected)


CNN_CASES = [  # vocab_size, embed_dim, filters, kernel_size, num_classes, padding, strides
    (40, 8, 6, 3, 2, "valid", 1),
    (25, 4, 5, 4, 3, "same", 2),
    (30, 6, 3, 2, 2, "causal", 1),
]


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_cnn_classifier", points=2,
        name=f"build_cnn_classifier: layers, shapes, parameters {case}")) for case in CNN_CASES])
def test_build_cnn_classifier(student, case):
    vocab_size, embed_dim, filters, kernel_size, num_classes, padding, strides = case
    conv = {"class": "Conv1D", "filters": filters, "kernel_size": [kernel_size], "strides": [strides],
            "padding": padding, "activation": "relu", "params": kernel_size * embed_dim * filters + filters}
    layers = [embedding(vocab_size, embed_dim, False), conv, {"class": "GlobalMaxPooling1D", "params": 0},
              dense(filters, num_classes)]
    check_keras_model(student, "keras_models.build_cnn_classifier", case,
                      {"layers": layers, "output_shape": [None, num_classes]})


# -- Session 4 ---------------------------------------------------------------------------

CHAR_CASES = [("rnn", 30, 3, 5), ("lstm", 40, 16, 32), ("gru", 25, 3, 5)]  # cell, vocab, embed_dim, units


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_char_model", points=2,
        name=f"build_char_model: layers, shapes, parameters {case}")) for case in CHAR_CASES])
def test_build_char_model(student, case):
    cell, vocab_size, embed_dim, units = case
    recurrent, _ = recurrent_summary(cell, embed_dim, units, False, "concat", True, None)
    logits = {"class": "Dense", "units": vocab_size, "activation": "linear", "params": units * vocab_size + vocab_size,
              "output_shape": [None, None, vocab_size]}
    layers = [embedding(vocab_size, embed_dim, False), *recurrent["layers"], logits]
    check_keras_model(student, "keras_models.build_char_model", case,
                      {"layers": layers, "output_shape": [None, None, vocab_size]})


FORECASTER_CASES = [("gru", 24, 3, 5, 1), ("lstm", 12, 16, 32, 6), ("rnn", 8, 1, 1, 2)]  # cell, W, F, units, horizon


@pytest.mark.parametrize("case", [
    pytest.param(case, id="-".join(map(str, case)), marks=pytest.mark.grade(
        group="keras_models.build_forecaster", points=2,
        name=f"build_forecaster: layers, shapes, parameters {case}")) for case in FORECASTER_CASES])
def test_build_forecaster(student, case):
    cell, window, features, units, horizon = case
    recurrent, _ = recurrent_summary(cell, features, units, False, "concat", False, window)
    output = {"class": "Dense", "units": horizon, "activation": "linear", "params": units * horizon + horizon,
              "output_shape": [None, horizon]}
    check_keras_model(student, "keras_models.build_forecaster", case,
                      {"layers": [*recurrent["layers"], output], "output_shape": [None, horizon]})
