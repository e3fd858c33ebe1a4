"""The public tests pass on the reference and every one of them fails on the stubs."""
import importlib.util
import re
import sys

from rnnlab_grader.paths import GRADERS, SOLUTIONS, STUDENT
from rnnlab_grader.release.build import _run_public_tests


def counts(run):
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed)", run.stdout)}


def test_public_tests_pass_on_the_reference():
    run = _run_public_tests(STUDENT, SOLUTIONS)
    assert run.returncode == 0, run.stdout
    assert counts(run).get("passed", 0) >= 15


def test_every_public_test_fails_on_the_stubs():
    run = _run_public_tests(STUDENT, STUDENT)
    assert counts(run).get("passed", 0) == 0, run.stdout
    assert "NotImplementedError" in run.stdout


def public_conftest():
    spec = importlib.util.spec_from_file_location("public_conftest", SOLUTIONS / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_public_tests_check_inputs_untouched_where_the_hidden_graders_do():
    sys.path.insert(0, str(GRADERS))
    import tables
    assert public_conftest().MUST_NOT_MODIFY == {case.function for case in tables.UNTOUCHED}
