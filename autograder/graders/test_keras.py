"""The numpy functions agree with Keras itself.

Keras' outputs and parameter counts are stored in fixtures/ (see keras_fixtures.py), so these
tests need no TensorFlow in the grading process.
"""
import pytest

from keras_fixtures import CONV_CASES, FORWARD_CASES, forward_function, load_counts, load_fixture
from rnnlab_grader.grading.checks import Case, charged_once, check_exact, check_keras

# Keras computes in float32; an independent float32 implementation differs by < 3e-7 here
# (measured), while a wrong gate order, bias or time direction errs by more than 1e-2.
KERAS_TOLERANCE = 1e-5


@pytest.mark.parametrize("fixture", [
    pytest.param(name, id=name, marks=pytest.mark.grade(
        group=forward_function(name), points=2,
        name=f"{forward_function(name).split('.')[1]}: equals Keras ({name})"))
    for name in [*FORWARD_CASES, *CONV_CASES]])
def test_forward_equals_keras(student, fixture):
    case = Case(forward_function(fixture), build=None, dims={})
    charged_once(lambda student, case: check_keras(student, case.function, load_fixture(fixture), KERAS_TOLERANCE),
                 student, case)


COUNT_GROUPS = sorted({(cell, bidirectional) for cell, _, _, bidirectional, _ in load_counts()})


@pytest.mark.parametrize("cell, bidirectional", [
    pytest.param(cell, bidirectional, id=f"{cell}-{'bi' if bidirectional else 'uni'}",
                 marks=pytest.mark.grade(group="bidirectional.count_params", points=1,
                                         name=f"count_params: equals Keras ({cell}, bidirectional={bidirectional})"))
    for cell, bidirectional in COUNT_GROUPS])
def test_count_params_equals_keras(student, cell, bidirectional):
    for row_cell, input_dim, units, row_bidirectional, keras_count in load_counts():
        if (row_cell, row_bidirectional) == (cell, bidirectional):
            check_exact(student, "bidirectional.count_params", (cell, input_dim, units, bidirectional),
                        keras_count, "Keras counts for that layer")
