"""Every graded numpy function meets, in some public test, arguments whose axes all differ in size.

Where D = H or N = 1, `x @ Wx.T` or an (N, T) read as (T, N) can pass by symmetry; a case whose
sizes all differ (N = 2, T = 3, D = 4, H = 5) says so. A plugin records the array arguments of each
public test's own function (its @pytest.mark.function) over the whole public suite, on the
reference; for every function, at least one call must have no array with two axes of one size
(square weights, which are square by definition, aside).
"""
import json
import sys

import public_suite
from rnnlab_grader.paths import SOLUTIONS

sys.path.insert(0, str(SOLUTIONS / "tests"))
from returns import RETURNS  # noqa: E402

SQUARE = {"Wh", "Wh_enc", "Wh_dec"}  # (H, H) by the contract

PLUGIN = '''
import importlib, inspect, json, os
import numpy as np
import pytest

RECORD = open(os.environ["SHAPES_OUT"], "a")


def arrays(value, name):
    if isinstance(value, np.ndarray):
        yield name, value.shape
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from arrays(item, key)


@pytest.fixture(autouse=True)
def record_shapes(request, monkeypatch):
    marker = request.node.get_closest_marker("function")
    if marker is None or marker.args[0].startswith("keras_models."):
        return
    module_name, name = marker.args[0].split(".")
    module = importlib.import_module(f"rnnlab.{module_name}")
    right = getattr(module, name)

    def recorded(*args, **kwargs):
        bound = inspect.signature(right).bind(*args, **kwargs).arguments
        shapes = [shape for arg, value in bound.items() for shape in arrays(value, arg)]
        RECORD.write(json.dumps([marker.args[0], shapes]) + "\\n")
        RECORD.flush()
        return right(*args, **kwargs)
    monkeypatch.setattr(module, name, recorded)
'''


def all_different(shapes):
    return all(len(set(shape)) == len(shape) for name, shape in shapes if name not in SQUARE)


def test_every_graded_function_meets_sizes_that_all_differ(tmp_path):
    record = tmp_path / "shapes.jsonl"
    run = public_suite.run_with_plugin(tmp_path / "release", PLUGIN, env={"SHAPES_OUT": str(record)}, options=["-q"])
    assert run.returncode == 0, run.stdout[-3000:]
    calls = [json.loads(line) for line in record.read_text().splitlines()]
    called = {function for function, _ in calls}
    distinct = {function for function, shapes in calls if all_different(shapes)}
    numpy_functions = {f for f in RETURNS if not f.startswith("keras_models.") and f != "bidirectional.count_params"}
    assert len(called & numpy_functions) > 40
    assert sorted(called - distinct) == []


def test_a_square_case_is_seen():
    assert not all_different([("x", (2, 3)), ("Wx", (3, 3))])
    assert all_different([("x", (2, 3)), ("Wh", (3, 3)), ("ids", (2, 4))])
