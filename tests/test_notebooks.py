"""Every master notebook runs top to bottom with the reference package, without an error.

(The student notebooks, which otter generates, are run in tests/test_otter.py.)
"""
import nbformat
import yaml
import pytest
from nbclient import NotebookClient

from rnnlab_grader import engine
from rnnlab_grader.paths import ASSIGNMENTS, SOLUTIONS


@pytest.mark.parametrize("path", sorted(ASSIGNMENTS.glob("*.ipynb")), ids=lambda p: p.name)
def test_master_notebook_runs_with_the_reference(path, tmp_path, monkeypatch):
    # The kernel inherits this environment: `import rnnlab` finds the reference.
    monkeypatch.setenv("PYTHONPATH", str(SOLUTIONS))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors


def question_points(notebook):
    """question name -> points, from the master notebook's BEGIN QUESTION cells."""
    points = {}
    for cell in notebook.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            fields = dict(line.split(": ", 1) for line in cell.source.splitlines()[1:] if ": " in line)
            points[fields["name"]] = float(fields["points"])
    return points


def question_groups(notebook):
    config = yaml.safe_load(notebook.cells[0].source.removeprefix("# ASSIGNMENT CONFIG"))
    return next(iter(config["plugins"][0].values()))["questions"]


@pytest.mark.parametrize("path", sorted(ASSIGNMENTS.glob("*.ipynb")), ids=lambda p: p.name)
def test_each_question_is_worth_what_its_graders_give(path):
    notebook = nbformat.read(path, as_version=4)
    catalogue = engine.catalogue()
    expected = {question: sum(t["points"] for t in catalogue if t["group"] in groups)
                for question, groups in question_groups(notebook).items()}
    assert question_points(notebook) == expected
