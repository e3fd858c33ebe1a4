"""Item analysis of a graded batch: which questions went wrong, how often, and why.

Plain data in, plain data out; nothing here draws (html_report.py does) or grades.

    load_results(DIR)       the results `rnnlab grade` wrote -> result dicts
    item_analysis(results)  -> a dict of plain numbers, lists and strings (see its docstring)
    synthetic_results(n)    a made-up batch composed from the mutant corpus, for demos and tests

A question is a test group ("rnn.rnn_forward", a graded function); a module is the part
before the dot; a session is a master notebook, whose ASSIGNMENT CONFIG already says which
groups it grades (the otter plugin grades by it), so Keras builders fall into the session
whose notebook asks for them.
"""
import json
import random
import re
import statistics
from pathlib import Path

from ..grading import diagnose, engine, examples
from . import gradebook
from ..course import sessions, stretch_groups

# ---------------------------------------------------------------------------
# Reading a results folder


def load_results(out_dir):
    """The results in a folder `rnnlab grade` wrote, sorted by name:
    [{"name", "score", "max_score", "output", "tests", "seconds"}], with seconds None when the
    grading time was not recorded (.rnnlab-keys/<name>.seconds, see gradebook.write_result)."""
    out_dir = Path(out_dir)
    results = []
    for path in sorted(out_dir.glob("*.json")):
        result = json.loads(path.read_text())
        if not isinstance(result, dict) or "tests" not in result:
            continue  # not a results.json
        seconds_file = out_dir / gradebook.STATE / f"{path.stem}.seconds"
        seconds = float(seconds_file.read_text()) if seconds_file.exists() else None
        results.append({"name": path.stem, "score": result["score"],
                        "max_score": sum(t["max_score"] for t in result["tests"]),
                        "output": result["output"], "tests": result["tests"], "seconds": seconds})
    return results


# ---------------------------------------------------------------------------
# What went wrong in a submission

# The words engine.py and proxy.py use; a check's feedback prefixes them with its case.
SUBMISSION_TIMED_OUT = "took longer than"  # "grading took longer than 600 s and was stopped"
SUBMISSION_CRASHED = "stopped before it finished"  # "grading stopped before it finished (pytest exit -9)"
TEST_CRASHED = ("crashed the Python process",)  # the worker died during a call
# a call or an import hung (now, or earlier: then the function it hung in is not run again)
TEST_TIMED_OUT = ("did not finish within", "did not finish earlier", "did not finish in an earlier call")
NOT_GRADED = "not graded: "  # engine: a test without an outcome, because the whole run failed


def is_problem(result):
    """Whether grading failed as a whole (the gradebook's `problem` column is not empty)."""
    return bool(gradebook.problem_of(result))


def submission_problem_kind(output):
    if SUBMISSION_TIMED_OUT in output:
        return "timed out"
    if SUBMISSION_CRASHED in output:
        return "crashed"
    return "not graded"  # a broken zip, no rnnlab/ folder, an unsafe path ...


def test_problem_kind(output):
    """"crashed", "timed out" or None for one test's feedback."""
    if output.startswith(NOT_GRADED):
        return None  # counted once, as the submission's problem
    if any(words in output for words in TEST_CRASHED):
        return "crashed"
    if any(words in output for words in TEST_TIMED_OUT):
        return "timed out"
    return None


def problems(results):
    """Submissions whose grading or whose code crashed or hung, sorted by name:
    [{"name", "scope": "submission"|"tests", "kind": "timed out"|"crashed"|"not graded",
      "tests": number of tests it cost, "detail": the first such message}]."""
    rows = []
    for result in sorted(results, key=lambda r: r["name"]):
        if is_problem(result):
            rows.append({"name": result["name"], "scope": "submission",
                         "kind": submission_problem_kind(result["output"]),
                         "tests": len(result["tests"]), "detail": result["output"]})
            continue
        by_kind = {}
        for test in result["tests"]:
            kind = test_problem_kind(test["output"]) if test["score"] < test["max_score"] else None
            if kind:
                by_kind.setdefault(kind, []).append(test["output"])
        for kind, outputs in sorted(by_kind.items()):
            rows.append({"name": result["name"], "scope": "tests", "kind": kind,
                         "tests": len(outputs), "detail": outputs[0]})
    return rows


