"""Feedback that names the mistake: each mistake the diagnoser knows (a mutant of the corpus with
`feedback`) is named when a submission makes it, never confused with another, and right code is
never diagnosed. The words contain no reference code."""
import pytest

from rnnlab_grader.grading import examples
from rnnlab_grader.grading.mutants import Row, diagnoses, matrix_lines, summary
from rnnlab_grader.paths import SOLUTIONS
from rnnlab_grader.release.build import split_solutions

KNOWN = [m for m in examples.mutants() if m.get("feedback")]


def test_the_diagnoser_knows_most_of_the_corpus():
    assert len(KNOWN) >= 0.6 * len(examples.mutants())


@pytest.mark.parametrize("mutant", KNOWN, ids=lambda m: m["name"])
def test_a_known_mistake_is_named_and_nothing_else(graded_examples, mutant):
    result = graded_examples[mutant["name"]]
    named = diagnoses(result)
    assert named, f"no lost test names {mutant['name']}"
    assert all(mutant["name"] in ids for ids in named), f"named as {named}"
    diagnosed = [t for t in result["tests"] if t["extra_data"].get("diagnosis")]
    assert all(mutant["feedback"] in t["output"] and t["score"] == 0 for t in diagnosed)


@pytest.mark.parametrize("name", ["reference", "stubs"])
def test_right_code_and_missing_code_get_no_diagnosis(graded_examples, name):
    assert diagnoses(graded_examples[name]) == ()
    assert not any("known mistake" in t["output"] for t in graded_examples[name]["tests"])


def test_feedback_quotes_no_reference_code():
    lines = {line.strip() for path in (SOLUTIONS / "rnnlab").glob("*.py")
             for line in split_solutions(path.read_text())[1] if len(line.strip()) >= 12}
    for mutant in KNOWN:
        assert not [line for line in lines if line in mutant["feedback"]], mutant["name"]


def test_kill_matrix_says_whether_a_known_mistake_was_named():
    rows = [Row("named", {"a.f"}, {"a.f"}, True, ({"named"},)),
            Row("confused", {"a.f"}, {"a.f"}, True, ({"other"},)),
            Row("unknown", {"a.f"}, {"a.f"})]
    assert matrix_lines(rows, ["a.f"])[2:5] == ["named    x  ok, named", "confused x  ok, NOT NAMED",
                                                "unknown  x  ok"]
    assert "1/2 known mistakes named by the diagnoser (33.3% of the corpus)" in summary(rows)
