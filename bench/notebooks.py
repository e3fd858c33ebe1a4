"""How long each student notebook takes top to bottom with the reference package (a script, not a test).

    .venv/bin/python bench/notebooks.py

Runs each notebook of the release in a Jupyter kernel (nbclient), in a copy of student/ whose
rnnlab/ is the reference, and prints its wall time against the target: under two minutes on a
laptop CPU (the course's budget for a notebook; issue #23).
"""
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from machine import describe
from rnnlab_grader.course import sessions
from rnnlab_grader.paths import SOLUTIONS, STUDENT

TARGET_SECONDS = 120


def run_time(notebook_name, folder):
    """Seconds to execute `notebook_name` in `folder`, and the errors its cells raised."""
    notebook = nbformat.read(folder / f"{notebook_name}.ipynb", as_version=4)
    started = time.perf_counter()
    NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(folder)}}).execute()
    errors = [o.ename for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    return time.perf_counter() - started, errors


def main():
    print(f"machine: {describe(('numpy', 'keras', 'nbclient'))}")
    print(f"{'notebook':<28} {'seconds':>8}  target")
    with tempfile.TemporaryDirectory(prefix="rnnlab-notebooks-") as tmp:
        folder = Path(tmp) / "student"
        shutil.copytree(STUDENT, folder, ignore=shutil.ignore_patterns("rnnlab", "__pycache__"))
        shutil.copytree(SOLUTIONS / "rnnlab", folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
        for session in sessions():
            seconds, errors = run_time(session["notebook"], folder)
            note = f"  errors: {errors}" if errors else ""
            print(f"{session['notebook']:<28} {seconds:>8.1f}  < {TARGET_SECONDS}{note}")


if __name__ == "__main__":
    main()
