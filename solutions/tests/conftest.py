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
"""
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