# ---------------------------------------------------------------------------
# Numbers


def distribution(values, max_score):
    """Summary of scores: {"max_score", "count", "mean", "stdev", "min", "q1", "median", "q3",
    "max", "values"} (values in the order given; the others None when there are none)."""
    values = list(values)
    summary = {"max_score": max_score, "count": len(values), "values": values}
    if not values:
        return {**summary, **dict.fromkeys(("mean", "stdev", "min", "q1", "median", "q3", "max"))}
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
    return {**summary, "mean": statistics.fmean(values), "stdev": statistics.pstdev(values),
            "min": min(values), "q1": q1, "median": median, "q3": q3, "max": max(values)}


def marks(pairs):
    """Shares of (score, max_score) pairs with full, partial and zero marks, and the mean share
    of points: {"count", "full", "partial", "zero", "mean"} (shares between 0 and 1)."""
    pairs = list(pairs)
    count = len(pairs) or 1  # no pairs: all shares 0
    return {"count": len(pairs),
            "full": sum(score >= most for score, most in pairs) / count,
            "partial": sum(0 < score < most for score, most in pairs) / count,
            "zero": sum(score <= 0 < most for score, most in pairs) / count,
            "mean": sum(score / most if most else 1 for score, most in pairs) / count}


def _groups_in_order(scores):
    """Every group in a list of group_scores, in the order of the tests."""
    return list(dict.fromkeys(g for s in scores for g in s))


def session_of(course_sessions):
    """group -> session number (None for a group no notebook asks for)."""
    return {g: s["number"] for s in course_sessions for g in s["groups"]}


def question_rows(scores, course_sessions):
    """One row a test group, in the order of the tests: {"group", "module", "session", "path"
    (core or stretch), "max_score", **marks}; `scores` holds engine.group_scores of each result."""
    where, stretch = session_of(course_sessions), stretch_groups(course_sessions)
    rows = []
    for group in _groups_in_order(scores):
        pairs = [s[group] for s in scores if group in s]
        rows.append({"group": group, "module": group.split(".")[0], "session": where.get(group),
                     "path": "stretch" if group in stretch else "core",
                     "max_score": max(most for _, most in pairs), **marks(pairs)})
    return rows


def module_rows(scores, course_sessions):
    """One row a module: {"module", "sessions" (numbers of the sessions that grade it),
    "max_score", **marks}, a module's score being the sum of its groups'."""
    where = session_of(course_sessions)
    groups = _groups_in_order(scores)
    rows = []
    for module in dict.fromkeys(g.split(".")[0] for g in groups):
        mine = [g for g in groups if g.split(".")[0] == module]
        pairs = [_sum_of(s, mine) for s in scores if any(g in s for g in mine)]
        numbers = {where.get(g) for g in mine} - {None}
        rows.append({"module": module, "sessions": sorted(numbers),
                     "max_score": max(most for _, most in pairs), **marks(pairs)})
    return rows


def _sum_of(group_scores, groups):
    """(score, max_score) summed over those of `groups` a result has."""
    parts = [group_scores[g] for g in groups if g in group_scores]
    return sum(score for score, _ in parts), sum(most for _, most in parts)


def session_rows(scores, course_sessions):
    """One row a session that grades any of these groups: {"number", "title", "notebook",
    "groups", "scores": distribution of the session's points}; groups no notebook asks for
    come last, as a session numbered None."""
    present = _groups_in_order(scores)
    claimed = session_of(course_sessions)
    unclaimed = {"number": None, "title": "not in any notebook", "notebook": None,
                 "groups": [g for g in present if g not in claimed]}
    rows = []
    for session in [*course_sessions, unclaimed]:
        groups = [g for g in session["groups"] if g in present]
        if not groups:
            continue
        pairs = [_sum_of(s, groups) for s in scores]
        rows.append({"number": session["number"], "title": session["title"], "notebook": session["notebook"],
                     "groups": groups,
                     "scores": distribution([score for score, _ in pairs], max(most for _, most in pairs))})
    return rows


