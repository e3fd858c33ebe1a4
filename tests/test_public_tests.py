"""The public tests pass on the reference and every one of them fails on the stubs."""
import re

from every_stub import every_function_a_stub
from rnnlab_grader import course
from rnnlab_grader.paths import SOLUTIONS, STUDENT
from rnnlab_grader.release import consistency
from rnnlab_grader.release.build import _run_public_tests


def counts(run):
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed)", run.stdout)}


def test_public_tests_pass_on_the_reference():
    run = _run_public_tests(STUDENT, SOLUTIONS)
    assert run.returncode == 0, run.stdout
    assert counts(run).get("passed", 0) >= 15


def test_every_public_test_fails_on_the_stubs(tmp_path):
    # Every function a stub, the given ones too: their public tests must be able to fail as well.
    every_function_a_stub(tmp_path / "rnnlab")
    run = _run_public_tests(STUDENT, tmp_path)
    assert counts(run).get("passed", 0) == 0, run.stdout
    assert "NotImplementedError" in run.stdout


def test_as_handed_out_only_the_given_functions_public_tests_pass():
    sessions = course.sessions()
    graded = _run_public_tests(STUDENT, STUDENT, course.graded_groups(sessions))
    given = _run_public_tests(STUDENT, STUDENT, sorted(course.given_groups(sessions)))
    assert counts(graded).get("passed", 0) == 0 and counts(graded)["failed"] > 100, graded.stdout
    assert given.returncode == 0 and counts(given)["passed"] > 10, given.stdout


def test_the_public_tests_check_inputs_untouched_where_the_hidden_graders_do():
    # What the release checks (release/consistency.py).
    untouched = consistency.untouched_functions()
    assert len(untouched) > 10 and consistency.untouched_problems(SOLUTIONS, untouched) == []
