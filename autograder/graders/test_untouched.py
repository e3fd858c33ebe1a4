"""Inputs are never modified in place: the grader's arrays are as it passed them after the call."""
from conftest import graded
from rnnlab_grader.grading.checks import charged_once, check_untouched
from tables import UNTOUCHED


@graded(UNTOUCHED, "inputs untouched")
def test_untouched(student, variant, at_scale, case):
    # A call that fails because a helper is broken is forgiven; a write into an argument is not.
    charged_once(check_untouched, student, case.varied(variant))
    at_scale(case.function)  # and a backward pass, not numerical differentiation
