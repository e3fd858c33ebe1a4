"""Shared helpers of the hidden graders."""
import pytest

from rnnlab_grader.grading.checks import GradingFailure, charged_once, check_at_scale
from tables import AT_SCALE


def graded(cases, kind):
    """Parametrize a generic test body over declared cases, each marked with its points."""
    return pytest.mark.parametrize("case", [
        pytest.param(case, id=f"{case.name}[{case.label}]",
                     marks=pytest.mark.grade(group=case.function, points=case.points,
                                             name=f"{case.name}: {kind} ({case.label})"))
        for case in cases])


@pytest.fixture(scope="session")
def at_scale(student, variant):
    """`at_scale(function)` fails as that function's check at scale (tables.AT_SCALE) failed, if it
    did: run once a grading, when a test of the function first asks, and asked only by tests whose
    own check passed (a stub's tests say what they say). A function with no such case passes."""
    failures = {}

    def require(function):
        if function not in failures:
            failures[function] = None
            for case in [c for c in AT_SCALE if c.function == function]:
                try:
                    charged_once(check_at_scale, student, case.varied(variant))
                except GradingFailure as failure:
                    failures[function] = str(failure)
        if failures[function]:
            raise GradingFailure(failures[function])
    return require
