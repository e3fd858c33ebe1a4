"""A result of the wrong type, length or shape is said in the docstring's words, by every public test.

Each public test's own function is made to return a wrong structure (a pytest plugin wraps it, as
the test starts, beneath the public tests' own rules), one kind at a time, over the whole public
suite: a list where the docstring returns a tuple or an array, one value fewer, an array with an
axis missing. Every test whose function can go wrong that way must fail with the sentence that
names the function and what its docstring says, never with Python's or numpy's raw words, nor a
pytest diff that asks for -v. And a numpy error inside the function names its line.
"""
import inspect
import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree

import pytest

import public_suite
from conftest import make_submission
from rnnlab_grader.paths import SOLUTIONS

sys.path.insert(0, str(SOLUTIONS / "tests"))
from returns import RETURNS  # noqa: E402  (the public tests' table of what each function returns)

# Wraps each test's own function (its @pytest.mark.function) so that it returns a wrong structure.
PLUGIN = '''
import importlib, os
import numpy as np
import pytest
from returns import RETURNS

KIND = os.environ["WRONG_KIND"]
APPLIES


def wrong(result):
    values = result if isinstance(result, tuple) else (result,)
    if KIND == "a list":
        return list(values) if isinstance(result, tuple) else result.tolist()
    if KIND == "one value fewer":
        return values[:-1]
    first = next(i for i, v in enumerate(values) if isinstance(v, np.ndarray) and v.ndim)
    dropped = values[:first] + (values[first][..., 0],) + values[first + 1:]
    return dropped if isinstance(result, tuple) else dropped[0]


@pytest.fixture(autouse=True)
def wrong_results(request, monkeypatch):
    marker = request.node.get_closest_marker("function")
    if marker is None or marker.args[0].startswith("keras_models.") or not applies(KIND, RETURNS[marker.args[0]]):
        return
    module_name, name = marker.args[0].split(".")
    module = importlib.import_module(f"rnnlab.{module_name}")
    right = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *args, **kwargs: wrong(right(*args, **kwargs)))
'''


def applies(kind, returns):
    """Whether a function returning `returns` ("h:NTH cache") can go wrong in this kind."""
    items = [item.partition(":") for item in returns.split()]
    if kind == "a list":
        return len(items) > 1 or bool(items[0][2])
    if kind == "one value fewer":
        return len(items) > 1
    return any(axes for _, _, axes in items)


SENTENCES = {"a list": ("returned a list", "as a list"), "one value fewer": ("values; its docstring returns",),
             "an axis missing": ("; the docstring's",)}


def failures(kind, root):
    """{test node id: (its function, its failure text)} of the public suite with results gone wrong."""
    release = root / kind.replace(" ", "_")
    report = release / "report.xml"
    run = public_suite.run_with_plugin(release, PLUGIN.replace("APPLIES", inspect.getsource(applies)),
                                       env={"WRONG_KIND": kind}, options=[f"--junitxml={report}"])
    assert report.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    found = {}
    for case in ElementTree.parse(report).iter("testcase"):
        failure = case.find("failure")
        if failure is not None:
            found[f"{case.get('classname')}::{case.get('name')}"] = failure.get("message", "") + (failure.text or "")
    return found, run.stdout


def marked_functions():
    """{test node id as junit names it: its function}, read from the public tests' marks."""
    marks = {}
    for path in sorted((SOLUTIONS / "tests").rglob("test_*.py")):
        module = ".".join(path.relative_to(SOLUTIONS).with_suffix("").parts)
        for function, test in re.findall(r'@pytest\.mark\.function\("([\w.]+)"\)\n(?:@.*\n)*def (test_\w+)', path.read_text()):
            marks[f"{module}::{test}"] = function
    return marks


@pytest.mark.parametrize("kind", list(SENTENCES))
def test_a_wrong_structure_is_said_in_the_docstrings_words(kind, tmp_path):
    found, stdout = failures(kind, tmp_path)
    marks = marked_functions()
    expected = {node: function for node, function in marks.items() if function in RETURNS
                and not function.startswith("keras_models.") and applies(kind, RETURNS[function])}
    failed = {node.split("[")[0]: text for node, text in found.items()}
    unsaid = [node for node in expected if node in failed and not any(s in failed[node] for s in SENTENCES[kind])]
    passed = [node for node in expected if node not in failed]
    assert len(expected) > 50 and unsaid == [] and passed == [], (unsaid[:5], passed[:5])
    assert "Use -v" not in stdout


def check_run(tmp_path, name, file, find, replace, function):
    """`pytest --function <function> --check` on the reference with one find/replace patch."""
    submission = make_submission(tmp_path, name, file, find, replace)  # it holds rnnlab/
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--function", function,
                           "--check", "-o", f"pythonpath={submission}", str(SOLUTIONS / "tests")],
                          capture_output=True, text=True, cwd=SOLUTIONS)


def test_a_numpy_error_names_the_students_line(tmp_path):
    run = check_run(tmp_path, "matmul", "rnn.py", "np.tanh(x @ Wx + h_prev @ Wh + b)", "np.tanh(x @ Wx.T + h_prev @ Wh + b)",
                    "rnn.rnn_step_forward")
    assert run.returncode == 1
    assert "rnn_step_forward raised ValueError at rnnlab/rnn.py:" in run.stdout
    assert "`h_next = np.tanh(x @ Wx.T + h_prev @ Wh + b)`: a matrix product whose inner sizes differ" in run.stdout
    assert "Its array arguments here: x (1, 2)" in run.stdout and "gufunc" not in run.stdout

def test_a_wrong_shape_is_said_with_the_sizes_the_arguments_give(tmp_path):
    # A transposed state, and a forward that returns only its last state: the docstring's axes with
    # the sizes this call's arguments give them, and what the shape suggests.
    transposed = check_run(tmp_path, "transposed", "rnn.py", "    return h_next, cache\n",
                           "    return h_next.T, cache\n", "rnn.rnn_step_forward")
    said = re.search(r"rnn_step_forward returned h_next of shape \((\d+), (\d+)\); the docstring's h_next is "
                     r"\(N, H\) = \((\d+), (\d+)\): are two axes swapped \(a transpose\)\?", transposed.stdout)
    assert transposed.returncode == 1 and said, transposed.stdout[-2000:]
    assert said.group(1, 2) == said.group(4, 3) and said.group(1) != said.group(2)
    last = check_run(tmp_path, "last", "rnn.py", "    return h, step_caches\n", "    return _, step_caches\n",
                     "rnn.rnn_forward")
    assert last.returncode == 1
    assert re.search(r"rnn_forward returned h of shape \(\d+, \d+\), 2 axes; the docstring's h is "
                     r"\(N, T, H\) = \(\d+, \d+, \d+\), 3 axes: did you return only the last time step\?",
                     last.stdout), last.stdout[-2000:]
