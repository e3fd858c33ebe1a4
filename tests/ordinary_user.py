"""A clone of this repository's grading parts handed to an ordinary user, as a teaching assistant
without root has one: for tests/test_any_user.py and bench/grading.py (which run as root)."""
import os
import shutil

from rnnlab_grader.paths import REPO

UID = 43210  # a uid of no account: no rights on anything of the repository's


def clone(repo):
    """`repo`: the grading parts of this repository, without caches, built zips or the secret."""
    for part in ("autograder", "solutions", "assignments"):
        shutil.copytree(REPO / part, repo / part, ignore=shutil.ignore_patterns(
            "__pycache__", "dist", ".rnnlab-secret", ".rnnlab-secret.*"))
    shutil.copy(REPO / "tested-versions.txt", repo)


def hand_over(root, uid=UID):
    """Everything under `root` owned by `uid`, and the way to `root` open to it, as to a home folder."""
    for path in [root, *root.rglob("*")]:
        os.chown(path, uid, uid, follow_symlinks=False)
    for folder in root.parents:
        folder.chmod(folder.stat().st_mode | 0o001)
