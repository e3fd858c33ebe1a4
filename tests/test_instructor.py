"""An instructor adds an exercise by following docs/instructors.md, in a copy of the repository.

The guide's worked example, step by step, with the commands it gives (run as `python -m
rnnlab_grader.cli` with the copy's package first on the path: the copy has no .venv of its own):
scaffold `layers.relu`, write its placeholders, check it alone, prove its mistake, release, grade
the reference, the stubs and the mistake, render the report.
"""
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from rnnlab_grader import course as course_module
from rnnlab_grader.grading import engine
from rnnlab_grader.paths import REPO

# The guide's placeholders, written as the guide writes them: (file, placeholder text, what goes there).
FILLED = [
    ("solutions/rnnlab/layers.py", "TODO(scaffold): one line saying what relu computes.",
     "The rectified linear unit, elementwise."),
    ("solutions/rnnlab/layers.py", "TODO(scaffold): the maths, in the notebook's notation.", "relu(x) = max(x, 0)"),
    ("solutions/rnnlab/layers.py", "x: (N, H) array. TODO(scaffold): what it holds.",
     "x: (N, H) array of pre-activations."),
    ("solutions/rnnlab/layers.py", "out: (N, H) array. TODO(scaffold): what it holds.",
     "out: (N, H) array, x where x > 0 and 0 elsewhere."),
    ("solutions/rnnlab/layers.py",
     'raise NotImplementedError("TODO(scaffold): the reference of layers.relu, written here")',
     "return np.maximum(x, 0)"),
    ("solutions/tests/session1/test_layers.py",
     "x = np.arange(2 * 3, dtype=float).reshape(2, 3) - 2.5  # TODO(scaffold): a case to work out by hand",
     "x = np.array([[-1.0, 0.5, 2.0], [3.0, -0.25, 0.0]])"),
    ("solutions/tests/session1/test_layers.py",
     "expected = None  # TODO(scaffold): the answer, worked out by hand (every size different: N=2 H=3)",
     "expected = np.array([[0.0, 0.5, 2.0], [3.0, 0.0, 0.0]])"),
    ("assignments/rnn_fundamentals.ipynb", "TODO(scaffold): why it matters here.", "Deep feed-forward layers use it."),
    ("assignments/rnn_fundamentals.ipynb", "- TODO(scaffold)", "- 7"),  # its minutes in the session's plan
    ("autograder/mutants/layers.toml", "TODO(scaffold): a mistake students make in relu",
     "relu with np.max, a maximum over the batch, for np.maximum"),
    ("autograder/mutants/layers.toml",
     "TODO(scaffold): what the student is told when their relu gives what this mistake gives.",
     "Your relu takes the maximum over the batch (np.max), not against 0 elementwise: use np.maximum(x, 0)."),
    ("autograder/mutants/layers.toml", "TODO(scaffold): a line of the reference's relu", "return np.maximum(x, 0)"),
    ("autograder/mutants/layers.toml", "TODO(scaffold): that line, with the mistake", "return np.max(x, 0)"),
]


def repository_copy(target):
    """The repository's files as a clone has them (tracked, and new ones not ignored), no .venv."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    return target


def rnnlab(course, *arguments):
    env = {**os.environ, "PYTHONPATH": str(course / "autograder")}
    return subprocess.run([sys.executable, "-m", "rnnlab_grader.cli", *arguments], cwd=course, env=env,
                          capture_output=True, text=True)


def written(course, name, old, new):
    path = course / name
    text = path.read_text()
    assert text.count(old) == 1, f"the scaffold's {old!r} is not once in {name}"
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return repository_copy(tmp_path_factory.mktemp("course"))


def test_an_exercise_added_as_the_guide_says(course, tmp_path):
    run = rnnlab(course, "scaffold", "layers.relu", "--session", "1", "--question", "relu",
                 "--args", "x:NH", "--returns", "out:NH")
    assert run.returncode == 0, run.stderr
    refused = rnnlab(course, "release", "--check", "--function", "layers.relu")
    assert refused.returncode == 1 and "13 placeholders of `rnnlab scaffold`" in refused.stderr, refused.stderr

    for name, old, new in FILLED:
        written(course, name, old, new)
    # The plan changed: the release prints the opening's new table, which goes in place of the old one.
    refused = rnnlab(course, "release", "--check", "--function", "layers.relu")
    assert refused.returncode == 1 and "does not show the plan of its config" in refused.stderr, refused.stderr
    session = course_module.sessions(course / "assignments")[0]
    assert "| `relu` | core | 7 min |" in refused.stderr and course_module.plan_table(session) in refused.stderr
    master = nbformat.read(course / "assignments" / "rnn_fundamentals.ipynb", as_version=4)
    opening = next(cell for cell in master.cells if cell.cell_type == "markdown")
    opening.source = opening.source[:opening.source.index("| question | path | about |")] + course_module.plan_table(session)
    nbformat.write(master, course / "assignments" / "rnn_fundamentals.ipynb")
    checked = rnnlab(course, "release", "--check", "--function", "layers.relu")
    assert checked.returncode == 0, checked.stderr
    assert "reference: 3 / 3" in checked.stderr and "stubs: 0 / 3" in checked.stderr
    proven = rnnlab(course, "mutants", "--only", "relu_mistake")
    assert proven.returncode == 0 and "1/1 mutants killed" in proven.stdout, proven.stdout + proven.stderr
    released = rnnlab(course, "release")
    assert released.returncode == 0, released.stderr
    stub = (course / "student" / "rnnlab" / "layers.py").read_text()
    assert "def relu(x):" in stub and 'raise NotImplementedError("relu")' in stub and "np.maximum" not in stub
    assert "points = 3\n" in (course / "student" / "tests" / "relu.py").read_text()

    submissions = tmp_path / "submissions"
    shutil.copytree(course / "solutions" / "rnnlab", submissions / "reference" / "rnnlab")
    shutil.copytree(course / "student" / "rnnlab", submissions / "stubs" / "rnnlab")
    shutil.copytree(course / "solutions" / "rnnlab", submissions / "mistake" / "rnnlab")
    written(submissions, "mistake/rnnlab/layers.py", "return np.maximum(x, 0)", "return np.max(x, 0)")
    graded = rnnlab(course, "grade", *map(str, sorted(submissions.iterdir())), "--out", str(tmp_path / "grades"),
                    "-j", "2")
    assert graded.returncode == 0, graded.stderr
    results = {name: json.loads((tmp_path / "grades" / f"{name}.json").read_text())
               for name in ("reference", "stubs", "mistake")}
    lost = {name: {group for group, (score, top) in engine.group_scores(result).items() if score < top}
            for name, result in results.items()}
    assert lost["reference"] == set() and "layers.relu" in engine.group_scores(results["reference"])
    assert results["stubs"]["score"] == 0
    assert lost["mistake"] == {"layers.relu"}
    reported = rnnlab(course, "report", str(tmp_path / "grades"))
    assert reported.returncode == 0 and (tmp_path / "grades" / "report.html").stat().st_size > 10_000, reported.stderr
