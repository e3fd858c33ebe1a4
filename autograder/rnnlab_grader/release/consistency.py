"""The course's facts that live in more than one file, checked against each other before a release.

Each fact has one source; where another file repeats it, the release compares the two and names both:

    points of a question       the graders' cases (Case(points=...) in autograder/graders/tables.py,
                               @grade(points=...) in its test files); a master notebook's
                               `points:` may be left out (the release writes it) or must agree
    question -> functions      the master notebook's ASSIGNMENT CONFIG; every function the graders
                               grade belongs to exactly one question, every question's functions are graded
    core or stretch, minutes   the config's `plan` (every question, [core|stretch, minutes]), `slot`
                               and `stretch_counts`; the notebook's opening shows the plan's table
                               (course.plan_table), word for word
    signatures                 the contract (rnnlab_grader/contract.py, from shared/contract.md);
                               the reference's functions take the same arguments, in the same order
    public tests               each marked @pytest.mark.function("module.name") with one function of
                               its session, in tests/session<N>/; every question has one
    inputs untouched           the public tests' MUST_NOT_MODIFY (solutions/tests/conftest.py) is the
                               set of functions the graders check untouched (UNTOUCHED in tables.py)
    what each returns          the contract's returns and axes; the public tests' RETURNS
                               (solutions/tests/returns.py), which says a wrong one in its words
    the mutant corpus          every graded function has a mistake; each `find` occurs once

Each `*_problems(...)` returns one plain sentence per disagreement ([] when the sources agree).
"""
import ast
import json
import subprocess
import sys
from pathlib import Path

from .. import course as course_module
from ..contract import SIGNATURES
from ..paths import GRADERS

TABLES = "autograder/graders/tables.py"
CONFTEST = "solutions/tests/conftest.py"


def question_points(catalogue, questions):
    """question -> points its functions' hidden tests give: the only source of a question's worth."""
    worth = {question: sum(t["points"] for t in catalogue if t["group"] in functions)
             for question, functions in questions.items()}
    return {question: int(points) if float(points).is_integer() else points for question, points in worth.items()}


def points_problems(course, catalogue):
    """A master's `points:` that differs from what its question's graders give."""
    found = []
    for session in course:
        worth = question_points(catalogue, session["questions"])
        for question, stated in session["stated_points"].items():
            if question in worth and stated != worth[question]:
                found.append(f"assignments/{session['notebook']}.ipynb, question {question}: `points: {stated:g}` "
                             f"in its BEGIN QUESTION cell, but its hidden tests give {worth[question]:g} "
                             f"({TABLES}: the points of the cases of {', '.join(session['questions'][question])}). "
                             f"The graders decide a question's points: delete the notebook's `points:` line "
                             f"(the release writes it) or change the cases' points")
    return found


def question_map_problems(course, catalogue):
    """Graded functions in no question or in two; questions naming functions nobody grades."""
    graded = list(dict.fromkeys(t["group"] for t in catalogue))
    owners = {}
    for session in course:
        for question, functions in session["questions"].items():
            for function in functions:
                owners.setdefault(function, []).append(f"{session['notebook']}.ipynb:{question}")
    found = [f"{function} is graded ({TABLES}) but in no question of any master notebook's ASSIGNMENT "
             f"CONFIG (questions: {{question: [module.function, ...]}})" for function in graded if function not in owners]
    found += [f"{function} is in two questions ({' and '.join(where)}): each graded function belongs to one"
              for function, where in owners.items() if len(where) > 1]
    found += [f"{where[0]} names {function}, which no hidden test grades ({TABLES}; contract.py)"
              for function, where in owners.items() if function not in graded]
    return found


