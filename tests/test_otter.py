"""The otter path gives the same per-question scores as `rnnlab grade`, and cannot be gamed.

A release is built into a temporary folder; each student notebook is executed with the
reference package filled in (its `grader.check` cells must agree with the public tests, and its
export cell makes the submission zip); then `otter run` grades submissions with the release's
autograder zip, and each question's score is compared with rnnlab's own grading.
"""
import html
import json
import logging
import os
import pickle
import re
import shutil
import struct
import subprocess
import sys
import sysconfig
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from browser import dump_dom, needs_chromium
from rnnlab_grader.grading import engine, examples
from rnnlab_grader.otter_plugin import scores_by_question
from rnnlab_grader.paths import SOLUTIONS

OTTER = [sys.executable, "-m", "otter"]

# Each otter run starts a Jupyter kernel on loopback ports that jupyter_client picks free and then
# releases: two runs beside each other on one network can pick the same one ("Address already in
# use", a kernel dead before kernel_info; once in CI). Each run here gets a network of its own, as
# each Gradescope container has; where that cannot be made (not root), the runs go one at a time.
OWN_NETWORK = ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "own-network"]
SIDE_BY_SIDE = 2 if os.geteuid() == 0 and shutil.which("unshare") and shutil.which("ip") else 1


def own_network(command):
    """`command` on a network of its own (loopback only) when runs go side by side."""
    return [*OWN_NETWORK, *command] if SIDE_BY_SIDE > 1 else command


def plugin_settings(autograder_zip):
    """The plugin's config in an autograder zip: questions, plan, slot, stretch_counts."""
    with zipfile.ZipFile(autograder_zip) as archive:
        config = json.loads(archive.read("otter_config.json"))
    (plugin,) = config["plugins"]
    return plugin["rnnlab_grader.otter_plugin.RnnlabPlugin"]


def plugin_questions(autograder_zip):
    """question -> groups, as the notebook's plugin config declares them."""
    return plugin_settings(autograder_zip)["questions"]


def graded_questions(autograder_zip):
    """plugin_questions but the given ones (handed out finished: nothing grades them)."""
    plan = plugin_settings(autograder_zip)["plan"]
    return {q: groups for q, groups in plugin_questions(autograder_zip).items() if plan[q][0] != "given"}


def by_question(scores, plan):
    """Gradescope's test name -> (score, max) as question -> (score, max): a stretch question's test
    is named "<question> (stretch)", and only a stretch question's."""
    named = {name.removesuffix(" (stretch)"): name for name in scores}
    assert all((name != question) == (plan[question][0] == "stretch") for question, name in named.items()), list(scores)
    return {question: scores[name] for question, name in named.items()}


@pytest.fixture(scope="module")
def built(fresh_release):
    return fresh_release


# name -> number of questions (Sessions 3 and 4 are outlines so far)
NOTEBOOKS = {"rnn_fundamentals": 8, "rnn_variants_overview": 11, "rnn_architectures_part1": 8,
             "rnn_architectures_part2": 7}


@pytest.fixture(scope="module")
def executed(built, tmp_path_factory):
    """(name, package) -> (the student notebook run with that rnnlab package, the zip its export made)."""
    cache = {}

    def run(name, package=SOLUTIONS / "rnnlab"):
        if (name, package) not in cache:
            work = tmp_path_factory.mktemp(name) / "student"
            shutil.copytree(built.out, work)
            shutil.rmtree(work / "rnnlab")
            shutil.copytree(package, work / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
            notebook = nbformat.read(work / f"{name}.ipynb", as_version=4)
            NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(work)}}).execute()
            (export,) = work.glob(f"{name}_*.zip")
            cache[name, package] = notebook, export
        return cache[name, package]
    return run


def check_outputs(notebook):
    """The text each grader.check cell printed."""
    return [json.dumps(cell.outputs) for cell in notebook.cells
            if cell.cell_type == "code" and "grader.check(" in cell.source]


