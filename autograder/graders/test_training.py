"""Short training runs: the student's loss and gradients train the model to a stated accuracy."""
import pytest

from rnnlab_grader.grading.checks import charged_once, check_training
from tables import TRAINING


@pytest.mark.parametrize("case", [
    pytest.param(case, id=case.name, marks=pytest.mark.grade(
        group=case.function, points=case.points, name=f"{case.name}: training run ({case.note})"))
    for case in TRAINING])
def test_training(student, case):
    charged_once(check_training, student, case)
