"""`rnnlab report`: the item analysis of a graded folder, its HTML page and terminal summary."""
import json
import re

import pytest

from browser import dump_dom, needs_chromium
from rnnlab_grader import cli
from rnnlab_grader.grading import engine, examples
from rnnlab_grader.reports import analysis, gradebook, html_report

# ---------------------------------------------------------------------------
# A small batch by hand: three groups in two sessions, four submissions.

SESSIONS = [{"number": 1, "title": "One", "notebook": "one", "groups": ["rnn.rnn_forward", "rnn.rnn_backward"]},
            {"number": 2, "title": "Two", "notebook": "two", "groups": ["lstm.lstm_forward"],
             "questions": {"lstm_forward": ["lstm.lstm_forward"]}, "plan": {"lstm_forward": ("stretch", 10)}}]


TESTS = [("rnn.rnn_forward", 1), ("rnn.rnn_forward", 1), ("rnn.rnn_backward", 2), ("lstm.lstm_forward", 1)]
BPTT = {"id": "bptt_not_carried", "title": "drops the gradient from the next step"}
GATE = {"id": "lstm_gate_order", "title": "gate blocks in the wrong order"}
TIMED_OUT = "grading took longer than 600 s and was stopped"


def submission(name, scores, seconds=None, diagnoses=None, outputs=None, problem=None):
    """A result over TESTS: `scores` a test, `diagnoses` and `outputs` by test index."""
    tests = []
    for index, ((group, most), score) in enumerate(zip(TESTS, scores)):
        extra = {"group": group, **({"diagnosis": diagnoses[index]} if index in (diagnoses or {}) else {})}
        tests.append({"name": f"{group} {index}", "score": score, "max_score": most,
                      "output": (outputs or {}).get(index, ""), "visibility": "visible", "extra_data": extra})
    return {"name": name, "score": sum(scores), "max_score": 5, "output": problem or f"{sum(scores):g} / 5 points",
            "tests": tests, "seconds": seconds}


def hand_built():
    return [
        submission("a", [1, 1, 2, 1], seconds=10.0),
        submission("b", [1, 0, 0, 1], seconds=20.0, diagnoses={1: BPTT, 2: BPTT}),  # one mistake, two groups
        submission("c", [0, 0, 2, 0], seconds=30.0, diagnoses={0: BPTT, 1: BPTT, 3: GATE},
                   outputs={3: "lstm_forward crashed the Python process (exit code 1) <script>x</script>"}),
        submission("d", [0, 0, 0, 0], problem=TIMED_OUT, outputs=dict.fromkeys(range(4), f"not graded: {TIMED_OUT}")),
    ]


def test_item_analysis_of_a_hand_built_batch():
    found = analysis.item_analysis(hand_built(), SESSIONS)
    assert (found["submissions"], found["graded"], found["max_score"]) == (4, 3, 5)
    scores = found["scores"]
    assert scores["values"] == [5, 2, 2, 0]
    assert (scores["mean"], scores["median"], scores["min"], scores["max"]) == (2.25, 2, 0, 5)

    # Sessions hold every submission, as the gradebook does.
    assert [(s["number"], s["scores"]["max_score"], s["scores"]["values"]) for s in found["sessions"]] == [
        (1, 4, [4, 1, 2, 0]), (2, 1, [1, 1, 0, 0])]

    # Questions and modules count only the three graded submissions.
    third, two_thirds = pytest.approx(1 / 3), pytest.approx(2 / 3)
    questions = {q["group"]: q for q in found["questions"]}
    assert list(questions) == ["rnn.rnn_forward", "rnn.rnn_backward", "lstm.lstm_forward"]
    forward = questions["rnn.rnn_forward"]
    assert (forward["full"], forward["partial"], forward["zero"], forward["mean"]) == (third, third, third, 0.5)
    backward = questions["rnn.rnn_backward"]
    assert (backward["full"], backward["partial"], backward["zero"]) == (two_thirds, 0, third)
    assert (questions["lstm.lstm_forward"]["session"], questions["lstm.lstm_forward"]["count"]) == (2, 3)
    assert [q["path"] for q in questions.values()] == ["core", "core", "stretch"]
    modules = {m["module"]: m for m in found["modules"]}
    assert (modules["rnn"]["max_score"], modules["rnn"]["full"], modules["rnn"]["partial"],
            modules["rnn"]["zero"]) == (4, third, two_thirds, 0)
    assert modules["rnn"]["sessions"] == [1]

    # A mistake counts once per submission, with its title and the groups it cost.
    assert [(m["id"], m["count"], m["share"]) for m in found["mistakes"]] == [
        ("bptt_not_carried", 2, two_thirds), ("lstm_gate_order", 1, third)]
    assert found["mistakes"][0]["title"] == "drops the gradient from the next step"
    assert found["mistakes"][0]["groups"] == ["rnn.rnn_forward", "rnn.rnn_backward"]

    assert [(p["name"], p["scope"], p["kind"], p["tests"]) for p in found["problems"]] == [
        ("c", "tests", "crashed", 1), ("d", "submission", "timed out", 4)]

    timing = found["timing"]
    assert (timing["count"], timing["min"], timing["median"], timing["max"], timing["total"]) == (3, 10, 20, 30, 60)
    assert [row["name"] for row in timing["seconds"]] == ["a", "b", "c"]