def otter_run(autograder_zip, submission, out):
    out.mkdir(parents=True)
    run = subprocess.run(own_network([*OTTER, "run", "-a", str(autograder_zip), "-o", str(out), str(submission)]),
                         capture_output=True, text=True)
    assert (out / "results.json").exists(), run.stdout[-2000:] + run.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    return {t["name"]: (t["score"], t["max_score"]) for t in results["tests"] if "max_score" in t}


def submission_zip(path, notebook, package=None, extra=(), package_folder="rnnlab/"):
    """A submission as otter's export makes it: the notebook, and rnnlab/ beside it (the modules at
    the top with `package_folder=""`, as files uploaded one by one are)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(notebook, notebook.name)
        for source in sorted(Path(package).glob("*.py")) if package else []:
            archive.write(source, f"{package_folder}{source.name}")
        for name, text in extra:
            archive.writestr(name, text)
    return path


def whole_folder_zip(path, student, package):
    """A zip of the whole student folder, as a student might hand it in: one top folder, every
    session's notebook, the tests, and the package."""
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted(p for p in student.rglob("*") if p.is_file() and p.parent.name != "rnnlab"):
            archive.write(file, f"student/{file.relative_to(student)}")
        for source in sorted(Path(package).glob("*.py")):
            archive.write(source, f"student/rnnlab/{source.name}")
    return path


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_student_notebook_runs_and_its_checks_agree_with_public_tests(executed, name):
    notebook, export = executed(name)
    errors = [o for cell in notebook.cells for o in cell.get("outputs", []) if o.output_type == "error"]
    assert not errors
    checks = check_outputs(notebook)
    assert len(checks) == NOTEBOOKS[name]
    for text in checks:  # the public tests pass on the reference, so every check does
        assert "passed" in text and "failed" not in text.lower(), text[:500]
    with zipfile.ZipFile(export) as archive:
        assert "rnnlab/rnn.py" in archive.namelist() and f"{name}.ipynb" in archive.namelist()


def test_session_2_comparison_shows_the_gated_cells_ahead_at_the_longest_lag(executed):
    # What the notebook's prose says of its table: SimpleRNN at chance on the longest lag, the
    # gated cells started by chrono_init solve it, the same cells from Keras' biases do not.
    notebook, _ = executed("rnn_variants_overview")
    (table,) = [o.data["text/markdown"] for cell in notebook.cells for o in cell.get("outputs", [])
                if "text/markdown" in o.get("data", {}) and "| model | parameters |" in o.data["text/markdown"]]
    at_longest_lag = {row.split("|")[1].strip(): float(row.split("|")[-2].split()[0])
                      for row in table.splitlines() if row.startswith("| ") and "---" not in row and "model" not in row}
    chance = 1 / 8
    assert at_longest_lag["SimpleRNN"] < 2 * chance, table
    assert at_longest_lag["LSTM, chrono init"] >= 0.9 and at_longest_lag["GRU, chrono init"] >= 0.9, table
    assert max(at_longest_lag["LSTM, Keras init"], at_longest_lag["GRU, Keras init"]) < 2 * chance, table


def printed(notebook, pattern):
    """The groups of `pattern` in the first line a cell of `notebook` printed that matches it."""
    text = "".join(o.get("text", "") for cell in notebook.cells for o in cell.get("outputs", []))
    match = re.search(pattern, text)
    assert match, f"no output matches {pattern!r}"
    return match.groups()


