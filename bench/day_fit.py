"""Does each session fit its slot in the course outline? Estimates, printed (a script, not a test).

    .venv/bin/python bench/day_fit.py

A question's time is estimated from the reference, at a stated pace: QUESTION_MINUTES to read its
docstring and run its check, LINE_MINUTES per line of the reference's solution for its functions
(not blank, not a comment; GIVEN_LINE_MINUTES for a given question's, read). A notebook's prose,
with its figures and the cells to run, at READING_WORDS words a minute. Each session's total is set
against its slot in the outline. These set the plan's minutes (the master's config: core, stretch
or given, minutes), and this says whether each
session's core path, with its reading, fits its slot.
"""
import json
import re
from pathlib import Path

from rnnlab_grader.course import GIVEN_LINE_MINUTES, LINE_MINUTES, QUESTION_MINUTES, sessions
from rnnlab_grader.paths import ASSIGNMENTS, SOLUTIONS

READING_WORDS = 120
SOLUTION = re.compile(r"^\s*# BEGIN SOLUTION\s*$(.*?)^\s*# END SOLUTION\s*$", re.MULTILINE | re.DOTALL)
DEF = re.compile(r"^def (\w+)\(", re.MULTILINE)


def solution_lines(reference=SOLUTIONS / "rnnlab"):
    """"module.function" -> lines of code in its solution regions."""
    lines = {}
    for path in sorted(Path(reference).glob("*.py")):
        text = path.read_text()
        for region in SOLUTION.finditer(text):
            function = [m.group(1) for m in DEF.finditer(text, 0, region.start())][-1]
            code = [line for line in region.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]
            lines[f"{path.stem}.{function}"] = lines.get(f"{path.stem}.{function}", 0) + len(code)
    return lines


def reading_minutes(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    words = sum(len(re.findall(r"\w+", "".join(c["source"]))) for c in cells if c["cell_type"] == "markdown")
    return words / READING_WORDS


def main():
    lines = solution_lines()
    print(f"pace: {QUESTION_MINUTES} min a question + {LINE_MINUTES} min a line of the reference's solution; "
          f"prose at {READING_WORDS} words a minute ({GIVEN_LINE_MINUTES} min a line of given code, read). plan: the master's config (core, stretch or given, its minutes)")
    for session in sessions():
        reading = reading_minutes(ASSIGNMENTS / f"{session['notebook']}.ipynb")
        slot = session["slot"]  # the course outline's minutes for the session
        print(f"\nSession {session['number']} ({session['notebook']}), slot {slot} min; reading {reading:.0f} min")
        print(f"  {'question':32s} lines  estimate  plan")
        for question, functions in session["questions"].items():
            count = sum(lines.get(f, 0) for f in functions)
            kind, minutes = session["plan"].get(question, ("core", None))
            pace = GIVEN_LINE_MINUTES if kind == "given" else LINE_MINUTES  # a given question's code is read
            print(f"  {question:32s} {count:5d}  {QUESTION_MINUTES + pace * count:6.1f}    {kind} {minutes}")
        core = reading + sum(m for kind, m in session["plan"].values() if kind == "core")
        whole = reading + sum(m for _, m in session["plan"].values())
        print(f"  core path and reading: {core:.0f} min, {core / slot:.2f}x the slot "
              f"({'fits' if core <= slot else 'does NOT fit'}); everything: {whole:.0f} min, {whole / slot:.1f}x")


if __name__ == "__main__":
    main()
