"""How the public tests are organised, and the report a notebook's `grader.check` shows.

Every test names the graded function it checks:

    @pytest.mark.function("rnn.rnn_step_forward")
    def test_step_forward_by_hand(): ...

and the tests of a session sit in its folder, so that

    pytest tests/session1                        runs Session 1's public tests
    pytest --function rnn.rnn_step_forward       runs those of one function (a comma-separated list
                                                 for several; the Keras ones included)
    pytest --function rnn.rnn_step_forward --check
                                                 reports as the notebook's grader.check does: the
                                                 failing tests first, each with its message

A question's grader.check cell runs exactly `pytest --function <its functions> --check`.

Every call a test makes of its own function is also held to the rules the hidden graders apply
(graded_function_rules): what it returns has the structure its docstring gives (RETURNS in
returns.py: how many values, which are arrays, how many axes each, and each axis' size where the
arguments' docstring axes give it: "(N, H) = (2, 3)"), said in the docstring's words
before any value is compared; a numpy error inside it is said with its line and the arguments'
shapes; float64 inputs give float64 results; and the functions in MUST_NOT_MODIFY leave their
array arguments (also those inside dicts, tuples and lists, caches included) as they found them.
"""
import functools
import importlib
import inspect
import os
import re
import traceback

import numpy as np
import pytest

from returns import RETURNS

SHOWN_IN_FULL = 3  # failing tests a check report shows whole; it names the others


def pytest_addoption(parser):
    group = parser.getgroup("rnnlab")
    group.addoption("--function", action="append", default=[], metavar="MODULE.NAME[,...]",
                    help="run only the public tests of these graded functions (Keras ones included)")
    group.addoption("--check", action="store_true",
                    help="report as grader.check does: failing tests first, plain text, no progress")


@pytest.hookimpl(trylast=True)  # after pytest's terminal reporter is set up, which --check removes
def pytest_configure(config):
    config.addinivalue_line("markers", "function(name): the graded function a public test checks")
    if config.getoption("--function"):
        config.option.markexpr = ""  # the functions' own tests, whatever `-m` pytest.ini adds
    if config.getoption("--check"):
        config.option.tbstyle = "short"
        terminal = config.pluginmanager.get_plugin("terminalreporter")
        if terminal is not None:
            config.pluginmanager.unregister(terminal)
        config.pluginmanager.register(CheckReport(functions_asked(config)), "rnnlab-check-report")


def functions_asked(config):
    """The functions --function names, in the order given."""
    names = (name.strip() for option in config.getoption("--function") for name in option.split(","))
    return list(dict.fromkeys(name for name in names if name))


def function_of(item):
    marker = item.get_closest_marker("function")
    return marker.args[0] if marker else None


def pytest_collection_modifyitems(config, items):
    asked = functions_asked(config)
    if not asked:
        return
    kept = [item for item in items if function_of(item) in asked]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.fixture(scope="module")
def keras():
    """Keras, imported by the tests that use it, not at collection: a plain `pytest` stays fast."""
    return pytest.importorskip("keras")


@pytest.fixture(scope="module")
def keras_models(keras):
    from rnnlab import keras_models
    return keras_models


# The functions whose inputs the hidden graders check after a call (the same list as theirs).
MUST_NOT_MODIFY = {
    "layers.softmax", "layers.softmax_cross_entropy", "layers.temporal_softmax_cross_entropy",
    "rnn.rnn_step_forward", "rnn.rnn_forward", "rnn.rnn_backward",
    "lstm.lstm_step_forward", "lstm.lstm_forward", "lstm.lstm_backward",
    "gru.gru_step_forward", "gru.gru_forward", "gru.gru_backward",
    "bidirectional.bidirectional_forward", "bidirectional.bidirectional_backward",
    "architectures.many_to_one_loss", "architectures.tagger_loss", "architectures.seq2seq_loss",
    "architectures.greedy_decode", "architectures.conv1d_forward", "architectures.conv1d_backward",
    "architectures.cnn_classifier_loss", "architectures.next_token_probs", "architectures.sample_from",
    "timeseries.make_windows", "timeseries.fit_scaler", "timeseries.prepare_forecasting", "timeseries.forecaster_loss",
}


@pytest.fixture(autouse=True)
def graded_function_rules(request, monkeypatch):
    """While a test runs, its function (in rnnlab/) is checked against the rules at every call."""
    name = function_of(request.node)
    if name is None or name.startswith("keras_models."):
        return
    module_name, function_name = name.split(".")
    module = importlib.import_module(f"rnnlab.{module_name}")
    monkeypatch.setattr(module, function_name, obeying_the_rules(name, getattr(module, function_name)))