def test_session_1_measures_the_exploding_gradient_slowed_by_saturation(executed):
    # The prose of section 7: for rho = 2 the state goes towards +-1, each step back multiplies the
    # gradient by far less than 2, and over the 39 steps it still grows thousands of times.
    notebook, _ = executed("rnn_fundamentals")
    at_T, at_1, per_step, mean_h = map(float, printed(
        notebook, r"rho = 2.0: \|\|dL/dx_T\|\| = (\S+),  \|\|dL/dx_1\|\| = (\S+),  x(\S+) a step back;  mean \|h\| = (\S+)"))
    assert 1 < per_step < 1.5 and mean_h > 0.5 and 1e3 <= at_1 / at_T < 1e5, (at_T, at_1, per_step, mean_h)
    shrinking = float(printed(notebook, r"rho = 0.5: .*?x(\S+) a step back")[0])
    assert shrinking < 0.5


def test_session_2_measures_the_gate_keeping_the_gradient_alive(executed):
    # The prose: the vanilla RNN's gradient falls below a millionth within 40 steps, the gated cells'
    # stays within a few times its size at T.
    notebook, _ = executed("rnn_variants_overview")
    ratio = {name: float(printed(notebook, rf"{name}[^|]*\|\|dL/dx_1\|\| / \|\|dL/dx_T\|\| = (\S+)")[0])
             for name in ("vanilla RNN", "LSTM", "GRU")}
    assert ratio["vanilla RNN"] < 1e-6 and all(0.1 < ratio[cell] < 10 for cell in ("LSTM", "GRU")), ratio


def test_session_3_shows_reading_both_ways_when_a_later_word_decides(executed):
    notebook, _ = executed("rnn_architectures_part1")
    one_way = float(printed(notebook, r"one-way GRU tagger: [\d.]+ of tags right, ([\d.]+) before the last step")[0])
    two_way = float(printed(notebook, r"two-way GRU tagger: [\d.]+ of tags right, ([\d.]+) before the last step")[0])
    assert one_way < 0.6 and two_way > 0.95, (one_way, two_way)


def test_session_3_shows_one_wrong_word_derailing_the_next_ones(executed):
    # What the prose says of its figure: a single wrong word fed to the decoder costs the words after it.
    notebook, _ = executed("rnn_architectures_part1")
    after_plant, fed_the_truth = map(float, printed(
        notebook, r"after one wrong word at step 2, right words at positions 3 and later: ([\d.]+), against ([\d.]+)"))
    assert after_plant < fed_the_truth - 0.05


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_on_the_stubs_every_cell_stops_at_a_todo_or_says_what_to_finish_first(executed, built, name):
    """A student runs cells before finishing the functions they use: each cell then stops at the
    function still to write (NotImplementedError), or, where it needs the results of a cell that
    stopped, says so (an assert), never with a follow-on error; and TensorFlow prints no logs."""
    notebook, _ = executed(name, built.out / "rnnlab")
    errors = [(cell.source.splitlines()[0], o.ename, o.evalue) for cell in notebook.cells
              for o in cell.get("outputs", []) if o.output_type == "error"]
    assert errors and all(ename in ("NotImplementedError", "AssertionError") for _, ename, _ in errors), errors
    stderr = [o.text for cell in notebook.cells for o in cell.get("outputs", [])
              if o.output_type == "stream" and o.name == "stderr"]
    assert not any("oneDNN" in text or "absl" in text for text in stderr), stderr


# Appended to the page: once it has rendered, write the text a reader sees into the DOM.
VISIBLE_TEXT = """<script>addEventListener("load", () => {
  const out = document.createElement("pre"); out.id = "visible-text"; out.textContent = document.body.innerText;
  document.body.append(out); });</script>"""


def visible_text(notebook, folder):
    """The text of `notebook` as a reader sees it: exported to HTML by nbconvert, rendered by
    headless Chromium."""
    from nbconvert import HTMLExporter
    page, _ = HTMLExporter().from_notebook_node(notebook)
    (folder / "notebook.html").write_text(page.replace("</body>", VISIBLE_TEXT + "</body>"))
    dom = dump_dom(folder / "notebook.html", folder / "profile", timeout=120)
    return html.unescape(re.search(r'<pre id="visible-text">(.*?)</pre>', dom, re.DOTALL).group(1))


