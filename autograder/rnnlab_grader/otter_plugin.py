"""An otter-grader plugin that scores every question with rnnlab's hidden graders.

Otter runs a submission's notebook, and its test files, in a Jupyter kernel that the
student's code controls; it also unpickles files the submission brings. So this plugin
(which runs in otter's own process) takes over before any of that happens:

- before_grading: moves everything the submission brought except the notebook (its
  `rnnlab/` package, `.OTTER_LOG`, stray `.pyc` or `ipykernel_launcher.py` files) into a
  private folder, out of otter's reach; it is moved back once graded, or when the process
  ends if otter crashed before (the submission folder is left as it was found);
- before_execution: replaces the notebook by an empty one, so no student cell runs in otter;
- after_grading: grades the private folder with `engine.grade_submission` (the same sandboxed
  path as `rnnlab grade`) on this notebook's questions only, and replaces each question's result
  with the scores of the test groups the question covers, one test case per hidden test, with its
  feedback.

The master notebook's ASSIGNMENT CONFIG names the questions and their groups:

    plugins:
      - rnnlab_grader.otter_plugin.RnnlabPlugin:
          questions:
            rnn_step_forward: [rnn.rnn_step_forward]
"""
import atexit
import json
import logging
import shutil
import struct
import tempfile
from pathlib import Path

import nbformat
from otter.execute import logging as otter_logging
from otter.plugins import AbstractOtterPlugin
from otter.test_files.abstract_test import TestCase, TestCaseResult
from otter.test_files.exception_test import ExceptionTestFile

from . import course
from .grading import engine
from .reports import gradebook


def _handle_log_records(self):
    """otter's log server (otter.execute.logging), ending at end of stream: otter's own loops for
    ever when a peer closes mid-record, as a Jupyter client's reconnecting ZeroMQ socket does when
    it reaches the server's port (its greeting reads as a 4 GB record): seen in the suite, the run
    then never exits, and Gradescope would time the submission out with results written."""
    while len(header := self.connection.recv(4)) == 4:
        size = struct.unpack(">L", header)[0]
        data = b""
        while len(data) < size:
            chunk = self.connection.recv(min(size - len(data), 2**20))
            if not chunk:
                return
            data += chunk
        record = logging.makeLogRecord(self.unpickle(data))
        self.handle_log_record(record)


otter_logging.LogRecordStreamHandler.handle = _handle_log_records


def prepare_submission(autograder_dir):
    """Lay out an upload as otter expects it, in place: a submission whose files all sit in one top
    folder (a zip of the student folder, say) has them moved up, and of several notebooks only this
    assignment's stays at the top (the others go into `other_notebooks/`, graded by no one), so that
    otter finds the one notebook it grades. Run by the zip's run_otter.py before otter; `rnnlab
    grade` reads only the `rnnlab/` package, wherever it is."""
    folder = Path(autograder_dir) / "submission"
    entries = [p for p in folder.iterdir() if p.name != "__MACOSX" and not p.name.startswith(".")]
    if len(entries) == 1 and entries[0].is_dir() and not any(folder.glob("*.ipynb")):
        for path in list(entries[0].iterdir()):
            if not (folder / path.name).exists():
                shutil.move(str(path), folder / path.name)
    config = json.loads((Path(autograder_dir) / "source" / "otter_config.json").read_text())
    ours = folder / f"{config.get('assignment_name')}.ipynb"
    others = [path for path in folder.glob("*.ipynb") if path != ours]
    if ours.exists() and others:
        (folder / "other_notebooks").mkdir(exist_ok=True)
        for path in others:
            shutil.move(str(path), folder / "other_notebooks" / path.name)


def question_result(question, tests):
    """An otter TestFile for one question, built from rnnlab test results (plain dicts)."""
    cases, outcomes = [], []
    for test in tests:
        case = TestCase(name=test["name"], body=None, hidden=False, points=test["max_score"],
                        success_message="passed", failure_message=None)
        cases.append(case)
        outcomes.append(TestCaseResult(test_case=case, message=test["output"] or "passed",
                                       passed=test["score"] >= test["max_score"]))
    test_file = ExceptionTestFile(question, f"tests/{question}.py", cases, all_or_nothing=False)
    test_file.test_case_results = outcomes
    test_file.update_score(sum(t["score"] for t in tests))
    return test_file


def scores_by_question(result, questions):
    """question -> (score, max_score) for an rnnlab result and a question -> groups mapping."""
    by_group = engine.group_scores(result)
    totals = {}
    for question, groups in questions.items():
        parts = [by_group[g] for g in groups if g in by_group]
        totals[question] = (sum(score for score, _ in parts), sum(most for _, most in parts))
    return totals


class RnnlabPlugin(AbstractOtterPlugin):
    """Scores come from rnnlab's hidden graders, never from the submission's kernel."""

    def before_grading(self, config):
        notebook = Path(self.submission_path)
        self.private_dir = Path(tempfile.mkdtemp(prefix="rnnlab-otter-"))
        self.moved = []  # (where it was, where it is)
        atexit.register(self._put_back)
        for path in notebook.parent.iterdir():
            if path != notebook:
                self.moved.append((path, self.private_dir / path.name))
                shutil.move(str(path), self.moved[-1][1])

    def _put_back(self):
        """Leave the submission folder as it was found, and nothing in the private folder."""
        for original, moved in getattr(self, "moved", []):
            if moved.exists() and not original.exists():
                shutil.move(str(moved), original)
        self.moved = []
        shutil.rmtree(self.private_dir, ignore_errors=True)

    def before_execution(self, submission):
        return nbformat.v4.new_notebook(metadata=submission.get("metadata", {}))

    def after_grading(self, results):
        plan = {question: tuple(entry) for question, entry in self.plugin_config.get("plan", {}).items()}
        # This notebook's questions only, but the given ones (handed out finished: course.KINDS): its
        # score is out of their points, not the whole day's.
        questions = {question: groups for question, groups in self.plugin_config["questions"].items()
                     if course.kind_of(plan, question) != "given"}
        graded = {group for groups in questions.values() for group in groups}
        result = engine.grade_submission(self.private_dir, name="submission", groups=graded)
        for question, groups in questions.items():
            tests = [t for t in result["tests"] if t["extra_data"]["group"] in groups]
            # Gradescope names a test by its question: a stretch question says so.
            stretch = course.kind_of(plan, question) == "stretch"
            results.results[question] = question_result(question + (" (stretch)" if stretch else ""), tests)
        for question in set(results.results) - set(questions):
            del results.results[question]
        counts = self.plugin_config.get("stretch_counts", "bonus")
        parts = course.core_and_stretch(engine.group_scores(result),
                                        [{"questions": questions, "plan": plan, "stretch_counts": counts}])
        results.set_output(f"rnnlab hidden graders: {result['output']}; core {parts['core'][0]:g}/{parts['core'][1]:g}, "
                           f"stretch {parts['stretch'][0]:g}/{parts['stretch'][1]:g}"
                           + (" (a bonus, beyond the core's maximum)" if counts == "bonus" else " (counted)"))
        # For the instructor only: Gradescope shows run_autograder's output to instructors, not students.
        print(gradebook.isolation_note(result["isolation"]))
        self._put_back()
