"""Shared helpers of the hidden graders."""
import pytest


def graded(cases, kind):
    """Parametrize a generic test body over declared cases, each marked with its points."""
    return pytest.mark.parametrize("case", [
        pytest.param(case, id=f"{case.name}[{case.label}]",
                     marks=pytest.mark.grade(group=case.function, points=case.points,
                                             name=f"{case.name}: {kind} ({case.label})"))
        for case in cases])
