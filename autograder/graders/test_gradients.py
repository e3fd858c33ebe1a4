"""Backward functions give the right gradients (the reference's, or those of the student's own forward)."""
from conftest import graded
from rnnlab_grader.grading.checks import charged_once, check_gradient
from tables import GRADIENTS


@graded(GRADIENTS, "gradients")
def test_gradients(student, variant, at_scale, case):
    charged_once(check_gradient, student, case.varied(variant))
    at_scale(case.function)  # and a backward pass, not numerical differentiation
