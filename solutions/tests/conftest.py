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

Every call a test makes of its own function is also held to two rules the hidden graders apply
(graded_function_rules): float64 inputs give float64 results, and the functions in
MUST_NOT_MODIFY leave their array arguments (also those inside dicts, tuples and lists, caches
included) as they found them.
"""
import functools
import importlib
import inspect

import numpy as np
import pytest

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
        result = function(*args, **kwargs)
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
