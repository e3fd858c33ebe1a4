"""No false fails: correct code written differently from the reference scores full marks.

Each `tests/alternatives/<module>/<style>.py` is a complete, correct replacement for
`rnnlab/<module>.py`, written in another style than the reference (explicit loops, einsum,
other caches, float64 inside, other Keras constructions ...; its docstring says how). A
submission is the reference package with that one module replaced; all of them are graded
once, in one batch, on the tests a change of that module can reach (dependencies.py), and each
must score full marks.
"""
import ast
import shutil
from pathlib import Path

import pytest

import local_student
from rnnlab_grader.grading import dependencies, engine
from rnnlab_grader.paths import SOLUTIONS

ALTERNATIVES = Path(__file__).resolve().parent / "alternatives"
FILES = sorted(ALTERNATIVES.glob("*/*.py"))
MARKER = "# BEGIN SOLUTION"


def alternative_id(path):
    return f"{path.parent.name}/{path.stem}"


def graded_modules():
    """The modules of the reference package that hold a solution region."""
    return sorted(p.stem for p in (SOLUTIONS / "rnnlab").glob("*.py") if MARKER in p.read_text())


def public_names(source):
    """Top-level functions, classes and constants a module defines (not what it imports)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return {name for name in names if not name.startswith("_")}


@pytest.fixture(scope="module")
def graded_alternatives(tmp_path_factory):
    """alternative id -> grading result of the reference with that one module replaced."""
    root = tmp_path_factory.mktemp("alternatives")
    submissions = []
    for path in FILES:
        submission = root / f"{path.parent.name}--{path.stem}"
        package = submission / "rnnlab"
        shutil.copytree(SOLUTIONS / "rnnlab", package, ignore=shutil.ignore_patterns("__pycache__"))
        target = package / f"{path.parent.name}.py"
        assert target.is_file(), f"{alternative_id(path)} replaces no module of rnnlab"
        shutil.copyfile(path, target)
        submissions.append(submission)
    # Graded on the tests a change of that module can reach: the others run only the reference.
    groups = {submission: dependencies.affected_groups(dependencies.module_names(path.parent.name))
              for submission, path in zip(submissions, FILES)}
    results = engine.grade_batch(submissions, jobs=2, groups=groups)
    return {alternative_id(path): result for path, result in zip(FILES, results)}


@pytest.mark.parametrize("path", FILES, ids=alternative_id)
def test_alternative_scores_full_marks(graded_alternatives, path):
    result = graded_alternatives[alternative_id(path)]
    failed = [f"{t['name']}: {t['output']}" for t in result["tests"] if t["score"] < t["max_score"]]
    assert result["max_score"] > 0
    assert result["score"] == result["max_score"], "\n".join([result["output"], *failed])


@pytest.mark.parametrize("path", FILES, ids=alternative_id)
def test_alternative_scores_full_marks_under_three_variants(path, tmp_path):
    # The graders' checks in this process (local_student.py): every submission meets inputs of its own.
    package = tmp_path / "rnnlab"
    shutil.copytree(SOLUTIONS / "rnnlab", package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(path, package / f"{path.parent.name}.py")
    name = local_student.load(package, f"local_{path.parent.name}_{path.stem}")
    groups = dependencies.affected_groups(dependencies.module_names(path.parent.name))
    for variant in (b"first grading", b"second grading", b"third grading"):
        assert local_student.lost_groups(name, groups, variant) == set(), variant


def test_every_graded_module_has_three_alternatives():
    modules = graded_modules()
    assert modules, "no module of solutions/rnnlab holds a solution region"
    counts = {module: len(list((ALTERNATIVES / module).glob("*.py"))) for module in modules}
    assert all(n >= 3 for n in counts.values()), counts


@pytest.mark.parametrize("path", FILES, ids=alternative_id)
def test_alternative_is_a_complete_distinct_module(path):
    source = path.read_text()
    reference = (SOLUTIONS / "rnnlab" / f"{path.parent.name}.py").read_text()
    assert ast.get_docstring(ast.parse(source)), "say in the module docstring how it differs"
    assert "BEGIN SOLUTION" not in source and "END SOLUTION" not in source
    assert source != reference
    missing = public_names(reference) - public_names(source)
    assert not missing, f"names of rnnlab/{path.parent.name}.py missing: {sorted(missing)}"