def arrays_in(value, path=""):
    """(path, array) for every numpy array inside nested tuples, lists and dicts: the arrays the
    hidden graders compare before and after a call (their checks._arrays, which students cannot import)."""
    if isinstance(value, np.ndarray):
        yield path, value
    elif isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            yield from arrays_in(item, f"{path}[{i}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from arrays_in(item, f"{path}[{key!r}]")


def obeying_the_rules(name, function):
    signature = inspect.signature(function)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        __tracebackhide__ = True  # pytest: report a broken rule at the test's line
        arguments = signature.bind(*args, **kwargs).arguments
        before = {arg: [(path, array.copy()) for path, array in arrays_in(value)] for arg, value in arguments.items()}
        try:
            result = function(*args, **kwargs)
        except ValueError as error:  # numpy's words for shapes that do not fit, said in the student's
            raise AssertionError(shapes_that_do_not_fit(name, error, arguments)) from None
        check_returned(name, result, expected_shapes(function, arguments))
        if name in MUST_NOT_MODIFY:
            for arg, value in arguments.items():
                after = dict(arrays_in(value))
                for path, array in before[arg]:
                    if path not in after or after[path].shape != array.shape or not np.array_equal(after[path], array):
                        raise AssertionError(
                            f"{name} modified its argument {arg}{path} in place: the graders check that every "
                            f"input is left as it was. Work on a copy ({arg} = {arg}.copy()) or on new arrays.")
        floats = [array.dtype for arrays in before.values() for _, array in arrays if array.dtype.kind == "f"]
        if floats and all(dtype == np.float64 for dtype in floats):
            for position, output in enumerate(result if isinstance(result, tuple) else (result,)):
                results = [("", output)] if isinstance(output, np.ndarray) else (
                    list(arrays_in(output)) if isinstance(output, dict) else [])  # a tuple or list is a cache
                for path, array in results:
                    if array.dtype.kind == "f" and array.dtype != np.float64:
                        raise AssertionError(
                            f"{name}: its result number {position + 1}{path} is {array.dtype} for float64 inputs: "
                            f"keep float64 (an array made with dtype=np.float32 on the way, for example, loses it)")
        return result
    return checked


def _kind(value):
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, (tuple, list)):
        return f"a {type(value).__name__} of {len(value)}"
    return f"a {type(value).__name__}"


# An array's axes in its function's docstring: "        x: (N, T, D) input sequence."
DOCSTRING_AXES = re.compile(r"^\s+(\w+): \(([A-Z](?:, [A-Z])*)\)", re.MULTILINE)


def expected_shapes(function, arguments):
    """{result name: (its axes, its shape)}, for the results whose docstring axes are all sizes of the array
    arguments, read off them by their own docstring axes (a letter two arguments give different
    sizes is not read)."""
    documented_args, _, documented_returns = (function.__doc__ or "").partition("Returns:")
    sizes, clashing = {}, set()
    for arg, letters in DOCSTRING_AXES.findall(documented_args):
        value, letters = arguments.get(arg), letters.split(", ")
        if isinstance(value, np.ndarray) and value.ndim == len(letters):
            for letter, size in zip(letters, value.shape):
                if sizes.setdefault(letter, size) != size:
                    clashing.add(letter)
    known = {letter: size for letter, size in sizes.items() if letter not in clashing}
    return {result: ("".join(letters.split(", ")), tuple(known[letter] for letter in letters.split(", ")))
            for result, letters in DOCSTRING_AXES.findall(documented_returns)
            if all(letter in known for letter in letters.split(", "))}