@needs_chromium
def test_a_failing_check_shows_its_failing_test_and_the_named_mistake_first_in_plain_text(executed, tmp_path):
    """In Jupyter (whose kernel sets FORCE_COLOR): the check's report comes before otter's result
    (one line), names the failing test and the mistake, and holds no colour codes; the checks of the functions
    the mistake does not touch pass."""
    mutant = next(m for m in examples.mutants() if m["name"] == "rnn_step_forward_wh_transposed")
    notebook, _ = executed("rnn_fundamentals", examples.write_mutant(tmp_path, mutant) / "rnnlab")
    outputs = "".join(check_outputs(notebook))
    assert "\\u001b" not in outputs and "\x1b" not in outputs, "colour codes in the checks' output"
    text = visible_text(notebook, tmp_path)
    check = text[text.index('grader.check("rnn_step_forward")'):text.index('grader.check("unfold")')]
    first_failure = check.index("FAILED test_step_forward_multiplies_h_prev_by_Wh_as_it_is")
    otters_line = check.index("rnn_step_forward: ❌ the public tests above failed")  # otter's block: one line
    assert first_failure < check.index(mutant["feedback"]) < otters_line
    assert "Error at line" not in check and "Test case failed" not in check and "results:" not in check
    assert "[0m" not in text and "[31m" not in text and "run.stdout" not in text
    assert 'unfold passed' in text.replace("\n", " ") and "rnn_forward passed" in text.replace("\n", " ")


def test_every_graded_group_belongs_to_exactly_one_question(built):
    claimed = [g for z in built.zips for groups in plugin_questions(z).values() for g in groups]
    assert sorted(claimed) == sorted({t["group"] for t in engine.catalogue()})


def test_otter_run_gives_rnnlab_scores(built, tmp_path):
    zip_of = {z.name.split("-autograder")[0]: z for z in built.zips}
    autograder = zip_of["rnn_fundamentals"]
    questions = graded_questions(autograder)
    notebook = built.out / "rnn_fundamentals.ipynb"
    cases = {"reference": submission_zip(tmp_path / "reference.zip", notebook, SOLUTIONS / "rnnlab"),
             "stubs": submission_zip(tmp_path / "stubs.zip", notebook, built.out / "rnnlab")}
    for mutant in [m for m in examples.mutants() if m["name"] == "missing_bias"]:
        package = examples.write_mutant(tmp_path, mutant) / "rnnlab"
        cases[mutant["name"]] = submission_zip(tmp_path / f"{mutant['name']}.zip", notebook, package)
    for name, submission in cases.items():
        with zipfile.ZipFile(submission) as archive:
            archive.extractall(tmp_path / "unzipped" / name)
    with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE) as pool:  # as the two cores allow
        runs = {name: pool.submit(otter_run, autograder, submission, tmp_path / "out" / name)
                for name, submission in cases.items()}
        scores = {name: run.result() for name, run in runs.items()}
    graded = engine.grade_batch([tmp_path / "unzipped" / name for name in cases], jobs=2)
    for name, result in zip(cases, graded):
        assert scores[name] == scores_by_question(result, questions), name
    assert all(score == most > 0 for score, most in scores["reference"].values())
    assert all(score == 0 for score, _ in scores["stubs"].values())
    # Out of this notebook's points: a Session 1 student reads 60 / 60, not 60 / 392.
    total = sum(most for _, most in scores["reference"].values())
    output = json.loads((tmp_path / "out" / "reference" / "results.json").read_text())["output"]
    assert f"{total:g} / {total:g} points" in output and total < sum(t["points"] for t in engine.catalogue())
    assert scores["missing_bias"]["rnn_step_forward"][0] < scores["missing_bias"]["rnn_step_forward"][1]
    # The diagnosis reaches a student graded through otter: the feedback names the mistake.
    feedback = next(m for m in examples.mutants() if m["name"] == "missing_bias")["feedback"]
    otter_tests = json.loads((tmp_path / "out" / "missing_bias" / "results.json").read_text())["tests"]
    assert any(feedback in test.get("output", "") for test in otter_tests)


