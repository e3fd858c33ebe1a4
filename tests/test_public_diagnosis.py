"""The public tests name the known mistakes their cases can show, and nothing else.

A public test passes `known=[(feedback, value), ...]` to mistakes.assert_close (or to
gradcheck.assert_gradients): what a known mistake gives on the test's small case, worked out in
the test, and that mistake's `feedback`, copied from the mutant corpus (autograder/mutants/). The
claim is proven here by making the mistake: with each such mutant in place of the reference, the
public tests that quote its feedback fail and print it as "This looks like a known mistake. ..."
(or in the list of several that fit). On the reference they pass and name no mistake.
"""
import ast
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rnnlab_grader.grading import examples
from rnnlab_grader.paths import SOLUTIONS
from rnnlab_grader.release.build import _run_public_tests

PUBLIC_TESTS = SOLUTIONS / "tests"
OPENINGS = ("Your ", "With reverse")  # how the corpus' feedback texts begin


def quoted_feedback():
    """test file (its path in tests/) -> the feedback-like strings it holds (as Python reads them)."""
    quoted = {}
    for path in sorted(PUBLIC_TESTS.rglob("test_*.py")):
        strings = {node.value for node in ast.walk(ast.parse(path.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        quoted[str(path.relative_to(PUBLIC_TESTS))] = {text for text in strings if text.startswith(OPENINGS)}
    return quoted


QUOTED = quoted_feedback()
MUTANTS = {m["feedback"]: m for m in examples.mutants() if m.get("feedback")}
CLAIMED = sorted({MUTANTS[text]["name"] for texts in QUOTED.values() for text in texts if text in MUTANTS})


def named(stdout, feedback):
    """Whether a pytest run printed `feedback` as the diagnosis of a failure."""
    return (f"This looks like a known mistake. {feedback}" in stdout
            or ("known mistakes:" in stdout and f"- {feedback}" in stdout))


def test_every_quoted_feedback_is_a_mutants_word_for_word():
    unknown = {name: sorted(texts - set(MUTANTS)) for name, texts in QUOTED.items() if texts - set(MUTANTS)}
    assert not unknown, f"not the feedback of any mutant in the corpus (copy it exactly): {unknown}"
    assert len(CLAIMED) >= 100, f"the public tests name only {len(CLAIMED)} mistakes"  # 120 when written


def release_of(root, files):
    """A folder laid out as the student release's tests (pytest.ini, tests/), with only `files`
    of the public test files and all their helper modules."""
    folder = root / "_".join(sorted(Path(name).stem for name in files))
    if not folder.exists():
        folder.mkdir(parents=True)
        shutil.copy(SOLUTIONS / "pytest.ini", folder)
        for path in PUBLIC_TESTS.rglob("*.py"):
            name = str(path.relative_to(PUBLIC_TESTS))
            if name in files or not path.name.startswith("test_"):
                (folder / "tests" / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, folder / "tests" / name)
    return folder


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """Mutant name -> the run of the public test files that quote its feedback against it,
    and "reference" -> every public test against the reference (for the selected tests only)."""
    selected = {item.callspec.params["name"] for item in request.session.items
                if item.module is request.module and "name" in getattr(getattr(item, "callspec", None), "params", {})}
    root = tmp_path_factory.mktemp("public-diagnosis")
    jobs = {"reference": (release_of(root / "releases", set(QUOTED)), SOLUTIONS)}
    for name in sorted(selected):
        mutant = next(m for m in MUTANTS.values() if m["name"] == name)
        files = {file for file, texts in QUOTED.items() if mutant["feedback"] in texts}
        jobs[name] = (release_of(root / "releases", files), examples.write_mutant(root / "mutants", mutant))
    with ThreadPoolExecutor(max_workers=2) as pool:  # each run is a pytest process of its own
        return dict(zip(jobs, pool.map(lambda job: _run_public_tests(*job), jobs.values())))


def test_the_reference_passes_and_is_named_no_mistake(runs):
    run = runs["reference"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "known mistake" not in run.stdout


@pytest.mark.parametrize("name", CLAIMED)
def test_the_mistake_is_named_where_it_is_made(runs, name):
    run = runs[name]
    feedback = next(text for text, m in MUTANTS.items() if m["name"] == name)
    assert run.returncode == 1, f"the public tests do not fail on the mutant {name}:\n{run.stdout[-3000:]}"
    is_named = named(run.stdout, feedback)
    assert is_named, f"the public tests do not name the mutant {name}:\n{run.stdout[-5000:]}"
