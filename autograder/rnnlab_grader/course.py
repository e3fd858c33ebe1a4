"""The course as its master notebooks describe it: sessions, their questions, the functions each grades.

Each master notebook is one session: its first "# Session N: title" heading names it, and its
ASSIGNMENT CONFIG lists its questions, in the notebook's order, each with the graded functions
(test groups) it covers:

    plugins:
      - rnnlab_grader.otter_plugin.RnnlabPlugin:
          questions:
            rnn_step_forward: [rnn.rnn_step_forward]
"""
import json
import re
from pathlib import Path

import yaml

from .paths import ASSIGNMENTS

SESSION_HEADING = re.compile(r"^#\s*Session\s+(\d+)\s*:\s*(.+?)\s*$", re.MULTILINE)


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def config_of(cells):
    """The ASSIGNMENT CONFIG of a notebook's cells (plain JSON cells, as read by json)."""
    return yaml.safe_load(_source(cells[0]).removeprefix("# ASSIGNMENT CONFIG"))


def questions_of(config):
    """question -> [graded function], in the notebook's order, from an ASSIGNMENT CONFIG."""
    return settings_of(config)["questions"]


# A question's place in its session's plan: on the core path, a stretch for when the core is done, or
# given: its functions come finished in the student's package, to read and check (no points).
KINDS = ("core", "stretch", "given")
# The pace a plan's minutes are estimated at (bench/day_fit.py): to read a question's docstrings and run its check,
# and per line of the reference's solution for its functions.
QUESTION_MINUTES, LINE_MINUTES = 4, 1.5
GIVEN_LINE_MINUTES = 0.5  # a line of a given question's code, read
PATHS = {"core": "core", "stretch": "stretch", "given": "given: read and check"}  # as the students read them
STRETCH_COUNTS = ("bonus", "counted")


def settings_of(config):
    """The plugin's settings in an ASSIGNMENT CONFIG: questions, plan, slot, stretch_counts."""
    return next(iter(config["plugins"][0].values()))


def plan_of(config):
    """question -> (kind, minutes) from an ASSIGNMENT CONFIG's `plan` (as written: checked by
    release/consistency.py)."""
    return {question: tuple(entry) if isinstance(entry, list) else (entry, None)
            for question, entry in (settings_of(config).get("plan") or {}).items()}


def stated_points(cells):
    """question -> the `points:` its BEGIN QUESTION cell states, for those that state one (the
    release writes them from the graders: see release/consistency.py)."""
    stated = {}
    for cell in cells:
        if cell["cell_type"] == "raw" and _source(cell).startswith("# BEGIN QUESTION"):
            fields = yaml.safe_load(_source(cell).removeprefix("# BEGIN QUESTION")) or {}
            if "points" in fields:
                stated[fields.get("name")] = float(fields["points"])
    return stated


def sessions(assignments=ASSIGNMENTS):
    """The course's sessions, in order: [{"number", "title", "notebook", "questions", "groups",
    "stated_points", "plan", "slot", "stretch_counts", "opening"}], with "questions" as questions_of
    gives them, "groups" all their functions, in order, "stated_points" as stated_points gives them,
    "plan" as plan_of does, and "opening" the text of the notebook's first markdown cell."""
    found = []
    for path in sorted(Path(assignments).glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]  # plain JSON: nbformat is slow to import
        questions = questions_of(config_of(cells))
        heading = next((m for c in cells if c["cell_type"] == "markdown"
                        for m in [SESSION_HEADING.search(_source(c))] if m), None)
        number, title = (int(heading.group(1)), heading.group(2)) if heading else (None, path.stem)
        config = config_of(cells)
        found.append({"number": number, "title": title, "notebook": path.stem, "questions": questions,
                      "groups": [g for groups in questions.values() for g in groups],
                      "stated_points": stated_points(cells), "plan": plan_of(config),
                      "slot": settings_of(config).get("slot"),
                      "stretch_counts": settings_of(config).get("stretch_counts", "bonus"),
                      "opening": next((_source(c) for c in cells if c["cell_type"] == "markdown"), "")})
    return sorted(found, key=lambda s: (s["number"] is None, s["number"] or 0, s["notebook"]))


def kind_of(plan, question):
    """The question's kind in a session's `plan` (one of KINDS): a question of no plan is core."""
    return plan.get(question, ("core",))[0]


def _of_kind(course_sessions, kind):
    """(session, function) for each function of a `kind` question."""
    return [(session, group) for session in course_sessions for question, groups in session.get("questions", {}).items()
            if kind_of(session.get("plan", {}), question) == kind for group in groups]


def stretch_groups(course_sessions):
    """group -> whether its points count in the maximum, for each function of a stretch question."""
    return {group: session.get("stretch_counts") == "counted" for session, group in _of_kind(course_sessions, "stretch")}


def given_groups(course_sessions):
    """The functions of the given questions: the release hands them out finished, and nothing grades them."""
    return {group for _, group in _of_kind(course_sessions, "given")}


def graded_groups(course_sessions):
    """Every function the graders score, in the course's order: all but the given ones."""
    given = given_groups(course_sessions)
    return [group for session in course_sessions for group in session["groups"] if group not in given]


def core_and_stretch(group_scores, course_sessions):
    """{"core": (score, max), "stretch": (score, max), "max_score": what the total counts against}
    for group -> (score, max_score): bonus stretch points are beyond the maximum, given ones count nowhere."""
    stretch, given = stretch_groups(course_sessions), given_groups(course_sessions)
    parts = {"core": [0, 0], "stretch": [0, 0]}
    counted = 0
    for group, (score, most) in group_scores.items():
        if group in given:  # no points: see KINDS
            continue
        part = parts["stretch" if group in stretch else "core"]
        part[0] += score
        part[1] += most
        counted += most if stretch.get(group, True) else 0
    return {"core": tuple(parts["core"]), "stretch": tuple(parts["stretch"]), "max_score": counted}


def plan_table(session):
    """The plan a session's opening shows its students, from its config's `plan` (the release checks
    that the opening holds it, word for word)."""
    plan = session["plan"]
    rows = "\n".join(f"| `{question}` | {PATHS[kind]} | {minutes} min |" for question, (kind, minutes) in plan.items())
    core = [minutes for kind, minutes in plan.values() if kind == "core"]
    counts = "count as a bonus, beyond the maximum" if session["stretch_counts"] == "bonus" else "count like core points"
    kinds = {kind for kind, _ in plan.values()}
    stretch = f"Stretch questions are for when the core is done; their points {counts}. " if "stretch" in kinds else ""
    given = ("Given questions come finished in your package (the core may use them): read their code and run "
             "their check; they carry no points. " if "given" in kinds else "")
    return (f"| question | path | about |\n|---|---|---|\n{rows}\n\n"
            f"The core path: {len(core)} questions, about {sum(core)} minutes of work, in a session of "
            f"{session['slot']} minutes that also holds the reading and the cells to run. {stretch}{given}"
            f"The minutes are estimates at a stated pace: "
            f"{QUESTION_MINUTES} minutes a question to read its docstring and run its check, {LINE_MINUTES:g} "
            f"minutes a line of the reference's solution"
            + (f", {GIVEN_LINE_MINUTES:g} minutes a line to read a given question's code." if "given" in kinds else "."))
