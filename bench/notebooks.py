"""How long each student notebook takes top to bottom with the reference package (a script, not a test).

    .venv/bin/python bench/notebooks.py

Runs each notebook of the release in a Jupyter kernel (nbclient), in a copy of student/ whose
rnnlab/ is the reference, and prints its wall time against the target, 90 s on this machine (issue
#33), with its slowest cells (the measure of a "this takes about N" sentence).
"""
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from machine import describe
from rnnlab_grader.course import sessions
from rnnlab_grader.paths import SOLUTIONS, STUDENT

TARGET_SECONDS = 90


def cell_seconds(cell):
    """How long a cell ran, from the times nbclient records in its metadata."""
    timing = cell.metadata.get("execution", {})
    if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
        return 0.0
    started, ended = (datetime.fromisoformat(timing[k].replace("Z", "+00:00"))
                      for k in ("iopub.execute_input", "shell.execute_reply"))
    return (ended - started).total_seconds()


def run_time(notebook_name, folder):
    """Seconds to execute `notebook_name` in `folder`, the errors its cells raised, and its three
    slowest cells as (seconds, index, first line)."""
    notebook = nbformat.read(folder / f"{notebook_name}.ipynb", as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o.ename for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    slowest = sorted(((cell_seconds(cell), index, cell.source.split("\n")[0][:50])
                      for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"), reverse=True)[:3]
    return time.perf_counter() - started, errors, slowest


def main():
    print(f"machine: {describe(('numpy', 'keras', 'nbclient'))}")
    print(f"{'notebook':<28} {'seconds':>8}  target")
    with tempfile.TemporaryDirectory(prefix="rnnlab-notebooks-") as tmp:
        folder = Path(tmp) / "student"
        shutil.copytree(STUDENT, folder, ignore=shutil.ignore_patterns("rnnlab", "__pycache__"))
        shutil.copytree(SOLUTIONS / "rnnlab", folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
        for session in sessions():
            seconds, errors, slowest = run_time(session["notebook"], folder)
            note = f"  errors: {errors}" if errors else ""
            print(f"{session['notebook']:<28} {seconds:>8.1f}  < {TARGET_SECONDS}{note}")
            for cell_time, index, first_line in slowest:
                print(f"    cell {index:3d} {cell_time:6.1f} s  {first_line}")


if __name__ == "__main__":
    main()
