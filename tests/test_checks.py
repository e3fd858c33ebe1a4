"""A question's grader.check runs the public tests of the functions it covers: all of them, and
nothing of a later question. So it fails on the stubs, and passes as soon as its question and
the ones before it are done.

The tests of the release's public tests (tests/conftest.py says how they are organised):
- every public test names one graded function, of the session whose folder holds it, and every
  question has public tests;
- for every session and every k, with the functions of the earlier sessions and of questions
  1..k written (the reference's) and the rest stubs, check k passes and check k+1 fails (unless
  question k+1 is given: its functions come finished, and its check passes from the start).
"""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import partly_done
from rnnlab_grader.course import sessions
from rnnlab_grader.paths import STUDENT
from rnnlab_grader.release import consistency

COURSE = sessions()

# Run questions' checks as grader.check does: otter's test file, from the student's folder
# (importing otter takes seconds: once for a list of (folder, question)). Prints [[passed, output]].
RUN_CHECKS = """
import contextlib, io, json, os, sys
from otter.test_files.exception_test import ExceptionTestFile
results = []
for folder, question in json.loads(sys.argv[1]):
    os.chdir(folder)
    check, printed = ExceptionTestFile.from_file(f"tests/{question}.py"), io.StringIO()
    with contextlib.redirect_stdout(printed):
        check.run({})
    results.append([check.passed_all, printed.getvalue() + check.summary()])
print(json.dumps(results))
"""


def test_every_public_test_checks_one_graded_function_of_its_session_and_every_question_has_one(tmp_path):
    # What the release checks (release/consistency.py), on the release as committed.
    collected, error = consistency.public_tests(STUDENT, tmp_path)
    assert collected is not None, error
    assert len(collected) > 100 and consistency.public_test_problems(COURSE, collected) == []


def run_checks(runs):
    """[(passed, output)] of each (folder, question)'s check, in two processes."""
    halves = [runs[::2], runs[1::2]]
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = list(pool.map(lambda half: subprocess.run(
            [sys.executable, "-c", RUN_CHECKS, json.dumps([[str(f), q] for f, q in half])],
            capture_output=True, text=True), halves))
    for run in done:
        assert run.returncode == 0, run.stderr[-3000:]
    results = [json.loads(run.stdout) for run in done]
    return [results[i % 2][i // 2] for i in range(len(runs))]


@pytest.mark.parametrize("session", COURSE, ids=lambda s: s["notebook"])
def test_check_k_passes_and_check_k_plus_1_fails_with_questions_1_to_k_done(session, tmp_path):
    earlier = [f for s in COURSE if s["number"] < session["number"] for f in s["groups"]]
    questions = list(session["questions"])
    runs, must_pass = [], []  # (folder, question), and whether its check must pass
    for k in range(len(questions) + 1):
        done = earlier + [f for q in questions[:k] for f in session["questions"][q]]
        folder = partly_done(tmp_path / f"done_{k}", done)
        if k > 0:
            runs.append((folder, questions[k - 1]))
            must_pass.append(True)
        if k < len(questions) and session["plan"][questions[k]][0] != "given":  # a given one passes from the start
            runs.append((folder, questions[k]))
            must_pass.append(False)
    wrong = [f"{folder.name}: check {question} {'failed' if must else 'passed'}:\n{output[-1500:]}"
             for (folder, question), must, (passed, output) in zip(runs, must_pass, run_checks(runs))
             if passed != must]
    assert wrong == [], "\n\n".join(wrong)