def test_problem_wording_matches_the_engine_and_proxy():
    assert analysis.submission_problem_kind("grading took longer than 600 s and was stopped") == "timed out"
    assert analysis.submission_problem_kind("grading stopped before it finished (pytest exit 1)") == "crashed"
    assert analysis.submission_problem_kind("s1.zip is not a valid zip: File is not a zip file") == "not graded"
    assert analysis.test_problem_kind("case 2: rnn_forward did not finish within 10 s (an endless loop?)") == "timed out"
    assert analysis.test_problem_kind("importing rnnlab/rnn.py did not finish earlier (an endless loop?)") == "timed out"
    assert analysis.test_problem_kind("rnn_forward raised RuntimeError: rnn_step_forward did not finish in an "
                                      "earlier call (an endless loop?), so it is not run again") == "timed out"
    assert analysis.test_problem_kind("rnn_forward crashed the Python process (exit code 1)") == "crashed"
    assert analysis.test_problem_kind("not graded: grading took longer than 600 s and was stopped") is None
    assert analysis.test_problem_kind("h: largest error 0.5 at n=1, t=0") is None


def test_sessions_come_from_the_master_notebooks():
    course = analysis.sessions()
    assert [(s["number"], s["notebook"]) for s in course] == [
        (1, "rnn_fundamentals"), (2, "rnn_variants_overview"), (3, "rnn_architectures_part1"),
        (4, "rnn_architectures_part2")]
    assert course[0]["title"] == "RNN fundamentals"
    where = analysis.session_of(course)
    assert sorted(where) == sorted({t["group"] for t in engine.catalogue()})  # each group in one session
    assert (where["keras_models.recurrent_layer"], where["keras_models.build_tagger"],
            where["keras_models.build_forecaster"], where["layers.sigmoid"]) == (2, 3, 4, 1)


def test_grading_seconds_go_beside_the_key_not_into_the_results(tmp_path):
    graded = {**hand_built()[1], "seconds": 12.5}
    gradebook.write_result(tmp_path, graded, "key-1")
    assert "seconds" not in json.loads((tmp_path / "b.json").read_text())
    assert (tmp_path / gradebook.STATE / "b.seconds").read_text() == "12.5\n"
    assert gradebook.finished_result(tmp_path, "b", "key-1") == {
        key: value for key, value in graded.items() if key != "seconds"}
    (loaded,) = analysis.load_results(tmp_path)
    assert loaded == graded
    gradebook.write_result(tmp_path, {**graded, "seconds": None}, "key-2")  # no time: no stale one either
    assert not (tmp_path / gradebook.STATE / "b.seconds").exists()
    assert analysis.load_results(tmp_path)[0]["seconds"] is None


# ---------------------------------------------------------------------------
# Synthetic batches


