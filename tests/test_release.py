"""The release is built from the one source of truth, kept in sync, and proves itself."""
import dataclasses
import filecmp
import importlib.metadata
import re
import subprocess
import sys
import zipfile
from pathlib import Path
import shutil

import pytest
import yaml

from conftest import make_submission
from rnnlab_grader.grading import known_models
from rnnlab_grader.release import build, otter_assign
from rnnlab_grader.paths import ASSIGNMENTS, SOLUTIONS, STUDENT

RNNLAB = str(Path(sys.executable).parent / "rnnlab")


@pytest.fixture(scope="module")
def fresh(fresh_release):
    return fresh_release


def tree(root):
    return sorted(p.relative_to(root) for p in root.rglob("*") if p.is_file() and not {"__pycache__", ".pytest_cache"} & set(p.parts))


def test_committed_student_folder_equals_a_fresh_release(fresh):
    assert tree(fresh.out) == tree(STUDENT), "student/ is out of date: run `rnnlab release`"
    different = [str(p) for p in tree(STUDENT) if not filecmp.cmp(fresh.out / p, STUDENT / p, shallow=False)]
    assert not different, f"student/ is out of date ({different}): run `rnnlab release`"


def test_stubs_keep_signatures_and_docstrings_but_no_solution(fresh):
    stub = (fresh.out / "rnnlab" / "rnn.py").read_text()
    assert "def rnn_backward(dh, cache):" in stub
    assert "dh: (N, T, H) upstream gradient of every hidden state h_1..h_T." in stub
    assert 'raise NotImplementedError("rnn_backward")' in stub
    assert "rnn_step_backward(dh[:, t] + dh_prev" not in stub


def test_fresh_release_proves_itself_and_the_graders_know_the_references_keras_models(fresh):
    build.prove(fresh)
    assert fresh.proofs["reference"][0] == fresh.proofs["reference"][1] > 0
    assert fresh.proofs["stubs"][0] == 0
    assert fresh.known_models == known_models.load(), \
        "the graders' table of the reference's Keras models is out of date: run `rnnlab release`"


def test_the_grading_environment_is_pinned_to_what_the_suite_runs(fresh):
    python, pins = otter_assign.tested_versions()
    assert python == f"{sys.version_info.major}.{sys.version_info.minor}"
    running = {name: importlib.metadata.version(name) for name in pins}
    assert running == {name: pin.split("==")[1] for name, pin in pins.items()}, "update tested-versions.txt"
    for autograder in fresh.zips:
        with zipfile.ZipFile(autograder) as archive:
            environment = yaml.safe_load(archive.read("environment.yml"))
        conda = environment["dependencies"]
        pip = {re.split(r"[\[=]", line)[0]: line.split("==")[1] for line in conda[-1]["pip"]}
        assert f"python={python}" in conda
        assert {name: pip.get(name) for name in ("numpy", "tensorflow-cpu", "keras", "otter-grader", "pytest")} == \
            {name: running[name] for name in ("numpy", "tensorflow-cpu", "keras", "otter-grader", "pytest")}


def copy_release(fresh, tmp_path):
    shutil.copytree(fresh.out, tmp_path / "student")
    return dataclasses.replace(fresh, out=tmp_path / "student")


def test_a_release_never_overwrites_work(fresh, tmp_path):
    release = copy_release(fresh, tmp_path).out
    (release / "rnnlab" / "__pycache__").mkdir()
    (release / "rnnlab" / "__pycache__" / "rnn.cpython-311.pyc").write_bytes(b"caches are nobody's work")
    build.check_no_work_in(release)  # as a release left it
    (release / "notes.md").write_text("my notes")
    with open(release / "rnnlab" / "rnn.py", "a") as stream:
        stream.write("# my rnn_forward\n")
    with pytest.raises(build.ReleaseError, match=r"\(notes.md, rnnlab/rnn.py\)"):
        build.check_no_work_in(release)
    run = subprocess.run([RNNLAB, "release", "--out", str(release), "--dist", str(tmp_path / "dist")],
                         capture_output=True, text=True)
    assert run.returncode == 2 and "nothing was written" in " ".join(run.stderr.split())
    assert (release / "notes.md").read_text() == "my notes" and not (tmp_path / "dist").exists()


def test_a_leaked_solution_line_is_caught(fresh, tmp_path):
    leaky = copy_release(fresh, tmp_path)
    with open(leaky.out / "rnnlab" / "rnn.py", "a") as stream:
        stream.write("    da = dh_next * (1 - cache[\"h_next\"] ** 2)\n")
    with pytest.raises(build.ReleaseError, match="rnn.py"):
        build.prove(leaky)


def test_leaked_hidden_grader_text_is_caught(fresh, tmp_path):
    leaky = copy_release(fresh, tmp_path)
    (leaky.out / "tests" / "test_extra.py").write_text(
        'Case("rnn.rnn_forward", rnn, dims("N=3 T=5 D=4 H=6")),\n')
    with pytest.raises(build.ReleaseError, match="test_extra.py"):
        build.prove(leaky)


