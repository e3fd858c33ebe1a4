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
    return next(iter(config["plugins"][0].values()))["questions"]


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
    "stated_points"}], with "questions" as questions_of gives them, "groups" all their functions, in
    order, and "stated_points" as stated_points gives them."""
    found = []
    for path in sorted(Path(assignments).glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]  # plain JSON: nbformat is slow to import
        questions = questions_of(config_of(cells))
        heading = next((m for c in cells if c["cell_type"] == "markdown"
                        for m in [SESSION_HEADING.search(_source(c))] if m), None)
        number, title = (int(heading.group(1)), heading.group(2)) if heading else (None, path.stem)
        found.append({"number": number, "title": title, "notebook": path.stem, "questions": questions,
                      "groups": [g for groups in questions.values() for g in groups],
                      "stated_points": stated_points(cells)})
    return sorted(found, key=lambda s: (s["number"] is None, s["number"] or 0, s["notebook"]))
