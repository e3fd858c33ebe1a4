from otter.test_files import test_case

OK_FORMAT = False

name = "rnn_step_backward"
points = 4

@test_case(points=None, hidden=False)
def test_rnn_step_backward_public_tests():
    """The public tests of this question: the same as `pytest tests/test_rnn.py::test_step_backward_by_hand`."""
    import subprocess, sys
    run = subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'tests/test_rnn.py::test_step_backward_by_hand'], capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:]

