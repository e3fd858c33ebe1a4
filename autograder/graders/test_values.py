"""Outputs equal the reference's on random inputs of several shapes and dtypes."""
from conftest import graded
from rnnlab_grader.grading.checks import GradingFailure, charged_once, check_values
from tables import VALUES


@graded(VALUES, "values")
def test_values(student, variant, at_scale, case):
    charged_once(check_values, student, case.varied(variant))
    if case.fixed_answer:
        answer_depends_on_inputs(student, variant, case)
    at_scale(case.function)  # a loss's gradient by a backward pass, not numerical differentiation


def answer_depends_on_inputs(student, variant, case):
    """A case whose answer is fixed counts once the function's first case whose answer is not is right."""
    other = next(c for c in VALUES if c.function == case.function and not c.fixed_answer)
    try:
        charged_once(check_values, student, other.varied(variant))
    except GradingFailure:
        raise GradingFailure(f"{case.name}: this case's right answer is the same whatever the input, so it "
                             f"is credited once a case whose answer depends on the input is right "
                             f"({other.label})") from None
