"""The numpy forward passes equal Keras itself, given the same weights.

Keras' outputs are stored in fixtures/ (see keras_fixtures.py), so grading needs no TensorFlow.
"""
import pytest

from keras_fixtures import SIMPLE_RNN_CASES, load_fixture
from rnnlab_grader.checks import check_keras

# Keras computes in float32; an independent float32 implementation differs by ~2e-7 here,
# a wrong term or time shift by more than 1e-2.
KERAS_TOLERANCE = 1e-5


@pytest.mark.parametrize("fixture", [
    pytest.param(name, id=name, marks=pytest.mark.grade(
        group="rnn.rnn_forward", points=2, name=f"rnn_forward: equals keras.layers.SimpleRNN ({name})"))
    for name in SIMPLE_RNN_CASES])
def test_rnn_forward_equals_keras_simple_rnn(student, fixture):
    check_keras(student, "rnn.rnn_forward", load_fixture(fixture), KERAS_TOLERANCE)