def plan_problems(course):
    """A question without its plan, a plan entry that is not [core|stretch|given, minutes],
    a slot or stretch_counts missing or unknown, an opening whose plan table is not the config's."""
    problems = []
    for session in course:
        where = f"assignments/{session['notebook']}.ipynb"
        plan, questions = session["plan"], session["questions"]
        found = [f"{where}: question {q} has no `plan:` entry in its ASSIGNMENT CONFIG ({q}: [core, minutes], "
                  f"[stretch, minutes] or [given, minutes])" for q in questions if q not in plan]
        found += [f"{where}: `plan:` names {q}, which is no question of its config" for q in plan if q not in questions]
        found += [f"{where}: `plan:` entry {q}: {list(entry)} is not [core, minutes], [stretch, minutes] or [given, minutes] "
                  f"(minutes a whole number above 0)" for q, entry in plan.items()
                  if not (len(entry) == 2 and entry[0] in course_module.KINDS and type(entry[1]) is int and entry[1] > 0)]
        if not (type(session["slot"]) is int and session["slot"] > 0):
            found.append(f"{where}: `slot:` (the session's minutes in the course outline) is missing or not a whole number")
        if session["stretch_counts"] not in course_module.STRETCH_COUNTS:
            found.append(f"{where}: `stretch_counts: {session['stretch_counts']}` is neither of "
                         f"{', '.join(course_module.STRETCH_COUNTS)}")
        if not found and course_module.plan_table(session) not in session["opening"]:
            found.append(f"{where}: its opening (first markdown cell) does not show the plan of its config; "
                         f"put this in it, in place of the old table:\n{course_module.plan_table(session)}")
        problems += found
    return problems