def test_a_wrong_reference_stops_the_release(fresh, tmp_path):
    wrong = make_submission(tmp_path, "wrong", "rnn.py", "return h, step_caches", "return h * 2, step_caches")
    with pytest.raises(build.ReleaseError, match="the reference does not score full marks"):
        build.prove(fresh, reference_dir=wrong)


def test_stubs_that_score_stop_the_release(fresh, tmp_path):
    scoring = copy_release(fresh, tmp_path)
    solved = [line for line in (SOLUTIONS / "rnnlab" / "rnn.py").read_text().splitlines(keepends=True)
              if "SOLUTION" not in line]
    (scoring.out / "rnnlab" / "rnn.py").write_text("".join(solved))
    scoring.solution_lines = set()  # only the score proof is under test here
    with pytest.raises(build.ReleaseError, match="the stubs score points"):
        build.prove(scoring)


# -- a refused release writes nothing: each kind of refusal, from a copy of the course's sources --

def course_copy(tmp_path):
    """Copies of solutions/ and assignments/ to edit, and a release folder and zips as the last
    release left them."""
    sources = tmp_path / "sources"
    shutil.copytree(SOLUTIONS, sources / "solutions", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ASSIGNMENTS, sources / "assignments")
    shutil.copytree(STUDENT, tmp_path / "student", ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "rnn_fundamentals-autograder.zip").write_bytes(b"the last release's zip")
    return sources / "solutions", sources / "assignments"


def every_byte(tmp_path):
    files = [p for p in sorted(tmp_path.iterdir()) if p.name != "sources"]
    found = {p: p.read_bytes() for root in files for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()}
    return found | {known_models.TABLE: known_models.TABLE.read_bytes()}


def edit(path, old, new):
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


def with_points(assignments):
    notebook = assignments / "rnn_fundamentals.ipynb"
    edit(notebook, '"name: rnn_step_forward"', '"name: rnn_step_forward\\n",\n    "points: 6"')


def without_markers(solutions):
    rnn = solutions / "rnnlab" / "rnn.py"
    body = rnn.read_text().split("def rnn_step_backward(")[0]  # rnn_step_forward's region, before the next function
    edit(rnn, body, body.replace("    # BEGIN SOLUTION\n", "").replace("    # END SOLUTION\n", ""))


def failing_hidden_case(solutions):
    edit(solutions / "rnnlab" / "rnn.py", "return h, step_caches", "return h * 2, step_caches")


def unmarked_public_test(solutions):
    edit(solutions / "tests" / "session1" / "test_layers.py", '@pytest.mark.function("layers.sigmoid")\n', "")


def returns_disagree(solutions):
    edit(solutions / "tests" / "returns.py", '"rnn.rnn_forward": "h:NTH cache"', '"rnn.rnn_forward": "h:NH cache"')


REFUSALS = {  # edit, which source it edits, what the refusal says
    "points disagree": (with_points, "assignments", [
        "assignments/rnn_fundamentals.ipynb, question rnn_step_forward: `points: 6`",
        "its hidden tests give 4 (autograder/graders/tables.py"]),
    "a solution without its markers": (without_markers, "solutions", ["the stubs score points", "rnn_step_forward"]),
    "a hidden case the reference fails": (failing_hidden_case, "solutions",
                                          ["the reference does not score full marks", "rnn_forward"]),
    "a public test without its function mark": (unmarked_public_test, "solutions", [
        "solutions/tests/session1/test_layers.py", "0 function marks"]),
    "what a function returns disagrees": (returns_disagree, "solutions", [
        "rnn.rnn_forward returns 'h:NTH cache' in the contract", "'h:NH cache' in RETURNS of solutions/tests/returns.py"]),
}


@pytest.mark.parametrize("refusal", REFUSALS)
def test_a_refused_release_changes_no_file(tmp_path, refusal):
    solutions, assignments = course_copy(tmp_path)
    change, source, said = REFUSALS[refusal]
    change(solutions if source == "solutions" else assignments)
    before = every_byte(tmp_path)
    with pytest.raises(build.ReleaseError) as refused:
        build.release(tmp_path / "student", tmp_path / "dist", solutions=solutions, assignments=assignments)
    message = " ".join(str(refused.value).split())
    assert all(part in message for part in said), message
    assert every_byte(tmp_path) == before
    assert not list(tmp_path.glob(f"{build.STAGING}*"))  # its staging folder is gone too


def test_a_check_writes_nothing_and_names_where_the_time_went(tmp_path):
    solutions, assignments = course_copy(tmp_path)
    before = every_byte(tmp_path)
    run = subprocess.run([RNNLAB, "release", "--check", "--function", "rnn.rnn_step_forward",
                          "--out", str(tmp_path / "student"), "--dist", str(tmp_path / "dist")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "reference: 4 / 4" in run.stderr and "grading the stubs" in run.stderr
    assert every_byte(tmp_path) == before
