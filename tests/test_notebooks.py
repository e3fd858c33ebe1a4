"""The master notebooks: every code cell reaches the student notebook, and questions are worth
what their graders give (the only place points are set).

The master notebooks hold no solution code (students write theirs in rnnlab/) and no test cells
(the release writes each question's check from its functions), so the student notebook otter
generates holds every code cell of its master. tests/test_otter.py runs each student notebook top to bottom
with the reference package and its checks; running the masters as well would repeat that.
"""
import ast
import re

import nbformat
import pytest

from rnnlab_grader.course import sessions
from rnnlab_grader.grading import engine
from rnnlab_grader.release import consistency
from rnnlab_grader.paths import ASSIGNMENTS, STUDENT

MASTERS = sorted(ASSIGNMENTS.glob("*.ipynb"))


def code_cells(notebook):
    return [cell.source.strip() for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_the_student_notebook_holds_every_code_cell_of_its_master(path):
    student_cells = code_cells(nbformat.read(STUDENT / path.name, as_version=4))
    master_cells = [c for c in code_cells(nbformat.read(path, as_version=4)) if not c.startswith("def test_")]
    assert master_cells and [c for c in master_cells if c not in student_cells] == []


@pytest.mark.parametrize("session", sessions(), ids=lambda s: s["notebook"])
def test_each_question_is_worth_what_its_graders_give(session):
    # The graders' cases are the one source of a question's points: the masters state none, and the
    # release writes them into each question's test file (otter's `points`).
    worth = consistency.question_points(engine.catalogue(), session["questions"])
    written = {question: ast.literal_eval(re.search(r"^points = (.+)$", (STUDENT / "tests" / f"{question}.py")
                                                    .read_text(), re.M).group(1)) for question in worth}
    assert session["stated_points"] == {} and written == worth and all(worth.values())


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.name)
def test_no_student_notebook_cell_defines_a_test(path):
    # A question's tests become its grader.check cell; a test defined anywhere else would reach the
    # student as a stray code cell (Session 2 had eleven, copies of its questions' tests).
    cells = code_cells(nbformat.read(STUDENT / path.name, as_version=4))
    assert [cell[:80] for cell in cells if re.search(r"^\s*def test_", cell, re.M)] == []
