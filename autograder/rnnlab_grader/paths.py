"""Where the project's parts are, relative to this package (installed in editable mode)."""
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
AUTOGRADER = PACKAGE.parent
REPO = AUTOGRADER.parent
GRADERS = AUTOGRADER / "graders"
# The reference package: in the repository, solutions/rnnlab; in an otter autograder zip,
# reference/rnnlab beside this package; RNNLAB_REFERENCE overrides both.
_BUNDLED_REFERENCE = AUTOGRADER / "reference" / "rnnlab"
REFERENCE = Path(os.environ.get("RNNLAB_REFERENCE") or
                 (_BUNDLED_REFERENCE if _BUNDLED_REFERENCE.is_dir() else REPO / "solutions" / "rnnlab"))
DIST = AUTOGRADER / "dist"  # otter autograder zips (generated, not committed)
SOLUTIONS = REPO / "solutions"
TESTED_VERSIONS = REPO / "tested-versions.txt"  # the Python and package versions the suite runs
ASSIGNMENTS = REPO / "assignments"
STUDENT = REPO / "student"
MUTANTS = AUTOGRADER / "mutants"  # the mutant corpus: realistic mistakes as patches on the reference; also the diagnoser's list
