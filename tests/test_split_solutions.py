"""Stubs are made from the reference by replacing solution regions."""
import pytest

from rnnlab_grader.release.build import ReleaseError, split_solutions

SOURCE = '''def area(r):
    """pi r^2"""
    # BEGIN SOLUTION
    import math
    return math.pi * r ** 2
    # END SOLUTION


def helper():
    return 1
'''


def test_region_becomes_todo_naming_the_function():
    stub, solution = split_solutions(SOURCE)
    assert '    # TODO: implement area (see the docstring).\n    raise NotImplementedError("area")\n' in stub
    assert "math.pi" not in stub
    assert [line.strip() for line in solution] == ["import math", "return math.pi * r ** 2"]


def test_code_outside_regions_is_kept_as_is():
    stub, _ = split_solutions(SOURCE)
    assert '    """pi r^2"""' in stub
    assert "def helper():\n    return 1\n" in stub


@pytest.mark.parametrize("broken", [
    "# BEGIN SOLUTION\nx = 1\n",
    "x = 1\n# END SOLUTION\n",
    "# BEGIN SOLUTION\n# BEGIN SOLUTION\n# END SOLUTION\n",
])
def test_unbalanced_markers_are_refused(broken):
    with pytest.raises(ReleaseError):
        split_solutions(broken)
