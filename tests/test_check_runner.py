"""tests/check_runner.py: a Keras question's check is a fork of the kernel's warm process, which
reads the package as it is on disk at each check, and the warm process ends with an interrupted check."""
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import processes_in_group
from rnnlab_grader.paths import SOLUTIONS, STUDENT

BUILDER = "keras_models.recurrent_layer"
STUCK = '''

def recurrent_layer(*args, **kwargs):
    import time
    time.sleep(1000)
'''


@pytest.fixture
def runner(tmp_path, monkeypatch):
    """The release's check_runner, loaded afresh (no warm process yet), in a student folder whose
    package is the reference; the warm process it starts is stopped after the test."""
    folder = tmp_path / "student"
    shutil.copytree(STUDENT, folder, ignore=shutil.ignore_patterns("rnnlab", "__pycache__", "*.ipynb"))
    shutil.copytree(SOLUTIONS / "rnnlab", folder / "rnnlab", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(folder)
    spec = importlib.util.spec_from_file_location("check_runner_under_test", folder / "tests" / "check_runner.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    yield module
    module._stop_warm()


def group_alive(group, seconds=10):
    """Whether a live process of `group` is left after `seconds` (a killed one may take a moment to go)."""
    deadline = time.monotonic() + seconds
    while processes_in_group(group) and time.monotonic() < deadline:
        time.sleep(0.1)
    return bool(processes_in_group(group))


def no_fresh_process(*args, **kwargs):
    raise AssertionError(f"a fresh process was started: {args}")


def test_a_keras_check_is_a_fork_of_the_warm_process_and_reads_the_package_as_it_is_now(runner, monkeypatch):
    monkeypatch.setattr(subprocess, "run", no_fresh_process)
    passed, report = runner.run([BUILDER])
    assert passed and report.startswith("All ") and report.endswith(f" public tests of {BUILDER} passed.\n"), report
    warm = runner._warm.pid
    keras_models = os.path.join("rnnlab", "keras_models.py")
    shutil.copy(STUDENT / "rnnlab" / "keras_models.py", keras_models)  # the stub, written after the fork's parent started
    passed, report = runner.run([BUILDER])
    assert not passed and "NotImplementedError: recurrent_layer" in report, report
    shutil.copy(SOLUTIONS / "rnnlab" / "keras_models.py", keras_models)
    assert runner.run([BUILDER])[0] and runner._warm.pid == warm


def test_a_numpy_check_warms_up_in_the_background_and_runs_afresh(runner):
    passed, report = runner.run(["rnn.rnn_step_forward"], warm_up=True)
    assert passed, report
    assert runner._warm is not None and runner._warm.poll() is None


@pytest.mark.parametrize("where", ["macOS", "no package here"])
def test_no_warm_process_where_a_fork_is_unsafe_or_there_is_nothing_to_check(runner, monkeypatch, where):
    if where == "macOS":
        monkeypatch.setattr(sys, "platform", "darwin")
    else:
        shutil.rmtree("rnnlab")
    runner._start_warm()
    assert runner._warm is None


def test_an_interrupted_check_ends_the_warm_process_and_the_next_one_starts_afresh(runner):
    assert runner.run([BUILDER])[0]  # the warm process is ready
    group = runner._warm.pid  # it leads a process group: its forks are in it
    with open(os.path.join("rnnlab", "keras_models.py"), "a") as source:
        source.write(STUCK)  # the student's builder never returns

    def interrupt(signum, frame):
        raise KeyboardInterrupt  # what the kernel's interrupt raises in the cell
    previous = signal.signal(signal.SIGALRM, interrupt)
    signal.alarm(3)
    try:
        with pytest.raises(KeyboardInterrupt):
            runner.run([BUILDER])
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert runner._warm is None and not group_alive(group)
    shutil.copy(SOLUTIONS / "rnnlab" / "keras_models.py", os.path.join("rnnlab", "keras_models.py"))
    assert runner.run([BUILDER])[0] and runner._warm.pid != group


SHOW_CHECK = """
from otter.test_files.exception_test import ExceptionTestFile
check = ExceptionTestFile.from_file("tests/rnn_step_forward.py")
check.run({})
print("---summary---"); print(repr(check)); print("---html---"); print(check._repr_html_())
"""


@pytest.mark.parametrize("package", ["stub", "reference"])
def test_under_a_failed_check_otter_adds_one_line_and_a_passed_one_is_otters_own(runner, package):
    if package == "stub":
        shutil.copy(STUDENT / "rnnlab" / "rnn.py", os.path.join("rnnlab", "rnn.py"))
    shown = subprocess.run([sys.executable, "-c", SHOW_CHECK], capture_output=True, text=True, check=True).stdout
    report, summary, html = re.split(r"---summary---\n|---html---\n", shown)
    if package == "stub":
        assert "NotImplementedError: rnn_step_forward" in report
        assert summary == "rnn_step_forward: ❌ the public tests above failed\n", summary
        assert html.count("<p>") == 1 and "Error at line" not in html, html
    else:
        assert report == "" and summary == "rnn_step_forward results: All test cases passed!\n", summary
