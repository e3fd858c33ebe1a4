"""The Keras builders make the right layers, shapes and parameter counts.

These run the student's Keras code in the worker (which then imports TensorFlow once);
the expected parameter counts are the ones Keras reported (fixtures/keras_counts.json).
"""
import pytest

from keras_fixtures import KERAS_LAYER, load_counts
from rnnlab_grader.checks import check_keras_model

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
