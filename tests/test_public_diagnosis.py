"""The public checks catch what the hidden graders charge, and name the mistakes they can show.

Agreement: every mistake of the corpus (autograder/mutants/) that the hidden graders charge fails
the public check of its question (`pytest --function <the question's functions>`, what the
notebook's grader.check runs), unless HIDDEN_ONLY lists it with the reason. A student who trusts a
green check is then never surprised by the grade. The table (mistake, groups lost, public check)
is printed.

Naming: a public test passes `known=[(feedback, value), ...]` to mistakes.assert_close (or to
gradcheck.assert_gradients): what a known mistake gives on the test's small case, worked out in
the test, and that mistake's `feedback`, copied from the mutant corpus (autograder/mutants/). The
claim is proven here by making the mistake: with each such mutant in place of the reference, the
public tests that quote its feedback fail and print it as "This looks like a known mistake. ..."
(or in the list of several that fit). On the reference they pass and name no mistake.
"""
import ast
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from rnnlab_grader.course import sessions
from rnnlab_grader.grading import examples
from rnnlab_grader.paths import SOLUTIONS
from rnnlab_grader.release.build import _run_public_tests

PUBLIC_TESTS = SOLUTIONS / "tests"
OPENINGS = ("Your ", "With reverse")  # how the corpus' feedback texts begin


def quoted_feedback():
    """test file (its path in tests/) -> the feedback-like strings it holds (as Python reads them)."""
    quoted = {}
    for path in sorted(PUBLIC_TESTS.rglob("test_*.py")):
        strings = {node.value for node in ast.walk(ast.parse(path.read_text()))
                   if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        quoted[str(path.relative_to(PUBLIC_TESTS))] = {text for text in strings if text.startswith(OPENINGS)}
    return quoted


QUOTED = quoted_feedback()
MUTANTS = {m["feedback"]: m for m in examples.mutants() if m.get("feedback")}
CLAIMED = sorted({MUTANTS[text]["name"] for texts in QUOTED.values() for text in texts if text in MUTANTS})


def named(stdout, feedback):
    """Whether a pytest run printed `feedback` as the diagnosis of a failure."""
    return (f"This looks like a known mistake. {feedback}" in stdout
            or ("known mistakes:" in stdout and f"- {feedback}" in stdout))


def test_every_quoted_feedback_is_a_mutants_word_for_word():
    unknown = {name: sorted(texts - set(MUTANTS)) for name, texts in QUOTED.items() if texts - set(MUTANTS)}
    assert not unknown, f"not the feedback of any mutant in the corpus (copy it exactly): {unknown}"
    assert len(CLAIMED) >= 100, f"the public tests name only {len(CLAIMED)} mistakes"  # 120 when written


# Mistakes the public checks let through on purpose, with the reason (none today: every one fails).
HIDDEN_ONLY = {}
COURSE = sessions()
MARKED = re.compile(r'@pytest\.mark\.function\("([\w.]+)"\)')


def checked_functions(mutant):
    """The functions whose public tests the mutant's run covers: those of every question holding a
    group it loses (its question's grader.check), and those marked in the files quoting its feedback."""
    questions = [functions for session in COURSE for functions in session["questions"].values()]
    functions = {f for group in mutant["loses"] for fs in questions if group in fs for f in fs}
    for file, texts in QUOTED.items():
        if mutant.get("feedback") in texts:
            functions |= set(MARKED.findall((PUBLIC_TESTS / file).read_text()))
    return sorted(functions)


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """Mutant name -> its public check's run (checked_functions) against it, and "reference" ->
    every public test against the reference; for the mutants the selected tests need."""
    params = [item.callspec.params for item in request.session.items
              if item.module is request.module and hasattr(item, "callspec")]
    selected = {p["name"] for p in params if "name" in p}
    if any(item.module is request.module and item.name.startswith("test_every_charged") for item in request.session.items):
        selected |= {m["name"] for m in examples.mutants()}
    root = tmp_path_factory.mktemp("public-checks")
    release = root / "release"  # the public tests as the release lays them out
    shutil.copytree(PUBLIC_TESTS, release / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SOLUTIONS / "pytest.ini", release)
    jobs = {"reference": (release, SOLUTIONS, None)}
    for mutant in [m for m in examples.mutants() if m["name"] in selected]:
        jobs[mutant["name"]] = (release, examples.write_mutant(root / "mutants", mutant), checked_functions(mutant))
    with ThreadPoolExecutor(max_workers=2) as pool:  # each run is a pytest process of its own
        return dict(zip(jobs, pool.map(lambda job: _run_public_tests(*job), jobs.values())))


def test_every_charged_mistake_fails_its_public_check(runs):
    # pytest's exit 1: a test failed; 2: the tests could not even be collected (an import broken);
    # 0: all passed; 5: no test of those functions ran.
    verdicts = {0: "PASSES", 1: "fails", 2: "fails (collection)", 5: "PASSES (no test ran)"}
    rows = [(m["name"], ", ".join(m["loses"]), verdicts.get(runs[m["name"]].returncode, f"exit {runs[m['name']].returncode}"))
            for m in examples.mutants()]
    width = max(len(name) for name, _, _ in rows)
    print("\n".join(f"{name:{width}}  {check:22}  {groups}" for name, groups, check in rows))
    passing = [name for name, _, check in rows if not check.startswith("fails") and name not in HIDDEN_ONLY]
    agreement = 1 - len(passing) / (len(rows) - len(HIDDEN_ONLY))
    print(f"agreement: {agreement:.1%} of {len(rows) - len(HIDDEN_ONLY)} mistakes ({len(HIDDEN_ONLY)} hidden-only by design)")
    assert passing == [], f"the public checks pass these mistakes the graders charge: {passing}"
    assert all(reason for reason in HIDDEN_ONLY.values())


def test_the_reference_passes_and_is_named_no_mistake(runs):
    run = runs["reference"]
    assert run.returncode == 0, run.stdout[-3000:]
    assert "known mistake" not in run.stdout


@pytest.mark.parametrize("name", CLAIMED)
def test_the_mistake_is_named_where_it_is_made(runs, name):
    run = runs[name]
    feedback = next(text for text, m in MUTANTS.items() if m["name"] == name)
    assert run.returncode == 1, f"the public tests do not fail on the mutant {name}:\n{run.stdout[-3000:]}"
    is_named = named(run.stdout, feedback)
    assert is_named, f"the public tests do not name the mutant {name}:\n{run.stdout[-5000:]}"
