"""The otter side of a release: student notebooks with checks, and autograder zips.

`otter assign` turns a master notebook (Otter Assign v1 format: an ASSIGNMENT CONFIG raw cell,
questions between `# BEGIN QUESTION` and `# END QUESTION` raw cells) into a student notebook
with `grader.check` cells and an export cell, its public test files, and an autograder zip.
This module runs it, copies the student side into the release (with cell ids made stable, so
that a release is reproducible byte for byte), and repacks the zip under a stable name with
what the plugin needs to grade on Gradescope: the `rnnlab_grader` package, the hidden graders,
the reference and a secret of its own (grading/variants.py), at the zip's top level (run_otter.py runs from there, so they import),
never in `files/` (which otter would copy next to the student's work).
"""
import hashlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import nbformat
import yaml

from ..course import PATHS, plan_of, questions_of
from ..grading import variants
from ..paths import GRADERS, MUTANTS, PACKAGE, REFERENCE, TESTED_VERSIONS

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip entries carry no build time


def is_otter_notebook(path):
    """Whether a master notebook is in Otter Assign format (its first cell is the config)."""
    cells = nbformat.read(path, as_version=4).cells
    return bool(cells) and cells[0].cell_type == "raw" and cells[0].source.startswith("# ASSIGNMENT CONFIG")


def _stable_cell_ids(path):
    notebook = nbformat.read(path, as_version=4)
    for index, cell in enumerate(notebook.cells):
        cell.id = hashlib.sha1(f"{index}:{cell.source}".encode()).hexdigest()[:8]
    nbformat.write(notebook, path)


def _zip_members(root, prefix):
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            yield path, f"{prefix}/{path.relative_to(root)}"


RUN_LINE = '    run_autograder("/autograder")\n'


def _with_submission_prepared(run_otter):
    """Otter's run_otter.py, which first lays out the student's upload as otter expects it (see
    otter_plugin.prepare_submission): otter looks for the notebook at the top only."""
    if RUN_LINE not in run_otter:
        raise RuntimeError("otter's run_otter.py has changed: see otter_assign._with_submission_prepared")
    prepare = ('    from rnnlab_grader.otter_plugin import prepare_submission\n'
               '    prepare_submission("/autograder")\n')
    return run_otter.replace(RUN_LINE, prepare + RUN_LINE)


KNOWN_MODELS = "rnnlab_grader/grading/known_models.json"


