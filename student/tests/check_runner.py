"""How a notebook's `grader.check` runs a question's public tests: `pytest --function F --check`,
in a process that reads rnnlab/ as it is on disk now.

A check of a Keras builder would spend most of its time importing TensorFlow (about 5 s). So a
notebook kernel keeps one warm process (`python check_runner.py`, its child) that has imported
pytest, numpy and Keras, and never rnnlab; each Keras check is a fork of it, which imports your
rnnlab/ afresh, runs pytest and ends. Questions of a notebook that has Keras questions start that
process in the background at their first check, so it is ready by the first Keras one.

The warm process lives as long as the kernel: it ends when its standard input closes. It is used
only on Linux (forking after TensorFlow's import is safe there, not on macOS; Windows has no fork)
and only where rnnlab/ and these tests are in the working folder; elsewhere every check is a fresh
`python -m pytest`, as it always was.
"""
import json
import os
import signal
import subprocess
import sys
import tempfile

WARM_MODULES = ("pytest", "numpy", "keras")  # what a Keras check imports, but rnnlab
FAILED = "the public tests above failed"  # a failing check's assertion message
_warm = None  # this kernel's warm process (subprocess.Popen), once started


def pytest_arguments(functions):
    return ["-p", "no:cacheprovider", "--color=no", "--function", ",".join(functions), "--check"]


def plain_environment():
    """The kernel's environment without colour: the report is read as plain text."""
    return {k: v for k, v in os.environ.items() if k != "FORCE_COLOR"} | {"NO_COLOR": "1"}


def run(functions, warm_up=False):
    """(passed, report) of the public tests of `functions` ("module.name"): forked from the warm
    process if one of them is a Keras builder, else in a fresh process. `warm_up`: start the warm
    process now (in the background) if it can be used here."""
    _one_line_under_a_failed_check()
    keras = any(name.startswith("keras_models.") for name in functions)
    if warm_up or keras:
        _start_warm()
    if keras and _warm is not None:
        result = _run_warm(functions)
        if result is not None:
            return result
    cold = subprocess.run([sys.executable, "-m", "pytest", *pytest_arguments(functions)],
                          capture_output=True, text=True, env=plain_environment())
    return cold.returncode == 0, cold.stdout + cold.stderr


def _one_line_under_a_failed_check():
    """otter shows, under a failing check, five lines of its own after the report (its test case,
    "Error at line N", the assert, the exception): for these checks, where the report above says
    it all, one. Otter's own display for anything else, and where its classes are not as expected."""
    try:
        from otter.test_files.abstract_test import TestFile
    except ImportError:
        return
    if getattr(TestFile, "rnnlab_one_line", False) or not hasattr(TestFile, "_repr_html_"):
        return
    summary, html = TestFile.summary, TestFile._repr_html_

    def failed_here(result):
        failed = [case for case in result.test_case_results if not case.passed]
        return bool(failed) and all((case.message or "").rstrip().endswith(FAILED) for case in failed)

    def one_line_summary(self, public_only=False):
        return f"{self.name}: ❌ {FAILED}" if failed_here(self) else summary(self, public_only)

    def one_line_html(self):
        return (f"<p><strong style='color: red;'>{self.name}: ❌ {FAILED}</strong></p>"
                if failed_here(self) else html(self))

    TestFile.summary, TestFile._repr_html_, TestFile.rnnlab_one_line = one_line_summary, one_line_html, True


def _usable_here():
    return (sys.platform == "linux" and os.path.isdir("rnnlab")
            and os.path.isfile(os.path.join("tests", "check_runner.py")))


def _start_warm():
    global _warm
    if _warm is not None and _warm.poll() is None:
        return
    _warm = None
    if _usable_here():
        _warm = subprocess.Popen([sys.executable, os.path.join("tests", "check_runner.py")],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                 text=True, env=plain_environment(), start_new_session=True)


def _stop_warm():
    global _warm
    if _warm is not None:
        try:
            os.killpg(_warm.pid, signal.SIGKILL)  # the check it may be running too
        except ProcessLookupError:
            pass
        _warm.wait()
        _warm = None


def _run_warm(functions):
    """(passed, report) from a fork of the warm process, or None if it has died (the caller runs
    the check afresh). Interrupting the kernel while a check runs ends the warm process too."""
    with tempfile.NamedTemporaryFile(prefix="rnnlab-check-", suffix=".txt") as output:
        request = {"cwd": os.getcwd(), "arguments": pytest_arguments(functions), "output": output.name}
        try:
            _warm.stdin.write(json.dumps(request) + "\n")
            _warm.stdin.flush()
            answer = _warm.stdout.readline()
        except BrokenPipeError:
            answer = ""
        except BaseException:
            _stop_warm()
            raise
        if not answer:
            _stop_warm()
            return None
        with open(output.name, errors="replace") as report:
            return json.loads(answer)["returncode"] == 0, report.read()


def serve():
    """The warm process: import WARM_MODULES, then for each request line fork a child that runs
    pytest in the request's folder with its output in the request's file, and answer its exit code."""
    import importlib
    for name in WARM_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            pass  # a check that needs it fails as a fresh process would, with pytest's message
    import pytest
    for line in sys.stdin:
        request = json.loads(line)
        child = os.fork()
        if child == 0:
            _run_in_child(pytest, request)
        _, status = os.waitpid(child, 0)
        print(json.dumps({"returncode": os.waitstatus_to_exitcode(status)}), flush=True)


def _run_in_child(pytest, request):
    """In the forked child: what `python -m pytest ARGUMENTS` run in the request's folder does. Never returns."""
    code = 1
    try:
        output = os.open(request["output"], os.O_WRONLY | os.O_TRUNC)
        os.dup2(output, 1)
        os.dup2(output, 2)
        os.chdir(request["cwd"])
        sys.path.insert(0, request["cwd"])  # as `python -m` puts the working folder first
        code = int(pytest.main(request["arguments"]))
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


if __name__ == "__main__":  # the warm process, started by _start_warm
    del sys.path[0]  # tests/: a check imports from where `python -m pytest` would, no more
    serve()