def test_session_2_zip_gives_full_marks_to_the_reference_and_zero_to_the_stubs(built, tmp_path):
    autograder = next(z for z in built.zips if z.name.startswith("rnn_variants_overview"))
    notebook = built.out / "rnn_variants_overview.ipynb"
    with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE) as pool:
        reference, stubs = [pool.submit(otter_run, autograder, submission_zip(tmp_path / f"{who}.zip", notebook, package),
                                        tmp_path / who) for who, package in
                            [("ref", SOLUTIONS / "rnnlab"), ("stubs", built.out / "rnnlab")]]
        reference, stubs = reference.result(), stubs.result()
    # Gradescope names each test by its question, a stretch question as such; the top says both parts.
    plan = plugin_settings(autograder)["plan"]
    assert 0 < sum(kind == "stretch" for kind, _ in plan.values()) < len(plan)
    reference, stubs = by_question(reference, plan), by_question(stubs, plan)
    assert set(reference) == set(graded_questions(autograder))
    assert all(score == most > 0 for score, most in reference.values())
    assert all(score == 0 for score, _ in stubs.values())
    core = sum(most for question, (_, most) in reference.items() if plan[question][0] == "core")
    stretch = sum(most for question, (_, most) in reference.items() if plan[question][0] == "stretch")
    output = json.loads((tmp_path / "ref" / "results.json").read_text())["output"]
    assert f"core {core:g}/{core:g}, stretch {stretch:g}/{stretch:g} (a bonus" in output, output


def test_a_notebook_alone_or_fake_graders_score_zero(built, tmp_path):
    autograder = next(z for z in built.zips if z.name.startswith("rnn_fundamentals"))
    notebook = built.out / "rnn_fundamentals.ipynb"
    fake_test = "def test_anything():\n    assert True\n"
    attempts = {
        "notebook_only": submission_zip(tmp_path / "alone.zip", notebook),
        "fake_graders": submission_zip(tmp_path / "fake.zip", notebook, extra=[
            ("hidden_tests/test_values.py", fake_test), ("graders/test_values.py", fake_test),
            ("tests/rnn_forward.py", fake_test), ("rnnlab_grader/__init__.py", "raise SystemExit")]),
    }
    for name, submission in attempts.items():
        scores = otter_run(autograder, submission, tmp_path / name)
        assert scores and all(score == 0 for score, _ in scores.values()), (name, scores)


