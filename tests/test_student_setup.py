"""A student's set-up, from what the release ships only: a fresh environment made from
student/requirements.txt (its README's laptop lines) runs the public tests and a grader.check.

Installs the packages from the registry pip is configured with (about 1 GB, mostly TensorFlow;
pip's wheel cache makes a second run quick); the time it took is printed (pytest -s).
"""
import shutil
import subprocess
import sys
import time

import pytest

from rnnlab_grader.paths import SOLUTIONS, STUDENT

CHECK = "import otter\nprint(otter.Notebook('rnn_fundamentals.ipynb').check('rnn_forward'))\n"


@pytest.fixture(scope="module")
def student_python(tmp_path_factory):
    env = tmp_path_factory.mktemp("student-env")
    subprocess.run([sys.executable, "-m", "venv", str(env)], check=True)
    started = time.perf_counter()
    run = subprocess.run([str(env / "bin" / "python"), "-m", "pip", "install", "--quiet",
                          "--disable-pip-version-check", "-r", str(STUDENT / "requirements.txt")],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-3000:]
    print(f"\nstudent set-up from requirements.txt: {time.perf_counter() - started:.0f} s")
    return env / "bin" / "python"


def student_folder(root, package):
    folder = root / "student"
    shutil.copytree(STUDENT, folder, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    shutil.rmtree(folder / "rnnlab")
    shutil.copytree(package, folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    return folder


def test_a_fresh_environment_runs_the_public_tests_and_a_check(student_python, tmp_path):
    done = student_folder(tmp_path / "done", SOLUTIONS / "rnnlab")
    tests = subprocess.run([str(student_python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/session1"],
                           cwd=done, capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout[-2000:] + tests.stderr[-2000:]
    check = subprocess.run([str(student_python), "-c", CHECK], cwd=done, capture_output=True, text=True)
    assert "passed" in check.stdout and "failed" not in check.stdout.lower(), check.stdout[-2000:] + check.stderr[-2000:]
    # The same check on the stubs fails: it ran the tests, not a formality.
    stubs = student_folder(tmp_path / "stubs", STUDENT / "rnnlab")
    check = subprocess.run([str(student_python), "-c", CHECK], cwd=stubs, capture_output=True, text=True)
    assert "failed" in check.stdout.lower(), check.stdout[-2000:] + check.stderr[-2000:]