def repack(otter_zip, target, known_models=None):
    """Otter's zip plus rnnlab's grading code, with fixed timestamps, and a secret of its own,
    written to `target`; `known_models` (bytes), if given, is the zip's known_models.json."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(otter_zip) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.external_attr = (0o755 if info.filename == "run_autograder" else 0o644) << 16
            data = source.read(info)
            if info.filename == "run_otter.py":
                data = _with_submission_prepared(data.decode()).encode()
            out.writestr(entry, data)
        for root, prefix in ((PACKAGE, "rnnlab_grader"), (GRADERS, "graders"), (MUTANTS, "mutants"),
                             (REFERENCE, "reference/rnnlab")):
            for path, name in _zip_members(root, prefix):
                entry = zipfile.ZipInfo(name, FIXED_TIME)
                entry.external_attr = 0o644 << 16
                out.writestr(entry, known_models if name == KNOWN_MODELS and known_models else path.read_bytes())
        # Each zip its own secret (see grading/variants.py), beside rnnlab_grader: its graders' inputs.
        entry = zipfile.ZipInfo(variants.SECRET.name, FIXED_TIME)
        entry.external_attr = 0o600 << 16
        out.writestr(entry, secrets.token_bytes(variants.SECRET_BYTES))
    return target


def tested_versions(path=TESTED_VERSIONS):
    """(python version, {package: "package==version"}) from tested-versions.txt."""
    lines = [line.strip() for line in Path(path).read_text().splitlines()]
    python = next(line.split()[-1] for line in lines if line.startswith("# python "))
    pins = {line.split("==")[0]: line for line in lines if line and not line.startswith("#")}
    return python, pins


def check_test(question, functions, warm_up=False):
    """The source of a question's grader.check test: the public tests of the question's graded
    functions, run as `pytest --function ... --check` (tests/conftest.py) by tests/check_runner.py,
    which prints its report when one fails: a fresh pytest process, or a fork of the kernel's warm
    one for Keras builders, so that it reads the package as it is on disk now. `warm_up` (the
    notebook has Keras questions): the first check starts the warm process."""
    return (f"def test_{question}():\n"
            f'    """`pytest --function {",".join(functions)} --check`: the public tests of this question."""\n'
            f"    import importlib.util, sys\n"
            f'    runner = sys.modules.get("rnnlab_check_runner")  # loaded once per kernel: it keeps the warm process\n'
            f"    if runner is None:\n"
            f'        spec = importlib.util.spec_from_file_location("rnnlab_check_runner", "tests/check_runner.py")\n'
            f"        runner = sys.modules[spec.name] = importlib.util.module_from_spec(spec)\n"
            f"        spec.loader.exec_module(runner)\n"
            f"    passed, report = runner.run({list(functions)!r}, warm_up={warm_up})\n"
            f"    if not passed:\n"
            f"        print(report)\n"
            f"    assert passed, runner.FAILED\n")


def _with_checks(notebook, questions):
    """Give each question of `notebook` its test cell (check_test), just before its END QUESTION."""
    cells, question = [], None
    warm_up = any(name.startswith("keras_models.") for functions in questions.values() for name in functions)
    for cell in notebook.cells:
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN TESTS"):
            raise RuntimeError(f"{question}: the release writes each question's tests (check_test); "
                               "remove the master's BEGIN TESTS cells")
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            question = yaml.safe_load(cell.source.removeprefix("# BEGIN QUESTION"))["name"]
        if cell.cell_type == "raw" and cell.source.startswith("# END QUESTION"):
            cells += [nbformat.v4.new_raw_cell("# BEGIN TESTS"),
                      nbformat.v4.new_code_cell(check_test(question, questions[question], warm_up)),
                      nbformat.v4.new_raw_cell("# END TESTS")]
        cells.append(cell)
    notebook.cells = cells
    return notebook


def _prepared(master, target, points):
    """A copy of `master` to give otter assign: its config asks for the tested Python and versions
    (tested_versions; each requirement named in the master is pinned, and Keras, which TensorFlow
    pulls in, too), each question is worth `points[question]` (the graders' points: the masters
    need not state them), says in its heading whether it is core, stretch or given and its minutes (the
    config's plan), and has its check (_with_checks)."""
    notebook = nbformat.read(master, as_version=4)
    header, config_text = notebook.cells[0].source.split("\n", 1)
    config = yaml.safe_load(config_text)
    python, pins = tested_versions()
    config["python_version"] = python
    config["requirements"] = [pins.get(name, name) for name in config.get("requirements", [])] + [pins["keras"]]
    notebook.cells[0].source = header + "\n" + yaml.safe_dump(config, sort_keys=False)
    plan = plan_of(config)
    for cell, prompt in zip(notebook.cells, notebook.cells[1:]):
        if cell.cell_type == "raw" and cell.source.startswith("# BEGIN QUESTION"):
            fields = yaml.safe_load(cell.source.removeprefix("# BEGIN QUESTION"))
            fields["points"] = points[fields["name"]]
            cell.source = "# BEGIN QUESTION\n" + yaml.safe_dump(fields, sort_keys=False).strip()
            if prompt.cell_type == "markdown" and prompt.source.startswith("#"):  # its heading says its place in the plan
                kind, minutes = plan[fields["name"]]
                heading, _, rest = prompt.source.partition("\n")
                prompt.source = f"{heading} ({PATHS[kind]}, about {minutes} min)\n{rest}"
    nbformat.write(_with_checks(notebook, questions_of(config)), target)
    return target


def assign(master, student_out, otter_zips, points):
    """Run otter assign on `master` (prepared: see _prepared); write its student side into `student_out`
    and otter's autograder zip to `otter_zips/<name>.zip` (repack makes it ours). Returns the
    student side's paths."""
    master = Path(master).resolve()
    written = []
    with tempfile.TemporaryDirectory(prefix="rnnlab-assign-") as tmp:
        dist = Path(tmp) / "dist"
        (Path(tmp) / "master").mkdir()
        prepared = _prepared(master, Path(tmp) / "master" / master.name, points)
        run = subprocess.run([sys.executable, "-m", "otter", "assign", str(prepared), str(dist)],
                             cwd=master.parent, capture_output=True, text=True)
        if run.returncode != 0:
            raise RuntimeError(f"otter assign {master.name} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
        notebook = Path(student_out) / master.name
        shutil.copy(dist / "student" / master.name, notebook)
        _stable_cell_ids(notebook)
        written.append(notebook)
        for test in sorted((dist / "student" / "tests").glob("*.py")):
            target = Path(student_out) / "tests" / test.name
            target.parent.mkdir(exist_ok=True)
            shutil.copy(test, target)
            written.append(target)
        (otter_zip,) = (dist / "autograder").glob("*-autograder_*.zip")
        shutil.move(otter_zip, Path(otter_zips) / f"{master.stem}.zip")
    return written