def test_a_crash_leaves_the_submission_folder_as_it_was(tmp_path):
    # Otter crashing after the plugin moved the package out of its reach: the package is back.
    folder = tmp_path / "submission"
    shutil.copytree(SOLUTIONS / "rnnlab", folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    (folder / "rnn_fundamentals.ipynb").write_text("{}")
    before = sorted(p.relative_to(folder) for p in folder.rglob("*"))
    script = ("import sys\nfrom pathlib import Path\nfrom rnnlab_grader.otter_plugin import RnnlabPlugin\n"
              "plugin = RnnlabPlugin(sys.argv[1], None, {})\nplugin.before_grading(None)\n"
              "assert not (Path(sys.argv[1]).parent / 'rnnlab').exists()\nraise RuntimeError('otter crashed')\n")
    run = subprocess.run([sys.executable, "-c", script, str(folder / "rnn_fundamentals.ipynb")],
                         capture_output=True, text=True)
    assert "otter crashed" in run.stderr, run.stderr
    assert sorted(p.relative_to(folder) for p in folder.rglob("*")) == before


@pytest.fixture(scope="module")
def clean_python(tmp_path_factory):
    """A Python as a grading container has it: the packages installed, but not this repository's
    rnnlab_grader (installed here, editable, for development), so that the zip's own copy grades."""
    clean = tmp_path_factory.mktemp("clean-python")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(clean)], check=True)
    site = next(clean.glob("lib/python*/site-packages"))
    # The development site-packages as a plain path: its .pth files (the editable install) are not read.
    (site / "installed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = clean / "bin" / "python"
    probe = subprocess.run([python, "-c", "import numpy, otter, rnnlab_grader"], capture_output=True,
                           text=True, cwd=clean)
    assert "No module named 'rnnlab_grader'" in probe.stderr, probe.stderr
    return python


# What Gradescope writes beside the submission (the fields otter reads).
GRADESCOPE_METADATA = {"id": 1, "created_at": "2026-11-28T08:00:00.000000+00:00", "previous_submissions": [],
                       "assignment": {"title": "rnn", "due_date": "2026-12-01T00:00:00.000000+00:00"},
                       "users": [{"name": "A Student", "email": "student@example.edu", "sid": "1"}]}


def gradescope_run(python, autograder_zip, submission, tree, privileged=True):
    """Grade as Gradescope does: the zip unpacked in `tree`/source, the submission's files in
    `tree`/submission, and the zip's run_otter.py run from there (`tree` stands for /autograder).
    Not `privileged`: as root without CAP_SYS_ADMIN, as in Gradescope's containers (no namespaces)."""
    for folder in ("source", "submission", "results"):
        (tree / folder).mkdir(parents=True)
    (tree / "submission_metadata.json").write_text(json.dumps(GRADESCOPE_METADATA))
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(tree / "source")
    with zipfile.ZipFile(submission) as archive:
        archive.extractall(tree / "submission")
    run_otter = tree / "source" / "run_otter.py"
    run_otter.write_text(run_otter.read_text().replace('"/autograder"', repr(str(tree))))
    drop = [] if privileged else ["setpriv", "--bounding-set", "-sys_admin"]
    run = subprocess.run(own_network([*drop, str(python), str(run_otter)]), cwd=tree / "source", capture_output=True, text=True,
                         timeout=300)  # a run takes 7-11 s: a hang must fail, not hold CI
    results = tree / "results" / "results.json"
    assert results.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    return {**json.loads(results.read_text()), "stdout": run.stdout}


def test_otter_run_from_a_clean_python_with_the_zip_on_its_path(built, clean_python, tmp_path):
    # What docs/graders.md tells a TA to do: otter imports the plugin by name, from the unpacked zip.
    autograder = next(z for z in built.zips if z.name.startswith("rnn_fundamentals"))
    with zipfile.ZipFile(autograder) as archive:
        archive.extractall(tmp_path / "unpacked")
    (tmp_path / "out").mkdir()
    submission = submission_zip(tmp_path / "reference.zip", built.out / "rnn_fundamentals.ipynb", SOLUTIONS / "rnnlab")
    run = subprocess.run([str(clean_python), "-m", "otter", "run", "-a", str(autograder), "-o", str(tmp_path / "out"),
                          str(submission)], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "PYTHONPATH": str(tmp_path / "unpacked")})
    assert (tmp_path / "out" / "results.json").exists(), run.stderr[-2000:]
    total = sum(t["points"] for t in engine.catalogue() if t["group"] in
                {g for groups in graded_questions(autograder).values() for g in groups})
    assert f"{total:g} / {total:g} points" in json.loads((tmp_path / "out" / "results.json").read_text())["output"]


# Reads the reference's text and hands it back in its own feedback: an exception's message, at import.
READ_AND_ECHO = ("import glob\nfound = sorted(glob.glob('/autograder/source/reference/rnnlab/*.py') + glob.glob({tree!r}))\n"
                 "texts = []\nfor path in found:\n    try:\n        texts.append(open(path).read())\n"
                 "    except OSError:\n        pass\n"
                 "raise RuntimeError(f'LEAK {{len(texts)}} read: ' + ' '.join(t[:120] for t in texts))\n")


