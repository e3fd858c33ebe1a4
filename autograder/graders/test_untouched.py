"""Functions do not modify their inputs in place."""
from conftest import graded
from rnnlab_grader.checks import charged_once, check_untouched
from tables import UNTOUCHED


@graded(UNTOUCHED, "inputs untouched")
def test_untouched(student, case):
    charged_once(check_untouched, student, case)
