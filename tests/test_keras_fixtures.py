"""The stored Keras outputs the graders compare with are what Keras computes today."""
import numpy as np
import pytest

pytest.importorskip("keras")

import sys

from rnnlab_grader.paths import GRADERS

sys.path.insert(0, str(GRADERS))
import keras_fixtures  # noqa: E402


def test_stored_fixtures_match_keras():
    for name, fresh in keras_fixtures.make_fixtures().items():
        stored = keras_fixtures.load_fixture(name)
        assert sorted(stored) == sorted(fresh)
        for key in fresh:
            np.testing.assert_allclose(stored[key], fresh[key], rtol=0, atol=1e-6, err_msg=f"{name}:{key}")