# rnn_backward by TensorFlow's autodiff, exact: earns its points wherever the numpy worker can import it.
BY_AUTODIFF = """

_forward = rnn_forward


def rnn_forward(x, h0, Wx, Wh, b):
    return _forward(x, h0, Wx, Wh, b)[0], (x, h0, Wx, Wh, b)


def rnn_backward(dh, cache):
    import tensorflow as tf
    x, h0, Wx, Wh, b = [tf.Variable(a) for a in cache]
    with tf.GradientTape() as tape:
        h, states = h0, []
        for t in range(x.shape[1]):
            h = tf.tanh(x[:, t] @ Wx + h @ Wh + b)
            states.append(h)
        objective = tf.reduce_sum(tf.stack(states, axis=1) * dh)
    return tuple(g.numpy() for g in tape.gradient(objective, [x, h0, Wx, Wh, b]))
"""


def demo_mistake(questions):
    """A mistake of the corpus that only this notebook's questions grade."""
    groups = {g for gs in questions.values() for g in gs}
    return next(m for m in examples.mutants() if m.get("demo") and set(m["loses"]) <= groups)


# Every zip in both modes. What a known mistake costs and how the upload is laid out do not depend
# on the mode: those are checked without CAP_SYS_ADMIN (as Gradescope runs), and privileged on
# Session 1's zip, the quickest, only.
GRADESCOPE_RUNS = [(name, privileged) for name in NOTEBOOKS for privileged in (False, True)]


@pytest.mark.skipif(os.geteuid() != 0, reason="Gradescope grades as root")
@pytest.mark.parametrize("name, privileged", GRADESCOPE_RUNS,
                         ids=[f"{name}-{'privileged' if privileged else 'no-CAP_SYS_ADMIN'}" for name, privileged in GRADESCOPE_RUNS])
