"""Every master notebook runs top to bottom with the reference package, without an error.

(The student notebooks, which otter generates, are run in tests/test_otter.py.)
"""
import nbformat
import pytest
from nbclient import NotebookClient

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
