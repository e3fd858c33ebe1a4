"""Outputs equal the reference's on random inputs of several shapes and dtypes."""
from conftest import graded
from rnnlab_grader.grading.checks import charged_once, check_values
from tables import VALUES


@graded(VALUES, "values")
def test_values(student, case):
    charged_once(check_values, student, case)
