"""Grade every example submission (reference, stubs, the whole mutant corpus) and write the
results as JSON: `python tests/example_batch.py RESULTS_JSON`.

conftest.py runs this in the background at the lowest priority from the start of the test
session, so that it takes the core the other tests leave idle; `graded_examples` reads its file.
"""
import json
import sys
import tempfile
from pathlib import Path

from rnnlab_grader import course
from rnnlab_grader.grading import engine, examples
from rnnlab_grader.grading.mutants import affected_groups

# Starved by the tests in front, a call can wait long on the wall clock: the corpus has no
# endless loop, so these limits only stop a grading that is stuck for good.
CALL_TIMEOUT_S, SUBMISSION_TIMEOUT_S = 600, 3600


def grade_examples(out):
    """name -> result: the reference on everything, the stubs (as handed out: the given functions
    finished) on what is graded, each mutant on the tests its change can reach
    (mutants.affected_groups); the others run only the reference's code."""
    with tempfile.TemporaryDirectory(prefix="rnnlab-examples-") as tmp:
        examples.write_examples(Path(tmp), wrong=examples.mutants())
        groups = {Path(tmp) / m["name"]: affected_groups(m) for m in examples.mutants()}
        groups[Path(tmp) / "stubs.zip"] = set(course.graded_groups(course.sessions()))
        results = engine.grade_batch(sorted(Path(tmp).iterdir()), jobs=2, groups=groups,
                                     call_timeout=CALL_TIMEOUT_S, timeout=SUBMISSION_TIMEOUT_S)
    Path(out).write_text(json.dumps({r["name"]: r for r in results}))


if __name__ == "__main__":
    grade_examples(sys.argv[1])
