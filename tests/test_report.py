"""`rnnlab grade` writes Gradescope results and a gradebook, the same bytes every time."""
import csv
import json

from rnnlab_grader import cli, course
from rnnlab_grader.reports import gradebook
from rnnlab_grader.grading.engine import catalogue


def test_grade_command_writes_results_and_gradebook_deterministically(example_dir, tmp_path):
    submissions = [str(example_dir / "reference"), str(example_dir / "stubs.zip"),
                   str(example_dir / "missing_bias")]
    for out in ("first", "second"):
        assert cli.main(["grade", *submissions, "--out", str(tmp_path / out), "-j", "2"]) == 0
    for name in ("reference.json", "stubs.json", "missing_bias.json", "gradebook.csv"):
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes()

    result = json.loads((tmp_path / "first" / "reference.json").read_text())
    assert set(result) == {"score", "output", "tests"}
    assert result["score"] == sum(t["max_score"] for t in result["tests"])
    assert all({"name", "score", "max_score", "output"} <= set(t) for t in result["tests"])

    rows = list(csv.DictReader((tmp_path / "first" / "gradebook.csv").open()))
    assert [r["submission"] for r in rows] == ["missing_bias", "reference", "stubs"]
    graded = course.graded_groups(course.sessions())  # a given question's functions are not graded
    groups = [group for group in dict.fromkeys(t["group"] for t in catalogue()) if group in graded]
    assert list(rows[0])[1:len(groups) + 1] == groups and "layers.softmax" not in rows[0]
    by_name = {r["submission"]: r for r in rows}
    assert float(by_name["stubs"]["total"]) == 0
    # Stretch points are a bonus (the masters' stretch_counts): the maximum is the core's.
    reference = {column: float(by_name["reference"][column]) for column in ("core", "stretch", "total", "max_score")}
    assert reference["core"] == reference["max_score"] and reference["stretch"] > 0
    assert reference["total"] == reference["core"] + reference["stretch"] == result["score"]
    assert float(by_name["missing_bias"]["rnn.rnn_step_forward"]) < float(by_name["reference"]["rnn.rnn_step_forward"])
    assert by_name["missing_bias"]["lstm.lstm_step_forward"] == by_name["reference"]["lstm.lstm_step_forward"]


def test_two_submissions_with_one_name_are_refused(example_dir, tmp_path):
    (tmp_path / "reference").mkdir()
    assert cli.main(["grade", str(example_dir / "reference"), str(tmp_path / "reference"),
                     "--out", str(tmp_path / "out")]) == 2


def test_a_killed_batch_resumes_to_the_same_gradebook_without_regrading(example_dir, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    submissions = [str(p) for p in sorted(example_dir.iterdir())][:4]
    assert cli.main(["grade", *submissions, "--out", str(tmp_path / "whole"), "-j", "2"]) == 0

    rnnlab = str(Path(sys.executable).parent / "rnnlab")
    batch = subprocess.Popen([rnnlab, "grade", *submissions, "--out", str(tmp_path / "resumed"), "-j", "1"],
                             start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # A result is finished once its key is written (after <name>.json): the kill may fall between
    # the two, and that result is rightly graded again.
    keys = tmp_path / "resumed" / gradebook.STATE
    deadline = time.monotonic() + 120
    while len(list(keys.glob("*.key"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(batch.pid, signal.SIGKILL)
    batch.wait()
    finished = {f"{key.stem}.json": (tmp_path / "resumed" / f"{key.stem}.json").stat().st_mtime_ns
                for key in keys.glob("*.key")}
    assert 2 <= len(finished) < len(submissions)
    assert not (tmp_path / "resumed" / "gradebook.csv").exists()

    assert cli.main(["grade", *submissions, "--out", str(tmp_path / "resumed")]) == 0
    for name, mtime in finished.items():  # kept, not graded again
        assert (tmp_path / "resumed" / name).stat().st_mtime_ns == mtime
    for path in [*(tmp_path / "whole").glob("*.json"), tmp_path / "whole" / "gradebook.csv"]:
        assert path.read_bytes() == (tmp_path / "resumed" / path.name).read_bytes(), path.name


def test_the_gradebooks_title_is_one_line_at_80_columns():
    # As a table's title it wrapped into the narrow table's width (a 20-character column).
    import io
    from rich.console import Console
    from rnnlab_grader.reports import analysis
    out = io.StringIO()
    gradebook.print_gradebook(analysis.synthetic_results(2), Console(file=out, width=80))
    assert "Gradebook (per function: gradebook.csv; feedback: <name>.json)" in out.getvalue().splitlines()


def test_the_summary_names_the_lost_test_that_explains_the_others():
    # missing_bias loses "inputs untouched" (credited only with a right result) before its values tests.
    def test(name, group, lost):
        return {"name": name, "score": 0 if lost else 1, "max_score": 1, "extra_data": {"group": group}}
    lost = [test("rnn_step_forward: inputs untouched (N=2)", "rnn.rnn_step_forward", True),
            test("rnn_step_forward: values (N=3)", "rnn.rnn_step_forward", True)]
    assert gradebook.first_cause(lost)["name"] == "rnn_step_forward: values (N=3)"
    # An untouched test lost alone is the cause: the function writes into its inputs.
    alone = [test("sigmoid: inputs untouched (N=2)", "layers.sigmoid", True),
             test("rnn_step_forward: values (N=3)", "rnn.rnn_step_forward", True)]
    assert gradebook.first_cause(alone)["name"] == "sigmoid: inputs untouched (N=2)"
