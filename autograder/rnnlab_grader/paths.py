"""Where the project's parts are, relative to this package (installed in editable mode)."""
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
AUTOGRADER = PACKAGE.parent
REPO = AUTOGRADER.parent
GRADERS = AUTOGRADER / "graders"
# The reference package; RNNLAB_REFERENCE points elsewhere (for example inside an autograder zip).
REFERENCE = Path(os.environ.get("RNNLAB_REFERENCE", REPO / "solutions" / "rnnlab"))
SOLUTIONS = REPO / "solutions"
ASSIGNMENTS = REPO / "assignments"
STUDENT = REPO / "student"
EXAMPLES = REPO / "examples"
