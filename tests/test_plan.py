"""Core, stretch and given: each question's place in its session's plan (the master's config),
checked by the release, shown in the opening, counted apart in the gradebook; a core path done alone
earns every core point, whatever the stretch questions hold; a given question comes finished and
nothing grades it."""
import ast
import copy
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import partly_done
from rnnlab_grader import course
from rnnlab_grader.grading import engine
from rnnlab_grader.paths import SOLUTIONS, STUDENT
from rnnlab_grader.release import consistency
from rnnlab_grader.reports import gradebook

RNNLAB = str(Path(sys.executable).parent / "rnnlab")


@pytest.fixture(scope="module")
def sessions():
    return course.sessions()


def test_every_session_has_a_plan_its_opening_shows(sessions):
    assert consistency.plan_problems(sessions) == []
    for session in sessions:
        assert set(session["plan"]) == set(session["questions"])
        assert course.plan_table(session) in session["opening"]
    assert any(kind == "stretch" for session in sessions for kind, _ in session["plan"].values())


def test_each_question_of_a_student_notebook_says_its_place_in_the_plan(sessions):
    session = next(s for s in sessions if any(kind == "stretch" for kind, _ in s["plan"].values()))
    notebook = nbformat.read(STUDENT / f"{session['notebook']}.ipynb", as_version=4)
    headings = [cell.source.split("\n")[0] for cell in notebook.cells
                if cell.cell_type == "markdown" and cell.source.startswith("### Question")]
    assert len(headings) == len(session["plan"])
    for heading, (question, (kind, minutes)) in zip(headings, session["plan"].items()):
        assert question in heading and heading.endswith(f"({kind}, about {minutes} min)"), heading


def test_a_given_question_comes_finished_and_nothing_grades_it(sessions, tmp_path):
    given = course.given_groups(sessions)
    assert "rnn.unfold" in given and "layers.softmax" in given  # Session 1's, so that its core fits
    unmarked = {path.stem: "".join(line for line in path.read_text().splitlines(keepends=True) if "SOLUTION" not in line)
                for path in (SOLUTIONS / "rnnlab").glob("*.py")}
    for group in given:  # in the student's package as in the reference
        module, function = group.split(".")
        assert function_source(STUDENT / "rnnlab" / f"{module}.py", function) == function_source(unmarked[module], function)
    notebook = nbformat.read(STUDENT / "rnn_fundamentals.ipynb", as_version=4)
    assert any(cell.source.startswith("### Question 2: unfold (given: read and check, about ") for cell in notebook.cells)
    # `rnnlab grade` on the release as handed out: no test of a given function, nothing scored.
    shutil.copytree(STUDENT / "rnnlab", tmp_path / "as_handed_out" / "rnnlab")
    run = subprocess.run([RNNLAB, "grade", str(tmp_path / "as_handed_out"), "--out", str(tmp_path / "out")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads((tmp_path / "out" / "as_handed_out.json").read_text())
    assert result["score"] == 0 and result["tests"]
    assert not {test["extra_data"]["group"] for test in result["tests"]} & given
    header = (tmp_path / "out" / "gradebook.csv").read_text().splitlines()[0].split(",")
    assert "rnn.rnn_forward" in header and not set(header) & given


def function_source(source, name):
    """The text of function `name` in `source` (a path, or the text itself)."""
    text = source.read_text() if isinstance(source, Path) else source
    node = next(n for n in ast.parse(text).body if isinstance(n, ast.FunctionDef) and n.name == name)
    return ast.get_source_segment(text, node)


def test_a_plan_that_disagrees_is_named(sessions):
    def problems(edit):
        broken = copy.deepcopy(sessions)
        edit(broken[1])
        return " ".join(consistency.plan_problems(broken))
    assert "question lstm_backward has no `plan:` entry" in problems(lambda s: s["plan"].pop("lstm_backward"))
    assert "is not [core, minutes]" in problems(lambda s: s["plan"].update(lstm_backward=("optional", 40)))
    assert "is not [core, minutes]" in problems(lambda s: s["plan"].update(lstm_backward=("core", "40")))
    assert "`stretch_counts: sometimes`" in problems(lambda s: s.update(stretch_counts="sometimes"))
    # The config changed, the opening did not: the release prints the table to put there.
    said = problems(lambda s: s["plan"].update(lstm_backward=("core", 40)))
    assert "does not show the plan of its config" in said and "| `lstm_backward` | core | 40 min |" in said


def result_of(scores):
    """An engine result with one test a group: {group: (score, max_score)}."""
    tests = [{"name": f"{group}: values", "score": score, "max_score": most, "output": "",
              "extra_data": {"group": group}} for group, (score, most) in scores.items()]
    return {"name": "someone", "score": sum(s for s, _ in scores.values()), "output": "graded: points",
            "tests": tests, "max_score": sum(m for _, m in scores.values())}


@pytest.mark.parametrize("counts, max_score", [("bonus", 4), ("counted", 10)])
def test_the_gradebook_counts_stretch_points_apart(counts, max_score):
    plan = {"core_question": ("core", 5), "stretch_question": ("stretch", 9)}
    session = {"questions": {"core_question": ["m.core"], "stretch_question": ["m.stretch"]}, "plan": plan,
               "stretch_counts": counts}
    rows = list(csv.DictReader(io.StringIO(gradebook.gradebook_csv([result_of({"m.core": (3, 4), "m.stretch": (5, 6)})],
                                                                   [session]))))
    assert {k: rows[0][k] for k in ("core", "stretch", "total", "max_score")} == {
        "core": "3", "stretch": "5", "total": "8", "max_score": str(max_score)}


def test_a_core_path_done_alone_earns_every_core_point(sessions, tmp_path):
    # The reference with every stretch question's functions as the release's stubs.
    stretch = course.stretch_groups(sessions)
    folder = partly_done(tmp_path / "core_only", [g for session in sessions for g in session["groups"] if g not in stretch])
    assert "raise NotImplementedError" in (folder / "rnnlab" / "lstm.py").read_text()
    result = engine.grade_submission(folder)
    parts = course.core_and_stretch(engine.group_scores(result), sessions)
    assert parts["core"][0] == parts["core"][1] > 0, [t["name"] for t in result["tests"] if t["score"] < t["max_score"]][:5]
    assert parts["stretch"] == (0, parts["stretch"][1]) and parts["stretch"][1] > 0
    assert {group for group, (score, _) in engine.group_scores(result).items() if score == 0} == set(stretch)