def test_gradescope_grades_and_leaks_nothing(built, clean_python, tmp_path, name, privileged, modes_restored):
    """As Gradescope runs a zip (a Python that has only the zip's copy of rnnlab_grader), with and
    without CAP_SYS_ADMIN: the reference full on this zip's questions only, and a submission that
    reads the reference and echoes it gets none of it back (without CAP_SYS_ADMIN the worker keeps
    a user of its own, and the zip's folder is made root-only); a known mistake exactly its
    questions (GRADESCOPE_RUNS says where). On Session 1's zip, which is the quickest, also an
    rnn_backward by TensorFlow's autodiff, which earns nothing in either mode (without namespaces
    the frameworks are its group's only), and, without CAP_SYS_ADMIN, the stubs and the upload's
    layouts (what they show depends neither on the zip nor on the mode)."""
    autograder = next(z for z in built.zips if z.name.startswith(name))
    notebook = built.out / f"{name}.ipynb"
    questions = graded_questions(autograder)
    mutant = demo_mistake(questions)
    reader = tmp_path / "reader_package" / "rnnlab"
    shutil.copytree(SOLUTIONS / "rnnlab", reader, ignore=shutil.ignore_patterns("__pycache__"))
    tree_reference = str(tmp_path / "*" / "source" / "reference" / "rnnlab" / "*.py")
    (reader / "__init__.py").write_text(READ_AND_ECHO.format(tree=tree_reference) + (reader / "__init__.py").read_text())
    packages = {"reference": SOLUTIONS / "rnnlab", "reader": reader}
    mistaken = not privileged or name == "rnn_fundamentals"
    if mistaken:
        packages["wrong"] = examples.write_mutant(tmp_path / "wrong", mutant) / "rnnlab"
    autodiff, layouts = name == "rnn_fundamentals", name == "rnn_fundamentals" and not privileged
    if layouts:
        packages["stubs"] = built.out / "rnnlab"
    if autodiff:
        packages["autodiff"] = tmp_path / "autodiff_package" / "rnnlab"
        shutil.copytree(SOLUTIONS / "rnnlab", packages["autodiff"], ignore=shutil.ignore_patterns("__pycache__"))
        with open(packages["autodiff"] / "rnn.py", "a") as rnn:
            rnn.write(BY_AUTODIFF)
    for folder in [*reversed(tmp_path.parents), tmp_path]:  # reachable by anyone, as /autograder is
        folder.chmod(folder.stat().st_mode | 0o001)
    with ThreadPoolExecutor(max_workers=SIDE_BY_SIDE) as pool:  # two containers at once, as the two cores allow
        runs = {who: pool.submit(gradescope_run, clean_python, autograder,
                                 submission_zip(tmp_path / f"{who}.zip", notebook, package), tmp_path / who, privileged)
                for who, package in packages.items()}
        if layouts:
            runs["flat"] = pool.submit(gradescope_run, clean_python, autograder, submission_zip(
                tmp_path / "flat.zip", notebook, SOLUTIONS / "rnnlab", package_folder=""), tmp_path / "flat", privileged)
            runs["whole_folder"] = pool.submit(gradescope_run, clean_python, autograder, whole_folder_zip(
                tmp_path / "whole_folder.zip", built.out, SOLUTIONS / "rnnlab"), tmp_path / "whole_folder", privileged)
    results = {who: run.result() for who, run in runs.items()}
    plan = plugin_settings(autograder)["plan"]
    scores = {who: by_question({t["name"]: (t["score"], t["max_score"]) for t in result["tests"] if "max_score" in t}, plan)
              for who, result in results.items()}
    assert set(scores["reference"]) == set(questions)
    assert all(score == most > 0 for score, most in scores["reference"].values())
    total = sum(most for _, most in scores["reference"].values())
    assert f"{total:g} / {total:g} points" in results["reference"]["output"]  # this zip's points, not the day's
    if layouts:  # a zip of the whole student folder (one top folder, four notebooks); modules uploaded flat
        assert scores["whole_folder"] == scores["flat"] == scores["reference"]
        assert all(score == 0 for score, _ in scores["stubs"].values())
    if autodiff:
        autodiff_lost = {question for question, (score, most) in scores["autodiff"].items() if score < most}
        assert autodiff_lost == {q for q, groups in questions.items() if "rnn.rnn_backward" in groups}
    if mistaken:
        lost = {question for question, (score, most) in scores["wrong"].items() if score < most}
        assert lost == {q for q, groups in questions.items() if set(groups) & set(mutant["loses"])}
    assert "LEAK 0 read" in json.dumps(results["reader"])  # it ran, and read nothing
    told = [line for line in results["reference"]["stdout"].splitlines() if line.startswith("rnnlab:")]
    assert told and ("in private namespaces" if privileged else "without namespaces") in told[0], told


def test_otters_log_server_ends_when_a_peer_closes_mid_record():
    # A reconnecting ZeroMQ socket's greeting (0xFF, then padding) reads as a 4 GB record; otter's
    # own handler then called recv for ever once the peer closed (a run of the Gradescope-like test
    # never exited). The plugin's replacement ends there.
    from rnnlab_grader import otter_plugin

    class Closing:
        def __init__(self, data):
            self.data = data

        def recv(self, size):
            chunk, self.data = self.data[:size], self.data[size:]
            return chunk

    handled = []
    handler = type("Handler", (), {"unpickle": staticmethod(pickle.loads), "handle_log_record": handled.append})()
    record = pickle.dumps(logging.makeLogRecord({"msg": "graded"}).__dict__)
    handler.connection = Closing(struct.pack(">L", len(record)) + record + b"\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f")
    finished = threading.Thread(target=otter_plugin._handle_log_records, args=(handler,), daemon=True)
    finished.start()
    finished.join(timeout=10)
    assert not finished.is_alive() and [r.msg for r in handled] == ["graded"]
