"""A pytest plugin that turns a run of the hidden graders into per-test results.

Loaded with `-p rnnlab_grader.grading.plugin`. It provides the `student` fixture (the submission,
reachable only through a worker process) and the `variant` fixture (which hidden inputs this
grading meets: see variants.py), and writes one JSON list of outcomes:

    [{"id", "name", "group", "points", "passed", "output", "diagnosis"}, ...]

where "diagnosis" (failed tests only) lists the known mistakes that explain the failure,
[{"id", "title"}, ...] (see diagnose.py).

Every grader test carries `@pytest.mark.grade(group=..., points=..., name=...)`. With
`--collect-only` the list is the catalogue of tests, with `passed` null. As each test ends, its
outcome is also appended to `<results>.partial` (one JSON line a test), so that a grading stopped
at its time limit keeps the tests it finished (engine.grade_submission reads them).
"""
import json
from pathlib import Path

import pytest

from . import variants
from .checks import GradingFailure
from ..contract import signature
from ..isolation import CALL_TIMEOUT_S, StudentCode, isolation, use_control_group, worker_uids


def pytest_addoption(parser):
    group = parser.getgroup("rnnlab")
    group.addoption("--rnnlab-submission", help="folder holding the submission's rnnlab/")
    group.addoption("--rnnlab-results", help="where to write the outcomes as JSON")
    group.addoption("--rnnlab-call-timeout", type=float, default=CALL_TIMEOUT_S,
                    help="seconds one call of student code may take")
    group.addoption("--rnnlab-secret", default=str(variants.SECRET),
                    help="the file of the secret that decides, with the submission, its hidden inputs")
    group.addoption("--rnnlab-groups", help="grade only these test groups (comma-separated functions)")
    group.addoption("--rnnlab-zygote", action="append", default=[], metavar="LANE=ADDRESS",
                    help="the address of the batch's zygote of a lane (numpy, keras), which forks its workers")
    group.addoption("--rnnlab-model-cache", help="the batch's folder of rebuilt Keras models' summaries")
    group.addoption("--rnnlab-control-group", action="append", default=[], metavar="CGROUP_PROCS",
                    help="a cgroup.procs file of the grading's control group, which every worker joins")


def pytest_configure(config):
    config.addinivalue_line("markers", "grade(group, points, name): how a grader test scores")
    config._rnnlab_outcomes = {}


@pytest.fixture(scope="session")
def student(request):
    submission = request.config.getoption("--rnnlab-submission")
    if not submission:
        pytest.fail("run the graders with --rnnlab-submission FOLDER")
    use_control_group(request.config.getoption("--rnnlab-control-group"))
    with StudentCode(submission, timeout=request.config.getoption("--rnnlab-call-timeout"),
                     zygotes=dict(z.split("=", 1) for z in request.config.getoption("--rnnlab-zygote")),
                     model_cache=request.config.getoption("--rnnlab-model-cache")) as code:
        _tell_worker_uids(request.config)  # before any worker starts
        if any(_tests_keras(item) for item in request.session.items):
            code.start_keras()  # TensorFlow's import then overlaps the numpy tests, which go first
        yield code


@pytest.fixture(scope="session")
def variant(request):
    """Which hidden inputs this grading meets: the submission's own, under the secret."""
    secret = variants.secret(request.config.getoption("--rnnlab-secret"))
    return variants.variant_of(secret, Path(request.config.getoption("--rnnlab-submission") or ".") / "rnnlab")


def _tests_keras(item):
    """Whether the test grades a function that returns a Keras object."""
    return signature(_grade_mark(item)["group"]).keras


def _grade_mark(item):
    mark = item.get_closest_marker("grade")
    if mark is None:
        raise pytest.UsageError(f"grader test {item.nodeid} has no @pytest.mark.grade")
    return mark.kwargs


def pytest_collection_modifyitems(session, config, items):
    groups = config.getoption("--rnnlab-groups")
    if groups:
        keep = set(groups.split(","))
        deselected = [item for item in items if _grade_mark(item)["group"] not in keep]
        items[:] = [item for item in items if item not in deselected]
        config.hook.pytest_deselected(items=deselected)
    items.sort(key=_tests_keras)  # last, while the Keras worker imports TensorFlow (a stable sort)
    for item in items:
        mark = _grade_mark(item)
        config._rnnlab_outcomes[item.nodeid] = {
            "id": item.nodeid, "name": mark["name"], "group": mark["group"],
            "points": mark["points"], "passed": None, "output": ""}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    report = (yield).get_result()
    outcome = item.config._rnnlab_outcomes[item.nodeid]
    if report.failed:  # in set-up, the test itself, or tear-down
        failure = call.excinfo and call.excinfo.value
        if isinstance(failure, GradingFailure):
            failure.settle()  # the test failed: now name the known mistakes that explain it
        outcome["passed"], outcome["output"] = False, _feedback(call.excinfo)
        outcome["diagnosis"] = list(getattr(failure, "diagnosis", ()))
    elif report.when == "call" and outcome["passed"] is None:
        outcome["passed"] = True
    if report.when == "teardown":
        _keep_finished(item.config, outcome)


def _keep_finished(config, outcome):
    """Append a finished test's outcome to the results' partial file, a whole line at once."""
    path = config.getoption("--rnnlab-results")
    if path:
        with open(f"{path}.partial", "a") as partial:
            partial.write(json.dumps(outcome) + "\n")


def _tell_worker_uids(config):
    """Keep the worker uids this grading holds in a file beside the results, before any worker
    starts: if the grading is killed (the engine's time limit), the engine kills their processes."""
    path = config.getoption("--rnnlab-results")
    if path:
        Path(path).with_name("worker_uids.json").write_text(json.dumps(worker_uids()))


TEST_FEEDBACK_CHARS = 4000  # of one test's feedback: what a student's values put in it stays bounded


def _feedback(excinfo):
    if excinfo is None:
        return "failed"
    if isinstance(excinfo.value, GradingFailure):
        text = str(excinfo.value)
    else:  # anything else is a defect of the grader, not the student's: say so plainly
        text = f"internal grader error: {excinfo.type.__name__}: {excinfo.value}"
    return text if len(text) <= TEST_FEEDBACK_CHARS else text[:TEST_FEEDBACK_CHARS] + " [... cut]"


def pytest_sessionfinish(session):
    path = session.config.getoption("--rnnlab-results")
    if path:
        outcomes = list(session.config._rnnlab_outcomes.values())
        Path(path).write_text(json.dumps(outcomes, indent=1))
        Path(path).with_name("isolation.txt").write_text(isolation())  # how its workers ran: see sandbox
