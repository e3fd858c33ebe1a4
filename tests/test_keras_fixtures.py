"""The stored Keras outputs and counts the graders compare with are what Keras computes today."""
import json
import sys

import numpy as np
import pytest

pytest.importorskip("keras")

from rnnlab_grader.paths import GRADERS  # noqa: E402

sys.path.insert(0, str(GRADERS))
import keras_fixtures  # noqa: E402


def test_stored_fixtures_match_keras():
    forwards, counts = keras_fixtures.make_fixtures()
    for name, fresh in forwards.items():
        stored = keras_fixtures.load_fixture(name)
        assert sorted(stored) == sorted(fresh)
        for key in fresh:
            if fresh[key].dtype.kind == "U":
                np.testing.assert_array_equal(stored[key], fresh[key])
            else:
                np.testing.assert_allclose(stored[key], fresh[key], rtol=0, atol=1e-6, err_msg=f"{name}:{key}")
    assert [list(row) for row in keras_fixtures.load_counts()] == json.loads(json.dumps(counts))