def mistakes(results):
    """Diagnosed mistakes (tests' extra_data.diagnosis), most common first:
    [{"id", "title", "count" (submissions, each counted once), "share", "groups"}]."""
    found = {}
    for result in results:
        seen = set()
        for test in result["tests"]:
            diagnosis = test.get("extra_data", {}).get("diagnosis")
            if not diagnosis or test["score"] >= test["max_score"]:
                continue
            entry = found.setdefault(diagnosis["id"], {"id": diagnosis["id"], "title": diagnosis.get("title", ""),
                                                       "count": 0, "groups": []})
            if diagnosis["id"] not in seen:
                seen.add(diagnosis["id"])
                entry["count"] += 1
            if test["extra_data"]["group"] not in entry["groups"]:
                entry["groups"].append(test["extra_data"]["group"])
    rows = sorted(found.values(), key=lambda m: (-m["count"], m["id"]))
    return [{**m, "share": m["count"] / max(len(results), 1)} for m in rows]


def timing(results):
    """Grading time: {"count", "min", "median", "mean", "max", "total" (seconds; None when no
    time was recorded), "seconds": [{"name", "seconds"}] sorted by name}."""
    timed = sorted(((r["name"], r["seconds"]) for r in results if r.get("seconds") is not None))
    values = [s for _, s in timed]
    summary = {"count": len(values), "seconds": [{"name": n, "seconds": s} for n, s in timed]}
    if not values:
        return {**summary, **dict.fromkeys(("min", "median", "mean", "max", "total"))}
    return {**summary, "min": min(values), "median": statistics.median(values),
            "mean": statistics.fmean(values), "max": max(values), "total": sum(values)}


def item_analysis(results, course_sessions=None):
    """Everything the report shows, as plain data:

        {"submissions": int, "graded": int (without a problem of the whole submission),
         "max_score": float,
         "scores": distribution of totals (all submissions, as the gradebook has them),
         "sessions": session_rows, "questions": question_rows, "modules": module_rows,
         "mistakes": mistakes, "problems": problems, "timing": timing}

    Questions, modules and mistakes count only the graded submissions: one that could not be
    graded scores zero on every test and says nothing about any of them. Sessions default to
    the master notebooks' (sessions()).
    """
    results = sorted(results, key=lambda r: r["name"])
    course_sessions = sessions() if course_sessions is None else course_sessions
    graded = [r for r in results if not is_problem(r)] or results  # all failed: their zeros, not nothing
    max_score = max((r["max_score"] for r in results), default=0)
    scores = [engine.group_scores(r) for r in results]  # once: the slow part for large batches
    graded_scores = [s for r, s in zip(results, scores) if not is_problem(r)] or scores
    return {
        "submissions": len(results),
        "graded": sum(not is_problem(r) for r in results),
        "max_score": max_score,
        "scores": distribution([r["score"] for r in results], max_score),
        "sessions": session_rows(scores, course_sessions),
        "questions": question_rows(graded_scores, course_sessions),
        "modules": module_rows(graded_scores, course_sessions),
        "mistakes": mistakes(graded),
        "problems": problems(results),
        "timing": timing(results),
    }


# ---------------------------------------------------------------------------
# A synthetic batch

MAX_MISTAKES = 4
PROBLEM_SHARE = 0.04  # submissions whose grading timed out or crashed
SYNTHETIC_KEY = "synthetic-seed-{seed}"  # in .rnnlab-keys/: never a real grading's key