def signature_problems(solutions):
    """Contract functions the reference lacks, or defines with other arguments (read from the source)."""
    defined = {}
    for path in sorted((Path(solutions) / "rnnlab").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                defined[f"{path.stem}.{node.name}"] = tuple(a.arg for a in node.args.args)
    found = []
    for qualname, signature in SIGNATURES.items():
        module = qualname.split(".")[0]
        if qualname not in defined:
            found.append(f"{qualname} is in the contract (rnnlab_grader/contract.py) but not defined in "
                         f"solutions/rnnlab/{module}.py")
        elif defined[qualname] != signature.args:
            found.append(f"{qualname}: the contract (rnnlab_grader/contract.py) says ({', '.join(signature.args)}), "
                         f"solutions/rnnlab/{module}.py defines ({', '.join(defined[qualname])})")
    return found


COLLECT = """
import json, sys, pytest
class Collect:
    def pytest_collection_modifyitems(self, items):
        found = [[item.nodeid, [list(m.args) for m in item.iter_markers("function")]] for item in items]
        open(sys.argv[1], "w").write(json.dumps(found))
sys.exit(pytest.main(["--collect-only", "-q", "-p", "no:cacheprovider", "-m", ""], plugins=[Collect()]))
"""


def public_tests(release_dir, scratch):
    """[(node id, [function mark arguments])] of every public test of a release folder."""
    found = Path(scratch) / "public-tests.json"
    run = subprocess.run([sys.executable, "-c", COLLECT, found], cwd=release_dir, capture_output=True, text=True)
    if run.returncode != 0 or not found.exists():
        return None, run.stdout[-2000:] + run.stderr[-2000:]
    return json.loads(found.read_text()), ""


def public_test_problems(course, collected):
    """Public tests without one function mark of their session's folder; questions without a public test."""
    session_of = {function: s["number"] for s in course for function in s["groups"]}
    found = []
    for node, marks in collected:
        where = f"solutions/{node.split('::')[0]}, {node.split('::', 1)[-1]}"
        if len(marks) != 1 or len(marks[0]) != 1:
            found.append(f"{where}: {len(marks)} function marks; a public test names one graded function, "
                         f'@pytest.mark.function("module.name")')
        elif marks[0][0] not in session_of:
            found.append(f"{where}: marked {marks[0][0]}, which is no question's function")
        elif not node.startswith(f"tests/session{session_of[marks[0][0]]}/"):
            found.append(f"{where}: {marks[0][0]} is graded in Session {session_of[marks[0][0]]}: "
                         f"move the test to tests/session{session_of[marks[0][0]]}/")
    tested = {marks[0][0] for _, marks in collected if len(marks) == 1 and marks[0]}
    found += [f"assignments/{s['notebook']}.ipynb, question {question}: no public test checks "
              f"{' or '.join(functions)} (its grader.check would pass on the stubs)"
              for s in course for question, functions in s["questions"].items() if not tested & set(functions)]
    return found


def _assigned(path, name, empty):
    """The literal assigned to `name` at the top level of a Python file (`empty` if none)."""
    for node in ast.parse(Path(path).read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return type(empty)(ast.literal_eval(node.value))
    return empty


def contract_returns(signature):
    """The public tests' words for what a function returns: "h:NTH cache" (tests/returns.py)."""
    return " ".join(f"{name}:{signature.axes[name]}" if name in signature.axes else name for name in signature.returns)


def returns_problems(solutions):
    """RETURNS of the public tests (solutions/tests/returns.py) against the contract's returns."""
    public = _assigned(Path(solutions) / "tests" / "returns.py", "RETURNS", {})
    found = []
    for qualname, signature in SIGNATURES.items():
        if public.get(qualname) != contract_returns(signature):
            found.append(f"{qualname} returns {contract_returns(signature)!r} in the contract (rnnlab_grader/contract.py) "
                         f"but {public.get(qualname)!r} in RETURNS of solutions/tests/returns.py")
    found += [f"{qualname} is in RETURNS of solutions/tests/returns.py but not in the contract"
              for qualname in sorted(set(public) - set(SIGNATURES))]
    return found


def untouched_problems(solutions, untouched_functions):
    """MUST_NOT_MODIFY of the public tests against the functions the graders check untouched."""
    public = _assigned(Path(solutions) / "tests" / "conftest.py", "MUST_NOT_MODIFY", set())
    found = [f"{f} is checked untouched by the graders (UNTOUCHED in {TABLES}) but not in MUST_NOT_MODIFY "
             f"of {CONFTEST}: a student would first hear of it from the grade" for f in sorted(untouched_functions - public)]
    found += [f"{f} is in MUST_NOT_MODIFY of {CONFTEST} but the graders do not check it untouched "
              f"(UNTOUCHED in {TABLES})" for f in sorted(public - untouched_functions)]
    return found


def untouched_functions(graders=GRADERS):
    """The functions of the graders' UNTOUCHED table, read by importing it (it needs the reference)."""
    sys.path.insert(0, str(graders))
    try:
        import tables
        return {case.function for case in tables.UNTOUCHED}
    finally:
        sys.path.remove(str(graders))


def mutant_problems(solutions, catalogue, corpus):
    """Graded functions no mistake of the corpus proves the graders on; mistakes that no longer
    apply to the reference (their `find` text not in it exactly once) or name ungraded functions."""
    graded = {t["group"] for t in catalogue}
    found = [f"{function} is graded but no mistake in autograder/mutants/ loses it: the graders are proven "
             f"to pass it, not to fail it (add one: docs/instructors.md)"
             for function in sorted(graded - {g for m in corpus for g in m["loses"]})]
    for mutant in corpus:
        module = Path(solutions) / "rnnlab" / mutant["file"]
        count = module.read_text().count(mutant["find"]) if module.exists() else 0
        if count != 1:
            found.append(f"mutant {mutant['name']} (autograder/mutants/{Path(mutant['file']).stem}.toml): its `find` "
                         f"text occurs {count} times in solutions/rnnlab/{mutant['file']}, not once")
        found += [f"mutant {mutant['name']}: loses {g}, which no hidden test grades" for g in mutant["loses"] if g not in graded]
    return found


def placeholder_problems(paths, placeholder):
    """Lines still holding a placeholder `rnnlab scaffold` wrote (in .py, .toml and .ipynb files)."""
    found = []
    for root in paths:
        for path in sorted([root] if Path(root).is_file() else Path(root).rglob("*")):
            if path.suffix in {".py", ".toml", ".ipynb"} and "__pycache__" not in path.parts:
                found += [f"{path}:{number}: {line.strip()[:100]}"
                          for number, line in enumerate(path.read_text().splitlines(), start=1) if placeholder in line]
    return found
