"""Does each session fit its slot in the course outline? Estimates, printed (a script, not a test).

    .venv/bin/python bench/day_fit.py

A question's time is estimated from the reference, at a stated pace: QUESTION_MINUTES to read its
docstring and run its check, LINE_MINUTES per line of the reference's solution for its functions
(not blank, not a comment). A notebook's prose, with its figures and the cells to run, at
READING_WORDS words a minute. Each session's total is set against its slot in the outline. These
are the inputs of the core/stretch split the course needs: which questions fit, which cannot.
"""
import json
import re
from pathlib import Path

from rnnlab_grader.course import sessions
from rnnlab_grader.paths import ASSIGNMENTS, SOLUTIONS

QUESTION_MINUTES = 4
LINE_MINUTES = 1.5
READING_WORDS = 120
SLOTS = {1: 90, 2: 150, 3: 90, 4: 90}  # the course outline's minutes per session
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
          f"prose at {READING_WORDS} words a minute")
    for session in sessions():
        reading = reading_minutes(ASSIGNMENTS / f"{session['notebook']}.ipynb")
        print(f"\nSession {session['number']} ({session['notebook']}), slot {SLOTS.get(session['number'])} min; "
              f"reading {reading:.0f} min")
        total = reading
        for question, functions in session["questions"].items():
            count = sum(lines.get(f, 0) for f in functions)
            minutes = QUESTION_MINUTES + LINE_MINUTES * count
            total += minutes
            print(f"  {question:32s} {count:3d} lines  {minutes:5.1f} min   (cumulative {total:5.1f})")
        print(f"  all questions and reading: {total:.0f} min, {total / SLOTS.get(session['number'], total):.1f}x the slot")


if __name__ == "__main__":
    main()