def synthetic_results(n, seed=0):
    """SYNTHETIC results: n made-up submissions composed from the mutant corpus, not graded.

    Each is the reference (full marks) with 0 to 4 mutants drawn from the corpus; every test
    of a group a mutant declares it `loses` (autograder/mutants/*.toml) scores 0, with feedback
    naming the mutant and, where the diagnoser knows it (it has `feedback`), extra_data.diagnosis
    = {"id": mutant name, "title": its description, "also": []}, as the graders would give.
    Some mistakes are more common than others (each mutant gets a popularity weight per seed),
    and two mutants that lose the same group are not drawn together, so each lost test has one
    diagnosis. About 4% of submissions are problems instead: grading timed out or crashed,
    with the engine's own message and zero on every test. Grading times are drawn between 8
    and 20 s (a timed-out one took the engine's timeout).

    Real graders lose some tests of a group, not always all of them: here a question is either
    full or zero marks per submission (a module can be partial). The tests, points and result
    shape are the real ones (engine.catalogue(), engine's result builder). Returns result dicts
    as engine.grade_submission does, in name order; the same n and seed give the same batch,
    and a larger n the same first submissions.
    """
    corpus = examples.mutants()
    popularity = random.Random(f"{seed}-popularity")
    weights = [popularity.lognormvariate(0, 1) for _ in corpus]
    width = max(4, len(str(n)))
    return [_synthetic_result(f"synthetic-{i:0{width}d}", random.Random(f"{seed}-{i}"), corpus, weights)
            for i in range(1, n + 1)]


def _draw_mutants(rng, corpus, weights, count):
    """Up to `count` distinct mutants, weighted, no two losing the same group."""
    chosen, lost = [], set()
    for _ in range(20 * count):
        if len(chosen) == count:
            break
        (mutant,) = rng.choices(corpus, weights)
        if not lost & set(mutant["loses"]):
            chosen.append(mutant)
            lost |= set(mutant["loses"])
    return chosen


def _synthetic_result(name, rng, corpus, weights):
    if rng.random() < PROBLEM_SHARE:
        if rng.random() < 0.5:
            problem = f"grading took longer than {engine.SUBMISSION_TIMEOUT_S} s and was stopped"
            seconds = engine.SUBMISSION_TIMEOUT_S + rng.uniform(0.2, 2)
        else:
            problem = "grading stopped before it finished (pytest exit -9)"
            seconds = rng.uniform(2, 20)
        return {**engine._result(name, {}, problem), "seconds": round(seconds, 2)}
    by_group = {g: m for m in _draw_mutants(rng, corpus, weights, rng.randint(0, MAX_MISTAKES)) for g in m["loses"]}
    outcomes = {}
    for entry in engine.catalogue():
        mutant = by_group.get(entry["group"])
        outcomes[entry["id"]] = {"passed": True, "output": ""} if mutant is None else _synthetic_loss(mutant)
    result = engine._result(name, outcomes, None)  # the engine's own shape and points
    return {**result, "seconds": round(rng.uniform(8, 20), 2)}


def _synthetic_loss(mutant):
    """A lost test's outcome: diagnosed as the graders would, when the diagnoser knows the mistake."""
    known = bool(mutant.get("feedback"))
    output = f"synthetic: lost to mutant {mutant['name']} ({mutant['description']})"
    return {"passed": False,
            "output": output + (f"\n{diagnose.feedback([mutant])}" if known else ""),
            "diagnosis": [{"id": mutant["name"], "title": mutant["description"]}] if known else []}


def write_synthetic(out_dir, n, seed=0):
    """Write a synthetic batch into OUT_DIR as `rnnlab grade` would (<name>.json, the key and
    seconds in .rnnlab-keys/, gradebook.csv); return its results.

    An earlier synthetic batch there is replaced; a folder holding real results is refused
    (ValueError), so that made-up results never mix with graded ones.
    """
    out_dir = Path(out_dir)
    earlier = [p.stem for p in out_dir.glob("*.json")]
    real = [name for name in earlier if not _is_synthetic(out_dir, name)]
    if real:
        raise ValueError(f"{out_dir} holds graded results ({', '.join(sorted(real)[:3])} ...); "
                         f"write a synthetic batch into a new folder")
    for name in earlier:
        for path in (out_dir / f"{name}.json", out_dir / gradebook.STATE / f"{name}.key",
                     out_dir / gradebook.STATE / f"{name}.seconds"):
            path.unlink(missing_ok=True)
    results = synthetic_results(n, seed)
    for result in results:
        gradebook.write_result(out_dir, result, SYNTHETIC_KEY.format(seed=seed))
    gradebook.write_gradebook(out_dir, results)
    return results


def _is_synthetic(out_dir, name):
    key_file = Path(out_dir) / gradebook.STATE / f"{name}.key"
    return key_file.exists() and key_file.read_text().startswith("synthetic-seed-")