def test_a_synthetic_batch_is_deterministic_and_follows_the_corpus():
    batch = analysis.synthetic_results(40, seed=7)
    assert batch == analysis.synthetic_results(40, seed=7)
    assert batch[:10] == analysis.synthetic_results(10, seed=7)
    assert batch != analysis.synthetic_results(40, seed=8)
    corpus = {m["name"]: m for m in examples.mutants()}
    points = {}
    for entry in engine.catalogue():
        points[entry["group"]] = points.get(entry["group"], 0) + entry["points"]
    for result in batch:
        if not result["output"].endswith("points"):  # a problem: the engine's message, zero everywhere
            assert result["score"] == 0 and result["output"].startswith("grading")
            continue
        assert 8 <= result["seconds"] <= 20
        drawn = {re.match(r"synthetic: lost to mutant (\S+) ", t["output"]).group(1)
                 for t in result["tests"] if t["score"] < t["max_score"]}
        diagnosed = {t["extra_data"]["diagnosis"]["id"] for t in result["tests"] if "diagnosis" in t["extra_data"]}
        assert len(drawn) <= analysis.MAX_MISTAKES
        assert diagnosed == {m for m in drawn if corpus[m].get("feedback")}  # as the diagnoser would
        lost = {g for m in drawn for g in corpus[m]["loses"]}
        assert lost == {g for g, (score, most) in engine.group_scores(result).items() if score < most}
        assert result["score"] == result["max_score"] - sum(points[g] for g in lost)
    assert 0 < sum(r["score"] == r["max_score"] for r in batch) < len(batch)


def test_a_synthetic_batch_on_disk_reads_back_and_never_replaces_graded_results(tmp_path):
    written = analysis.write_synthetic(tmp_path / "a", 6, seed=1)
    analysis.write_synthetic(tmp_path / "b", 6, seed=1)
    for path in (tmp_path / "a").glob("*.json"):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
    assert analysis.load_results(tmp_path / "a") == written
    assert (tmp_path / "a" / "gradebook.csv").exists()

    analysis.write_synthetic(tmp_path / "a", 3, seed=2)  # replaces the earlier synthetic batch
    assert len(analysis.load_results(tmp_path / "a")) == 3
    gradebook.write_result(tmp_path / "a", {**written[0], "name": "student"}, "a-real-key")
    with pytest.raises(ValueError, match="holds graded results"):
        analysis.write_synthetic(tmp_path / "a", 3, seed=2)


# ---------------------------------------------------------------------------
# The command and the page


def test_report_command_writes_the_page_and_prints_the_summary(tmp_path, capsys):
    out = tmp_path / "graded"
    assert cli.main(["report", "--synthetic", "10", "--seed", "0", str(out)]) == 0
    printed = capsys.readouterr()
    page = (out / "report.html").read_text()
    assert "10 submissions" in printed.out and "weakest questions" in printed.out
    assert "Scores per session" in printed.out and "grading time of 10 submissions" in printed.out
    assert "SYNTHETIC" in printed.err
    assert page.startswith("<!DOCTYPE html>") and 'data-plots="' in page
    assert 'class="plot"' in page and "data:image/png;base64," in page
    assert not re.search(r'(src|href)="(?!data:|#)', page)  # nothing fetched from anywhere

    assert cli.main(["report", str(out), "--html", str(tmp_path / "elsewhere.html")]) == 0
    assert (tmp_path / "elsewhere.html").read_text() == page  # same results, same page
    assert cli.main(["report", str(tmp_path / "empty")]) == 2


def test_the_page_escapes_what_submissions_wrote():
    page = html_report.render(analysis.item_analysis(hand_built(), SESSIONS))
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


def loaded_plots(page_path, profile):
    """(plots rendered, plots on the page) as headless Chromium saw the page."""
    dom = dump_dom(page_path, profile)
    loaded = re.search(r'data-plots-loaded="(\d+)"', dom)
    return (int(loaded.group(1)) if loaded else None), int(re.search(r'data-plots="(\d+)"', dom).group(1))


@needs_chromium
def test_every_plot_renders_in_a_headless_browser(tmp_path):
    page = html_report.render(analysis.item_analysis(analysis.synthetic_results(10, seed=0)))
    (tmp_path / "report.html").write_text(page)
    loaded, plots = loaded_plots(tmp_path / "report.html", tmp_path / "profile")
    assert plots >= 5 and loaded == plots

    # The check sees a plot that does not render.
    broken = re.sub(r"base64,[A-Za-z0-9+/=]{200}", "base64,AAAA", page, count=1)
    (tmp_path / "broken.html").write_text(broken)
    assert loaded_plots(tmp_path / "broken.html", tmp_path / "profile-2") == (plots - 1, plots)
