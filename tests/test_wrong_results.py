"""Wrong results, one way to report them: whatever a graded function returns, and whatever frames
its worker sends, its checks fail with a message about that result, never "internal grader error".

Each kind in KINDS turns the reference's right result into a wrong one at the boundary (what the
grader receives; the package's own calls between its functions still get right results), for
every graded function at once; each kind in FORGED replaces the worker's own frames as a
submission can (it runs in the worker's process). One submission per kind, graded on everything.
Before the replies were validated (the code of 8c51c32), 9 of these 23 kinds failed here:
huge_numbers, text_numbers and every forged kind (internal grader errors, or a 128 MiB reply taken in).
"""
import json
import shutil

import pytest

from rnnlab_grader.contract import SIGNATURES
from rnnlab_grader.grading import engine
from rnnlab_grader.paths import SOLUTIONS

# name -> the body of `_wrong(result)`, which makes a right result wrong
KINDS = {
    "none": "return None",
    "text": "return 'result'",
    "one_value_more": "return (*result, 0) if type(result) is tuple else (result, 0)",
    "one_value_less": "return result[:-1] if type(result) is tuple else ()",
    "text_arrays": "return _map(result, lambda a: a.astype(str))",
    "complex_arrays": "return _map(result, lambda a: a.astype(complex))",
    "bool_arrays": "return _map(result, lambda a: a.astype(bool))",
    "flat_arrays": "return _map(result, lambda a: a.ravel())",
    "scalar_arrays": "return _map(result, lambda a: a.sum())",
    "nested_lists": "return _map(result, lambda a: a.tolist())",
    "dicts_for_arrays": "return _map(result, lambda a: {'value': a})",
    "nan_everywhere": "return _map(result, lambda a: np.full(a.shape, np.nan), number=float('nan'))",
    "huge_numbers": "return _map(result, lambda a: np.full(a.shape, 1e308), number=10**400)",
    "deep_nesting": "return _deep(result)",
    "keys_renamed": "return _map(result, lambda a: a, key=lambda k: k + '_')",
    "text_numbers": "return _map(result, lambda a: a.astype(str), number='0.5')",
}

# name -> the body of `_forge(reply)`, which gives the bytes the worker sends instead of a reply
FORGED = {
    "reply_without_result": "return _frame({k: v for k, v in reply.items() if k != 'result'})",
    "error_report_forged": "return _frame({'error': ['x' * 10**6], 'phase': 'call'})",
    "frame_is_a_list": "return _frame(['result', 'running', 'imported'])",
    "deep_header": "return struct.pack('<QQ', 2 * 10**5, 0) + b'[' * 10**5 + b']' * 10**5",
    "handles_for_values": "return _frame({**reply, 'result': _w.Handle(0)})",
    "too_many_arrays": "return _frame({**reply, 'result': [np.zeros(1)] * 5000})",
    "huge_array": "return _frame({**reply, 'result': np.zeros(2**24)})",
}
# Frames are the same whatever the function: one of each kind of check and of each lane.
FORGED_GROUPS = {"layers.softmax", "layers.affine_forward", "rnn.rnn_forward", "rnn.rnn_backward",
                 "bidirectional.count_params", "architectures.many_to_one_loss", "keras_models.recurrent_layer"}

WRAPPER = '''

# --- wrong results at the boundary (tests/test_wrong_results.py) ---
import sys as _sys
import numpy as np


def _map(value, array, number=None, key=lambda k: k):
    if isinstance(value, np.ndarray):
        return array(value)
    if isinstance(value, tuple):
        return tuple(_map(v, array, number, key) for v in value)
    if isinstance(value, list):
        return [_map(v, array, number, key) for v in value]
    if isinstance(value, dict):
        return {key(k): _map(v, array, number, key) for k, v in value.items()}
    if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) and number is not None:
        return number
    return value


def _deep(value, depth=5000):
    for _ in range(depth):
        value = [value]
    return value


def _wrong(result):
    BODY


def _at_the_boundary(function):
    def wrapper(*args, **kwargs):
        result = function(*args, **kwargs)
        if _sys._getframe(1).f_globals.get("__name__", "").startswith("rnnlab"):
            return result  # a call from the package's own code
        return _wrong(result)
    return wrapper


for _name in NAMES:
    globals()[_name] = _at_the_boundary(globals()[_name])
'''


FORGER = '''

# --- forged frames (tests/test_wrong_results.py) ---
import json
import struct
import sys as _sys
import numpy as np

_w = _sys.modules.get("worker") or _sys.modules["__main__"]


def _frame(value):
    blobs = []
    header = json.dumps(_w._to_header(value, blobs)).encode()
    return (struct.pack("<QQ", len(header), len(blobs)) + header
            + b"".join(struct.pack("<Q", len(blob)) + blob for blob in blobs))


def _forge(reply):
    BODY


def _forging_write(stream, value, _write=_w.write_frame):
    if type(value) is dict and ("result" in value or "error" in value):
        stream.write(_forge(value))
        stream.flush()
    else:
        _write(stream, value)


if not getattr(_w, "forged", False):
    _w.forged, _w.write_frame = True, _forging_write
'''


def wrong_package(root, kind):
    folder = root / kind
    shutil.copytree(SOLUTIONS / "rnnlab", folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    for path in (folder / "rnnlab").glob("*.py"):
        names = [q.split(".")[1] for q in SIGNATURES if q.split(".")[0] == path.stem]
        if names and kind in KINDS:
            path.write_text(path.read_text() + WRAPPER.replace("BODY", KINDS[kind]).replace("NAMES", repr(names)))
        elif names:
            path.write_text(path.read_text() + FORGER.replace("BODY", FORGED[kind]))
    return folder


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("wrong")
    paths = [wrong_package(root, kind) for kind in [*KINDS, *FORGED]]
    groups = {path: FORGED_GROUPS for path in paths if path.name in FORGED}
    results = engine.grade_batch(paths, jobs=2, call_timeout=20, groups=groups)
    return {r["name"]: r for r in results}


@pytest.mark.parametrize("kind", [*KINDS, *FORGED])
def test_a_wrong_result_is_the_students_not_the_graders(graded, kind):
    result = graded[kind]
    assert result["output"] == f"{result['score']:g} / {result['max_score']:g} points"  # graded, no problem
    assert result["score"] < result["max_score"]
    internal = [(t["name"], t["output"]) for t in result["tests"] if "internal grader error" in t["output"]]
    assert not internal, internal[:5]
    assert "internal grader error" not in json.dumps(result)
