"""Intake: whatever a submission is, the batch finishes and writes its gradebook, and each
submission that cannot be graded says why (the gradebook's problem column, the terminal).

Each broken case here made `rnnlab grade` exit 1 with a traceback, and no gradebook, before.
"""
import csv
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from conftest import HOGS, make_submission, orphaned_workers_since, reference_with
from rnnlab_grader.grading import engine
from rnnlab_grader.paths import SOLUTIONS

RNNLAB = str(Path(sys.executable).parent / "rnnlab")
SIGMOID = {"layers.sigmoid"}  # what a broken case is graded on: it must not matter


def zipped(path, members, *, method=zipfile.ZIP_DEFLATED, tweak=None):
    """A zip of (name, text) members; `tweak(data)` edits its bytes afterwards."""
    with zipfile.ZipFile(path, "w", method) as archive:
        for name, text in members:
            archive.writestr(name, text)
    if tweak:
        path.write_bytes(tweak(path.read_bytes()))
    return path


def reference_members(prefix="sub/rnnlab/"):
    return [(prefix + p.name, p.read_text()) for p in sorted((SOLUTIONS / "rnnlab").glob("*.py"))]


def set_flag(data, flag):
    """Set a general-purpose flag bit in every local and central header of a zip."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset] |= flag
            start += 4
    return bytes(data)


def set_method(data, method):
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            data[start + offset:start + offset + 2] = method.to_bytes(2, "little")
            start += 4
    return bytes(data)


def corrupt_stream(data):
    """Garble the first member's compressed bytes (its CRC then fails, or inflating does)."""
    data = bytearray(data)
    start = data.find(b"PK\x03\x04") + 30 + int.from_bytes(data[26:28], "little")
    data[start:start + 16] = b"\xff" * 16
    return bytes(data)


def text_file(path, text):
    path.write_text(text)
    return path


def folder(root, name, files):
    for relative, text in files:
        (root / name / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / name / relative).write_text(text)
    return root / name


# A function that never returns, in a graded function no other one calls: it loses that, and nothing else.
STALLER_LOSES = "timeseries.naive_forecast"
NAIVE_BODY = "    return np.repeat(X[:, -1, :1], horizon, axis=1)\n"

# name -> (how it is made, what its problem must say; None: it is graded, and scores full marks)
CASES = {
    "encrypted": (lambda root: zipped(root / "encrypted.zip", reference_members(), tweak=lambda d: set_flag(d, 1)),
                  "is encrypted"),
    "long_name": (lambda root: zipped(root / "long_name.zip", [("sub/" + "n" * 300 + ".py", "x = 1")]),
                  "too long or too deep"),
    "bad_stream": (lambda root: zipped(root / "bad_stream.zip", reference_members(), tweak=corrupt_stream),
                   "could not be opened"),
    "unknown_method": (lambda root: zipped(root / "unknown_method.zip", reference_members(),
                                           tweak=lambda d: set_method(d, 99)), "compression method"),
    "file_and_folder": (lambda root: zipped(root / "file_and_folder.zip",
                                            [("sub/rnnlab", "x"), ("sub/rnnlab/rnn.py", "x = 1")]),
                        "both as a file and as a folder"),
    "deep": (lambda root: zipped(root / "deep.zip", [("d/" * 600 + "rnn.py", "x = 1")]), "too long or too deep"),
    "deep_folder": (lambda root: folder(root, "deep_folder", [("d/" * 60 + "rnn.py", "x = 1")]),
                    "more than 32 deep"),
    "renamed_package": (lambda root: folder(root, "renamed_package", [("mycode/rnn.py", "x = 1"),
                                                                      ("mycode/lstm.py", "x = 1")]),
                        "no rnnlab/ package folder: found mycode/lstm.py, mycode/rnn.py"),
    "not_a_zip.txt": (lambda root: text_file(root / "not_a_zip.txt", "hello"), "is a file but not a zip"),
    # Graded: a folder named like a zip, the package's files zipped flat, a name that looks like a formula.
    "folder.zip": (lambda root: folder(root, "folder.zip", [(n, t) for n, t in reference_members("rnnlab/")]), None),
    "flat": (lambda root: zipped(root / "flat.zip", reference_members("")), None),
    "=HYPERLINK(1)": (lambda root: folder(root, "=HYPERLINK(1)", reference_members("rnnlab/")), None),
    "reference": (lambda root: folder(root, "reference", reference_members("rnnlab/")), None),
    **{name: (lambda root, name=name, code=code: reference_with(root, name, code), None) for name, code in HOGS.items()},
    "staller": (lambda root: make_submission(root, "staller", "timeseries.py", NAIVE_BODY,
                                             "    import time\n    time.sleep(10**6)\n" + NAIVE_BODY), None),
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """`rnnlab grade` on every case at once, as a grader runs it."""
    root = tmp_path_factory.mktemp("intake")
    paths = [str(make(root)) for make, _ in CASES.values()]
    out, scratch = root / "out", root / "tmp"  # the batch's own temporary folder: all it leaves is seen
    scratch.mkdir()
    started = time.time()
    run = subprocess.run([RNNLAB, "grade", *paths, "--out", str(out), "-j", "2"], capture_output=True, text=True,
                         env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "TMPDIR": str(scratch)})
    with open(out / "gradebook.csv", newline="") as book:
        rows = {row["submission"]: row for row in csv.DictReader(book)}
    return run, rows, scratch, started


def test_the_batch_finishes_with_a_gradebook(graded):
    run, rows, *_ = graded
    assert run.returncode == 0, run.stderr[-2000:]
    assert len(rows) == len(CASES)


@pytest.mark.parametrize("name", CASES)
def test_each_case_says_why_or_is_graded(graded, name):
    run, rows, *_ = graded
    row = rows["'" + name if name.startswith("=") else engine.submission_name(Path(name))]
    expected = CASES[name][1]
    if name == "staller":  # its naive_forecast times out, and costs nothing else
        assert row[STALLER_LOSES] == "0" and row["problem"] == "", row
        assert all(row[group] == full for group, full in rows["reference"].items()
                   if group not in (STALLER_LOSES, "submission", "core", "total")), row
    elif expected is None:  # full marks: every core point (the maximum) and the stretch ones beyond it
        assert row["problem"] == "" and row["core"] == row["max_score"] and row["total"] == rows["reference"]["total"], row
    else:
        assert expected in row["problem"] and row["total"] == "0", row
        assert expected in " ".join(run.stdout.split()), run.stdout[-3000:]  # the terminal names it too


def test_the_terminal_gradebook_reads_at_80_columns(graded):
    # Every name whole on one line of the table, with its total: the per-module columns do not fit.
    run, rows, *_ = graded
    lines = run.stdout.splitlines()
    assert all(len(line) <= 80 for line in lines)
    for name, row in rows.items():
        shown = name.lstrip("'")
        assert any(shown in line and line.rstrip(" │").endswith(row["total"]) for line in lines), (shown, run.stdout)


def test_a_formula_is_not_a_formula_in_the_gradebook(graded):
    _, rows, *_ = graded
    assert "'=HYPERLINK(1)" in rows and "=HYPERLINK(1)" not in rows


def test_the_batch_leaves_no_file_and_no_process_behind(graded):
    _, _, scratch, started = graded
    assert not list(scratch.iterdir())
    assert not orphaned_workers_since(started)  # the hogs' children and daemons included