def check_returned(name, result, shapes=None):
    """Fail, in the docstring's words, when a result has not the structure RETURNS gives `name`:
    the number of values, and for each array its number of axes, and its shape where `shapes`
    (expected_shapes) has it."""
    __tracebackhide__ = True
    shapes = shapes or {}
    function, expected = name.split(".")[1], [item.partition(":")[::2] for item in RETURNS[name].split()]
    names = ", ".join(result_name for result_name, _ in expected)
    if len(expected) > 1 and not isinstance(result, tuple):
        raise AssertionError(f"{function} returned {_kind(result)}; its docstring returns {len(expected)} values, "
                             f"({names}): return them as a tuple, `return {names}`")
    if len(expected) > 1 and len(result) != len(expected):
        raise AssertionError(f"{function} returned {len(result)} values; its docstring returns {len(expected)}, ({names})")
    for (result_name, axes), value in zip(expected, result if len(expected) > 1 else (result,)):
        if not axes:
            continue
        letters = ", ".join(axes)
        documented_axes, shape = shapes.get(result_name, (None, None))
        shape = shape if documented_axes == axes else None  # the docstring's axes must be RETURNS'
        said = f"({letters}) = {shape}" if shape else f"({letters})"  # "(N, H) = (2, 3)" here
        if not isinstance(value, np.ndarray):
            raise AssertionError(f"{function} returned {result_name} as {_kind(value)}; the docstring's {result_name} is "
                                 f"an array {said}: make it one (np.stack or np.array of a list, say)")
        if value.ndim != len(axes):
            if "T" in axes and value.ndim == len(axes) - 1:
                hint = " did you return only the last time step?"
            elif value.ndim > len(axes):
                hint = f" sum (or pick) over the axes {result_name} does not have"
            else:
                hint = " check which axes you kept"
            raise AssertionError(f"{function} returned {result_name} of shape {value.shape}, {_axes(value.ndim)}; the "
                                 f"docstring's {result_name} is {said}, {_axes(len(axes))}:{hint}")
        if shape and value.shape != shape:
            hint = " are two axes swapped (a transpose)?" if sorted(value.shape) == sorted(shape) else \
                " check which size each axis takes"
            raise AssertionError(f"{function} returned {result_name} of shape {value.shape}; the docstring's "
                                 f"{result_name} is {said}:{hint}")


def _axes(count):
    return f"{count} axis" if count == 1 else f"{count} axes"


def shapes_that_do_not_fit(name, error, arguments):
    """The sentence for a ValueError raised in the student's function: the line of rnnlab/ it was
    raised on, numpy's reason in short, and the shapes of the arguments."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f"{os.sep}rnnlab{os.sep}" in f.filename]
    where = f"rnnlab/{os.path.basename(frames[-1].filename)}:{frames[-1].lineno} `{frames[-1].line}`" if frames else "its code"
    text = str(error)
    sizes = re.search(r"size (\d+) is different from (\d+)", text)
    if "matmul" in text and sizes:
        left, right = int(sizes.group(2)), int(sizes.group(1))
        reason = (f"a matrix product whose inner sizes differ ({left} column{'s' * (left != 1)} on the left, "
                  f"{right} row{'s' * (right != 1)} on the right)")
    elif "could not be broadcast" in text:
        reason = f"arrays whose shapes do not broadcast ({text.split('shapes', 1)[-1].strip()})"
    else:
        reason = text.splitlines()[0][:200]
    shapes = ", ".join(f"{arg} {value.shape}" for arg, value in arguments.items() if isinstance(value, np.ndarray))
    return (f"{name.split('.')[1]} raised ValueError at {where}: {reason}. Its array arguments here: {shapes}; "
            f"the docstring gives the shape of each")


class CheckReport:
    """A plain-text report of a run, failing tests first: what a student reads under a check."""

    def __init__(self, functions):
        self.functions = ", ".join(functions) or "all functions"
        self.passed, self.failed = [], []  # (name, text)

    def pytest_collectreport(self, report):
        if report.failed:  # the test module did not even import: usually a syntax error in rnnlab/
            self.failed.append((f"collecting {report.nodeid}", report.longreprtext))

    def pytest_runtest_logreport(self, report):
        name = report.nodeid.split("::", 1)[-1]
        if report.failed:
            self.failed.append((name, report.longreprtext))
        elif report.when == "call" and report.passed:
            self.passed.append(name)

    def pytest_sessionfinish(self, session, exitstatus):
        print(self.text(), flush=True)

    def text(self):
        total = len(self.passed) + len(self.failed)
        if not total:
            return f"No public test checks {self.functions}."
        if not self.failed:
            return f"All {total} public tests of {self.functions} passed."
        lines = [f"{len(self.failed)} of {total} public tests of {self.functions} failed.", ""]
        for name, text in self.failed[:SHOWN_IN_FULL]:
            lines += [f"FAILED {name}", text.rstrip(), ""]
        rest = self.failed[SHOWN_IN_FULL:]
        if rest:
            lines += [f"... and {len(rest)} more failed: " + ", ".join(name for name, _ in rest), ""]
        if self.passed:
            lines.append("Passed: " + ", ".join(self.passed))
        return "\n".join(lines)
